"""Address maps: CRUD, IPs from account prefixes, memberships, and the delete preconditions."""

import re

import pytest

from simapi import HEX32, RFC3339

MAP_FIELDS = ["id", "can_delete", "can_modify_ips", "created_at", "default_sni", "description", "enabled",
              "modified_at"]
ZONE = "023e105f4ecef8ad9ca31a8372d0c353"
MEMBER = "b1946ac92492d2347c6235b4d2611184"


def test_create_get_list_edit_delete(api, sim):
    api.prefix("203.0.113.0/24")
    made = api.ok("POST", "/address_maps", {"description": "web", "enabled": False,
                                            "ips": ["203.0.113.1", "203.0.113.1", "203.0.113.2"],
                                            "memberships": [{"identifier": ZONE, "kind": "zone"}]})
    assert list(made) == MAP_FIELDS + ["ips", "memberships"]
    assert re.match(HEX32, made["id"]) and re.match(RFC3339, made["created_at"])
    assert made["can_delete"] is True and made["can_modify_ips"] is True and made["default_sni"] is None
    assert [ip["ip"] for ip in made["ips"]] == ["203.0.113.1", "203.0.113.2"], "duplicates collapse"
    assert made["memberships"] == [{"identifier": ZONE, "kind": "zone", "can_delete": True,
                                    "created_at": made["created_at"]}]
    assert api.ok("GET", "/address_maps/%s" % made["id"]) == made
    listed = api.ok("GET", "/address_maps")
    assert listed == [{k: made[k] for k in MAP_FIELDS}], "list returns the plain object"
    sim.advance(1)
    edited = api.ok("PATCH", "/address_maps/%s" % made["id"], {"default_sni": "*.example.com", "enabled": True})
    assert list(edited) == MAP_FIELDS and edited["enabled"] is True and edited["default_sni"] == "*.example.com"
    assert edited["description"] == "web" and edited["modified_at"] > made["modified_at"]
    api.fails("DELETE", "/address_maps/%s" % made["id"], status=409, code=1314)
    api.ok("PATCH", "/address_maps/%s" % made["id"], {"enabled": False, "description": None})
    response = api.call("DELETE", "/address_maps/%s" % made["id"])
    assert response.status_code == 200 and "result" not in response.json()
    api.fails("GET", "/address_maps/%s" % made["id"], status=404, code=1206)


def test_minimal_create(api):
    made = api.ok("POST", "/address_maps", {})
    assert made["enabled"] is False and made["description"] is None and made["ips"] == [] and made["memberships"] == []


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("body, code", [
    ({"ips": ["192.0.2.1"]}, 1114),
    ({"ips": ["not-an-ip"]}, 1113),
    ({"ips": [7]}, 1113),
    ({"ips": "203.0.113.1"}, 1103),
    ({"enabled": "yes"}, 1103),
    ({"description": 3}, 1103),
    ({"memberships": [{"identifier": ZONE, "kind": "user"}]}, 1103),
    ({"memberships": [{"kind": "zone"}]}, 1102),
    ({"memberships": ["zone"]}, 1103),
])
def test_create_rejects_bad_bodies(api, body, code):
    api.prefix("203.0.113.0/24")
    api.fails("POST", "/address_maps", body, code=code)
    assert api.ok("GET", "/address_maps") == []


def test_ips_put_and_delete(api):
    api.prefix("203.0.113.0/24")
    api.prefix("2001:db8::/48")
    made = api.ok("POST", "/address_maps", {})
    base = "/address_maps/%s/ips/" % made["id"]
    for ip in ("203.0.113.7", "2001:db8::1", "2001:DB8:0::1"):
        response = api.call("PUT", base + ip)
        assert response.status_code == 200 and "result" not in response.json()
    assert [ip["ip"] for ip in api.ok("GET", "/address_maps/%s" % made["id"])["ips"]] == ["203.0.113.7", "2001:db8::1"]
    api.fails("PUT", base + "198.51.100.1", code=1114)
    api.fails("PUT", base + "nonsense", code=1113)
    api.ok("DELETE", base + "2001:db8::1")
    api.fails("DELETE", base + "2001:db8::1", status=404, code=1207)
    assert [ip["ip"] for ip in api.ok("GET", "/address_maps/%s" % made["id"])["ips"]] == ["203.0.113.7"]


def test_memberships_put_and_delete(api):
    made = api.ok("POST", "/address_maps", {})
    base = "/address_maps/%s" % made["id"]
    api.ok("PUT", "%s/accounts/%s" % (base, MEMBER))
    api.ok("PUT", "%s/accounts/%s" % (base, MEMBER))
    api.ok("PUT", "%s/zones/%s" % (base, ZONE))
    members = api.ok("GET", base)["memberships"]
    assert [(m["kind"], m["identifier"]) for m in members] == [("account", MEMBER), ("zone", ZONE)]
    api.ok("DELETE", "%s/zones/%s" % (base, ZONE))
    api.fails("DELETE", "%s/zones/%s" % (base, ZONE), status=404, code=1208)
    api.fails("DELETE", "%s/accounts/%s" % (base, ZONE), status=404, code=1208)
    api.fails("PUT", "%s/zones/%s" % (base, "not-hex"), status=404, code=7003)


def test_cloudflare_managed_maps(api, sim):
    api.prefix("203.0.113.0/24")
    made = api.ok("POST", "/address_maps", {"ips": ["203.0.113.1"]})
    sim.control("PATCH", "/address_maps/%s" % made["id"], {"can_delete": False, "can_modify_ips": False})
    api.fails("DELETE", "/address_maps/%s" % made["id"], status=409, code=1315)
    api.fails("PUT", "/address_maps/%s/ips/203.0.113.2" % made["id"], status=409, code=1316)
    api.fails("DELETE", "/address_maps/%s/ips/203.0.113.1" % made["id"], status=409, code=1316)


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("body", [{"enabled": "no"}, {"default_sni": 5}, {"description": ["x"]}])
def test_edit_rejects_bad_values(api, body):
    made = api.ok("POST", "/address_maps", {})
    api.fails("PATCH", "/address_maps/%s" % made["id"], body, code=1103)


@pytest.mark.sends_invalid_requests
def test_unknown_map_is_404_everywhere(api):
    unknown = "/address_maps/%s" % ("f" * 32)
    for method, path in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("PUT", "/ips/203.0.113.1"),
                         ("PUT", "/accounts/%s" % MEMBER), ("DELETE", "/zones/%s" % ZONE)):
        api.fails(method, unknown + path, {}, status=404, code=1206)
