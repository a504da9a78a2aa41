"""Services and service bindings: the default-binding rules, provisioning, and the auto-created BGP prefix."""

import re

import pytest

from simapi import CDN, HEX32, MAGIC_TRANSIT, SPECTRUM

BINDING_FIELDS = ["id", "cidr", "service_id", "service_name", "provisioning"]


def test_services_are_stable(api):
    services = api.ok("GET", "/services")
    assert services == [{"id": MAGIC_TRANSIT, "name": "Magic Transit"}, {"id": CDN, "name": "CDN"},
                        {"id": SPECTRUM, "name": "Spectrum"}]
    assert all(re.match(HEX32, service["id"]) for service in services)


def test_default_binding_then_more_specific_ones(api, sim):
    prefix, default, bgp = api.bound_prefix("203.0.113.0/24", MAGIC_TRANSIT)
    assert list(default) == BINDING_FIELDS and re.match(HEX32, default["id"])
    assert default["service_name"] == "Magic Transit" and default["provisioning"] == {"state": "provisioning"}
    assert bgp["cidr"] == "203.0.113.0/24" and bgp["on_demand"]["advertised"] is False
    path = "/prefixes/%s/bindings" % prefix["id"]
    cdn = api.ok("POST", path, {"cidr": "203.0.113.16/29", "service_id": CDN}, status=201)
    spectrum = api.ok("POST", path, {"cidr": "203.0.113.64/26", "service_id": SPECTRUM}, status=201)
    assert cdn["service_name"] == "CDN" and spectrum["service_name"] == "Spectrum"
    assert api.ok("GET", path) == [default, cdn, spectrum]
    assert api.ok("GET", "%s/%s" % (path, cdn["id"])) == cdn
    assert len(api.ok("GET", "/prefixes/%s/bgp/prefixes" % prefix["id"])) == 1, "only the default creates one"


def test_provisioning_becomes_active_after_provisioning_seconds(api, sim):
    prefix, default, _bgp = api.bound_prefix()
    path = "/prefixes/%s/bindings/%s" % (prefix["id"], default["id"])
    sim.advance(119)
    assert api.ok("GET", path)["provisioning"]["state"] == "provisioning"
    sim.advance(1)
    assert api.ok("GET", path)["provisioning"]["state"] == "active"
    sim.control("PATCH", "/bindings/%s" % default["id"], {"state": "magic_transit_route_missing"})
    assert api.ok("GET", path)["provisioning"]["state"] == "magic_transit_route_missing"
    sim.control("PATCH", "/bindings/%s" % default["id"], {"state": None})
    assert api.ok("GET", path)["provisioning"]["state"] == "active"


def test_a_longer_provisioning_time_does_not_undeploy_active_bindings(api, sim):
    prefix, default, _bgp = api.bound_prefix()
    path = "/prefixes/%s/bindings/%s" % (prefix["id"], default["id"])
    sim.advance(120)
    later = api.ok("POST", "/prefixes/%s/bindings" % prefix["id"], {"cidr": "203.0.113.0/29", "service_id": CDN},
                   status=201)
    sim.control("PATCH", "/config", {"provisioning_seconds": 3600})
    assert api.ok("GET", path)["provisioning"]["state"] == "active"
    later_path = "/prefixes/%s/bindings/%s" % (prefix["id"], later["id"])
    assert api.ok("GET", later_path)["provisioning"]["state"] == "provisioning"
    sim.advance(3599)
    assert api.ok("GET", later_path)["provisioning"]["state"] == "provisioning"
    # A shorter time still lets bindings that are deploying finish sooner.
    sim.control("PATCH", "/config", {"provisioning_seconds": 1})
    assert api.ok("GET", later_path)["provisioning"]["state"] == "active"


def test_bindings_need_an_approved_prefix(api):
    prefix = api.prefix()
    api.fails("POST", "/prefixes/%s/bindings" % prefix["id"], {"cidr": prefix["cidr"], "service_id": CDN},
              status=409, code=1304)


def test_first_binding_must_be_the_whole_prefix(api):
    prefix = api.approved_prefix()
    api.fails("POST", "/prefixes/%s/bindings" % prefix["id"], {"cidr": "203.0.113.0/25", "service_id": CDN},
              status=409, code=1305)


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("body, status, code", [
    ({"service_id": CDN}, 400, 1102),
    ({"cidr": "203.0.113.16/29"}, 400, 1102),
    ({"cidr": "203.0.113.16/29", "service_id": "f" * 32}, 400, 1107),
    ({"cidr": "203.0.113.16/29", "service_id": 7}, 400, 1103),
    ({"cidr": "203.0.113.16/29", "service_id": MAGIC_TRANSIT}, 400, 1108),
    ({"cidr": "198.51.100.0/29", "service_id": CDN}, 400, 1106),
    ({"cidr": "203.0.113.17/29", "service_id": CDN}, 400, 1104),
    ({"cidr": "203.0.113.0/24", "service_id": CDN}, 409, 1306),
])
def test_later_binding_rules(api, body, status, code):
    prefix, _default, _bgp = api.bound_prefix()
    api.fails("POST", "/prefixes/%s/bindings" % prefix["id"], body, status=status, code=code)


def test_one_ip_is_cdn_or_spectrum_not_both(api):
    prefix, _default, _bgp = api.bound_prefix("203.0.113.0/24", SPECTRUM)
    path = "/prefixes/%s/bindings" % prefix["id"]
    api.ok("POST", path, {"cidr": "203.0.113.16/29", "service_id": CDN}, status=201)
    error = api.fails("POST", path, {"cidr": "203.0.113.20/30", "service_id": SPECTRUM}, status=409, code=1307)
    assert "203.0.113.16/29" in error["message"]
    api.fails("POST", path, {"cidr": "203.0.113.16/29", "service_id": CDN}, status=409, code=1306)
    api.ok("POST", path, {"cidr": "203.0.113.20/30", "service_id": CDN}, status=201)
    api.ok("POST", path, {"cidr": "203.0.113.32/29", "service_id": SPECTRUM}, status=201)


def test_delete_more_specific_then_default(api):
    prefix, default, bgp = api.bound_prefix()
    path = "/prefixes/%s/bindings" % prefix["id"]
    cdn = api.ok("POST", path, {"cidr": "203.0.113.16/29", "service_id": CDN}, status=201)
    api.fails("DELETE", "%s/%s" % (path, default["id"]), status=409, code=1308)
    response = api.call("DELETE", "%s/%s" % (path, cdn["id"]))
    assert response.status_code == 200 and "result" not in response.json()
    api.ok("DELETE", "%s/%s" % (path, default["id"]))
    assert api.ok("GET", path) == []
    assert api.ok("GET", "/prefixes/%s/bgp/prefixes" % prefix["id"]) == [], "the withdrawn BGP prefix goes too"
    assert api.ok("GET", "/prefixes/%s" % prefix["id"])["on_demand_enabled"] is False
    api.fails("GET", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], bgp["id"]), status=404, code=1205)


def test_default_binding_cannot_go_while_advertised(api):
    prefix, default, bgp = api.bound_prefix()
    api.ok("PATCH", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], bgp["id"]), {"on_demand": {"advertised": True}})
    api.fails("DELETE", "/prefixes/%s/bindings/%s" % (prefix["id"], default["id"]), status=409, code=1309)
    assert len(api.ok("GET", "/prefixes/%s/bindings" % prefix["id"])) == 1


def test_default_binding_reuses_an_existing_whole_prefix_bgp_prefix(api):
    prefix = api.approved_prefix()
    made = api.ok("POST", "/prefixes/%s/bgp/prefixes" % prefix["id"], {"cidr": prefix["cidr"]})
    api.ok("POST", "/prefixes/%s/bindings" % prefix["id"], {"cidr": prefix["cidr"], "service_id": CDN}, status=201)
    assert [b["id"] for b in api.ok("GET", "/prefixes/%s/bgp/prefixes" % prefix["id"])] == [made["id"]]


def test_unknown_bindings_are_404(api):
    prefix, default, _bgp = api.bound_prefix()
    other = api.approved_prefix("198.51.100.0/24")
    api.fails("GET", "/prefixes/%s/bindings/%s" % (prefix["id"], "d" * 32), status=404, code=1204)
    api.fails("GET", "/prefixes/%s/bindings/%s" % (other["id"], default["id"]), status=404, code=1204)
    api.fails("DELETE", "/prefixes/%s/bindings/%s" % (prefix["id"], "d" * 32), status=404, code=1204)
    api.fails("GET", "/prefixes/%s/bindings" % ("d" * 32), status=404, code=1201)


def test_ipv6_bindings(api):
    prefix, default, bgp = api.bound_prefix("2001:db8::/48", CDN)
    assert default["cidr"] == "2001:db8::/48" and bgp["cidr"] == "2001:db8::/48"
    made = api.ok("POST", "/prefixes/%s/bindings" % prefix["id"], {"cidr": "2001:DB8:0:1::/64", "service_id": SPECTRUM},
                  status=201)
    assert made["cidr"] == "2001:db8:0:1::/64"
