"""What a user sees when onboarding cannot finish: failed checks, spent budgets, a missing Magic Transit route,
and what a run without waiting leaves pending."""

import pytest

from conftest import edge_prefix, plain_prefix

PLAIN = "198.51.100.0/24"


@pytest.fixture
def slow_sim(sim):
    """Let a test make validation or provisioning take an hour; the default timings come back afterwards."""
    changed = {}

    def slow(**settings):
        changed.update(settings)
        sim.control("PATCH", "/config", settings)

    yield slow
    if changed:
        sim.control("PATCH", "/config", dict(validation_seconds=1, provisioning_seconds=1))


def test_a_failed_check_stops_the_wait_and_gives_the_diagnosis(sim, runner):
    sim.control("POST", "/reset")
    sim.control("POST", "/validation-outcomes", dict(cidr=PLAIN, outcome="missing"))
    run = runner.run("onboard", dict(byoip_prefixes=[plain_prefix(PLAIN)], byoip_onboard_validation_timeout=60))
    assert run.returncode != 0
    message = run.failure_messages()
    assert "Validation of 198.51.100.0/24 failed (IRR route object)" in message
    # Explained with the pre-flight check's evidence: this module's registry world is empty.
    assert "  - IRR: no route object for 198.51.100.0/24 at an RIR-operated IRR" in message
    assert "Register this route object at the IRR of the RIR that holds 198.51.100.0/24:" in message
    assert "origin:         AS13335" in message
    assert "RPKI ROA: passed." in message
    assert "byoip_onboard_revalidate=true" in message
    # It stopped at the failure instead of polling out the 60-second budget.
    assert run.max_attempts() < 10
    assert sim.children(PLAIN, "bindings") == []


def test_a_prefix_that_fails_validation_does_not_hold_up_the_others(sim, runner):
    sim.control("POST", "/reset")
    sim.control("POST", "/validation-outcomes", dict(cidr=PLAIN, outcome="invalid"))
    run = runner.run("onboard", dict(byoip_prefixes=[plain_prefix(PLAIN), edge_prefix()]))
    assert run.returncode != 0
    assert "Validation of 198.51.100.0/24 failed (RPKI ROA)" in run.failure_messages()
    assert "203.0.113.0/24" not in run.failure_messages()
    edge = sim.prefix("203.0.113.0/24")
    assert edge["approved"] == "V" and edge["advertised"] is True
    assert {binding["provisioning"]["state"] for binding in sim.children("203.0.113.0/24", "bindings")} == {"active"}
    assert sim.children(PLAIN, "bindings") == []
    failed, done = run.fact("byoip_onboard_report")
    assert failed["pending"] == ["validation: IRR valid, RPKI invalid, ownership valid"] and done["complete"]
    # The failure comes last, after the report of every prefix.
    statuses = [record["status"] for record in run.records]
    assert statuses.index("failed") > max(index for index, record in enumerate(run.records)
                                          if "Show what changed" in record["task"])


def test_revalidation_re_runs_the_failed_checks_after_a_fix(sim, runner):
    sim.control("POST", "/reset")
    sim.control("POST", "/validation-outcomes", dict(cidr=PLAIN, outcome="missing"))
    assert runner.run("onboard", dict(byoip_prefixes=[plain_prefix(PLAIN)])).returncode != 0
    sim.control("POST", "/validation-outcomes", dict(cidr=PLAIN, outcome="valid"))  # the user fixed the IRR
    run = runner.run("onboard", dict(byoip_prefixes=[plain_prefix(PLAIN)], byoip_onboard_revalidate=True))
    assert run.returncode == 0, run.output
    assert sim.prefix(PLAIN)["approved"] == "V"
    report = run.fact("byoip_onboard_report")[0]
    assert "asked Cloudflare to re-run the failed validation checks" in report["changed"]


def test_a_validation_timeout_names_the_step_and_the_budget(sim, runner, slow_sim):
    sim.control("POST", "/reset")
    slow_sim(validation_seconds=3600)
    run = runner.run("onboard", dict(byoip_prefixes=[plain_prefix(PLAIN)], byoip_onboard_validation_timeout=2))
    assert run.returncode != 0
    message = run.failure_messages()
    assert "Timed out in step 2 (wait for validation)" in message
    assert "byoip_onboard_validation_timeout=2 s" in message
    assert "IRR route object: still running" in message


def test_a_provisioning_timeout_names_the_step_and_the_budget(sim, runner, slow_sim):
    sim.control("POST", "/reset")
    slow_sim(provisioning_seconds=3600)
    run = runner.run("onboard", dict(byoip_prefixes=[plain_prefix(PLAIN)], byoip_onboard_provisioning_timeout=2))
    assert run.returncode != 0
    message = run.failure_messages()
    assert "Timed out in step 6 (wait for deployment)" in message
    assert "byoip_onboard_provisioning_timeout=2 s" in message
    assert "Still provisioning: 198.51.100.0/24" in message


def test_without_waiting_the_role_reports_what_is_pending_and_a_later_run_finishes(sim, runner, slow_sim):
    sim.control("POST", "/reset")
    variables = dict(byoip_prefixes=[edge_prefix()], byoip_onboard_wait=False)
    first = runner.run("onboard", variables)
    assert first.returncode == 0, first.output
    assert first.max_attempts() == 0
    report = first.fact("byoip_onboard_report")[0]
    assert not report["complete"]
    assert report["pending"] == ["validation: IRR pending, RPKI pending, ownership pending"]
    assert sim.children("203.0.113.0/24", "bindings") == []  # nothing bound to an unapproved prefix

    sim.advance(2)  # validation is done
    slow_sim(provisioning_seconds=3600)  # and the bindings of the next run take an hour to deploy
    second = runner.run("onboard", variables)
    assert second.returncode == 0, second.output
    report = second.fact("byoip_onboard_report")[0]
    assert report["approved"] and not report["advertised"]
    assert any(line.startswith("deployment: ") for line in report["pending"])
    assert "advertisement: waits until every binding is active" in report["pending"]

    sim.control("PATCH", "/config", dict(provisioning_seconds=1))  # deployed
    third = runner.run("onboard", dict(variables, byoip_onboard_wait=True, byoip_onboard_advertise_after=0))
    assert third.returncode == 0, third.output
    assert third.fact("byoip_onboard_report")[0]["complete"]


def test_a_missing_magic_transit_route_fails_with_an_explanation(sim, runner):
    sim.control("POST", "/reset")
    variables = dict(byoip_prefixes=[plain_prefix(PLAIN, default_service="Magic Transit")],
                     byoip_onboard_wait=False)
    assert runner.run("onboard", variables).returncode == 0
    sim.advance(2)
    assert runner.run("onboard", variables).returncode == 0
    binding = sim.children(PLAIN, "bindings")[0]
    sim.control("PATCH", "/bindings/%s" % binding["id"], dict(state="magic_transit_route_missing"))
    run = runner.run("onboard", dict(variables, byoip_onboard_wait=True))
    assert run.returncode != 0
    message = run.failure_messages()
    assert "198.51.100.0/24 (Magic Transit) reports magic_transit_route_missing" in message
    assert "Add a Magic Transit route" in message

    # A dry run completes and says why the binding is stuck, not that it is still deploying.
    dry_run = runner.run("onboard", variables, "--check")
    assert dry_run.returncode == 0, dry_run.output
    report = dry_run.fact("byoip_onboard_report")[0]
    assert report["pending"][1:] == ["deployment: 198.51.100.0/24 reports magic_transit_route_missing (Cloudflare "
                                     "has no Magic Transit route for these addresses)"]
    assert report["next_steps"][0] == ("add a Magic Transit route (static route or tunnel) that covers "
                                       "198.51.100.0/24, then run the role again")
    status = runner.run("status", {})
    assert status.returncode == 0, status.output
    prefix = status.fact("byoip_status_report")["prefixes"][0]
    assert prefix["state"] == "Magic Transit route missing"
    assert prefix["problems"] == ["binding 198.51.100.0/24: Cloudflare has no Magic Transit route for these "
                                  "addresses; add a static route or tunnel that covers them."]
