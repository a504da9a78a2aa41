"""Unit tests of the roles' plan: what each step does, the waits, the gates and the drift, from vars and estate."""

import copy

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._inputs import check_prefixes
from ansible_collections.cloudflare.addressing.plugins.module_utils._plan import merge, new_estate, plan, step_actions

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


# --- address maps, Regional Services, LOA documents (issue 11) -------------------------------------------------

ZONE = "0d8e1f6a2b3c4d5e6f708192a3b4c5d6"
CDN_IPS = ["203.0.113.%d" % host for host in range(16, 24)]
MAPPED = dict(address_maps=[dict(description="CDN edge", memberships=[dict(kind="zone", identifier=ZONE)])])


def address_map(ips=(), description="CDN edge", enabled=True, members=((("zone", ZONE),)), map_id="c" * 32,
                **extra):
    found = dict(id=map_id, description=description, enabled=enabled, default_sni=None, can_modify_ips=True,
                 ips=[dict(ip=ip) for ip in ips], memberships=[dict(kind=kind, identifier=identifier)
                                                               for kind, identifier in members])
    found.update(extra)
    return found


def regional(cidr, region="eu", state="active"):
    return dict(id=cidr, prefix_id="a" * 32, cidr=cidr, region_key=region, provisioning=dict(state=state))


def with_maps(state, *maps):
    return merge(state, dict(address_maps=list(maps)))


def test_a_deployed_prefix_gets_its_map_before_it_is_advertised():
    state = with_maps(estate(onboarded(bgp_prefixes=[bgp("203.0.113.0/24")])))
    result = plan(desired(edge(**MAPPED)), state, OPTIONS)
    assert result["address_maps"]["batch"] == [dict(description="CDN edge", ips=["203.0.113.16/29"],
                                                    memberships=[dict(kind="zone", identifier=ZONE)], enabled=True)]
    assert result["address_maps"]["actions"] == [dict(
        cidr="203.0.113.0/24", do="create the address map 'CDN edge' and put 203.0.113.16/29 on it",
        done="created the address map 'CDN edge' and put 203.0.113.16/29 on it")]
    gate = result["gates"]["203.0.113.0/24"]
    assert gate["state"] == "blocked" and "address map 'CDN edge' does not exist" in gate["reason"]
    assert result["advertise"]["batch"] == []

    mapped = merge(state, dict(results=[dict(item=result["address_maps"]["batch"][0], changed=True,
                                             address_map=address_map(CDN_IPS))]), result["address_maps"])
    again = plan(desired(edge(**MAPPED)), mapped, OPTIONS)
    assert again["address_maps"]["batch"] == [] and again["gates"]["203.0.113.0/24"]["state"] == "ready"
    assert [item["cidr"] for item in again["advertise"]["batch"]] == ["203.0.113.0/24"]
    assert mapped["journal"][-1]["done"] == "created the address map 'CDN edge' and put 203.0.113.16/29 on it"


def test_a_prefix_still_deploying_waits_for_its_map_and_a_converged_one_needs_nothing():
    deploying = onboarded(bindings=[binding("203.0.113.0/24"), binding("203.0.113.16/29", "CDN", "provisioning")],
                          bgp_prefixes=[bgp("203.0.113.0/24")])
    result = plan(desired(edge(**MAPPED)), with_maps(estate(deploying)), OPTIONS)
    assert result["address_maps"]["batch"] == []
    assert result["gates"]["203.0.113.0/24"]["reason"] == "waits until every binding is active"
    converged = plan(desired(edge(**MAPPED)), with_maps(estate(onboarded()), address_map(CDN_IPS)), OPTIONS)
    assert batches(converged) == {} and converged["address_maps"]["batch"] == [] and converged["writes"] == 0
    assert converged["drift"][0] == dict(cidr="203.0.113.0/24", state="in_sync", details=[])


def test_an_existing_map_gets_only_what_it_lacks_and_is_enabled():
    partial = address_map(CDN_IPS[:4], enabled=False, members=())
    result = plan(desired(edge(**MAPPED)), with_maps(estate(onboarded(bgp_prefixes=[bgp("203.0.113.0/24")])),
                                                     partial), OPTIONS)
    assert result["address_maps"]["batch"] == [dict(description="CDN edge", ips=["203.0.113.20/30"],
                                                    memberships=[dict(kind="zone", identifier=ZONE)], enabled=True)]
    assert [action["do"] for action in step_actions(result["address_maps"])] == [
        "put 203.0.113.20/30 on the address map 'CDN edge'",
        "add the membership of zone %s to the address map 'CDN edge'" % ZONE,
        "enable the address map 'CDN edge'"]
    assert "address map 'CDN edge' lacks 203.0.113.20/30 and lacks the membership of zone %s and is disabled" % ZONE \
        in result["gates"]["203.0.113.0/24"]["reason"]


def test_one_map_for_two_prefixes_is_one_item_that_reports_for_each_prefix():
    other = dict(cidr="198.51.100.0/24", default_service="CDN", address_maps=[dict(description="CDN edge",
                                                                                   ips=["198.51.100.5"])])
    state = with_maps(estate(onboarded(), onboarded(cidr="198.51.100.0/24", delegations=[],
                                                    bindings=[binding("198.51.100.0/24", "CDN")],
                                                    bgp_prefixes=[bgp("198.51.100.0/24")])))
    result = plan(desired(edge(**MAPPED), other), state, OPTIONS)
    [item] = result["address_maps"]["batch"]
    assert item["ips"] == ["198.51.100.5/32", "203.0.113.16/29"]
    assert [(action["cidr"], action["do"]) for action in step_actions(result["address_maps"])] == [
        ("203.0.113.0/24", "create the address map 'CDN edge' and put 203.0.113.16/29 on it"),
        ("198.51.100.0/24", "put 198.51.100.5/32 on the address map 'CDN edge'")]
    after = merge(state, dict(results=[dict(item=item, changed=True, address_map=address_map())]),
                  result["address_maps"])
    assert [entry["cidr"] for entry in after["journal"]] == ["203.0.113.0/24", "198.51.100.0/24"]


def test_two_maps_with_the_description_are_a_conflict():
    state = with_maps(estate(onboarded()), address_map(map_id="1" * 32), address_map(map_id="2" * 32))
    conflicts = plan(desired(edge(**MAPPED)), state, OPTIONS)["conflicts"]
    assert len(conflicts) == 1 and conflicts[0].startswith(
        "The account has 2 address maps with the description 'CDN edge' (ids %s, %s), named in "
        "byoip_prefixes[0].address_maps[0]." % ("1" * 32, "2" * 32))


def test_a_dry_run_on_an_empty_account_shows_the_map_under_the_planned_prefix():
    result = plan(desired(edge(**MAPPED)), with_maps(estate()), dict(OPTIONS, check_mode=True))
    assert result["address_maps"]["batch"][0]["ips"] == ["203.0.113.16/29"]
    assert result["advertise"]["batch"][0]["parent_planned"] is True
    dry_no_wait = dict(OPTIONS, check_mode=True, wait=False)
    assert plan(desired(edge(**MAPPED)), with_maps(estate()), dry_no_wait)["address_maps"]["batch"] == []


def test_regions_are_bound_on_an_approved_prefix_and_moved_in_place():
    result = plan(desired(edge(region="eu")), estate(live_prefix(regional_bindings=[])), OPTIONS)
    assert result["regional"]["batch"] == [dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.0/25", region="eu"),
                                           dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.128/25", region="eu")]
    assert result["regions"] == ["eu"]
    moved = onboarded(regional_bindings=[regional("203.0.113.0/25", "us"), regional("203.0.113.128/25")])
    result = plan(desired(edge(region="eu")), estate(moved), OPTIONS)
    assert result["regional"]["batch"] == [dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.0/25", region="eu")]
    assert result["regional"]["actions"][0]["do"] == "move 203.0.113.0/25 from region us to eu"
    assert plan(desired(edge(region="eu")), estate(live_prefix(approved="P", states="pending", regional_bindings=[])),
                OPTIONS)["regional"]["batch"] == []


def test_a_provisioning_regional_binding_holds_the_deployment_the_map_and_the_advertisement():
    provisioning = onboarded(bgp_prefixes=[bgp("203.0.113.0/24")],
                             regional_bindings=[regional("203.0.113.0/25", state="provisioning"),
                                                regional("203.0.113.128/25")])
    result = plan(desired(edge(region="eu", **MAPPED)), with_maps(estate(provisioning)), OPTIONS)
    assert result["deployment"]["pending"] == ["203.0.113.0/24"]
    assert result["address_maps"]["batch"] == [] and result["advertise"]["batch"] == []
    missing = onboarded(bgp_prefixes=[bgp("203.0.113.0/24")], regional_bindings=[regional("203.0.113.0/25")])
    result = plan(desired(edge(region="eu", **MAPPED)), with_maps(estate(missing)), dict(OPTIONS, wait=False))
    assert result["gates"]["203.0.113.0/24"]["reason"] == "waits until the regional bindings 203.0.113.128/25 (eu) " \
                                                          "exist"
    assert "regional binding 203.0.113.128/25 (eu) missing" in result["drift"][0]["details"]


def test_a_loa_is_uploaded_for_a_prefix_to_add_and_its_id_goes_with_the_prefix(tmp_path):
    pdf = tmp_path / "loa.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    wanted = desired(edge(loa_path=str(pdf)))
    result = plan(wanted, estate(), OPTIONS)
    assert result["loa"]["batch"] == [dict(path=str(pdf), prefix_cidr="203.0.113.0/24")]
    assert result["prefixes"]["batch"][0]["delegate_loa_creation"] is False
    uploaded = merge(estate(), dict(results=[dict(item=result["loa"]["batch"][0], changed=True, uploaded=True,
                                                  loa_document_id="f" * 32)]), result["loa"])
    result = plan(wanted, uploaded, OPTIONS)
    assert result["loa"]["batch"] == []
    assert result["prefixes"]["batch"][0]["loa_document_id"] == "f" * 32
    assert plan(wanted, estate(live_prefix()), OPTIONS)["loa"]["batch"] == []  # the prefix exists: nothing to upload


def test_an_unusable_loa_is_a_conflict_only_for_a_prefix_to_add(tmp_path):
    wanted = desired(edge(loa_path=str(tmp_path / "missing.pdf")))
    [conflict] = plan(wanted, estate(), OPTIONS)["conflicts"]
    assert conflict.startswith("203.0.113.0/24: byoip_prefixes[0].loa_path %s is not a file on this host. The prefix "
                               "is still to be added" % (tmp_path / "missing.pdf"))
    assert plan(wanted, estate(live_prefix()), OPTIONS)["conflicts"] == []


def test_offboarding_takes_the_prefixs_ips_off_the_named_maps_then_deletes_regional_bindings():
    live = onboarded(regional_bindings=[regional("203.0.113.0/25"), regional("203.0.113.128/25")])
    named = address_map(CDN_IPS + ["198.51.100.5"])
    other = address_map(["203.0.113.17"], description="Hand-made", map_id="d" * 32)
    locked = address_map(["203.0.113.18"], description="Managed", map_id="e" * 32, can_modify_ips=False)
    wanted, problems = check_prefixes([dict(cidr="203.0.113.0/24", region="eu", address_maps=[
        dict(description="CDN edge"), dict(description="Managed")])], cidr_only=True)
    assert problems == []
    result = plan(wanted, with_maps(estate(live), named, other, locked), OPTIONS, "offboard")
    assert result["unmap"]["batch"] == [dict(id="c" * 32, remove_ips=["203.0.113.0/24"])]
    assert result["unmap"]["actions"][0]["do"] == "take 203.0.113.16/29 off the address map 'CDN edge'"
    assert [item["cidr"] for item in result["unregion"]["batch"]] == ["203.0.113.0/25", "203.0.113.128/25"]
    assert result["unregion"]["batch"][0] == dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.0/25", region="eu",
                                                  state="absent")
    left = result["left_alone"]["203.0.113.0/24"]
    assert left[0].startswith("the address map 'Hand-made' (%s) still holds 203.0.113.17/32; the vars do not name "
                              "it" % ("d" * 32))
    assert "Cloudflare manages its IPs (can_modify_ips: false)" in left[1]
    assert plan(wanted, estate(live), OPTIONS, "offboard")["unmap"]["batch"] == []  # maps not read: none touched


def test_merge_keeps_the_maps_and_regional_bindings_this_run_changed_and_a_dry_run_keeps_what_it_read():
    state = with_maps(estate(live_prefix(regional_bindings=[])), address_map(CDN_IPS[:1]))
    item = dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.0/25", region="eu")
    bound = merge(state, dict(results=[dict(item=item, changed=True, regional_binding=dict(
        id=None, prefix_id="a" * 32, cidr="203.0.113.0/25", region_key="eu"))]), None, True)
    assert bound["prefixes"]["203.0.113.0/24"]["regional_bindings"][0]["provisioning"] == dict(state="provisioning")
    assert bound["read"]["203.0.113.0/24"]["regional_bindings"] == []
    mapped = merge(bound, dict(results=[dict(item=dict(description="CDN edge"), changed=True,
                                             address_map=address_map(CDN_IPS))]), None, True)
    assert [len(item["ips"]) for item in mapped["address_maps"]] == [8] and len(mapped["maps_read"][0]["ips"]) == 1
    unbound = merge(bound, dict(results=[dict(item=dict(item, state="absent"), changed=True, regional_binding={})]))
    assert unbound["prefixes"]["203.0.113.0/24"]["regional_bindings"] == []
