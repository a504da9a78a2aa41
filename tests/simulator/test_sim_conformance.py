"""cfsim's conformance mode (--openapi FILE): what it records, what it tolerates, how it is reported."""

import copy
import json
import subprocess

import pytest

from cfsim.conformance import Schemas
from cfsim_runner import ConformanceError, ControlError, cfsim_executable, start_cfsim
from simapi import CDN, OPENAPI_FILE, Api

ACCOUNT = "/accounts/{account_id}/addressing"


def test_off_unless_asked_for():
    sim = start_cfsim("--quiet", conformance=False)
    try:
        with pytest.raises(ControlError) as raised:
            sim.conformance()
        assert raised.value.status == 404 and "--openapi" in raised.value.document["error"]
    finally:
        assert sim.stop() == 0


def test_bad_requests_are_recorded_and_logged(api, sim):
    assert any(line.startswith("cfsim: conformance mode: checking against %s (sha256 " % OPENAPI_FILE)
               for line in sim.output)
    api.call("POST", "/prefixes", {"cidr": "192.0.2.0/24", "asn": 13335, "colour": "blue"})
    api.call("GET", "/prefixes", params={"page": "2"})
    api.call("GET", "/prefixes/%s/nothing" % ("a" * 32))
    report = sim.conformance()
    assert report["checked"] == {"requests": 3, "responses": 2}, "no operation, no answer to check"
    violations = sim.take_violations()
    assert [(v["direction"], v["method"], v["status"], v["operation"], v["problems"]) for v in violations] == [
        ("request", "POST", 201, ACCOUNT + "/prefixes", ["request body (top level): field colour is not in the "
                                                         "definition"]),
        ("request", "GET", 200, ACCOUNT + "/prefixes", ["query parameter page is not in the definition"]),
        ("request", "GET", 404, None, ["the definition has no operation for this path"]),
    ]
    assert violations[0]["seq"] == sim.requests()[0]["seq"] and violations[0]["time"]
    logged = [line for line in sim.output if line.startswith("cfsim: conformance: request of POST ")]
    assert logged and logged[-1].endswith("(status 201): request body (top level): field colour is not in the "
                                          "definition"), "logged even with --quiet"
    assert sim.conformance()["violations"] == [] and sim.conformance()["checked"]["requests"] == 0


def test_violations_outlive_a_reset(api, sim):
    api.call("GET", "/services", params={"x": "1"})
    sim.reset()
    assert len(sim.take_violations()) == 1


def test_tolerances_are_counted_not_recorded(api, sim):
    prefix, binding, _bgp = api.bound_prefix("203.0.113.0/24", CDN)
    sim.control("PATCH", "/bindings/%s" % binding["id"], {"state": "magic_transit_route_missing"})
    api.ok("GET", "/prefixes/%s/bindings/%s" % (prefix["id"], binding["id"]))
    api.fails("GET", "/prefixes", headers={"Authorization": "Token x"}, code=6003)
    anonymous = Api(sim, headers={})
    try:
        anonymous.fails("GET", api.dls + "/regional_services/prefix_bindings/x", code=9106)
    finally:
        anonymous.session.close()
    sim.control("POST", "/faults", {"path": "/services$", "status": 503})
    api.fails("GET", "/services", status=503)
    sim.control("PATCH", "/config", {"rate_limit": {"requests": 1, "seconds": 60}})
    sim.advance(300)
    api.call("GET", "/services")
    api.fails("GET", "/services", status=429, code=971)
    report = sim.conformance()
    assert report["violations"] == []
    assert {name: count for name, count in report["tolerated"].items() if count} == {
        "magic_transit_route_missing": 1, "error_chain": 1, "gateway_errors": 1, "rate_limit_971": 1}
    assert set(report["tolerances"]) == set(report["tolerated"])
    assert report["checked"]["responses"] == report["checked"]["requests"] - 1, "the injected 503 is not cfsim's"


def stricter(tmp_path):
    """The pinned definition, changed so that some of cfsim's answers break it."""
    document = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    changed = copy.deepcopy(document)
    services = changed["paths"][ACCOUNT + "/services"]["get"]["responses"]["200"]["content"]["application/json"]
    services["schema"]["properties"]["result"]["items"]["required"] = ["id", "name", "region"]
    del changed["paths"][ACCOUNT + "/prefixes/{prefix_id}"]["get"]["responses"]["4XX"]
    maps = changed["components"]["schemas"]["addressing_components-schemas-response_collection"]
    del maps["properties"]["result_info"]
    path = tmp_path / "stricter.json"
    path.write_text(json.dumps(changed), encoding="utf-8")
    return path


def test_answers_that_break_the_definition_fail_the_run(tmp_path):
    sim = start_cfsim("--quiet", "--openapi", str(stricter(tmp_path)))
    api = Api(sim)
    try:
        api.ok("GET", "/services")
        api.fails("GET", "/prefixes/%s" % ("a" * 32), status=404)
        api.ok("GET", "/address_maps")
        found = sim.conformance()["violations"]
    finally:
        api.session.close()
    assert [(v["direction"], v["status"], v["problems"][0]) for v in found] == [
        ("response", 200, "answer result/0: 'region' is a required property"),
        ("response", 404, "status 404 is not listed (listed: 200)"),
        ("response", 200, "answer (top level): field result_info is not in the definition"),
    ]
    assert len(found[0]["problems"]) == 3, "one for each service"
    with pytest.raises(ConformanceError) as raised:
        sim.stop()
    assert "cfsim found 3 exchange(s)" in str(raised.value) and "'region' is a required property" in str(raised.value)
    assert sim.process.returncode == 0


@pytest.mark.parametrize("content", [None, "{not json"])
def test_an_unusable_definition_is_refused(tmp_path, content):
    path = tmp_path / "definition.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = subprocess.run([cfsim_executable(), "--port", "0", "--openapi", str(path)], capture_output=True,
                            text=True, timeout=30, check=False)
    assert result.returncode == 1 and "cannot read the API definition %s" % path in result.stderr


def test_openapi_schemas_become_json_schema():
    schemas = Schemas({"components": {"schemas": {
        "stamp": {"type": "string", "format": "date-time", "example": "x"},
        "failure": {"type": "object", "required": ["result", "result"], "properties": {
            "result": {"enum": [None], "type": "array", "items": {"type": "string"}},
            "note": {"type": "string", "nullable": True},
            "when": {"$ref": "#/components/schemas/stamp", "readOnly": True}}},
    }}})
    failure = {"$ref": "#/components/schemas/failure"}

    def problems(instance):
        return sorted(error.message for error in schemas.validator(failure).iter_errors(instance))

    assert problems({"result": None, "note": None}) == [], "nullable, and enum [null] despite the type"
    assert problems({"result": None, "note": "x", "when": "2025-02-25T00:34:11.423722Z"}) == []
    assert problems({"result": [], "note": 5, "when": "yesterday"}) == [
        "'yesterday' is not a 'date-time'", "5 is not valid under any of the given schemas", "[] is not one of [None]"]
    assert problems({}) == ["'result' is a required property"]
    assert schemas.undeclared({"result": None, "when": None, "extra": 1}, failure) == [("", "extra")]
