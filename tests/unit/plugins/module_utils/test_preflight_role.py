"""Unit tests of the pre-flight check in the onboarding role: what it asks at each stage, what it keeps, what it
prints, when it stops, and how the failure report explains Cloudflare's states with its evidence."""

import ipaddress
import pathlib

import pytest
import yaml

from ansible_collections.cloudflare.addressing.plugins.module_utils import _preflight
from ansible_collections.cloudflare.addressing.plugins.module_utils import _preflight_role as role
from ansible_collections.cloudflare.addressing.plugins.module_utils._plan import merge as merge_estate, plan
from ansible_collections.cloudflare.addressing.plugins.module_utils._report import failures
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_preflight_info

from test_plan import OPTIONS, desired, edge, estate, live_prefix, onboarded

ROOT = pathlib.Path(__file__).resolve().parents[4]
NET = ipaddress.ip_network
EDGE, OTHER = "203.0.113.0/24", "198.51.100.0/24"
BUDGETS = dict(validation_timeout=600, validation_interval=60, provisioning_timeout=600, provisioning_interval=60)
SETTINGS = dict(mode="warn", whois_servers=["rr.ntt.net"], rpki_validator_url="https://rpki-validator.ripe.net",
                dns_servers=[], dns_port=53, source_timeout=10)
ROA_FIX = "Create a ROA at your RIR: prefix 203.0.113.0/24, max length 24, origin AS13335."


def no_roa(cidr=EDGE):
    return _preflight.rpki_check(NET(cidr), 13335, {"state": "not-found", "reason": None, "vrps": {
        "matched": [], "unmatched_as": [], "unmatched_length": []}})


def irr_ok(cidr=EDGE):
    return _preflight.irr_check(NET(cidr), 13335, [{"class": "route", "prefix": cidr, "origin": 13335,
                                                    "source": "RIPE", "descr": [], "remarks": [], "mnt_by": []}])


def irr_unknown():
    return _preflight.unknown("irr", "refused", "127.0.0.1 port 9 refused the connection")


def no_txt(cidr=EDGE, token="tok-1"):
    return _preflight.ownership_check(NET(cidr), token, None, {"113.0.203.in-addr.arpa": []})


def entry(cidr=EDGE, token=None, **checks):
    return dict(cidr=cidr, asn=13335, prefix_id=None, ownership_token=token, token_source=None, checks=checks,
                status=_preflight.overall_status(checks))


def found(*entries):
    prefixes = list(entries)
    return dict(changed=False, prefixes=prefixes, status=_preflight.overall_status(dict(enumerate(prefixes))),
                problems=_preflight.summary(prefixes, "problem"), unknown=_preflight.summary(prefixes, "unknown"))


def options(stage, mode="warn", wait=True):
    return dict(stage=stage, mode=mode, wait=wait)


# --- settings --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [("warn", "warn"), ("FAIL", "fail"), ("off", "off"), (False, "off"),
                                             ("False", "off"), (" fail ", "fail")])
def test_the_mode_reads_a_bare_yaml_off_as_off(value, expected):
    assert role.mode(value) == expected


def test_an_unknown_mode_is_refused_in_the_variables_name():
    with pytest.raises(ValueError) as raised:
        role.mode("maybe")
    assert str(raised.value) == "byoip_onboard_preflight must be off, warn or fail, got 'maybe'."


def test_every_bad_source_setting_at_once_in_the_roles_variable_names():
    problems = role.settings_problems(dict(SETTINGS, whois_servers=["whois.example:http"], dns_servers=["resolver"],
                                           dns_port="x", source_timeout=0, rpki_validator_url="ftp://rpki"))
    assert problems == [
        "byoip_onboard_preflight_dns_port must be a number, got 'x'.",
        "byoip_onboard_preflight_whois_servers: 'whois.example:http' is not a host name or address with an optional "
        ":port (1-65535).",
        "byoip_onboard_preflight_dns_servers: 'resolver' is not an IP address.",
        "byoip_onboard_preflight_timeout must be a positive number of seconds, got 0.0.",
        "byoip_onboard_preflight_rpki_validator_url must be an http:// or https:// URL, got 'ftp://rpki'."]


def test_good_settings_as_ansible_may_template_them_pass_and_off_looks_at_nothing():
    assert role.settings_problems(SETTINGS) == []
    assert role.settings_problems(dict(SETTINGS, whois_servers="127.0.0.1:4343, rr.ntt.net", dns_port="5353",
                                       source_timeout="2.5", dns_servers=["127.0.0.1"])) == []
    assert role.settings_problems(dict(SETTINGS, mode=False, whois_servers=[], dns_port="x")) == []
    assert role.settings_problems(dict(SETTINGS, whois_servers=[])) == [
        "byoip_onboard_preflight_whois_servers is empty, so the IRR check has nobody to ask (set "
        "byoip_onboard_preflight=off to skip the pre-flight check)."]


def test_the_roles_source_defaults_are_the_modules():
    defaults = yaml.safe_load((ROOT / "roles" / "byoip_onboard" / "defaults" / "main.yml").read_text())
    module = yaml.safe_load(byoip_preflight_info.DOCUMENTATION)["options"]
    for option in role.SETTINGS:
        assert defaults[role.variable(option)] == module[option]["default"], option
    assert defaults["byoip_onboard_preflight"] == "warn"


# --- what to ask -----------------------------------------------------------------------------------------------

def test_before_step_1_every_prefix_not_approved_is_checked_with_the_token_it_has():
    prefixes = desired(edge(), dict(cidr=OTHER, default_service="CDN"), dict(cidr="192.0.2.0/24",
                                                                             default_service="CDN"))
    state = estate(onboarded(), live_prefix(OTHER, approved="P", states="pending", ownership_validation_token="t2"))
    asked = role.request(prefixes, state, plan(prefixes, state, OPTIONS), {}, "before", dict(mode="warn"))
    assert asked == dict(checks=["irr", "rpki", "ownership"], prefixes=[
        dict(cidr=OTHER, asn=13335, ownership_token="t2"), dict(cidr="192.0.2.0/24", asn=13335, ownership_token=None)])


def test_a_converged_account_or_the_off_mode_asks_nothing():
    prefixes = desired(edge())
    state = estate(onboarded())
    assert role.request(prefixes, state, plan(prefixes, state, OPTIONS), {}, "before", dict(mode="warn")) == dict(
        prefixes=[], checks=[])
    empty = estate()
    assert role.request(prefixes, empty, plan(prefixes, empty, OPTIONS), {}, "before", dict(mode=False))[
        "prefixes"] == []


def test_after_step_1_only_the_new_tokens_are_looked_for_with_the_irr_object():
    prefixes = desired(edge(), dict(cidr=OTHER, default_service="CDN"))
    state = estate(live_prefix(approved="P", states="pending", ownership_validation_token="new"),
                   live_prefix(OTHER, approved="P", states="pending", ownership_validation_token="old"))
    evidence = {EDGE: dict(cidr=EDGE, ownership_token=None, checks=dict(ownership=_preflight.no_token())),
                OTHER: dict(cidr=OTHER, ownership_token="old", checks=dict(ownership=no_txt(OTHER, "old")))}
    asked = role.request(prefixes, state, plan(prefixes, state, OPTIONS), evidence, "token", dict(mode="fail"))
    assert asked == dict(checks=["irr", "ownership"], prefixes=[dict(cidr=EDGE, asn=13335, ownership_token="new")])


def test_a_dry_run_has_no_token_for_a_prefix_it_only_predicts():
    prefixes = desired(edge())
    first = estate()
    planned = plan(prefixes, first, dict(OPTIONS, check_mode=True))
    predicted = merge_estate(first, dict(results=[dict(item=planned["prefixes"]["batch"][0], changed=True, prefix=dict(
        live_prefix(approved="P", states="pending"), ownership_validation_token=None))]), planned["prefixes"], True)
    assert role.request(prefixes, predicted, planned, {}, "token", dict(mode="warn"))["prefixes"] == []


def test_the_diagnosis_rechecks_stopped_prefixes_after_a_wait_and_reuses_fresh_evidence_otherwise():
    prefixes = desired(edge())
    state = estate(live_prefix(approved="P", states="valid", rpki_validation_state="invalid"))
    planned = plan(prefixes, state, OPTIONS)
    assert planned["validation"]["failed"] == [EDGE]
    complete = {EDGE: dict(cidr=EDGE, ownership_token="tok-1", checks=dict(irr=irr_ok(), rpki=no_roa(),
                                                                           ownership=no_txt()))}
    assert role.request(prefixes, state, planned, complete, "diagnosis", dict(mode="warn"))["prefixes"] == []
    assert role.request(prefixes, state, planned, complete, "diagnosis", dict(mode="warn", recheck=True)) == dict(
        checks=["irr", "rpki", "ownership"], prefixes=[dict(cidr=EDGE, asn=13335, ownership_token="tok-1")])
    partial = {EDGE: dict(complete[EDGE], checks=dict(rpki=no_roa()))}
    assert role.request(prefixes, state, planned, partial, "diagnosis", dict(mode="warn"))["prefixes"] != []


def test_an_unknown_stage_is_refused():
    with pytest.raises(ValueError):
        role.request([], estate(), {}, {}, "later", dict(mode="warn"))


# --- what it found, said and decided ---------------------------------------------------------------------------

def test_the_evidence_keeps_each_checks_latest_result():
    before = role.merge({}, [entry(irr=irr_ok(), rpki=no_roa(), ownership=_preflight.no_token())])
    after = role.merge(before, [entry(token="tok-1", irr=irr_ok(), ownership=no_txt())])
    assert after[EDGE]["ownership_token"] == "tok-1"
    assert [after[EDGE]["checks"][name]["status"] for name in ("irr", "rpki", "ownership")] == [
        "ok", "problem", "problem"]


def test_warn_prints_each_problem_with_its_fix_and_goes_on():
    earlier_run = dict(prefixes=role.merge({}, [entry(OTHER, rpki=no_roa(OTHER))]))
    result = role.outcome(found(entry(irr=irr_ok(), rpki=no_roa(), ownership=_preflight.no_token())), earlier_run,
                          options("before"))
    assert result["stop"] is False and list(result["prefixes"]) == [EDGE]
    assert result["lines"][1:] == [
        "  203.0.113.0/24: IRR ok, RPKI problem, ownership not checked yet (no token before the prefix is added)",
        "  203.0.113.0/24 RPKI: no ROA covers 203.0.113.0/24.",
        "      " + ROA_FIX,
        "byoip_onboard_preflight=warn: the role goes on, but Cloudflare's validation fails on each problem above "
        "until it is fixed."]


def test_fail_stops_before_step_1_on_a_problem():
    result = role.outcome(found(entry(irr=irr_ok(), rpki=no_roa())), {}, options("before", "fail"))
    assert result["stop"] is True
    assert result["lines"][-1].startswith("byoip_onboard_preflight=fail: the role stops here and nothing was written.")


def test_a_source_that_did_not_answer_never_stops_fail_mode_and_says_so():
    result = role.outcome(found(entry(irr=irr_unknown(), rpki=_preflight.unknown("rpki", "timeout", "no answer"))),
                          {}, options("before", "fail"))
    assert result["stop"] is False
    assert result["lines"][-1] == ("2 check(s) are unknown because a source did not answer "
                                   "(byoip_onboard_preflight_*); an unknown check never stops the run, not even with "
                                   "byoip_onboard_preflight=fail.")
    assert "  203.0.113.0/24 IRR: unknown, 127.0.0.1 port 9 refused the connection." in result["lines"]


def test_after_step_1_a_missing_token_never_stops_and_says_to_publish_it():
    result = role.outcome(found(entry(token="tok-1", irr=irr_ok(), ownership=no_txt())), {},
                          options("token", "fail"))
    assert result["stop"] is False
    assert "  203.0.113.0/24 ownership: no TXT at cf-validation.113.0.203.in-addr.arpa." in result["lines"]
    assert '      cf-validation.113.0.203.in-addr.arpa. IN TXT "tok-1"' in result["lines"]
    assert result["lines"][-1].startswith("Publish what is missing now: the role waits for Cloudflare's validation")
    no_wait = role.outcome(found(entry(token="tok-1", ownership=no_txt())), {}, options("token", wait=False))
    assert no_wait["lines"][-1].startswith("Publish what is missing now, then run the role again")


def test_all_checks_passing_is_one_line_and_the_diagnosis_prints_nothing():
    passed = role.outcome(found(entry(irr=irr_ok())), {}, options("before"))
    assert passed["lines"][-1] == "Every check passed." and not passed["stop"]
    diagnosis = role.outcome(found(entry(rpki=no_roa())), {}, options("diagnosis", "fail"))
    assert diagnosis == dict(prefixes={EDGE: role.merge({}, [entry(rpki=no_roa())])[EDGE]}, lines=[], stop=False)


def test_a_skipped_check_keeps_the_evidence_and_a_module_that_could_not_run_stops_with_what_to_do():
    kept = dict(prefixes=role.merge({}, [entry(rpki=no_roa())]), lines=["old"], stop=True)
    assert role.outcome(dict(skipped=True), kept, options("token")) == dict(prefixes=kept["prefixes"], lines=[],
                                                                            stop=False)
    failed = role.outcome(dict(failed=True, msg="Failed to import the required Python library (dnspython)"), kept,
                          options("token"))
    assert failed["stop"] is True and failed["prefixes"] == kept["prefixes"]
    assert failed["lines"][0] == ("The pre-flight check could not run: Failed to import the required Python library "
                                  "(dnspython)")
    assert "set byoip_onboard_preflight=off to skip it" in failed["lines"][1]
    assert role.outcome(dict(failed=True, msg="x"), kept, options("diagnosis"))["stop"] is False


# --- the failure report ----------------------------------------------------------------------------------------

def failed_report(live, evidence):
    prefixes = desired(edge())
    state = estate(live)
    return failures(prefixes, state, plan(prefixes, state, OPTIONS), dict(BUDGETS, preflight=evidence))[0]["lines"]


def test_a_failed_validation_is_explained_in_the_pre_flight_words_with_the_fix():
    mismatch = _preflight.irr_check(NET(EDGE), 13335, [{"class": "route", "prefix": EDGE, "origin": 64500,
                                                        "source": "RADB", "descr": [], "remarks": [],
                                                        "mnt_by": ["OTHER-MNT"]}], ("RADB",), added=True)
    live = live_prefix(approved="P", states="valid", irr_validation_state="mismatch_asn",
                       rpki_validation_state="invalid", ownership_validation_state="missing")
    lines = failed_report(live, {EDGE: dict(cidr=EDGE, checks=dict(irr=mismatch, rpki=no_roa(), ownership=no_txt()))})
    assert lines[0] == ("Validation of 203.0.113.0/24 failed (IRR route object, RPKI ROA, prefix ownership); "
                        "Cloudflare does not approve it until every check passes.")
    assert "  - IRR: RADB has a route object with origin AS64500; the prefix was added with ASN 13335." in lines
    assert "      origin:         AS13335" in lines
    assert ["  - RPKI: no ROA covers 203.0.113.0/24.", "      " + ROA_FIX] == lines[lines.index(
        "  - RPKI: no ROA covers 203.0.113.0/24."):][:2]
    assert "  - ownership: no TXT at cf-validation.113.0.203.in-addr.arpa." in lines
    assert lines[-1].startswith("Fix what failed, then run the role again with byoip_onboard_revalidate=true")


def test_a_check_fixed_since_cloudflare_looked_unknown_and_unchecked_ones_say_so():
    live = live_prefix(approved="P", states="valid", irr_validation_state="missing", rpki_validation_state="invalid",
                       ownership_validation_state="missing")
    lines = failed_report(live, {EDGE: dict(cidr=EDGE, checks=dict(irr=irr_unknown(), rpki=_preflight.rpki_check(
        NET(EDGE), 13335, {"state": "valid", "reason": None, "vrps": {"matched": [
            {"prefix": EDGE, "max_length": 24, "asn": 13335}], "unmatched_as": [], "unmatched_length": []}})))})
    irr = lines.index("  - IRR route object: no route/route6 object for exactly this prefix was found in the IRR. "
                      "Create one at your RIR's IRR with origin set to the onboarding ASN.")
    assert lines[irr + 1] == "    (pre-flight IRR: unknown, 127.0.0.1 port 9 refused the connection.)"
    assert ("  - RPKI: valid, the ROA 203.0.113.0/24 max length 24 for AS13335 covers it. Cloudflare reported invalid "
            "before this was fixed: validate the prefix again.") in lines
    assert any(line.startswith("  - prefix ownership: the ownership token was not found.") for line in lines)


def test_a_timed_out_prefix_says_what_the_pre_flight_check_still_finds_missing():
    live = live_prefix(approved="P", states="pending")
    lines = failed_report(live, {EDGE: dict(cidr=EDGE, checks=dict(irr=irr_ok(), rpki=no_roa(), ownership=no_txt()))})
    start = lines.index("The pre-flight check finds:")
    assert lines[start + 1:start + 4] == ["  - 203.0.113.0/24 RPKI: no ROA covers 203.0.113.0/24.", "        " + ROA_FIX,
                                          "  - 203.0.113.0/24 ownership: no TXT at cf-validation.113.0.203.in-addr.arpa."]
    without = failed_report(live, {})
    assert "The pre-flight check finds:" not in without
