"""Offboarding: confirmation, dry run, the safe order, what stays, and a re-run that changes nothing."""

import pytest

from conftest import edge_prefix, plain_prefix

EDGE = "203.0.113.0/24"
PENDING = "198.51.100.0/24"


def kind_of(write):
    """("DELETE", "bindings") for "DELETE /client/v4/accounts/A/addressing/prefixes/P/bindings/B"."""
    method, path = write.split()
    below_prefix = path.split("/addressing/prefixes/", 1)[1].split("/")[1:]
    return method, below_prefix[0] if below_prefix else "prefix"


@pytest.fixture(scope="module")
def vars_file_content(sim, module_runner):
    """One advertised, approved prefix and one that never passes validation; the same vars for both roles."""
    sim.control("POST", "/reset")
    sim.control("POST", "/validation-outcomes", dict(cidr=PENDING, outcome="mismatch_asn"))
    variables = dict(byoip_prefixes=[edge_prefix(), plain_prefix(PENDING)])
    run = module_runner.run("onboard", dict(variables, byoip_prefixes=[edge_prefix()]))
    assert run.returncode == 0, run.output
    run = module_runner.run("onboard", dict(variables, byoip_prefixes=[plain_prefix(PENDING)],
                                            byoip_onboard_wait=False))
    assert run.returncode == 0, run.output
    return variables


def test_a_real_run_needs_confirmation_and_changes_nothing_without_it(sim, module_runner, vars_file_content):
    mark = sim.mark()
    run = module_runner.run("offboard", vars_file_content)
    assert run.returncode != 0
    assert "confirm with -e byoip_offboard_confirm=true" in run.failure_messages()
    assert sim.requests_since(mark) == []


def test_a_dry_run_shows_the_plan_and_sends_no_write(sim, module_runner, vars_file_content):
    mark = sim.mark()
    run = module_runner.run("offboard", vars_file_content, "--check", "--diff")
    assert run.returncode == 0, run.output
    assert sim.writes_since(mark) == []
    report = {entry["cidr"]: entry for entry in run.fact("byoip_offboard_report")}
    assert report[EDGE]["changed"] == [
        "would withdraw 203.0.113.0/24",
        "would delete the service binding 203.0.113.16/29 (CDN)",
        "would delete the service binding 203.0.113.64/32 (CDN)",
        "would delete the service binding 203.0.113.66/32 (CDN)",
        "would delete the service binding 203.0.113.0/24 (Spectrum)",
        "would delete the delegation of 203.0.113.128/25 to account 0123456789abcdef0123456789abcdef",
    ]
    assert report[PENDING]["changed"] == ["would delete the prefix"]


def test_offboarding_withdraws_and_deletes_in_order_and_a_re_run_changes_nothing(
        sim, module_runner, vars_file_content):
    mark = sim.mark()
    run = module_runner.run("offboard", dict(vars_file_content, byoip_offboard_confirm=True))
    assert run.returncode == 0, run.output
    # Withdraw, then the more specific bindings, then the default binding, then the delegation, then the prefix
    # that was never approved.
    assert [kind_of(write) for write in sim.writes_since(mark)] == [
        ("PATCH", "bgp"), ("DELETE", "bindings"), ("DELETE", "bindings"), ("DELETE", "bindings"),
        ("DELETE", "bindings"), ("DELETE", "delegations"), ("DELETE", "prefix")]

    assert sim.children(EDGE, "bindings") == []
    assert sim.children(EDGE, "delegations") == []
    assert not any(bgp["on_demand"]["advertised"] for bgp in sim.children(EDGE, "bgp/prefixes"))
    assert sim.prefix(EDGE)["approved"] == "V"  # Cloudflare deletes only unapproved prefixes
    assert sim.prefix(PENDING) is None
    report = {entry["cidr"]: entry for entry in run.fact("byoip_offboard_report")}
    assert "ask your Cloudflare account team to remove 203.0.113.0/24" in report[EDGE]["remaining"][0]
    assert report[PENDING]["prefix_deleted"]

    mark = sim.mark()
    again = module_runner.run("offboard", dict(vars_file_content, byoip_offboard_confirm=True))
    assert again.returncode == 0, again.output
    assert sim.writes_since(mark) == []
    assert again.changed_tasks() == []
    report = {entry["cidr"]: entry for entry in again.fact("byoip_offboard_report")}
    assert report[EDGE]["changed"] == [] and not report[PENDING]["found"]
