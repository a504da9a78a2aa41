"""Unit tests of the roles' plan: what each step does, the waits, the gates and the drift, from vars and estate."""

import copy

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._inputs import check_prefixes
from ansible_collections.cloudflare.addressing.plugins.module_utils._plan import merge, new_estate, plan

OTHER = "0123456789abcdef0123456789abcdef"
CDN, SPECTRUM = "5f1c8183909793e08987250f7174a868", "da179b4ab40d8d4f706092f587bc06b9"
NOW = "2026-11-29T12:00:00.000000Z"
CREATED = "2026-11-29T06:00:00.000000Z"  # six hours before NOW
RECENT = "2026-11-29T11:00:00.000000Z"  # one hour before NOW
OPTIONS = dict(wait=True, advertise_after=18000, hold=900)


def desired(*entries):
    prefixes, problems = check_prefixes(list(entries), owner_account_id="023e105f4ecef8ad9ca31a8372d0c353")
    assert problems == []
    return prefixes


def edge(**overrides):
    entry = dict(cidr="203.0.113.0/24", description="Anycast edge", default_service="Spectrum",
                 delegations=[dict(cidr="203.0.113.128/25", account_id=OTHER)],
                 bindings=[dict(service="CDN", cidrs=["203.0.113.16/29"])], advertise=True)
    entry.update(overrides)
    return entry


def live_prefix(cidr="203.0.113.0/24", approved="V", states="valid", **overrides):
    prefix = dict(id="a" * 32, cidr=cidr, asn=13335, description="Anycast edge", approved=approved,
                  irr_validation_state=states, rpki_validation_state=states, ownership_validation_state=states,
                  ownership_validation_token="tok-1", created_at=CREATED, modified_at=CREATED,
                  delegations=[], bindings=[], bgp_prefixes=[])
    prefix.update(overrides)
    return prefix


def binding(cidr, service="Spectrum", state="active"):
    return dict(id=cidr, cidr=cidr, service_id=SPECTRUM if service == "Spectrum" else CDN, service_name=service,
                provisioning=dict(state=state))


def bgp(cidr, advertised=False, created_at=CREATED, modified=None, locked=False):
    return dict(id="b" * 32, cidr=cidr, created_at=created_at,
                on_demand=dict(advertised=advertised, advertised_modified_at=modified, on_demand_locked=locked))


def onboarded(**overrides):
    prefix = live_prefix(
        delegations=[dict(id="d" * 32, cidr="203.0.113.128/25", delegated_account_id=OTHER)],
        bindings=[binding("203.0.113.0/24"), binding("203.0.113.16/29", "CDN")],
        bgp_prefixes=[bgp("203.0.113.0/24", advertised=True, modified=CREATED)])
    prefix.update(overrides)
    return prefix


def estate(*prefixes, **extra):
    found = dict(prefixes=list(prefixes), server_time=NOW)
    found.update(extra)
    return new_estate(found)


STEPS = ("prefixes", "delegations", "bindings", "advertise", "withdraw", "bgp_prefixes", "unbind", "undelegate",
         "remove")


def batches(result):
    return dict((step, result[step]["batch"]) for step in STEPS if result[step]["batch"])


def test_an_onboarded_account_needs_no_write_no_wait_and_no_service_read():
    result = plan(desired(edge()), estate(onboarded()), OPTIONS)
    assert batches(result) == {}
    assert result["writes"] == 0 and result["services"] == []
    assert result["validation"] == dict(pending=[], failed=[]) and result["deployment"] == dict(pending=[], failed=[])
    assert result["gates"]["203.0.113.0/24"]["state"] == "advertised"
    assert result["drift"] == [dict(cidr="203.0.113.0/24", state="in_sync", details=[])]


def test_an_empty_account_adds_the_prefix_and_waits_for_its_approval_before_anything_else():
    result = plan(desired(edge()), estate(), OPTIONS)
    assert batches(result) == {"prefixes": [dict(cidr="203.0.113.0/24", asn=13335, description="Anycast edge",
                                                 delegate_loa_creation=True)]}
    assert result["services"] == ["CDN", "Spectrum"]  # checked before the first write
    assert result["drift"][0]["state"] == "missing"
    assert result["prefixes"]["actions"] == [dict(cidr="203.0.113.0/24", do="add the prefix",
                                                  done="added the prefix")]


def test_a_dry_run_on_an_empty_account_shows_every_step_under_the_planned_prefix():
    result = plan(desired(edge()), estate(), dict(OPTIONS, check_mode=True))
    steps = batches(result)
    assert steps["delegations"] == [dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.128/25",
                                         delegated_account_id=OTHER, parent_planned=True)]
    assert steps["bindings"] == [
        dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.0/24", service="Spectrum", parent_planned=True),
        dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.16/29", service="CDN", parent_planned=True)]
    assert steps["advertise"] == [dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.0/24", advertised=True,
                                       parent_planned=True)]
    assert result["writes"] == 5


def test_a_dry_run_that_does_not_wait_shows_only_what_a_real_run_would_do_now():
    result = plan(desired(edge()), estate(), dict(OPTIONS, check_mode=True, wait=False))
    assert list(batches(result)) == ["prefixes"]


def test_an_unapproved_prefix_waits_and_gets_nothing_bound():
    result = plan(desired(edge()), estate(live_prefix(approved="P", states="pending")), OPTIONS)
    assert batches(result) == {}
    assert result["validation"] == dict(pending=["203.0.113.0/24"], failed=[])
    assert result["gates"]["203.0.113.0/24"]["state"] == "blocked"


def test_a_failed_check_stops_the_prefix_unless_asked_to_revalidate():
    failing = live_prefix(approved="P", states="valid", rpki_validation_state="invalid")
    result = plan(desired(edge()), estate(failing), OPTIONS)
    assert result["validation"] == dict(pending=[], failed=["203.0.113.0/24"]) and batches(result) == {}
    result = plan(desired(edge()), estate(failing), dict(OPTIONS, revalidate=True))
    assert result["validation"] == dict(pending=["203.0.113.0/24"], failed=[])
    assert batches(result)["prefixes"] == [dict(cidr="203.0.113.0/24", asn=13335, description="Anycast edge",
                                                revalidate="on_failure")]


def test_an_approved_prefix_gets_its_delegations_and_bindings_default_binding_first():
    result = plan(desired(edge()), estate(live_prefix()), OPTIONS)
    steps = batches(result)
    assert steps["delegations"] == [dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.128/25",
                                         delegated_account_id=OTHER)]
    assert [item["cidr"] for item in steps["bindings"]] == ["203.0.113.0/24", "203.0.113.16/29"]
    assert "advertise" not in steps  # nothing is bound yet
    assert result["gates"]["203.0.113.0/24"] == dict(state="blocked", reason="waits until every binding is active")


def test_a_description_change_is_the_only_prefix_write():
    result = plan(desired(edge(description="New")), estate(onboarded()), OPTIONS)
    assert batches(result) == {"prefixes": [dict(cidr="203.0.113.0/24", asn=13335, description="New")]}
    assert result["drift"][0] == dict(cidr="203.0.113.0/24", state="different", details=["description differs"])


def test_deployment_waits_for_active_bindings_and_the_whole_prefix_bgp_prefix():
    provisioning = onboarded(bindings=[binding("203.0.113.0/24"), binding("203.0.113.16/29", "CDN", "provisioning")],
                             bgp_prefixes=[bgp("203.0.113.0/24")])
    result = plan(desired(edge()), estate(provisioning), OPTIONS)
    assert result["deployment"] == dict(pending=["203.0.113.0/24"], failed=[])
    no_bgp = onboarded(bgp_prefixes=[])
    assert plan(desired(edge()), estate(no_bgp), OPTIONS)["deployment"]["pending"] == ["203.0.113.0/24"]
    route_missing = onboarded(bindings=[binding("203.0.113.0/24", "Magic Transit", "magic_transit_route_missing")])
    result = plan(desired(edge(default_service="Magic Transit")), estate(route_missing), OPTIONS)
    assert result["deployment"]["failed"] == ["203.0.113.0/24"]


def test_the_advertise_gate_waits_five_hours_after_the_default_binding_on_cloudflares_clock():
    young = onboarded(bgp_prefixes=[bgp("203.0.113.0/24", created_at=RECENT)])
    result = plan(desired(edge()), estate(young), OPTIONS)
    gate = result["gates"]["203.0.113.0/24"]
    assert gate["state"] == "waiting" and gate["not_before"] == "2026-11-29T16:00:00Z"
    assert gate["wait_seconds"] == 4 * 3600 and result["advertise_wait_seconds"] == 4 * 3600
    assert "advertise" not in batches(result)
    old = onboarded(bgp_prefixes=[bgp("203.0.113.0/24")])
    result = plan(desired(edge()), estate(old), OPTIONS)
    assert batches(result)["advertise"] == [dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.0/24",
                                                 advertised=True)]
    assert result["gates"]["203.0.113.0/24"]["state"] == "ready"


def test_a_locked_advertisement_is_blocked_with_its_reason():
    locked = onboarded(bgp_prefixes=[bgp("203.0.113.0/24", locked=True)])
    gate = plan(desired(edge()), estate(locked), OPTIONS)["gates"]["203.0.113.0/24"]
    assert gate["state"] == "blocked" and "on_demand_locked" in gate["reason"]


def test_advertise_false_leaves_the_advertisement_alone():
    withdrawn = onboarded(bgp_prefixes=[bgp("203.0.113.0/24")])
    result = plan(desired(edge(advertise=False)), estate(withdrawn), OPTIONS)
    assert batches(result) == {} and result["gates"]["203.0.113.0/24"]["state"] == "not_asked"


def test_a_different_service_or_asn_is_a_conflict_the_role_refuses_before_writing():
    other_default = onboarded(bindings=[binding("203.0.113.0/24", "CDN"), binding("203.0.113.16/29", "CDN")])
    conflicts = plan(desired(edge()), estate(other_default), OPTIONS)["conflicts"]
    assert len(conflicts) == 1 and conflicts[0].startswith(
        "203.0.113.0/24: 203.0.113.0/24 is bound to CDN in the account, the vars say Spectrum "
        "(byoip_prefixes[0].default_service)")
    other_asn = onboarded(asn=64500)
    conflicts = plan(desired(edge()), estate(other_asn), OPTIONS)["conflicts"]
    assert conflicts[0].startswith("203.0.113.0/24: the prefix exists with AS64500, the vars say AS13335")


def test_objects_the_vars_do_not_name_are_reported_and_never_touched():
    extra = onboarded()
    extra["bindings"].append(binding("203.0.113.64/32", "CDN"))
    extra["delegations"].append(dict(cidr="203.0.113.0/25", delegated_account_id="f" * 32))
    result = plan(desired(edge()), estate(extra, dict(cidr="192.0.2.0/24")), OPTIONS)
    assert batches(result) == {}
    assert result["drift"][0]["details"] == [
        "delegation of 203.0.113.0/25 to %s in the account, not in the vars" % ("f" * 32),
        "binding 203.0.113.64/32 (CDN) in the account, not in the vars"]
    assert result["drift"][1] == dict(cidr="192.0.2.0/24", state="unmanaged",
                                      details=["in the account, not in the vars; never touched"])


def test_offboarding_acts_only_on_the_named_prefixes_in_the_safe_order():
    named = onboarded(approved="P")
    named["bgp_prefixes"].append(bgp("203.0.113.0/25", advertised=True, modified=CREATED))
    untouched = onboarded(cidr="198.51.100.0/24")
    result = plan(desired(edge()), estate(named, untouched), dict(OPTIONS, delete_prefix=True), "offboard")
    steps = batches(result)
    assert [item["cidr"] for item in steps["withdraw"]] == ["203.0.113.0/24", "203.0.113.0/25"]
    assert steps["bgp_prefixes"] == [dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.0/25", state="absent")]
    assert [item["cidr"] for item in steps["unbind"]] == ["203.0.113.16/29", "203.0.113.0/24"]
    assert steps["undelegate"] == [dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.128/25", state="absent",
                                        delegated_account_id=OTHER)]
    assert steps["remove"] == [dict(cidr="203.0.113.0/24", state="absent")]
    every_item = [item for items in steps.values() for item in items]
    assert all("198.51.100.0/24" not in (item.get("prefix_cidr"), item.get("cidr")) for item in every_item)


def test_offboarding_keeps_an_approved_prefix_and_waits_out_the_toggle_hold():
    just_advertised = onboarded(bgp_prefixes=[bgp("203.0.113.0/24", advertised=True,
                                                  modified="2026-11-29T11:55:00Z")])
    result = plan(desired(edge()), estate(just_advertised), OPTIONS, "offboard")
    assert "remove" not in batches(result)
    gate = result["gates"]["203.0.113.0/24"]
    assert gate["not_before"] == "2026-11-29T12:10:00Z" and result["withdraw_wait_seconds"] == 600


def test_offboarding_a_prefix_that_is_not_in_the_account_does_nothing():
    result = plan(desired(edge()), estate(), OPTIONS, "offboard")
    assert batches(result) == {} and result["found"] == {}


def test_merge_applies_batch_results_and_journals_what_changed():
    first = estate()
    planned = plan(desired(edge()), first, OPTIONS)
    added = dict(changed=True, results=[dict(item=planned["prefixes"]["batch"][0], changed=True,
                                             prefix=live_prefix(approved="P", states="pending"))])
    second = merge(first, added, planned["prefixes"])
    assert list(second["prefixes"]) == ["203.0.113.0/24"]
    assert second["journal"] == [dict(cidr="203.0.113.0/24", do="add the prefix", done="added the prefix")]
    assert first["prefixes"] == {} and first["journal"] == []  # the input is not changed
    approved = merge(second, dict(prefixes=[live_prefix()], server_time="2026-11-29T13:00:00Z"))
    assert approved["time"] == "2026-11-29T13:00:00Z"
    bound = merge(approved, dict(changed=True, results=[dict(
        item=dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.0/24", service="Spectrum"), changed=True,
        binding=binding("203.0.113.0/24", state="provisioning"))]))
    assert [item["cidr"] for item in bound["prefixes"]["203.0.113.0/24"]["bindings"]] == ["203.0.113.0/24"]
    unbound = merge(bound, dict(changed=True, results=[dict(
        item=dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.0/24", state="absent"), changed=True, binding={})]))
    assert unbound["prefixes"]["203.0.113.0/24"]["bindings"] == []
    removed = merge(unbound, dict(changed=True, results=[dict(item=dict(cidr="203.0.113.0/24", state="absent"),
                                                              changed=True, prefix={})]))
    assert removed["prefixes"] == {}


def test_a_skipped_step_changes_nothing():
    before = estate(onboarded())
    assert merge(before, dict(skipped=True, changed=False))["prefixes"] == before["prefixes"]


@pytest.mark.parametrize("direction", ["onboard", "offboard"])
def test_planning_twice_gives_the_same_plan_and_leaves_its_input_alone(direction):
    state = estate(onboarded(approved="P"))
    snapshot = copy.deepcopy(state)
    assert plan(desired(edge()), state, OPTIONS, direction) == plan(desired(edge()), state, OPTIONS, direction)
    assert state == snapshot


def test_an_unknown_direction_is_an_error():
    with pytest.raises(ValueError):
        plan([], estate(), OPTIONS, "sideways")
