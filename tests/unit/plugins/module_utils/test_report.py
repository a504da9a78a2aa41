"""Unit tests of what the roles print and report: only what is really left, in sentences a user can act on."""

import pathlib
import re

import yaml

from ansible_collections.cloudflare.addressing.plugins.module_utils._plan import merge, plan
from ansible_collections.cloudflare.addressing.plugins.module_utils._progress import evaluate, poll_line
from ansible_collections.cloudflare.addressing.plugins.module_utils._report import (
    advertise_explanation,
    failures,
    offboard_report,
    onboard_report,
    ownership_instructions,
    plan_summary,
    status_report,
    wait_explanation,
    withdraw_explanation,
)

from test_plan import OPTIONS, RECENT, binding, bgp, desired, edge, estate, live_prefix, onboarded

BUDGETS = dict(validation_timeout=600, validation_interval=60, provisioning_timeout=600, provisioning_interval=60)


def test_a_converged_run_says_nothing_to_do_and_nothing_about_waits():
    state = estate(onboarded())
    result = plan(desired(edge()), state, OPTIONS)
    assert plan_summary(desired(edge()), state, result, OPTIONS) == [
        "Nothing to do: every prefix of the vars is as they describe it (1 prefix(es))."]
    entry = onboard_report(desired(edge()), state, result, OPTIONS)[0]
    assert entry["complete"] and entry["changed"] == [] and entry["pending"] == [] and entry["next_steps"] == []
    assert entry["lines"] == ["203.0.113.0/24: onboarded, approved, advertised", "Changed: nothing", "Bindings:",
                              "  - 203.0.113.0/24 Spectrum (active)", "  - 203.0.113.16/29 CDN (active)"]


def test_a_converged_prefix_that_is_not_to_be_advertised_says_how_to_advertise_it():
    withdrawn = onboarded(bgp_prefixes=[bgp("203.0.113.0/24")])
    state = estate(withdrawn)
    result = plan(desired(edge(advertise=False)), state, OPTIONS)
    entry = onboard_report(desired(edge(advertise=False)), state, result, OPTIONS)[0]
    assert entry["complete"] and entry["next_steps"] == [
        "to advertise 203.0.113.0/24, set advertise: true and run the role again (put the CDN addresses on an "
        "address map first)"]


def test_the_plan_summary_names_each_prefix_what_differs_and_what_the_run_does():
    state = estate(dict(cidr="192.0.2.0/24"))
    result = plan(desired(edge()), state, OPTIONS)
    lines = plan_summary(desired(edge()), state, result, OPTIONS)
    assert lines[1] == "  203.0.113.0/24: missing; add the prefix"
    assert lines[-1] == "The account also has 1 prefix(es) that the vars do not name; they are never touched: " \
                        "192.0.2.0/24."


def test_the_report_journals_what_changed_and_says_would_in_a_dry_run():
    first = estate()
    planned = plan(desired(edge()), first, OPTIONS)
    added = merge(first, dict(results=[dict(item=planned["prefixes"]["batch"][0], changed=True,
                                            prefix=live_prefix(approved="P", states="pending"))]),
                  planned["prefixes"])
    result = plan(desired(edge()), added, OPTIONS)
    entry = onboard_report(desired(edge()), added, result, OPTIONS)[0]
    assert entry["changed"] == ["added the prefix"] and not entry["complete"]
    assert entry["pending"] == ["validation: IRR pending, RPKI pending, ownership pending"]
    dry = onboard_report(desired(edge()), added, result, dict(OPTIONS, check_mode=True))[0]
    assert dry["changed"] == ["would add the prefix"]
    assert dry["pending"][0] == "dry run (check mode): nothing was changed; run without --check to apply"


def test_ownership_instructions_name_every_reverse_zone_and_the_token():
    state = estate(live_prefix(cidr="203.0.112.0/23", approved="P", states="pending"))
    prefixes = desired(edge(cidr="203.0.112.0/23", delegations=[], bindings=[]))
    [instruction] = ownership_instructions(prefixes, state)
    assert '    cf-validation.112.0.203.in-addr.arpa. IN TXT "tok-1"' in instruction["lines"]
    assert '    cf-validation.113.0.203.in-addr.arpa. IN TXT "tok-1"' in instruction["lines"]
    assert ownership_instructions(desired(edge()), estate(onboarded())) == []


def test_waits_say_what_they_wait_for_per_prefix_and_until_when():
    state = estate(live_prefix(approved="P", states="pending", irr_validation_state="valid"))
    result = plan(desired(edge()), state, OPTIONS)
    lines = wait_explanation(result, state, "validation", 600, 60)
    assert "  203.0.113.0/24: IRR valid, RPKI pending, ownership pending" in lines
    assert "Polling every 60 s until 2026-11-29T12:10:00Z (byoip_onboard_validation_timeout=600 s)." in lines


def test_the_wait_before_advertising_says_when_each_prefix_may_be_advertised_and_until_when_it_waits():
    young = onboarded(bgp_prefixes=[bgp("203.0.113.0/24", created_at=RECENT)])
    lines = advertise_explanation(plan(desired(edge()), estate(young), OPTIONS))
    assert "  203.0.113.0/24: not before 2026-11-29T16:00:00Z" in lines
    assert lines[-1] == ("Waiting 14400 s, until 2026-11-29T16:00:00Z. An interrupted wait loses nothing: run the "
                         "role again and it continues from here.")


def test_the_offboarding_hold_says_per_bgp_prefix_when_it_may_be_withdrawn_and_until_when_it_waits():
    held = onboarded(bgp_prefixes=[bgp("203.0.113.0/24", advertised=True, modified="2026-11-29T11:55:00Z"),
                                   bgp("203.0.113.0/25", advertised=True, modified="2026-11-29T11:50:00Z")])
    lines = withdraw_explanation(plan(desired(edge()), estate(held), OPTIONS, "offboard"))
    assert lines[0] == "Cloudflare allows one advertisement change every 15 minutes per BGP prefix:"
    assert lines[1] == ("  203.0.113.0/24: not before 2026-11-29T12:10:00Z: Cloudflare allows one advertisement "
                        "change every 15 minutes and this one was advertised at 2026-11-29T11:55:00Z")
    assert lines[2].startswith("  203.0.113.0/25: not before 2026-11-29T12:05:00Z")
    assert lines[3] == ("Waiting 600 s, until 2026-11-29T12:10:00Z, then withdrawing. An interrupted wait loses "
                        "nothing: run the role again and it continues from here.")


def test_a_prefix_still_pending_at_a_stage_that_was_not_waited_for_is_no_failure():
    pending = live_prefix(approved="P", states="pending")
    state = estate(pending)
    result = plan(desired(edge()), state, OPTIONS)
    [timed_out] = failures(desired(edge()), state, result, BUDGETS)
    assert timed_out["lines"][0].startswith("Timed out in step 2 (wait for validation)")
    assert failures(desired(edge()), state, result, dict(BUDGETS, waited=[])) == []
    assert failures(desired(edge()), state, result, dict(BUDGETS, waited=["deployment"])) == []
    deploying = onboarded(bindings=[binding("203.0.113.0/24", state="provisioning")], bgp_prefixes=[])
    state = estate(deploying)
    result = plan(desired(edge()), state, OPTIONS)
    assert failures(desired(edge()), state, result, dict(BUDGETS, waited=["validation"])) == []
    [timed_out] = failures(desired(edge()), state, result, dict(BUDGETS, waited=["deployment"]))
    assert timed_out["lines"][0].startswith("Timed out in step 6 (wait for deployment)")


def test_a_failed_check_is_reported_even_when_validation_was_not_waited_for():
    state = estate(live_prefix(approved="P", rpki_validation_state="invalid"))
    result = plan(desired(edge()), state, OPTIONS)
    [failure] = failures(desired(edge()), state, result, dict(BUDGETS, waited=[]))
    assert failure["lines"][0].startswith("Validation of 203.0.113.0/24 failed (RPKI ROA)")


def test_failures_diagnose_failed_validation_and_missing_routes():
    failing = live_prefix(approved="P", rpki_validation_state="invalid")
    state = estate(failing)
    result = plan(desired(edge()), state, OPTIONS)
    [failure] = failures(desired(edge()), state, result, BUDGETS)
    assert failure["lines"][0] == ("Validation of 203.0.113.0/24 failed (RPKI ROA); Cloudflare does not approve it "
                                   "until every check passes.")
    route = onboarded(bindings=[binding("203.0.113.0/24", "Magic Transit", "magic_transit_route_missing")])
    state = estate(route)
    prefixes = desired(edge(default_service="Magic Transit", bindings=[]))
    [failure] = failures(prefixes, state, plan(prefixes, state, OPTIONS), BUDGETS)
    assert "magic_transit_route_missing" in failure["lines"][0]


def test_the_offboarding_report_says_what_was_deleted_and_what_is_left():
    state = estate(onboarded())
    result = plan(desired(edge()), state, OPTIONS, "offboard")
    after = merge(state, dict(results=[dict(item=item, changed=True, bgp_prefix={})
                                       for item in result["withdraw"]["batch"]]), result["withdraw"])
    [entry] = offboard_report(desired(edge()), after, result, OPTIONS)
    assert entry["changed"] == ["withdrew 203.0.113.0/24"]
    assert entry["remaining"][0].startswith("the prefix is approved, and Cloudflare deletes only unapproved prefixes")
    other = desired(dict(cidr="198.51.100.0/24", default_service="CDN"))
    [missing] = offboard_report(other, estate(), plan(other, estate(), OPTIONS, "offboard"), OPTIONS)
    assert missing["lines"] == ["198.51.100.0/24: not in the account, nothing to do."]


def test_the_status_report_covers_every_prefix_with_its_drift_when_vars_are_given():
    state = estate(onboarded(), live_prefix(cidr="198.51.100.0/24", approved="P", rpki_validation_state="invalid"))
    report = status_report(state)
    assert [entry["cidr"] for entry in report["prefixes"]] == ["198.51.100.0/24", "203.0.113.0/24"]
    assert report["prefixes"][1]["state"] == "advertised" and "drift" not in report["prefixes"][1]
    assert report["prefixes"][0]["state"] == "validation failed"
    assert report["prefixes"][0]["problems"][0].startswith("RPKI ROA:")
    named = desired(edge(), dict(cidr="192.0.2.0/24", default_service="CDN"))
    with_vars = status_report(state, plan(named, state, OPTIONS)["drift"])
    assert with_vars["prefixes"][1]["drift"] == dict(cidr="203.0.113.0/24", state="in_sync", details=[])
    assert with_vars["prefixes"][0]["drift"]["state"] == "unmanaged"
    assert with_vars["missing"] == ["192.0.2.0/24"]
    assert "  vars: in sync" in with_vars["prefixes"][1]["lines"]


def test_a_poll_says_what_is_ready_pending_or_failed_in_one_line():
    found = {"203.0.113.0/24": live_prefix(),
             "198.51.100.0/24": live_prefix(cidr="198.51.100.0/24", approved="P", states="pending"),
             "192.0.2.0/24": live_prefix(cidr="192.0.2.0/24", approved="P", irr_validation_state="mismatch_asn")}
    result = evaluate(["203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24", "2001:db8::/48"], found, "validation")
    assert result["ready"] == ["203.0.113.0/24"] and not result["done"]
    assert result["pending"] == {"198.51.100.0/24": "IRR pending, RPKI pending, ownership pending"}
    assert result["stopped"] == {
        "192.0.2.0/24": "validation failed: IRR mismatch_asn, RPKI valid, ownership valid",
        "2001:db8::/48": "not a prefix of the account"}
    assert poll_line("validation", result, 2, "2026-11-30T12:00:00Z") == (
        "Step 2, waiting for approval: poll 2, until 2026-11-30T12:00:00Z, 1 pending: 198.51.100.0/24 IRR pending, "
        "RPKI pending, ownership pending. If interrupted, run the role again: it continues from step 2.")


def test_the_last_poll_of_a_wait_says_it_is_done_and_names_its_step():
    found = {"203.0.113.0/24": onboarded()}
    result = evaluate(["203.0.113.0/24"], found, "deployment")
    assert poll_line("deployment", result, 7, "2026-11-30T12:00:00Z") == (
        "Step 6, waiting for deployment: poll 7, done (1 ready, 0 stopped).")


def test_a_poll_of_many_prefixes_shows_the_first_five_and_counts_the_others():
    cidrs = ["198.51.%d.0/24" % number for number in range(7)]
    found = dict((cidr, live_prefix(cidr=cidr, approved="P", states="pending")) for cidr in cidrs)
    line = poll_line("validation", evaluate(cidrs, found, "validation"), 1, "2026-11-30T12:00:00Z")
    assert ", 7 pending: 198.51.0.0/24 IRR pending" in line and "198.51.4.0/24" in line
    assert "198.51.5.0/24" not in line and " and 2 more." in line


def test_deployment_is_ready_when_every_binding_is_active_and_the_bgp_prefix_exists():
    provisioning = [binding("198.51.100.0/24", state="provisioning")]
    found = {"203.0.113.0/24": onboarded(),
             "198.51.100.0/24": onboarded(cidr="198.51.100.0/24", bindings=provisioning)}
    result = evaluate(["203.0.113.0/24", "198.51.100.0/24"], found, "deployment")
    assert result["ready"] == ["203.0.113.0/24"]
    assert result["pending"] == {"198.51.100.0/24": "provisioning 198.51.100.0/24"}


# --- the documented shape of the report facts ------------------------------------------------------------------------

ROLES = pathlib.Path(__file__).resolve().parents[4] / "roles"


def documented_keys(role, fact):
    """The C(key) names of the argument_specs description item that documents the role's report fact."""
    specs = yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    [item] = [text for text in specs["argument_specs"]["main"]["description"]
              if text.startswith("The fact C(%s)" % fact)]
    return set(re.findall(r"C\(([a-z_]+)\)", item))


def test_the_onboarding_report_has_the_documented_keys():
    state = estate(onboarded())
    [entry] = onboard_report(desired(edge()), state, plan(desired(edge()), state, OPTIONS), OPTIONS)
    assert set(entry) | set(entry["validation"]) <= documented_keys("byoip_onboard", "byoip_onboard_report")


def test_the_offboarding_report_has_the_documented_keys():
    state = estate(onboarded())
    [entry] = offboard_report(desired(edge()), state, plan(desired(edge()), state, OPTIONS, "offboard"), OPTIONS)
    assert set(entry) <= documented_keys("byoip_offboard", "byoip_offboard_report")


def test_the_status_report_has_the_documented_keys():
    state = estate(onboarded())
    report = status_report(state, plan(desired(edge()), state, OPTIONS)["drift"])
    [entry] = report["prefixes"]
    nested = [entry["validation"], entry["delegations"][0], entry["bindings"][0], entry["bgp_prefixes"][0]]
    keys = set(report) | set(entry) | set().union(*nested)
    assert keys <= documented_keys("byoip_status", "byoip_status_report")


# --- address maps, Regional Services, leases (issue 11) ----------------------------------------------------------

from test_plan import CDN_IPS, MAPPED, ZONE as ZONE_ID, address_map, regional, with_maps  # noqa: E402


def test_the_onboarding_report_shows_the_regional_bindings_and_the_prefixs_ips_on_its_maps():
    live = onboarded(regional_bindings=[regional("203.0.113.0/25"), regional("203.0.113.128/25", state="provisioning")])
    state = with_maps(estate(live), address_map(CDN_IPS[:4]))
    wanted = desired(edge(region="eu", **MAPPED))
    entry = onboard_report(wanted, state, plan(wanted, state, OPTIONS), OPTIONS)[0]
    assert "  - 203.0.113.128/25 eu (provisioning)" in entry["lines"]
    assert "  - 'CDN edge' (enabled): 203.0.113.16/30" in entry["lines"]
    assert not entry["complete"]
    missing = onboard_report(wanted, with_maps(estate(live)), plan(wanted, with_maps(estate(live)), OPTIONS),
                             OPTIONS)[0]
    assert "  - 'CDN edge' (not in the account yet)" in missing["lines"]


def test_a_dry_run_reports_the_maps_as_read_and_what_it_would_do_for_each_prefix():
    state = with_maps(estate(onboarded(bgp_prefixes=[bgp("203.0.113.0/24")])))
    wanted = desired(edge(**MAPPED))
    planned = plan(wanted, state, dict(OPTIONS, check_mode=True))
    predicted = merge(state, dict(results=[dict(item=planned["address_maps"]["batch"][0], changed=True,
                                                address_map=address_map(CDN_IPS, map_id=None))]),
                      planned["address_maps"], True)
    dry = dict(OPTIONS, check_mode=True)
    entry = onboard_report(wanted, predicted, plan(wanted, predicted, dry), dry)[0]
    assert entry["changed"] == ["would create the address map 'CDN edge' and put 203.0.113.16/29 on it"]
    assert entry["address_maps"] == [dict(id=None, description="CDN edge", enabled=False, ips="")]
    assert any("address map 'CDN edge' does not exist" in line for line in entry["pending"])
    lines = plan_summary(wanted, state, planned, dry)
    assert lines[1] == "  203.0.113.0/24: different; create the address map 'CDN edge' and put 203.0.113.16/29 on " \
                       "it; advertise 203.0.113.0/24 over BGP"


def test_the_offboarding_report_names_the_maps_it_left_alone():
    wanted = desired(edge(address_maps=[dict(description="CDN edge")]))
    state = with_maps(estate(onboarded()), address_map(["203.0.113.17"], description="Hand-made"))
    [entry] = offboard_report(wanted, state, plan(wanted, state, OPTIONS, "offboard"), OPTIONS)
    assert entry["remaining"][-1].startswith("the address map 'Hand-made' (%s) still holds 203.0.113.17/32" % ("c" * 32))


def test_the_status_report_shows_regional_bindings_maps_and_leases_when_read():
    live = onboarded(regional_bindings=[regional("203.0.113.0/25")])
    state = merge(with_maps(estate(live), address_map(CDN_IPS)), dict(leases=[dict(
        id="l" * 32, cidrs=["192.0.2.100/32"], purpose="Spectrum Static IPs", active_from=None)]))
    report = status_report(state)
    [entry] = report["prefixes"]
    assert "  regional binding: 203.0.113.0/25 eu (active)" in entry["lines"]
    assert "  address map: 'CDN edge' (enabled): 203.0.113.16/29" in entry["lines"]
    assert report["lines"] == ["Address map 'CDN edge' (enabled): 203.0.113.16/29; members: zone %s" % ZONE_ID,
                               "Lease %s: 192.0.2.100/32 (Spectrum Static IPs)" % ("l" * 32)]
    plain = status_report(estate(onboarded()))
    assert plain["lines"] == [] and plain["address_maps"] is None and plain["leases"] is None
    assert plain["prefixes"][0]["regional_bindings"] == [] and plain["prefixes"][0]["address_maps"] == []


def test_waits_and_polls_name_the_regional_bindings_still_provisioning():
    live = onboarded(bgp_prefixes=[bgp("203.0.113.0/24")],
                     regional_bindings=[regional("203.0.113.0/25", state="provisioning")])
    state = estate(live)
    result = plan(desired(edge(region="eu")), state, OPTIONS)
    lines = wait_explanation(result, state, "deployment", 600, 60)
    assert "  203.0.113.0/24: provisioning 203.0.113.0/25 (regional, eu)" in lines
    polled = evaluate(["203.0.113.0/24"], {"203.0.113.0/24": live}, "deployment")
    assert polled["pending"] == {"203.0.113.0/24": "provisioning regional 203.0.113.0/25"}
