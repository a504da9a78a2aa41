"""BGP prefixes, advertisement toggles (hold and lock), and the deprecated bgp/status kept consistent."""

import re

import pytest

from simapi import HEX32, RFC3339

BGP_FIELDS = ["id", "cidr", "asn", "asn_prepend_count", "auto_advertise_withdraw", "bgp_signal_opts", "on_demand",
              "created_at", "modified_at"]
NOT_ADVERTISED = {"advertised": False, "advertised_modified_at": None}


def advertise(api, prefix, bgp, value):
    return api.call("PATCH", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], bgp["id"]),
                    {"on_demand": {"advertised": value}})


def test_auto_created_bgp_prefix_shape(api):
    prefix, _default, bgp = api.bound_prefix()
    assert list(bgp) == BGP_FIELDS and re.match(HEX32, bgp["id"]) and re.match(RFC3339, bgp["created_at"])
    assert bgp["asn"] == 13335 and bgp["asn_prepend_count"] == 0 and bgp["auto_advertise_withdraw"] is False
    assert bgp["bgp_signal_opts"] == {"enabled": False, "modified_at": None}
    assert bgp["on_demand"] == {"advertised": False, "advertised_modified_at": None, "on_demand_enabled": True,
                                "on_demand_locked": False}
    mirrored = api.ok("GET", "/prefixes/%s" % prefix["id"])
    assert mirrored["on_demand_enabled"] is True and mirrored["advertised"] is False
    assert api.ok("GET", "/prefixes/%s/bgp/status" % prefix["id"]) == NOT_ADVERTISED


def test_create_more_specific_bgp_prefixes(api):
    prefix = api.approved_prefix("203.0.112.0/22")
    path = "/prefixes/%s/bgp/prefixes" % prefix["id"]
    made = api.ok("POST", path, {"cidr": "203.0.113.0/24"})
    assert made["cidr"] == "203.0.113.0/24" and made["on_demand"]["advertised"] is False
    assert api.ok("GET", path) == [made]
    assert api.ok("GET", "%s/%s" % (path, made["id"])) == made
    assert api.ok("GET", "/prefixes/%s" % prefix["id"])["on_demand_enabled"] is False, "not the whole prefix"


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("body, status, code", [
    ({}, 400, 1102),
    ({"cidr": "203.0.113.0/25"}, 400, 1105),
    ({"cidr": "198.51.100.0/24"}, 400, 1106),
    ({"cidr": "203.0.113.1/24"}, 400, 1104),
    ({"cidr": "203.0.112.0/22"}, 409, 1310),
])
def test_bgp_prefix_create_rules(api, body, status, code):
    prefix = api.approved_prefix("203.0.112.0/22")
    api.ok("POST", "/prefixes/%s/bgp/prefixes" % prefix["id"], {"cidr": "203.0.112.0/22"})
    api.fails("POST", "/prefixes/%s/bgp/prefixes" % prefix["id"], body, status=status, code=code)


def test_bgp_prefixes_need_an_approved_prefix_and_ipv6_limit(api):
    pending = api.prefix("203.0.113.0/24")
    api.fails("POST", "/prefixes/%s/bgp/prefixes" % pending["id"], {"cidr": "203.0.113.0/24"}, status=409, code=1304)
    v6 = api.approved_prefix("2001:db8::/32")
    api.ok("POST", "/prefixes/%s/bgp/prefixes" % v6["id"], {"cidr": "2001:db8:ff::/48"})
    api.fails("POST", "/prefixes/%s/bgp/prefixes" % v6["id"], {"cidr": "2001:db8:ff::/49"}, code=1105)


def test_advertise_and_withdraw_mirror_everywhere(api, sim):
    prefix, _default, bgp = api.bound_prefix()
    response = advertise(api, prefix, bgp, True)
    assert response.status_code == 200
    advertised = response.json()["result"]
    stamp = advertised["on_demand"]["advertised_modified_at"]
    assert advertised["on_demand"]["advertised"] is True and re.match(RFC3339, stamp)
    view = api.ok("GET", "/prefixes/%s" % prefix["id"])
    assert view["advertised"] is True and view["advertised_modified_at"] == stamp
    status = api.ok("GET", "/prefixes/%s/bgp/status" % prefix["id"])
    assert status == {"advertised": True, "advertised_modified_at": stamp}
    sim.advance(900)
    status = api.ok("PATCH", "/prefixes/%s/bgp/status" % prefix["id"], {"advertised": False})
    assert status["advertised"] is False and status["advertised_modified_at"] > stamp
    again = api.ok("GET", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], bgp["id"]))
    assert again["on_demand"]["advertised"] is False
    assert again["on_demand"]["advertised_modified_at"] == status["advertised_modified_at"]
    assert api.ok("GET", "/prefixes/%s" % prefix["id"])["advertised"] is False


def test_toggle_hold_is_a_429_with_retry_after(api, sim):
    prefix, _default, bgp = api.bound_prefix()
    assert advertise(api, prefix, bgp, True).status_code == 200
    sim.advance(600)
    held = advertise(api, prefix, bgp, False)
    assert held.status_code == 429 and held.headers["Retry-After"] == "300"
    assert held.json()["errors"][0]["code"] == 1401
    legacy = api.call("PATCH", "/prefixes/%s/bgp/status" % prefix["id"], {"advertised": False})
    assert legacy.status_code == 429 and legacy.json()["errors"][0]["code"] == 1401, "same hold on the old API"
    sim.advance(299.5)
    assert advertise(api, prefix, bgp, False).headers["Retry-After"] == "1"
    sim.advance(0.5)
    assert advertise(api, prefix, bgp, False).status_code == 200


def test_setting_the_current_value_is_not_a_toggle(api, sim):
    prefix, _default, bgp = api.bound_prefix()
    first = advertise(api, prefix, bgp, True).json()["result"]
    same = advertise(api, prefix, bgp, True)
    assert same.status_code == 200
    assert same.json()["result"]["on_demand"] == first["on_demand"], "no new timestamp"
    assert api.ok("PATCH", "/prefixes/%s/bgp/status" % prefix["id"], {"advertised": True})["advertised"] is True


def test_hold_is_configurable(api, sim):
    sim.control("PATCH", "/config", {"advertisement_hold_seconds": 0})
    prefix, _default, bgp = api.bound_prefix()
    for value in (True, False, True):
        assert advertise(api, prefix, bgp, value).status_code == 200


def test_locked_prefix_cannot_be_toggled(api, sim):
    prefix, _default, bgp = api.bound_prefix()
    sim.control("PATCH", "/prefixes/%s" % prefix["id"], {"on_demand_locked": True})
    assert api.ok("GET", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], bgp["id"]))["on_demand"]["on_demand_locked"]
    locked = advertise(api, prefix, bgp, True)
    assert locked.status_code == 409 and locked.json()["errors"][0]["code"] == 1312
    api.fails("PATCH", "/prefixes/%s/bgp/status" % prefix["id"], {"advertised": True}, status=409, code=1312)
    # Other settings remain editable, and re-sending the current state is no toggle.
    edited = api.ok("PATCH", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], bgp["id"]),
                    {"asn_prepend_count": 2, "on_demand": {"advertised": False}})
    assert edited["asn_prepend_count"] == 2


def test_edit_other_settings(api, sim):
    prefix, _default, bgp = api.bound_prefix()
    sim.advance(1)
    edited = api.ok("PATCH", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], bgp["id"]),
                    {"asn_prepend_count": 3, "auto_advertise_withdraw": True})
    assert edited["asn_prepend_count"] == 3 and edited["auto_advertise_withdraw"] is True
    assert edited["modified_at"] > bgp["modified_at"] and edited["on_demand"] == bgp["on_demand"]
    unchanged = api.ok("PATCH", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], bgp["id"]), {})
    assert unchanged == edited


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("body", [
    {"asn_prepend_count": 4}, {"asn_prepend_count": -1}, {"asn_prepend_count": "1"}, {"asn_prepend_count": True},
    {"auto_advertise_withdraw": "yes"}, {"on_demand": True}, {"on_demand": {"advertised": "true"}},
    {"asn_prepend_count": 1, "on_demand": {"advertised": 1}},
])
def test_edit_rejects_bad_values_without_changing_anything(api, body):
    prefix, _default, bgp = api.bound_prefix()
    api.fails("PATCH", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], bgp["id"]), body, code=1103)
    assert api.ok("GET", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], bgp["id"])) == bgp


def test_delete_only_when_withdrawn(api):
    prefix = api.approved_prefix("203.0.112.0/22")
    path = "/prefixes/%s/bgp/prefixes" % prefix["id"]
    made = api.ok("POST", path, {"cidr": "203.0.113.0/24"})
    advertise(api, prefix, made, True)
    api.fails("DELETE", "%s/%s" % (path, made["id"]), status=409, code=1311)
    response = api.call("DELETE", "%s/%s" % (path, api.ok("POST", path, {"cidr": "203.0.114.0/24"})["id"]))
    assert response.status_code == 200 and "result" not in response.json()
    assert [b["cidr"] for b in api.ok("GET", path)] == ["203.0.113.0/24"]
    api.fails("DELETE", "%s/%s" % (path, "e" * 32), status=404, code=1205)


def test_legacy_status_without_bgp_prefix(api):
    prefix = api.approved_prefix()
    assert api.ok("GET", "/prefixes/%s/bgp/status" % prefix["id"]) == NOT_ADVERTISED
    api.fails("PATCH", "/prefixes/%s/bgp/status" % prefix["id"], {"advertised": True}, status=409, code=1317)


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("body, code", [({}, 1102), ({"advertised": "yes"}, 1103), ({"advertised": None}, 1103)])
def test_legacy_status_body_rules(api, body, code):
    prefix, _default, _bgp = api.bound_prefix()
    api.fails("PATCH", "/prefixes/%s/bgp/status" % prefix["id"], body, code=code)


def test_deleting_the_whole_prefix_bgp_prefix_disables_on_demand(api):
    prefix, _default, bgp = api.bound_prefix()
    api.ok("DELETE", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], bgp["id"]))
    view = api.ok("GET", "/prefixes/%s" % prefix["id"])
    assert view["on_demand_enabled"] is False and view["advertised"] is None
