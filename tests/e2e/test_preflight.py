"""The onboarding role's pre-flight check against the simulator's routing registry world (issue 13).

The world (route objects over whois, ROAs behind a Routinator-style validator, reverse DNS TXT records) is set
through cfsim's control API; Cloudflare's validation resolves from the same world, so what the pre-flight check
predicts can be compared with what Cloudflare then reports. Every source is on this machine (conftest points the
role at them).
"""

import socket

import pytest

from conftest import plain_prefix

PLAIN = "198.51.100.0/24"
REMARK, PAIR, V6 = "192.0.2.0/24", "203.0.112.0/23", "2001:db8::/46"
PAIR_NAMES = ["cf-validation.112.0.203.in-addr.arpa", "cf-validation.113.0.203.in-addr.arpa"]
V6_NAMES = ["cf-validation.%d.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" % nibble for nibble in range(4)]
NO_ROA = {"route_objects": [{"prefix": PLAIN, "origin": 13335, "source": "RIPE", "mnt_by": ["EDGE-MNT"]}]}
IN_ORDER = {
    "route_objects": [{"prefix": REMARK, "origin": 13335, "source": "RIPE"},
                      {"prefix": PAIR, "origin": 13335, "source": "ARIN"},
                      {"prefix": V6, "origin": 13335, "source": "APNIC"}],
    "roas": [{"prefix": REMARK, "asn": 13335}, {"prefix": "203.0.112.0/22", "max_length": 24, "asn": 13335},
             {"prefix": "2001:db8::/44", "max_length": 48, "asn": 13335}],
}
ROA_FIX = "Create a ROA at your RIR: prefix 198.51.100.0/24, max length 24, origin AS13335."


@pytest.fixture(autouse=True)
def fresh_world(sim):
    sim.control("POST", "/reset")  # also empties the world this module's cfsim started without
    yield
    sim.control("POST", "/reset")


def preflight_results(run):
    """The byoip_preflight_info results of a run, in order (skipped stages left out)."""
    return [record["result"] for record in run.tasks("Pre-flight | Ask the IRR") if record["status"] != "skipped"]


def evidence(run, cidr):
    return run.fact("byoip_onboard_preflight_result")["prefixes"][cidr]["checks"]


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_fail_mode_stops_on_a_missing_roa_before_any_write_with_the_roa_to_create(sim, runner):
    sim.control("PUT", "/registry", NO_ROA)
    mark = sim.mark()
    run = runner.run("onboard", dict(byoip_prefixes=[plain_prefix(PLAIN)], byoip_onboard_preflight="fail"))
    assert run.returncode != 0
    assert sim.writes_since(mark) == []
    assert sim.prefix(PLAIN) is None
    message = run.failure_messages()
    assert "198.51.100.0/24 RPKI: no ROA covers 198.51.100.0/24." in message
    assert ROA_FIX in message
    assert "the role stops here and nothing was written" in message
    assert "IRR ok, RPKI problem" in message


def test_warn_goes_on_cloudflare_agrees_and_a_fixed_world_onboards(sim, runner):
    sim.control("PUT", "/registry", NO_ROA)
    run = runner.run("onboard", dict(byoip_prefixes=[plain_prefix(PLAIN)]))
    assert run.returncode != 0, run.output
    # Reported before the prefix was added, with the ROA to create.
    tasks = [record["task"] for record in run.records]
    shown = tasks.index(next(task for task in tasks if "Pre-flight | Show" in task))
    assert shown < tasks.index(next(task for task in tasks if task.endswith("Step 1 | Add the prefixes, update their "
                                                                            "descriptions, ask to re-run failed "
                                                                            "checks")))
    assert ROA_FIX in run.output
    # Cloudflare's RPKI state says what the pre-flight check predicted.
    predicted = evidence(run, PLAIN)["rpki"]["predicted_state"]
    assert sim.prefix(PLAIN)["rpki_validation_state"] == predicted == "invalid"
    # The diagnosis explains each failed check with the pre-flight's evidence, in its words.
    message = run.failure_messages()
    assert "Validation of 198.51.100.0/24 failed (RPKI ROA, prefix ownership)" in message
    assert "  - RPKI: no ROA covers 198.51.100.0/24." in message and ROA_FIX in message
    assert "  - ownership: no TXT at cf-validation.100.51.198.in-addr.arpa; " in message
    assert "IRR route object: passed." in message

    sim.control("POST", "/registry", {"roas": [{"prefix": PLAIN, "asn": 13335}]})
    sim.control("POST", "/ownership-tokens", {"cidr": PLAIN, "via": "txt"})
    again = runner.run("onboard", dict(byoip_prefixes=[plain_prefix(PLAIN)], byoip_onboard_revalidate=True))
    assert again.returncode == 0, again.output
    [before] = preflight_results(again)
    assert before["status"] == "ok" and before["problems"] == [] and before["unknown"] == []
    assert sim.prefix(PLAIN)["approved"] == "V"
    assert [binding["provisioning"]["state"] for binding in sim.children(PLAIN, "bindings")] == ["active"]


def test_ownership_by_irr_remark_and_by_txt_in_two_24_and_four_48_zones(sim, runner):
    sim.control("PUT", "/registry", IN_ORDER)
    prefixes = [plain_prefix(cidr) for cidr in (REMARK, PAIR, V6)]
    first = runner.run("onboard", dict(byoip_prefixes=prefixes, byoip_onboard_wait=False))
    assert first.returncode == 0, first.output
    before, token = preflight_results(first)
    assert before["problems"] == [] and {entry["checks"]["ownership"]["status"] for entry in before["prefixes"]} \
        == {"skipped"}
    fixes = dict((item["cidr"], item["fix"]) for item in token["problems"])
    assert sorted(fixes) == sorted([REMARK, PAIR, V6])
    assert {item["check"] for item in token["problems"]} == {"ownership"}
    assert [record["name"] for record in fixes[PAIR]["txt_records"]] == PAIR_NAMES
    assert [record["name"] for record in fixes[V6]["txt_records"]] == V6_NAMES
    tokens = dict((cidr, sim.prefix(cidr)["ownership_validation_token"]) for cidr in (REMARK, PAIR, V6))
    assert fixes[REMARK]["irr_remark"] == "remarks: cf-validation: " + tokens[REMARK]
    for name in PAIR_NAMES + V6_NAMES:
        assert name in first.output

    sim.advance(60)  # Cloudflare has looked, and found no token
    assert {sim.prefix(cidr)["ownership_validation_state"] for cidr in tokens} == {"missing"}
    sim.control("POST", "/ownership-tokens", {"cidr": REMARK, "via": "irr"})
    for cidr in (PAIR, V6):
        sim.control("POST", "/ownership-tokens", {"cidr": cidr, "via": "txt"})

    second = runner.run("onboard", dict(byoip_prefixes=prefixes, byoip_onboard_revalidate=True))
    assert second.returncode == 0, second.output
    [checked] = preflight_results(second)
    assert checked["problems"] == [] and checked["unknown"] == []
    ownership = dict((entry["cidr"], entry["checks"]["ownership"]) for entry in checked["prefixes"])
    assert ownership[REMARK]["message"] == "ownership: the route object at RIPE has cf-validation: %s." % tokens[REMARK]
    assert ownership[PAIR]["message"] == ("ownership: the token is published as TXT in every reverse zone of %s (%s)."
                                          % (PAIR, ", ".join(PAIR_NAMES)))
    assert sorted(ownership[V6]["evidence"]["txt"]) == V6_NAMES
    for cidr in tokens:
        prefix = sim.prefix(cidr)
        assert (prefix["approved"], prefix["ownership_validation_state"]) == ("V", "valid")


def test_sources_that_do_not_answer_are_unknown_and_never_stop_fail_mode(sim, runner):
    sim.control("PUT", "/registry", IN_ORDER)
    port = closed_port()
    mark = sim.mark()
    run = runner.run("onboard", dict(
        byoip_prefixes=[plain_prefix(REMARK)], byoip_onboard_preflight="fail", byoip_onboard_wait=False,
        byoip_onboard_preflight_whois_servers=["127.0.0.1:%d" % port],
        byoip_onboard_preflight_rpki_validator_url="http://127.0.0.1:%d" % port,
        byoip_onboard_preflight_dns_port=port, byoip_onboard_preflight_timeout=2))
    assert run.returncode == 0, run.output
    assert "POST /client/v4/accounts/%s/addressing/prefixes" % sim.account_id in sim.writes_since(mark)
    before, token = preflight_results(run)
    assert before["problems"] == [] and token["problems"] == []
    assert sorted(item["check"] for item in before["unknown"]) == ["irr", "rpki"]
    assert [item["check"] for item in token["unknown"]] == ["irr", "ownership"]
    assert all(item["predicted_state"] is None for item in before["unknown"] + token["unknown"])
    assert "an unknown check never stops the run, not even with byoip_onboard_preflight=fail" in \
        " ".join(run.output.split())


def test_off_and_a_converged_re_run_ask_no_source(sim, runner):
    sim.control("PUT", "/registry", IN_ORDER)
    prefixes = [plain_prefix(REMARK)]
    # false: what YAML makes of a bare `off`
    off = runner.run("onboard", dict(byoip_prefixes=prefixes, byoip_onboard_preflight=False,
                                     byoip_onboard_wait=False))
    assert off.returncode == 0, off.output
    assert preflight_results(off) == []
    sim.advance(60)
    sim.control("POST", "/ownership-tokens", {"cidr": REMARK, "via": "irr"})
    done = runner.run("onboard", dict(byoip_prefixes=prefixes, byoip_onboard_revalidate=True))
    assert done.returncode == 0, done.output
    assert sim.prefix(REMARK)["approved"] == "V"
    again = runner.run("onboard", dict(byoip_prefixes=prefixes))
    assert again.returncode == 0 and preflight_results(again) == []
    assert "Pre-flight check" not in again.output


def test_bad_settings_are_refused_in_the_variables_names_before_any_request(sim, runner):
    mark = sim.mark()
    run = runner.run("onboard", dict(byoip_prefixes=[plain_prefix(PLAIN)], byoip_onboard_preflight="maybe",
                                     byoip_onboard_preflight_whois_servers=["whois.example:http"]))
    assert run.returncode != 0
    assert "byoip_onboard_preflight must be off, warn or fail, got 'maybe'." in run.failure_messages()
    assert sim.requests_since(mark) == []
    bad = runner.run("onboard", dict(byoip_prefixes=[plain_prefix(PLAIN)],
                                     byoip_onboard_preflight_whois_servers=["whois.example:http"],
                                     byoip_onboard_preflight_dns_servers=["resolver.example"]))
    assert bad.returncode != 0
    message = bad.failure_messages()
    assert "byoip_onboard_preflight_whois_servers: 'whois.example:http' is not a host name" in message
    assert "byoip_onboard_preflight_dns_servers: 'resolver.example' is not an IP address." in message
    assert sim.requests_since(mark) == []
