"""A full onboarding of two prefixes, the same run again, and the aggregation of additional bindings."""

import pytest

from conftest import GET_STARTED_CDN_ADDRESSES, DELEGATED_ACCOUNT, edge_prefix, plain_prefix

EDGE = "203.0.113.0/24"
PLAIN = "198.51.100.0/24"


@pytest.fixture(scope="module")
def onboarded(sim, module_runner):
    sim.control("POST", "/reset")
    # Credentials through the vars file here (cloudflare_account_id, cloudflare_api_token, cloudflare_base_url);
    # the other tests give them as CLOUDFLARE_* environment variables.
    run = module_runner.run("onboard", dict(byoip_prefixes=[edge_prefix(), plain_prefix(PLAIN)]),
                            credentials_in_env=False)
    assert run.returncode == 0, run.output
    return run


def test_both_prefixes_are_approved_bound_active_and_advertised_where_asked(sim, onboarded):
    for cidr in (EDGE, PLAIN):
        assert sim.prefix(cidr)["approved"] == "V"
        bindings = sim.children(cidr, "bindings")
        assert bindings and all(binding["provisioning"]["state"] == "active" for binding in bindings)
    assert {(binding["cidr"], binding["service_name"]) for binding in sim.children(PLAIN, "bindings")} \
        == {(PLAIN, "CDN")}
    assert [(item["cidr"], item["delegated_account_id"]) for item in sim.children(EDGE, "delegations")] \
        == [("203.0.113.128/25", DELEGATED_ACCOUNT)]
    advertised = {cidr: [(bgp["cidr"], bgp["on_demand"]["advertised"]) for bgp in sim.children(cidr, "bgp/prefixes")]
                  for cidr in (EDGE, PLAIN)}
    assert advertised == {EDGE: [(EDGE, True)], PLAIN: [(PLAIN, False)]}


def test_the_report_says_what_changed_and_that_nothing_is_pending(onboarded):
    report = {entry["cidr"]: entry for entry in onboarded.fact("byoip_onboard_report")}
    assert report[EDGE]["complete"] and report[EDGE]["advertised"] and report[EDGE]["pending"] == []
    assert "added the prefix" in report[EDGE]["changed"]
    assert "bound 203.0.113.16/29 to CDN" in report[EDGE]["changed"]
    assert "advertised 203.0.113.0/24 over BGP" in report[EDGE]["changed"]
    assert report[PLAIN]["complete"] and not report[PLAIN]["advertised"]
    # Not asked to advertise: the report says how to, once the user is ready.
    assert any("advertise: true" in step for step in report[PLAIN]["next_steps"])


def test_eight_get_started_addresses_become_one_29_and_lonely_ones_stay_apart(sim, onboarded):
    assert GET_STARTED_CDN_ADDRESSES[0] == "203.0.113.16" and len(GET_STARTED_CDN_ADDRESSES) == 8
    bindings = sorted((binding["cidr"], binding["service_name"]) for binding in sim.children(EDGE, "bindings"))
    assert bindings == [(EDGE, "Spectrum"), ("203.0.113.16/29", "CDN"), ("203.0.113.64/32", "CDN"),
                        ("203.0.113.66/32", "CDN")]


def test_the_api_token_from_the_vars_file_never_shows(sim, onboarded):
    assert sim.api_token not in onboarded.output
    assert all(sim.api_token not in str(record["result"]) for record in onboarded.records)


def test_the_ownership_instructions_name_the_token_and_every_reverse_zone(onboarded):
    messages = [line for record in onboarded.tasks("Say what to publish")
                for result in record["result"].get("results", []) for line in result.get("msg", [])]
    text = "\n".join(messages)
    assert "cf-validation: " in text
    assert 'cf-validation.113.0.203.in-addr.arpa. IN TXT "' in text
    assert 'cf-validation.100.51.198.in-addr.arpa. IN TXT "' in text


def test_a_second_run_changes_nothing_and_sends_no_write(sim, module_runner, onboarded):
    mark = sim.mark()
    run = module_runner.run("onboard", dict(byoip_prefixes=[edge_prefix(), plain_prefix(PLAIN)]))
    assert run.returncode == 0, run.output
    assert sim.writes_since(mark) == []
    assert run.changed_tasks() == []
    assert all(entry["changed"] == [] and entry["complete"] for entry in run.fact("byoip_onboard_report"))
    # Nothing to wait for: no poll repeats.
    assert run.max_attempts() <= 1
