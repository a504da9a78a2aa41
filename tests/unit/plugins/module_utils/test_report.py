"""Unit tests of what the roles print and report: only what is really left, in sentences a user can act on."""

from ansible_collections.cloudflare.addressing.plugins.module_utils._plan import merge, plan
from ansible_collections.cloudflare.addressing.plugins.module_utils._progress import evaluate, poll_line
from ansible_collections.cloudflare.addressing.plugins.module_utils._report import (
    failures,
    offboard_report,
    onboard_report,
    ownership_instructions,
    plan_summary,
    status_report,
    wait_explanation,
)

from test_plan import OPTIONS, binding, bgp, desired, edge, estate, live_prefix, onboarded

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
        "Waiting for approval, poll 2, until 2026-11-30T12:00:00Z: 1 pending: 198.51.100.0/24 IRR pending, RPKI "
        "pending, ownership pending.")


def test_deployment_is_ready_when_every_binding_is_active_and_the_bgp_prefix_exists():
    provisioning = [binding("198.51.100.0/24", state="provisioning")]
    found = {"203.0.113.0/24": onboarded(),
             "198.51.100.0/24": onboarded(cidr="198.51.100.0/24", bindings=provisioning)}
    result = evaluate(["203.0.113.0/24", "198.51.100.0/24"], found, "deployment")
    assert result["ready"] == ["203.0.113.0/24"]
    assert result["pending"] == {"198.51.100.0/24": "provisioning 198.51.100.0/24"}
