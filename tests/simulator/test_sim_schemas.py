"""Responses checked against the official 2024 OpenAPI subset, and newer objects against the reference field lists.

Both reference files live outside the repository (CFSIM_REFERENCE_DIR); these tests skip when it is absent.
"""

import re

import jsonschema
import pytest

from simapi import CDN, MAGIC_TRANSIT, PDF, REFERENCE_DIR

API_REFERENCE = REFERENCE_DIR / "cloudflare-addressing-api.md"
# Operations of the 2024 file that cfsim does not serve, and why.
NOT_SIMULATED = {
    ("GET", "/accounts/{account_id}/addressing/regional_hostnames/regions"): "Data Localization Suite, not BYOIP",
}
SCHEMA_WORDS_TO_DROP = ("nullable", "example", "readOnly", "description", "x-auditable")


def json_schema(node, components):
    """OpenAPI 3.0 schema -> JSON Schema: inline $refs, turn nullable into a null alternative."""
    if isinstance(node, list):
        return [json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return json_schema(components[node["$ref"].rsplit("/", 1)[1]], components)
    out = {}
    for key, value in node.items():
        if key in SCHEMA_WORDS_TO_DROP:
            continue
        if key == "properties":
            out[key] = {name: json_schema(sub, components) for name, sub in value.items()}
        else:
            out[key] = json_schema(value, components)
    if node.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def operations(openapi):
    for template, item in openapi["paths"].items():
        pattern = re.compile("^/client/v4" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), template, pattern, operation


def success_schema(operation):
    for status, response in operation["responses"].items():
        if status.startswith("2"):
            content = response["content"]
            return int(status), content.get("application/json", {}).get("schema"), list(content)
    raise AssertionError("no success response")


@pytest.fixture
def recorded(api):
    calls = []
    api.session.hooks["response"].append(lambda response, *args, **kwargs: calls.append(response))
    return calls


def exercise(api, sim):
    """Call every endpoint cfsim serves, successes and typical failures."""
    api.ok("GET", "/services")
    loa = api.ok("POST", "/loa_documents", files={"loa_document": ("loa.pdf", PDF, "application/pdf")}, status=201)
    api.call("GET", "/loa_documents/%s/download" % loa["id"])
    pending = api.prefix("198.51.100.0/24", loa_document_id=loa["id"])
    api.ok("PATCH", "/prefixes/%s" % pending["id"], {"description": "pending"})
    api.ok("POST", "/prefixes/%s/validate" % pending["id"], status=202)
    api.ok("DELETE", "/prefixes/%s" % pending["id"])
    prefix = api.prefix("203.0.112.0/22", delegate_loa_creation=True)
    sim.advance(60)
    api.ok("GET", "/prefixes")
    api.ok("GET", "/prefixes/%s" % prefix["id"])
    base = "/prefixes/%s" % prefix["id"]
    delegation = api.ok("POST", base + "/delegations", {"cidr": "203.0.113.0/24", "delegated_account_id": "b" * 32})
    api.ok("GET", base + "/delegations")
    api.ok("DELETE", "%s/delegations/%s" % (base, delegation["id"]))
    default = api.ok("POST", base + "/bindings", {"cidr": prefix["cidr"], "service_id": MAGIC_TRANSIT}, status=201)
    cdn = api.ok("POST", base + "/bindings", {"cidr": "203.0.113.0/29", "service_id": CDN}, status=201)
    api.ok("GET", base + "/bindings")
    api.ok("GET", "%s/bindings/%s" % (base, default["id"]))
    api.ok("DELETE", "%s/bindings/%s" % (base, cdn["id"]))
    whole = api.ok("GET", base + "/bgp/prefixes")[0]
    api.ok("GET", "%s/bgp/prefixes/%s" % (base, whole["id"]))
    api.ok("PATCH", "%s/bgp/prefixes/%s" % (base, whole["id"]), {"on_demand": {"advertised": True}})
    api.ok("GET", base + "/bgp/status")
    sim.advance(900)
    api.ok("PATCH", base + "/bgp/status", {"advertised": False})
    extra = api.ok("POST", base + "/bgp/prefixes", {"cidr": "203.0.114.0/24"})
    api.ok("DELETE", "%s/bgp/prefixes/%s" % (base, extra["id"]))
    made = api.ok("POST", "/address_maps", {"description": "web", "ips": ["203.0.113.1"],
                                            "memberships": [{"identifier": "c" * 32, "kind": "zone"}]})
    maps = "/address_maps/%s" % made["id"]
    api.ok("GET", "/address_maps")
    api.ok("GET", maps)
    api.ok("PATCH", maps, {"enabled": True})
    for method in ("PUT", "DELETE"):
        api.ok(method, maps + "/ips/203.0.113.2")
        api.ok(method, "%s/accounts/%s" % (maps, sim.account_id))
        api.ok(method, "%s/zones/%s" % (maps, "d" * 32))
    api.ok("PATCH", maps, {"enabled": False})
    api.ok("DELETE", maps, {})
    # Failures: 400, 403, 404, 409, 429.
    api.fails("POST", "/prefixes", {"cidr": "203.0.112.0/23", "asn": 13335}, status=409)
    api.fails("POST", "/prefixes", {"cidr": "x"})
    api.fails("GET", "/prefixes/%s" % ("0" * 32), status=404)
    api.fails("GET", "/prefixes", status=403, headers={"Authorization": "Bearer nobody"})
    sim.advance(900)
    api.ok("PATCH", "%s/bgp/prefixes/%s" % (base, whole["id"]), {"on_demand": {"advertised": True}})
    api.fails("PATCH", "%s/bgp/prefixes/%s" % (base, whole["id"]), {"on_demand": {"advertised": False}}, status=429)


def test_responses_match_the_2024_openapi_schemas(openapi, api, sim, recorded):
    exercise(api, sim)
    components = openapi["components"]["schemas"]
    failure = json_schema(components["addressing_api-response-common-failure"], components)
    known = list(operations(openapi))
    covered = set()
    checked = 0
    for response in recorded:
        path = response.request.path_url.split("?")[0]
        found = [(template, op) for method, template, pattern, op in known
                 if method == response.request.method and pattern.match(path)]
        if not found:
            continue  # an operation newer than the 2024 file; see the field-list test below
        template, operation = found[0]
        if response.status_code >= 400:
            jsonschema.validate(response.json(), failure)
            checked += 1
            continue
        status, schema, content_types = success_schema(operation)
        assert response.status_code == status, (response.request.method, template)
        assert response.headers["Content-Type"] in content_types
        if schema is not None:
            jsonschema.validate(response.json(), json_schema(schema, components))
        covered.add((response.request.method, template))
        checked += 1
    expected = {(method, template) for method, template, _p, _o in known} - set(NOT_SIMULATED)
    assert sorted(expected - covered) == [], "operations of the 2024 file not exercised"
    assert checked > len(expected)


def test_rate_limit_body_differs_from_the_schema_only_in_its_code(openapi, api, sim):
    """The real API sends 971 although the schema says codes are >= 1000 (see the README's fidelity notes)."""
    sim.control("PATCH", "/config", {"rate_limit": {"requests": 1, "seconds": 60}})
    api.call("GET", "/services")
    body = api.call("GET", "/services").json()
    components = openapi["components"]["schemas"]
    validator = jsonschema.Draft7Validator(json_schema(components["addressing_api-response-common-failure"],
                                                       components))
    problems = [error.message for error in validator.iter_errors(body)]
    assert problems == ["971 is less than the minimum of 1000"]


def reference_fields(section_title):
    """Backticked field names of the first table under a heading of cloudflare-addressing-api.md."""
    if not API_REFERENCE.is_file():
        pytest.skip("reference %s is absent (set CFSIM_REFERENCE_DIR)" % API_REFERENCE)
    text = API_REFERENCE.read_text(encoding="utf-8")
    section = text[text.index(section_title):]
    rows = re.findall(r"^\|([^|]*)\|", section.split("\n\n|", 1)[1].split("\n\n", 1)[0], re.M)
    names = set()
    for cell in rows:
        names.update(name for name in re.findall(r"`([a-z_.]+)`", cell) if "." not in name)
    return names


def test_newer_objects_carry_the_reference_field_lists(api, sim):
    prefix = api.prefix("203.0.113.0/24")
    validated = api.ok("POST", "/prefixes/%s/validate" % prefix["id"], status=202)
    # asn_ownership_validation_state is documented only for customer-ASN onboarding in the newest docs.
    assert set(validated) == reference_fields("### 3.1 Prefix object") - {"asn_ownership_validation_state"}
    sim.control("PATCH", "/prefixes/%s" % prefix["id"], {"approved": "V"})
    bgp = api.ok("POST", "/prefixes/%s/bgp/prefixes" % prefix["id"], {"cidr": prefix["cidr"]})
    assert set(bgp) == reference_fields("### 7.1 BGP prefix object")
    assert set(bgp["on_demand"]) == {"advertised", "advertised_modified_at", "on_demand_enabled", "on_demand_locked"}
    assert set(bgp["bgp_signal_opts"]) == {"enabled", "modified_at"}
    binding = api.ok("POST", "/prefixes/%s/bindings" % prefix["id"], {"cidr": prefix["cidr"], "service_id": CDN},
                     status=201)
    assert set(binding) == reference_fields("### 6.2 Service binding object")
    loa = api.ok("POST", "/loa_documents", files={"loa_document": ("loa.pdf", PDF, "application/pdf")}, status=201)
    # Section 4.1 lists these in prose: id, account_id, auto_generated, created, filename, size_bytes, verified,
    # verified_at.
    assert set(loa) == {"id", "account_id", "auto_generated", "created", "filename", "size_bytes", "verified",
                        "verified_at"}
    deleted = api.call("DELETE", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], "f" * 32))
    assert deleted.status_code == 404
