"""Data Localization Suite: regions, Regional Services prefix bindings, and the regional-hostnames regions list."""

import re

import pytest

from cfsim_runner import ControlError, start_cfsim
from simapi import CDN, HEX32, RFC3339, Api

REGION_KEYS = ["us", "eu", "ca", "isoeu", "de", "au", "in", "jp", "kr", "sg", "fedramp"]
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def bindings_url(api, binding_id=None):
    url = api.dls + "/regional_services/prefix_bindings"
    return url if binding_id is None else "%s/%s" % (url, binding_id)


def bind(api, prefix, cidr, region_key="eu"):
    return api.ok("POST", bindings_url(api), {"prefix_id": prefix["id"], "cidr": cidr, "region_key": region_key},
                  status=201)


def listed(api, **params):
    response = api.call("GET", bindings_url(api), params=params)
    assert response.status_code == 200, response.text
    return response.json()


# --- regions ---------------------------------------------------------------------------------------------------------

@pytest.mark.sends_invalid_requests
def test_regions_list_get_and_filter(api):
    body = api.call("GET", api.dls + "/regions").json()
    regions = body["result"]
    assert [region["region_key"] for region in regions] == REGION_KEYS
    assert body["result_info"] == {"count": 11, "per_page": 25, "cursor": ""}
    europe = regions[1]
    assert set(europe) == {"id", "name", "region_key", "created_on", "modified_on", "version", "version_created_on"}
    assert europe["name"] == "Europe" and europe["version"] == 1 and re.match(UUID, europe["id"])
    assert re.match(RFC3339, europe["created_on"]) and europe["modified_on"] == europe["created_on"]
    assert api.ok("GET", api.dls + "/regions/eu") == europe, "a managed region by its key"
    assert api.ok("GET", api.dls + "/regions/%s" % europe["id"]) == europe, "or by its id"
    api.fails("GET", api.dls + "/regions/mars", status=404, code=1210)
    assert api.ok("GET", api.dls + "/regions", params={"type": "managed"}) == regions
    assert api.ok("GET", api.dls + "/regions", params={"type": "custom"}) == [], "no custom regions by default"
    api.fails("GET", api.dls + "/regions", params={"type": "other"}, code=1120)


def test_regions_follow_the_cursor(api):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"per_page": 4}
        if cursor:
            params["cursor"] = cursor
        body = api.call("GET", api.dls + "/regions", params=params).json()
        pages += 1
        assert body["result_info"]["count"] == len(body["result"]) and body["result_info"]["per_page"] == 4
        seen += [region["region_key"] for region in body["result"]]
        cursor = body["result_info"]["cursor"]
        if not cursor:
            break
    assert seen == REGION_KEYS and pages == 3


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("params", [{"per_page": 0}, {"per_page": 101}, {"per_page": "ten"},
                                    {"cursor": "not-a-cursor"}])
def test_bad_paging_parameters(api, params):
    api.fails("GET", api.dls + "/regions", params=params, code=1120)
    api.fails("GET", bindings_url(api), params=params, code=1120)


def test_regional_hostnames_regions_are_the_same_keys(api):
    body = api.call("GET", "/regional_hostnames/regions").json()
    assert body["result"][:3] == [{"key": "us", "label": "United States"}, {"key": "eu", "label": "Europe"},
                                  {"key": "ca", "label": "Canada"}]
    assert [region["key"] for region in body["result"]] == REGION_KEYS
    assert body["result_info"] == {"count": 11, "page": 1, "per_page": 11, "total_count": 11, "total_pages": 1}


# --- prefix bindings -----------------------------------------------------------------------------------------------

def test_create_list_get_edit_delete(api):
    prefix = api.approved_prefix("203.0.113.0/24")
    made = bind(api, prefix, "203.0.113.0/25")
    assert list(made) == ["id", "prefix_id", "cidr", "region_key"] and re.match(HEX32, made["id"])
    assert (made["prefix_id"], made["cidr"], made["region_key"]) == (prefix["id"], "203.0.113.0/25", "eu")
    assert api.ok("GET", bindings_url(api, made["id"])) == made
    body = listed(api)
    assert body["result"] == [made] and body["result_info"] == {"count": 1, "per_page": 25, "cursor": ""}
    edited = api.ok("PATCH", bindings_url(api, made["id"]), {"region_key": "us"})
    assert edited == dict(made, region_key="us")
    response = api.call("DELETE", bindings_url(api, made["id"]))
    assert response.status_code == 200
    assert response.json() == {"success": True, "errors": [], "messages": [], "result": None}
    api.fails("GET", bindings_url(api, made["id"]), status=404, code=1209)
    assert listed(api)["result"] == []


def test_cidrs_inside_the_prefix_may_overlap_but_not_repeat(api):
    prefix = api.approved_prefix("2001:db8:100::/48")
    wide = bind(api, prefix, "2001:db8:100::/49", "eu")
    narrow = bind(api, prefix, "2001:db8:100::/64", "de")
    single = bind(api, prefix, "2001:db8:100::1/128", "us")
    assert [b["id"] for b in listed(api)["result"]] == [wide["id"], narrow["id"], single["id"]]
    error = api.fails("POST", bindings_url(api), {"prefix_id": prefix["id"], "cidr": "2001:DB8:100::/64",
                                                  "region_key": "us"}, status=409, code=1108)
    assert error["message"] == "conflict: binding already exists for CIDR 2001:db8:100::/64"


def test_the_whole_prefix_and_service_bound_cidrs_are_taken(api):
    prefix = api.approved_prefix("203.0.113.0/24")
    error = api.fails("POST", bindings_url(api), {"prefix_id": prefix["id"], "cidr": "203.0.113.0/24",
                                                  "region_key": "eu"}, status=409, code=1108)
    assert error["message"] == "conflict: binding already exists for CIDR 203.0.113.0/24"
    base = "/prefixes/%s/bindings" % prefix["id"]
    api.ok("POST", base, {"cidr": prefix["cidr"], "service_id": CDN}, status=201)
    api.ok("POST", base, {"cidr": "203.0.113.16/29", "service_id": CDN}, status=201)
    api.fails("POST", bindings_url(api), {"prefix_id": prefix["id"], "cidr": "203.0.113.16/29", "region_key": "eu"},
              status=409, code=1108)
    bind(api, prefix, "203.0.113.16/28")


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("body, status, code", [
    ({"cidr": "203.0.113.0/25", "region_key": "eu"}, 400, 1102),
    ({"prefix_id": "PREFIX", "region_key": "eu"}, 400, 1102),
    ({"prefix_id": "PREFIX", "cidr": "203.0.113.0/25"}, 400, 1102),
    ({"prefix_id": "f" * 32, "cidr": "203.0.113.0/25", "region_key": "eu"}, 400, 1119),
    ({"prefix_id": "x" * 65, "cidr": "203.0.113.0/25", "region_key": "eu"}, 400, 1103),
    ({"prefix_id": "PREFIX", "cidr": "203.0.113.1/25", "region_key": "eu"}, 400, 1104),
    ({"prefix_id": "PREFIX", "cidr": "198.51.100.0/25", "region_key": "eu"}, 400, 1106),
    ({"prefix_id": "PREFIX", "cidr": "203.0.113.0/25", "region_key": "mars"}, 400, 1118),
    ({"prefix_id": "PREFIX", "cidr": "203.0.113.0/25", "region_key": ""}, 400, 1103),
    ({"prefix_id": "PREFIX", "cidr": "203.0.113.0/25", "region_key": 7}, 400, 1103),
])
def test_create_errors(api, body, status, code):
    prefix = api.approved_prefix("203.0.113.0/24")
    body = {name: prefix["id"] if value == "PREFIX" else value for name, value in body.items()}
    api.fails("POST", bindings_url(api), body, status=status, code=code)
    assert listed(api)["result"] == []


def test_an_unapproved_prefix_cannot_be_bound(api):
    prefix = api.prefix("203.0.113.0/24")
    api.fails("POST", bindings_url(api), {"prefix_id": prefix["id"], "cidr": "203.0.113.0/25", "region_key": "eu"},
              status=409, code=1304)


@pytest.mark.sends_invalid_requests
def test_edit_errors_and_unknown_ids(api):
    made = bind(api, api.approved_prefix("203.0.113.0/24"), "203.0.113.0/25")
    url = bindings_url(api, made["id"])
    api.fails("PATCH", url, {"region_key": "mars"}, code=1118)
    api.fails("PATCH", url, {}, code=1102)
    api.fails("PATCH", url, {"region_key": "us", "cidr": "203.0.113.0/26"}, code=1103)
    assert api.ok("GET", url) == made, "a refused edit changes nothing"
    for unknown in ("0" * 32, "a1b2c3d4-e5f6-7890-abcd-ef1234567890"):
        api.fails("GET", bindings_url(api, unknown), status=404, code=1209)
        api.fails("PATCH", bindings_url(api, unknown), {"region_key": "us"}, status=404, code=1209)
        api.fails("DELETE", bindings_url(api, unknown), status=404, code=1209)


def test_bindings_pages_survive_deletions_between_pages(api):
    prefix = api.approved_prefix("203.0.113.0/24")
    made = [bind(api, prefix, "203.0.113.%d/32" % host) for host in range(5)]
    first = listed(api, per_page=2)
    assert [b["id"] for b in first["result"]] == [made[0]["id"], made[1]["id"]]
    assert first["result_info"]["count"] == 2 and first["result_info"]["cursor"]
    api.ok("DELETE", bindings_url(api, made[2]["id"]))
    second = listed(api, per_page=2, cursor=first["result_info"]["cursor"])
    assert [b["id"] for b in second["result"]] == [made[3]["id"], made[4]["id"]]
    assert second["result_info"]["cursor"] == "", "nothing after the last one"


def test_provisioning_shows_through_the_service_bindings_api(api, sim):
    prefix = api.approved_prefix("203.0.113.0/24")
    made = bind(api, prefix, "203.0.113.0/25")
    service_view = "/prefixes/%s/bindings/%s" % (prefix["id"], made["id"])
    assert api.ok("GET", service_view) == {"id": made["id"], "cidr": "203.0.113.0/25",
                                           "provisioning": {"state": "provisioning"}}
    assert api.ok("GET", "/prefixes/%s/bindings" % prefix["id"]) == [], "not listed among the service bindings"
    sim.advance(120)
    assert api.ok("GET", service_view)["provisioning"]["state"] == "active"
    api.ok("PATCH", bindings_url(api, made["id"]), {"region_key": "eu"})
    assert api.ok("GET", service_view)["provisioning"]["state"] == "active", "the same region is no change"
    api.ok("PATCH", bindings_url(api, made["id"]), {"region_key": "us"})
    assert api.ok("GET", service_view)["provisioning"]["state"] == "provisioning", "a new region propagates again"
    sim.control("PATCH", "/bindings/%s" % made["id"], {"state": "active"})
    assert api.ok("GET", service_view)["provisioning"]["state"] == "active"
    other = api.approved_prefix("198.51.100.0/24")
    api.fails("GET", "/prefixes/%s/bindings/%s" % (other["id"], made["id"]), status=404, code=1204)


def test_deleting_a_prefix_deletes_its_regional_bindings(api, sim):
    prefix = api.approved_prefix("203.0.113.0/24")
    kept = bind(api, api.approved_prefix("198.51.100.0/24"), "198.51.100.0/25")
    bind(api, prefix, "203.0.113.0/25")
    sim.control("PATCH", "/prefixes/%s" % prefix["id"], {"approved": "P"})
    api.ok("DELETE", "/prefixes/%s" % prefix["id"])
    assert listed(api)["result"] == [kept]


def test_read_only_token_reads_but_cannot_bind(api, sim):
    prefix = api.approved_prefix("203.0.113.0/24")
    made = bind(api, prefix, "203.0.113.0/25")
    reader = Api(sim, headers={"Authorization": "Bearer %s" % sim.read_only_token})
    try:
        assert reader.ok("GET", bindings_url(api, made["id"])) == made
        assert len(reader.ok("GET", api.dls + "/regions")) == 11
        reader.fails("PATCH", bindings_url(api, made["id"]), {"region_key": "us"}, status=403, code=10000)
        reader.fails("POST", bindings_url(api), {"prefix_id": prefix["id"], "cidr": "203.0.113.128/25",
                                                 "region_key": "eu"}, status=403, code=10000)
        response = reader.call("GET", api.dls + "/regions")
        # Cloudflare's Ratelimit headers: r is what remains of the quota q of the read-only token's own window.
        remaining = int(re.search(r";r=(\d+)", response.headers["Ratelimit"]).group(1))
        assert remaining < int(re.search(r";q=(\d+)", response.headers["Ratelimit-Policy"]).group(1))
    finally:
        reader.session.close()


# --- leases ----------------------------------------------------------------------------------------------------------

def test_leases_come_from_the_control_api(api, sim):
    assert api.ok("GET", "/leases") == []
    lease = sim.control("POST", "/leases", {"cidrs": ["192.0.2.100/32", "192.0.2.101/32"],
                                            "purpose": "Spectrum Static IPs"})
    assert set(lease) == {"id", "cidrs", "owner_id", "purpose", "active_from", "created_at", "modified_at"}
    assert re.match(HEX32, lease["id"]) and lease["owner_id"] == sim.account_id
    assert re.match(RFC3339, lease["active_from"]) and lease["cidrs"] == ["192.0.2.100/32", "192.0.2.101/32"]
    body = api.call("GET", "/leases").json()
    assert body["result"] == [lease]
    assert body["result_info"] == {"count": 1, "page": 1, "per_page": 1, "total_count": 1, "total_pages": 1}
    made = api.ok("POST", "/address_maps", {"ips": ["192.0.2.100"]})
    assert [ip["ip"] for ip in made["ips"]] == ["192.0.2.100"], "leased addresses count as the account's own"
    api.fails("PUT", "/address_maps/%s/ips/192.0.2.102" % made["id"], code=1114)
    assert sim.control("DELETE", "/leases/%s" % lease["id"]) == {"deleted": lease["id"]}
    assert api.ok("GET", "/leases") == []


@pytest.mark.parametrize("document", [{}, {"cidrs": []}, {"cidrs": ["192.0.2.1/24"]}, {"cidrs": "192.0.2.0/24"},
                                      {"cidrs": ["192.0.2.0/24"], "purpose": 5},
                                      {"cidrs": ["192.0.2.0/24"], "owner": "x"}])
def test_bad_lease_documents(sim, document):
    with pytest.raises(ControlError) as raised:
        sim.control("POST", "/leases", document)
    assert raised.value.status == 400


def test_unknown_lease(sim):
    with pytest.raises(ControlError) as raised:
        sim.control("DELETE", "/leases/%s" % ("0" * 32))
    assert raised.value.status == 404


# --- state ---------------------------------------------------------------------------------------------------------

def test_reset_clears_bindings_and_leases(api, sim):
    bind(api, api.approved_prefix("203.0.113.0/24"), "203.0.113.0/25")
    sim.control("POST", "/leases", {"cidrs": ["192.0.2.100/32"]})
    sim.reset()
    assert listed(api)["result"] == [] and api.ok("GET", "/leases") == []


def test_bindings_and_leases_survive_a_restart(tmp_path):
    state = tmp_path / "state.json"
    sim = start_cfsim("--state-file", str(state), "--quiet")
    api = Api(sim)
    prefix = api.approved_prefix("203.0.113.0/24")
    first = bind(api, prefix, "203.0.113.0/25")
    sim.advance(120)
    lease = sim.control("POST", "/leases", {"cidrs": ["192.0.2.100/32"], "purpose": "static"})
    api.session.close()
    assert sim.stop() == 0

    again = start_cfsim("--state-file", str(state), "--quiet", "--provisioning-seconds", "3600")
    api = Api(again)
    try:
        assert listed(api)["result"] == [first]
        assert api.ok("GET", "/leases") == [lease]
        service_view = api.ok("GET", "/prefixes/%s/bindings/%s" % (prefix["id"], first["id"]))
        assert service_view["provisioning"]["state"] == "active", "what was due stays done"
        second = bind(api, prefix, "203.0.113.128/25", "us")
        assert [b["id"] for b in listed(api)["result"]] == [first["id"], second["id"]], "new ones sort after"
    finally:
        api.session.close()
        assert again.stop() == 0
