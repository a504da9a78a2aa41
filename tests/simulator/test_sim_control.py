"""The control API: request log, reset, configuration, outcomes, tokens, faults, clock and forced state."""

import datetime
import re
import time

import pytest
import requests

from cfsim_runner import ControlError
from simapi import RFC3339

RATE_LIMIT_BODY = {
    "success": False, "messages": [], "result": None,
    "errors": [{"code": 971, "message": "Please wait and consider throttling your request speed"}],
}


def test_health(sim):
    assert sim.control("GET", "/health") == {"status": "ok", "base_url": sim.base_url, "account_id": sim.account_id}


@pytest.mark.sends_invalid_requests
def test_request_log_entries_and_since(api, sim):
    api.call("GET", "/prefixes", params={"x": "1"}, headers={"User-Agent": "probe/1.0"})
    api.call("POST", "/prefixes", {"cidr": "bad"})
    sim.control("GET", "/health")
    log = sim.control("GET", "/requests?since=0")
    first, second = log["requests"]
    assert set(first) == {"seq", "time", "method", "path", "query", "status", "auth", "user_agent", "fault"}
    assert (first["method"], first["path"], first["query"], first["status"], first["auth"], first["user_agent"],
            first["fault"]) == ("GET", "/client/v4/accounts/%s/addressing/prefixes" % sim.account_id, "x=1", 200,
                                "token", "probe/1.0", None)
    assert re.match(RFC3339, first["time"])
    assert (second["method"], second["status"]) == ("POST", 400)
    assert second["seq"] == first["seq"] + 1 and log["next"] == second["seq"]
    assert sim.control("GET", "/requests?since=%d" % first["seq"])["requests"] == [second]
    later = sim.control("GET", "/requests?since=%d" % log["next"])
    assert later == {"requests": [], "next": log["next"]}, "control calls are never logged"
    beyond = sim.control("GET", "/requests?since=999999999")
    assert beyond == {"requests": [], "next": log["next"]}, "a mark taken beyond the end still finds newer requests"
    sim.control("DELETE", "/requests")
    assert sim.requests() == []
    api.call("GET", "/services")
    assert sim.requests()[0]["seq"] == second["seq"] + 1, "clearing keeps counting"


def test_reset_forgets_everything_but_the_command_line(api, sim):
    api.prefix()
    sim.control("PATCH", "/config", {"validation_seconds": 1, "rate_limit": {"requests": 5, "seconds": 10}})
    sim.control("POST", "/validation-outcomes", {"cidr": "192.0.2.0/24", "outcome": "invalid"})
    sim.control("POST", "/faults", {"path": "/services", "count": 5})
    sim.advance(1000)
    sim.reset()
    assert api.ok("GET", "/prefixes") == []
    assert sim.requests()[0]["seq"] == 1
    assert sim.control("GET", "/faults") == {"faults": []}
    assert sim.control("GET", "/validation-outcomes") == {"default": "valid", "cidrs": {}}
    assert sim.control("GET", "/clock")["offset_seconds"] == 0
    config = sim.control("GET", "/config")
    assert config["validation_seconds"] == 60 and config["rate_limit"] == {"requests": 1200, "seconds": 300}
    assert api.call("GET", "/services").headers["Ratelimit"].startswith('"default";r=1198;')


def test_config_get_and_patch(sim):
    config = sim.control("GET", "/config")
    assert config == {"validation_seconds": 60.0, "provisioning_seconds": 120.0, "advertisement_hold_seconds": 900.0,
                      "validation_outcome": "valid", "rate_limit": {"requests": 1200, "seconds": 300.0},
                      "latency_ms": 0.0, "account_id": sim.account_id, "api_token": sim.api_token,
                      "read_only_token": sim.read_only_token, "api_email": sim.email, "api_key": sim.api_key,
                      "user_service_key": sim.user_service_key}
    patched = sim.control("PATCH", "/config", {"provisioning_seconds": 2, "rate_limit": {"requests": 10}})
    assert patched["provisioning_seconds"] == 2 and patched["rate_limit"] == {"requests": 10, "seconds": 300}


@pytest.mark.parametrize("body", [
    {"validation_seconds": -1}, {"validation_seconds": "soon"}, {"provisioning_seconds": True},
    {"validation_seconds": "NaN"}, {"provisioning_seconds": "inf"}, {"rate_limit": {"seconds": 86401}},
    {"validation_outcome": "great"}, {"rate_limit": "10/60"}, {"rate_limit": {"requests": 0}},
    {"rate_limit": {"requests": 10, "per": 5}}, {"account_id": "x"}, ["validation_seconds"],
])
def test_config_rejects_bad_settings_atomically(sim, body):
    with pytest.raises(ControlError) as raised:
        sim.control("PATCH", "/config", body)
    assert raised.value.status == 400 and raised.value.document["error"]
    assert sim.control("GET", "/config")["validation_seconds"] == 60


def test_config_takes_numbers_written_as_strings(sim):
    # Ansible before 2.17 renders a templated number in a uri body as a string.
    assert sim.control("PATCH", "/config", {"advertisement_hold_seconds": "7"})["advertisement_hold_seconds"] == 7


def test_default_outcome_through_the_outcomes_endpoint(api, sim):
    sim.control("POST", "/validation-outcomes", {"outcome": "missing"})
    assert sim.control("GET", "/config")["validation_outcome"] == "missing"
    prefix = api.prefix()
    sim.advance(60)
    assert api.ok("GET", "/prefixes/%s" % prefix["id"])["irr_validation_state"] == "missing"


def test_changing_the_outcome_does_not_rewrite_checks_already_due(api, sim):
    prefix = api.prefix()
    sim.advance(60)
    sim.control("POST", "/validation-outcomes", {"cidr": prefix["cidr"], "outcome": "invalid"})
    assert api.ok("GET", "/prefixes/%s" % prefix["id"])["approved"] == "V"


@pytest.mark.parametrize("body", [
    {"cidr": "192.0.2.0/24", "outcome": "great"}, {"cidr": "192.0.2.1/24", "outcome": "valid"},
    {"cidr": "192.0.2.0/24", "irr": "splendid"}, {"cidr": "192.0.2.0/24"}, {"irr": "valid"},
])
def test_bad_outcomes(sim, body):
    with pytest.raises(ControlError) as raised:
        sim.control("POST", "/validation-outcomes", body)
    assert raised.value.status == 400


def test_ownership_token_errors(sim):
    for body, status in (({}, 400), ({"cidr": "192.0.2.0/24"}, 404), ({"prefix_id": "a" * 32}, 404),
                         ({"cidr": "nonsense"}, 400)):
        with pytest.raises(ControlError) as raised:
            sim.control("POST", "/ownership-tokens", body)
        assert raised.value.status == status


def test_clock(sim):
    before = sim.control("GET", "/clock")
    assert before["offset_seconds"] == 0 and re.match(RFC3339, before["now"])
    after = sim.advance(3600)
    assert after["offset_seconds"] == 3600
    moved = datetime.datetime.strptime(after["now"], "%Y-%m-%dT%H:%M:%S.%fZ") - \
        datetime.datetime.strptime(before["now"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert moved.total_seconds() >= 3600
    for body in ({"advance_seconds": -5}, {"advance_seconds": "5"}, {}):
        with pytest.raises(ControlError):
            sim.control("POST", "/clock", body)


@pytest.mark.parametrize("body", [b'{"advance_seconds": 3e11}', b'{"advance_seconds": 1e400}',
                                  b'{"advance_seconds": Infinity}', b'{"advance_seconds": NaN}'])
def test_clock_refuses_a_step_past_what_timestamps_can_show(api, sim, body):
    """3e11 seconds is year 11500: every Date header then failed and the bad clock was saved."""
    sim.advance(60)
    response = requests.post(sim.control_url + "/clock", data=body, timeout=10)
    assert response.status_code == 400, response.text
    assert re.search(r"9999-01-01T00:00:00Z|finite|malformed JSON", response.json()["error"])
    assert sim.control("GET", "/clock")["offset_seconds"] == 60, "a refused step leaves the clock alone"
    assert api.ok("GET", "/prefixes") == [], "the API still answers"


def test_clock_may_go_as_far_as_the_last_year_timestamps_can_show(api, sim):
    now = datetime.datetime.strptime(sim.control("GET", "/clock")["now"], "%Y-%m-%dT%H:%M:%S.%fZ")
    latest = datetime.datetime(9999, 1, 1)
    sim.advance((latest - now).total_seconds() - 3600)
    assert sim.control("GET", "/clock")["now"].startswith("9998-12-31T2")
    prefix = api.prefix()
    assert prefix["created_at"].startswith("9998-12-31T2")
    with pytest.raises(ControlError) as raised:
        sim.advance(7200)
    assert raised.value.status == 400


def test_forced_prefix_and_binding_state_errors(api, sim):
    prefix = api.prefix()
    for body in ({"approved": "X"}, {"on_demand_locked": "yes"}, {"cidr": "192.0.2.0/24"},
                 {"irr_validation_state": "great"}):
        with pytest.raises(ControlError) as raised:
            sim.control("PATCH", "/prefixes/%s" % prefix["id"], body)
        assert raised.value.status == 400
    forced = sim.control("PATCH", "/prefixes/%s" % prefix["id"], {"rpki_validation_state": "invalid"})
    assert forced["rpki_validation_state"] == "invalid" and forced["irr_validation_state"] == "pending"
    for path, body in (("/prefixes/%s" % ("a" * 32), {"approved": "V"}), ("/prefixes/short", {"approved": "V"}),
                       ("/bindings/%s" % ("a" * 32), {"state": "active"}),
                       ("/address_maps/%s" % ("a" * 32), {"can_delete": False})):
        with pytest.raises(ControlError) as raised:
            sim.control("PATCH", path, body)
        assert raised.value.status == 404
    _prefix, binding, _bgp = api.bound_prefix("198.51.100.0/24")
    for body in ({"state": "exploded"}, {"state": "active", "cidr": "x"}):
        with pytest.raises(ControlError) as raised:
            sim.control("PATCH", "/bindings/%s" % binding["id"], body)
        assert raised.value.status == 400
    made = api.ok("POST", "/address_maps", {})
    for body in ({}, {"can_delete": "no"}, {"enabled": True}):
        with pytest.raises(ControlError) as raised:
            sim.control("PATCH", "/address_maps/%s" % made["id"], body)
        assert raised.value.status == 400


def test_unknown_control_route_and_bad_json(sim):
    with pytest.raises(ControlError) as raised:
        sim.control("GET", "/nothing")
    assert raised.value.status == 404
    for body in (b"{oops", b'{"advance_seconds": ' + b"[" * 100000 + b"]" * 100000 + b"}"):
        response = requests.post(sim.control_url + "/clock", data=body, timeout=10)
        assert response.status_code == 400 and response.json() == {"error": "malformed JSON in request body"}


# --- faults ---------------------------------------------------------------------------------------------------


def test_status_fault_429_skips_the_work(api, sim):
    fault = sim.control("POST", "/faults", {"method": "POST", "path": r"/addressing/prefixes$", "count": 2,
                                            "action": "status", "status": 429, "retry_after": 1})
    assert re.match(r"^[0-9a-f]{32}$", fault["id"]) and fault["remaining"] == 2
    for _attempt in range(2):
        response = api.call("POST", "/prefixes", {"cidr": "192.0.2.0/24", "asn": 13335})
        assert response.status_code == 429 and response.json() == RATE_LIMIT_BODY
        assert response.headers["Retry-After"] == "1"
    assert api.ok("GET", "/prefixes") == [], "a status fault does not do the work"
    api.prefix("192.0.2.0/24")
    logged = [(e["status"], e["fault"]) for e in sim.requests()]
    assert logged == [(429, "status"), (429, "status"), (200, None), (201, None)]


def test_status_fault_5xx_and_custom_body(api, sim):
    sim.control("POST", "/faults", {"path": "/services", "status": 503})
    response = api.call("GET", "/services")
    assert response.status_code == 503 and "Retry-After" not in response.headers
    assert response.json() == {"success": False, "errors": [{"code": 1501, "message": "Service Unavailable"}],
                               "messages": [], "result": None}
    sim.control("POST", "/faults", {"path": "/services", "status": 500, "body": {"custom": True}})
    assert api.call("GET", "/services").json() == {"custom": True}
    assert api.call("GET", "/services").status_code == 200


def test_fault_matches_method_and_pattern(api, sim):
    sim.control("POST", "/faults", {"method": "delete", "path": "/prefixes/[0-9a-f]{32}$", "status": 500})
    prefix = api.prefix()
    assert api.call("GET", "/prefixes/%s" % prefix["id"]).status_code == 200
    assert api.call("DELETE", "/prefixes/%s" % prefix["id"]).status_code == 500
    assert api.call("DELETE", "/prefixes/%s" % prefix["id"]).status_code == 200


def test_drop_fault_does_the_work_then_closes(api, sim):
    sim.control("POST", "/faults", {"method": "POST", "path": "/prefixes$", "action": "drop"})
    with pytest.raises(requests.ConnectionError):
        api.call("POST", "/prefixes", {"cidr": "192.0.2.0/24", "asn": 13335})
    assert [p["cidr"] for p in api.ok("GET", "/prefixes")] == ["192.0.2.0/24"], "the create happened"
    assert sim.requests()[0]["status"] == 201 and sim.requests()[0]["fault"] == "drop"


def test_delay_fault(api, sim):
    sim.control("POST", "/faults", {"path": "/services", "action": "delay", "delay_seconds": 0.3})
    started = time.monotonic()
    assert api.call("GET", "/services").status_code == 200
    assert time.monotonic() - started >= 0.3
    assert sim.requests()[0]["fault"] == "delay"


def test_fault_listing_and_clearing(sim):
    sim.control("POST", "/faults", {"path": "x", "count": 3})
    sim.control("POST", "/faults", {"path": "y", "action": "drop"})
    listed = sim.control("GET", "/faults")["faults"]
    summary = [(f["path"], f["remaining"], f["action"], f["status"]) for f in listed]
    assert summary == [("x", 3, "status", 500), ("y", 1, "drop", None)]
    # Faults have no per-id routes: naming one must not act on all of them.
    for method in ("GET", "DELETE"):
        with pytest.raises(ControlError) as raised:
            sim.control(method, "/faults/%s" % listed[0]["id"])
        assert raised.value.status == 404
    assert len(sim.control("GET", "/faults")["faults"]) == 2
    sim.control("DELETE", "/faults")
    assert sim.control("GET", "/faults") == {"faults": []}


@pytest.mark.parametrize("body", [
    {"path": "("}, {"path": 5}, {"action": "explode"}, {"method": "TRACE"}, {"count": 0}, {"count": 1.5},
    {"status": 700}, {"status": "500"}, {"action": "delay", "delay_seconds": -1}, {"retry_after": -1},
    {"body": "text"}, [],
])
def test_bad_faults(sim, body):
    with pytest.raises(ControlError) as raised:
        sim.control("POST", "/faults", body)
    assert raised.value.status == 400
