"""Unit tests of byoip_address_map's decisions; behaviour against the API is covered by the integration target."""

import pytest

from ansible_collections.cloudflare.addressing.plugins.modules import byoip_address_map as am

MAP_ID = "055817b111884e0227e1be16a0be6ee0"
ZONE = "9a7806061c88ada191ed06f989cc3dac"
ACCOUNT = "0123456789abcdef0123456789abcdef"
PARAMS = dict(id=None, description="CDN edge", default_sni=None, enabled=None, ips=None, purge_ips=False,
              remove_ips=None, memberships=None, purge_memberships=False, remove_memberships=None, state="present")


def params(**changes):
    merged = dict(PARAMS)
    merged.update(changes)
    return merged


def whole_map(ips=(), memberships=(), **fields):
    address_map = dict(id=MAP_ID, description="CDN edge", default_sni=None, enabled=None, can_delete=True,
                       can_modify_ips=True, created_at="2025-02-25T00:34:11.423722Z",
                       modified_at="2025-02-25T00:34:11.423722Z",
                       ips=[dict(ip=ip, created_at="2025-02-25T00:34:11.423722Z") for ip in ips],
                       memberships=[dict(kind=kind, identifier=identifier, can_delete=True,
                                         created_at="2025-02-25T00:34:11.423722Z")
                                    for kind, identifier in memberships])
    address_map.update(fields)
    return address_map


def test_a_cidr_stands_for_its_addresses_and_ips_are_canonical():
    wanted = am.check_input(params(ips=["203.0.113.16/30", "203.0.113.17", "2001:DB8::0:1"]))
    assert wanted.problems == []
    assert wanted.ips == ["203.0.113.16", "203.0.113.17", "203.0.113.18", "203.0.113.19", "2001:db8::1"]


def test_every_input_problem_is_reported_at_once_and_long_values_are_shortened():
    wanted = am.check_input(params(
        id="F" * 32, ips=["203.0.113.300", "10.0.0.0/8", "x" * 10000, "203.0.113.5"],
        remove_ips=["203.0.113.4/30"], memberships=[dict(kind="zone", identifier="nope")],
        remove_memberships=[dict(kind="zone", identifier="nope")], description=" "))
    text = " ".join(wanted.problems)
    assert "id must be a Cloudflare identifier" in text
    assert "'203.0.113.300' is not an IP address" in text
    assert "10.0.0.0/8 holds 16777216 addresses" in text
    assert "(10000 characters)" in text and "x" * 100 not in text
    assert "ips and remove_ips overlap: 203.0.113.5" in text
    assert "memberships[0].identifier" in text and "remove_memberships[0].identifier" in text
    assert "description must not be empty" in text


@pytest.mark.parametrize("changes,fragment", [
    (dict(purge_ips=True), "purge_ips needs ips"),
    (dict(purge_memberships=True), "purge_memberships needs memberships"),
    (dict(memberships=[dict(kind="zone", identifier=ZONE)],
          remove_memberships=[dict(kind="zone", identifier=ZONE.upper())]),
     "memberships and remove_memberships both name zone %s" % ZONE),
    (dict(state="absent", ips=["203.0.113.1"], enabled=False), "enabled, ips cannot be used with it"),
    (dict(state="absent", id=MAP_ID, description="CDN edge"), "description cannot be used with it"),
])
def test_contradictions_are_input_errors(changes, fragment):
    assert fragment in " ".join(am.check_input(params(**changes)).problems)


def test_by_description_the_description_is_the_key_and_by_id_a_setting():
    assert am.check_input(params()).name == "CDN edge"
    assert "description" not in am.check_input(params()).settings
    by_id = am.check_input(params(id=MAP_ID, description="Renamed"))
    assert by_id.name is None and by_id.settings == {"description": "Renamed"}


def test_an_empty_default_sni_clears_it():
    assert am.check_input(params(default_sni="")).settings == {"default_sni": None}


def test_only_removals_never_create_a_map():
    assert am.check_input(params(remove_ips=["203.0.113.0/24"])).only_removals
    assert not am.check_input(params(remove_ips=["203.0.113.0/24"], enabled=True)).only_removals
    assert not am.check_input(params()).only_removals


def test_listed_ips_are_added_and_unlisted_ones_stay_unless_purged():
    existing = whole_map(ips=["203.0.113.16", "203.0.113.17"])
    additive = am.plan_changes(existing, am.check_input(params(ips=["203.0.113.17", "203.0.113.18"])))
    assert (additive.ips_add, additive.ips_remove) == (["203.0.113.18"], [])
    purged = am.plan_changes(existing, am.check_input(params(ips=["203.0.113.17", "203.0.113.18"], purge_ips=True)))
    assert (purged.ips_add, purged.ips_remove) == (["203.0.113.18"], ["203.0.113.16"])
    emptied = am.plan_changes(existing, am.check_input(params(ips=[], purge_ips=True)))
    assert emptied.ips_remove == ["203.0.113.16", "203.0.113.17"]


def test_remove_ips_takes_every_ip_inside_the_networks_and_nothing_else():
    existing = whole_map(ips=["203.0.113.16", "198.51.100.5", "2001:db8::1"])
    plan = am.plan_changes(existing, am.check_input(params(remove_ips=["203.0.113.0/24", "2001:db8::/32"])))
    assert plan.ips_remove == ["203.0.113.16", "2001:db8::1"]
    assert plan.ips_add == [] and not plan.settings


def test_memberships_compare_by_kind_and_identifier_in_any_case():
    existing = whole_map(memberships=[("zone", ZONE), ("account", ACCOUNT)])
    same = am.plan_changes(existing, am.check_input(params(memberships=[dict(kind="zone", identifier=ZONE.upper())])))
    assert same.empty
    keep_zone = params(memberships=[dict(kind="zone", identifier=ZONE)], purge_memberships=True)
    purged = am.plan_changes(existing, am.check_input(keep_zone))
    assert purged.members_remove == [("account", ACCOUNT)] and purged.members_add == []
    removed = am.plan_changes(existing, am.check_input(params(remove_memberships=[dict(kind="account",
                                                                                       identifier=ACCOUNT)])))
    assert removed.members_remove == [("account", ACCOUNT)]


def test_settings_change_only_when_they_differ_and_a_null_enabled_is_disabled():
    existing = whole_map(enabled=None, default_sni="*.example.com")
    assert am.plan_changes(existing, am.check_input(params(enabled=False, default_sni="*.example.com"))).empty
    plan = am.plan_changes(existing, am.check_input(params(enabled=True, default_sni="")))
    assert plan.settings == {"enabled": True, "default_sni": None}


def test_cloudflare_managed_maps_are_refused_before_any_write():
    managed = whole_map(ips=["203.0.113.16"], can_modify_ips=False)
    plan = am.plan_changes(managed, am.check_input(params(ips=["203.0.113.17"], purge_ips=True)))
    problems = am.refusals(managed, plan)
    assert len(problems) == 1
    assert "can_modify_ips: false" in problems[0]
    assert "add 203.0.113.17 or remove 203.0.113.16" in problems[0]
    assert am.refusals(managed, am.plan_changes(managed, am.check_input(params(enabled=True)))) == []


def test_a_membership_cloudflare_keeps_is_refused():
    existing = whole_map(memberships=[("account", ACCOUNT)])
    existing["memberships"][0]["can_delete"] = False
    plan = am.plan_changes(existing, am.check_input(params(memberships=[], purge_memberships=True)))
    assert "can_delete: false" in am.refusals(existing, plan)[0]


def test_the_predicted_new_map_has_the_shape_of_a_created_one():
    wanted = am.check_input(params(ips=["203.0.113.16/31"], memberships=[dict(kind="zone", identifier=ZONE)],
                                   enabled=True, default_sni="*.example.com"))
    predicted = am.predicted_new_map(wanted)
    assert set(predicted) == set(whole_map())
    assert predicted["id"] is None and predicted["enabled"] is True
    assert [item["ip"] for item in predicted["ips"]] == ["203.0.113.16", "203.0.113.17"]
    assert set(predicted["memberships"][0]) == set(whole_map(memberships=[("zone", ZONE)])["memberships"][0])


def test_check_mode_applies_the_plan_to_a_copy():
    existing = whole_map(ips=["203.0.113.16", "203.0.113.17"], memberships=[("zone", ZONE)])
    plan = am.plan_changes(existing, am.check_input(params(
        ips=["203.0.113.17", "203.0.113.18"], purge_ips=True, remove_memberships=[dict(kind="zone", identifier=ZONE)],
        enabled=True)))
    predicted = am.apply_plan(existing, plan)
    assert [item["ip"] for item in predicted["ips"]] == ["203.0.113.17", "203.0.113.18"]
    assert predicted["memberships"] == [] and predicted["enabled"] is True
    assert len(existing["ips"]) == 2 and existing["memberships"]  # the read map is left as it was


def test_the_diff_shows_settings_ips_and_memberships_flat_and_sorted():
    view = am.diff_view(whole_map(ips=["203.0.113.17", "203.0.113.16"], memberships=[("zone", ZONE)]))
    assert view == dict(description="CDN edge", default_sni=None, enabled=False,
                        ips=["203.0.113.16", "203.0.113.17"], memberships=["zone %s" % ZONE])
    assert am.diff_view(None) == {}


@pytest.mark.parametrize("args,fragment", [
    (dict(description=None), "one of the following is required: id, description"),
    (dict(ips=["nonsense"]), "'nonsense' is not an IP address"),
    (dict(memberships=[dict(kind="user", identifier=ZONE)]), "kind"),
    (dict(purge_ips=True), "purge_ips needs ips"),
    (dict(state="absent", remove_ips=["203.0.113.0/24"]), "remove_ips cannot be used with it"),
])
def test_bad_input_fails_before_any_request(run_module, sent_requests, args, fragment):
    request_args = dict(description="CDN edge")
    request_args.update(args)
    result, failed = run_module(am, dict((key, value) for key, value in request_args.items() if value is not None))
    assert failed and fragment in result["msg"]
    assert sent_requests == []
