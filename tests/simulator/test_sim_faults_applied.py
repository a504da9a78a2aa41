"""Faults that leave the client in doubt: work done but an error answered, and requests held until released."""

import re
import threading

from cfsim_runner import start_cfsim
from simapi import CDN, Api

UNAVAILABLE = {"success": False, "errors": [{"code": 1501, "message": "Service Unavailable"}], "messages": [],
               "result": None}


def test_applied_status_does_the_work_then_answers_the_error(api, sim):
    fault = sim.control("POST", "/faults", {"method": "POST", "path": "/prefixes$", "action": "applied_status",
                                            "status": 503, "retry_after": 2})
    assert fault["action"] == "applied_status" and fault["status"] == 503
    response = api.call("POST", "/prefixes", {"cidr": "192.0.2.0/24", "asn": 13335})
    assert response.status_code == 503 and response.json() == UNAVAILABLE
    assert response.headers["Retry-After"] == "2"
    assert [prefix["cidr"] for prefix in api.ok("GET", "/prefixes")] == ["192.0.2.0/24"], "the create happened"
    logged = [(entry["method"], entry["status"], entry["fault"]) for entry in sim.requests()]
    assert logged == [("POST", 503, "applied_status"), ("GET", 200, None)]
    again = api.call("POST", "/prefixes", {"cidr": "192.0.2.0/24", "asn": 13335})
    assert again.status_code == 409, "a retry finds the object the lost answer created"


def test_applied_status_defaults_to_500_and_works_on_any_write(api, sim):
    prefix, _binding, _bgp = api.bound_prefix(service_id=CDN)
    sim.control("POST", "/faults", {"method": "DELETE", "path": "/delegations/", "action": "applied_status"})
    delegation = api.ok("POST", "/prefixes/%s/delegations" % prefix["id"],
                        {"cidr": "203.0.113.0/25", "delegated_account_id": "0123456789abcdef0123456789abcdef"})
    response = api.call("DELETE", "/prefixes/%s/delegations/%s" % (prefix["id"], delegation["id"]))
    assert response.status_code == 500
    assert api.ok("GET", "/prefixes/%s/delegations" % prefix["id"]) == []


def test_an_injected_answer_shows_the_quota_without_spending_it(api, sim):
    api.call("GET", "/prefixes")
    sim.control("POST", "/faults", {"path": "/services", "status": 429, "retry_after": 1})
    injected = api.call("GET", "/services")
    assert injected.status_code == 429
    assert re.match(r'^"default";r=1199;t=\d+$', injected.headers["Ratelimit"])
    assert api.call("GET", "/prefixes").headers["Ratelimit"].startswith('"default";r=1198;')


def test_clearing_the_faults_releases_a_held_request(api, sim):
    sim.control("POST", "/faults", {"method": "POST", "path": "/prefixes$", "action": "delay", "delay_seconds": 600})
    answers = []
    held = threading.Thread(target=lambda: answers.append(
        api.call("POST", "/prefixes", {"cidr": "192.0.2.0/24", "asn": 13335})))
    held.start()
    for _poll in range(600):  # the fault is used up once the request holds
        if not sim.control("GET", "/faults")["faults"]:
            break
        held.join(0.05)
    assert api.ok("GET", "/prefixes") == [], "the held request is not served yet"
    sim.control("DELETE", "/faults")
    held.join(60)
    assert not held.is_alive() and answers[0].status_code == 201
    assert [prefix["cidr"] for prefix in api.ok("GET", "/prefixes")] == ["192.0.2.0/24"]


def test_a_clean_stop_releases_a_held_request_and_answers_it():
    own = start_cfsim("--quiet")
    api = Api(own)
    own.control("POST", "/faults", {"method": "POST", "path": "/prefixes$", "action": "delay", "delay_seconds": 600})
    answers = []
    held = threading.Thread(target=lambda: answers.append(
        api.call("POST", "/prefixes", {"cidr": "192.0.2.0/24", "asn": 13335})))
    held.start()
    for _poll in range(600):
        if not own.control("GET", "/faults")["faults"]:
            break
        held.join(0.05)
    assert own.stop() == 0, "\n".join(own.output)
    held.join(60)
    assert not held.is_alive() and answers[0].status_code == 201
    api.session.close()
