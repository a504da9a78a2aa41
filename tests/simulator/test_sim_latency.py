"""--latency-ms and PATCH /__sim/config latency_ms: every API answer waits, control answers do not.

Whether the wait happens is observed on the App's sleep, not by timing requests (the machine may be busy).
"""

import subprocess

import pytest

from cfsim.app import App, Request
from cfsim.config import Config
from cfsim_runner import ControlError, cfsim_executable, start_cfsim
from simapi import Api

TOKEN = {"Authorization": "Bearer cfsim-token-0123456789abcdef0123456789ab"}
PREFIXES = "/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/addressing/prefixes"


def app_with_watched_sleep(latency_ms):
    app = App(Config(latency_ms=latency_ms))
    waits = []
    app.sleep = waits.append
    return app, waits


def handle(app, method, target, headers=None, body=b""):
    return app.handle(Request(method, target, headers or {}, body, "127.0.0.1"))


def test_every_api_answer_waits_the_latency():
    app, waits = app_with_watched_sleep(100)
    assert handle(app, "GET", PREFIXES, TOKEN).status == 200
    assert handle(app, "POST", PREFIXES, TOKEN, b'{"cidr": "192.0.2.0/24", "asn": 13335}').status == 201
    assert handle(app, "GET", PREFIXES).status == 400, "refusals cross the network too"
    assert handle(app, "GET", "/client/v4/nothing", TOKEN).status == 404
    assert waits == [0.1] * 4


def test_control_answers_and_a_zero_latency_do_not_wait():
    app, waits = app_with_watched_sleep(100)
    assert handle(app, "GET", "/__sim/health").status == 200
    assert handle(app, "PATCH", "/__sim/config", body=b'{"latency_ms": 0}').status == 200
    assert handle(app, "GET", PREFIXES, TOKEN).status == 200
    assert waits == []


def test_the_command_line_sets_it_and_the_banner_says_so():
    sim = start_cfsim("--latency-ms", "100", "--quiet")
    try:
        assert sim.control("GET", "/config")["latency_ms"] == 100
        api = Api(sim)
        assert api.ok("GET", "/prefixes") == []
        api.session.close()
    finally:
        assert sim.stop() == 0
    assert "cfsim: latency 100ms added to every API answer" in sim.output


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "10001", "soon"])
def test_bad_command_line_latencies_exit_2(value):
    result = subprocess.run([cfsim_executable(), "--latency-ms", value], capture_output=True, text=True, timeout=30,
                            check=False)
    assert result.returncode == 2 and "latency" in result.stderr


def test_config_patch_sets_it_and_reset_restores_the_command_line(sim):
    assert sim.control("GET", "/config")["latency_ms"] == 0
    assert sim.control("PATCH", "/config", {"latency_ms": 25})["latency_ms"] == 25
    assert sim.control("GET", "/config")["latency_ms"] == 25
    sim.reset()
    assert sim.control("GET", "/config")["latency_ms"] == 0


@pytest.mark.parametrize("value", [-1, "NaN", 10001, True, [5]])
def test_config_refuses_bad_latencies(sim, value):
    with pytest.raises(ControlError) as raised:
        sim.control("PATCH", "/config", {"latency_ms": value})
    assert raised.value.status == 400 and "latency_ms" in raised.value.document["error"]
    assert sim.control("GET", "/config")["latency_ms"] == 0
