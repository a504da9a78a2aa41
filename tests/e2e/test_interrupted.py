"""A run killed half-way, then run again, converges with exactly one of each object."""

import time

import pytest

from conftest import edge_prefix

EDGE = "203.0.113.0/24"
KILL_WAIT = 120


def wait_for_request(sim, mark, method, path_end):
    """Poll the request log until a request method .../path_end was answered; the run is killed right after."""
    deadline = time.monotonic() + KILL_WAIT
    while time.monotonic() < deadline:
        if any(entry["method"] == method and entry["path"].endswith(path_end) for entry in sim.requests_since(mark)):
            return
        time.sleep(0.05)
    pytest.fail("no %s .../%s within %d s" % (method, path_end, KILL_WAIT))


@pytest.mark.parametrize("method, path_end", [("POST", "/prefixes"), ("POST", "/bindings")],
                         ids=["after-adding-the-prefix", "after-the-first-binding"])
def test_a_killed_run_converges_when_run_again(sim, runner, method, path_end):
    sim.control("POST", "/reset")
    variables = dict(byoip_prefixes=[edge_prefix()])
    mark = sim.mark()
    process = runner.start("onboard", variables)
    try:
        wait_for_request(sim, mark, method, path_end)
    finally:
        runner.kill(process)

    run = runner.run("onboard", variables)
    assert run.returncode == 0, run.output
    assert [prefix["cidr"] for prefix in sim.get("prefixes")] == [EDGE]
    assert len(sim.children(EDGE, "delegations")) == 1
    bindings = sorted(binding["cidr"] for binding in sim.children(EDGE, "bindings"))
    assert bindings == [EDGE, "203.0.113.16/29", "203.0.113.64/32", "203.0.113.66/32"]
    assert [(bgp["cidr"], bgp["on_demand"]["advertised"]) for bgp in sim.children(EDGE, "bgp/prefixes")] \
        == [(EDGE, True)]
    assert all(entry["complete"] for entry in run.fact("byoip_onboard_report"))
