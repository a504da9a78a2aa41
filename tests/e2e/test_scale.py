"""The roles scale: one read of the estate, modules only for what differs, one wait for every prefix (issue 10).

The bounds are request counts from the simulator's log and module invocations from the task record, never times.
"""

import threading
import time

import pytest

from conftest import DELEGATED_ACCOUNT

N = 5
# Five prefixes from the documentation ranges, each with a delegation, a default binding, a CDN range and advertised.
SHAPES = [("192.0.2.0/24", "192.0.2.128/25", "192.0.2.16/29"),
          ("198.51.100.0/24", "198.51.100.128/25", "198.51.100.16/29"),
          ("203.0.113.0/24", "203.0.113.128/25", "203.0.113.16/29"),
          ("2001:db8:1::/48", "2001:db8:1:8000::/49", "2001:db8:1::10/125"),
          ("2001:db8:2::/48", "2001:db8:2:8000::/49", "2001:db8:2::10/125")]
PREFIXES = [dict(cidr=cidr, default_service="Spectrum", advertise=True,
                 delegations=[dict(cidr=delegated, account_id=DELEGATED_ACCOUNT)],
                 bindings=[dict(service="CDN", cidrs=[cdn])]) for cidr, delegated, cdn in SHAPES]
RESOURCE_MODULES = ("byoip_prefix", "byoip_delegation", "byoip_binding", "byoip_bgp_prefix")


def module_invocations(run, names=None):
    """Module runs of the collection, loop items included (a skipped task runs no module)."""
    count = 0
    for record in run.records:
        action = record["action"].rsplit(".", 1)[-1]
        if not record["action"].startswith("cloudflare.addressing.") or record["status"] == "skipped":
            continue
        if names is None or action in names:
            items = record["result"].get("results") or []
            looped = items and all("ansible_loop_var" in item for item in items)
            count += len(items) if looped else 1
    return count


def methods(entries):
    counts = {}
    for entry in entries:
        counts[entry["method"]] = counts.get(entry["method"], 0) + 1
    return counts


@pytest.fixture(scope="module")
def onboarded(sim, module_runner):
    sim.control("POST", "/reset")
    mark = sim.mark()
    run = module_runner.run("onboard", dict(byoip_prefixes=PREFIXES))
    assert run.returncode == 0, run.output
    writes = sim.writes_since(mark)
    assert len(writes) == 5 * N, writes  # prefix, delegation, default binding, CDN binding, advertisement
    assert module_invocations(run, RESOURCE_MODULES) == 4  # one batch per step
    return run


def test_a_no_op_re_run_reads_each_prefix_once_and_calls_no_resource_module(sim, module_runner, onboarded):
    mark = sim.mark()
    run = module_runner.run("onboard", dict(byoip_prefixes=PREFIXES))
    assert run.returncode == 0, run.output
    requests = sim.requests_since(mark)
    assert methods(requests) == {"GET": 1 + 3 * N}
    assert module_invocations(run, RESOURCE_MODULES) == 0
    assert module_invocations(run) == 1  # the one read
    assert run.changed_tasks() == []
    assert "Nothing to do" in run.output and "FAILED - RETRYING" not in run.output


def test_a_dry_run_of_an_onboarded_account_costs_the_same_read(sim, module_runner, onboarded):
    mark = sim.mark()
    run = module_runner.run("onboard", dict(byoip_prefixes=PREFIXES), "--check", "--diff")
    assert run.returncode == 0, run.output
    assert methods(sim.requests_since(mark)) == {"GET": 1 + 3 * N}
    assert module_invocations(run) == 1


def test_a_dry_run_on_an_empty_account_plans_everything_in_a_handful_of_calls(sim, runner):
    sim.control("POST", "/reset")
    mark = sim.mark()
    run = runner.run("onboard", dict(byoip_prefixes=PREFIXES), "--check", "--diff")
    assert run.returncode == 0, run.output
    requests = sim.requests_since(mark)
    assert set(methods(requests)) == {"GET"} and len(requests) <= 1 + 3 * N
    assert module_invocations(run) <= 7  # read, services, and one batch per step
    report = run.fact("byoip_onboard_report")
    assert all("would add the prefix" in entry["changed"] for entry in report)
    assert all("would advertise %s over BGP" % entry["cidr"] in entry["changed"] for entry in report)
    assert "[WARNING]" not in run.output


def test_one_task_waits_for_every_prefix_whose_validations_finish_at_different_times(sim, runner):
    """Three prefixes wait for their ownership tokens, published one after the other, in one polling task."""
    sim.control("POST", "/reset")
    cidrs = [shape[0] for shape in SHAPES[:3]]
    for cidr in cidrs:
        sim.control("POST", "/validation-outcomes", dict(cidr=cidr, outcome="manual"))
    results = {}
    prefixes = [dict(cidr=cidr, default_service="CDN") for cidr in cidrs]
    onboarding = threading.Thread(target=lambda: results.update(run=runner.run(
        "onboard", dict(byoip_prefixes=prefixes, byoip_onboard_validation_timeout=180))))
    onboarding.start()
    for cidr in cidrs:  # one token after the other, while the role polls
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (sim.prefix(cidr) or {}).get("rpki_validation_state") == "valid":
            time.sleep(0.2)
        time.sleep(2)
        sim.control("POST", "/ownership-tokens", dict(cidr=cidr))
    onboarding.join(timeout=300)
    run = results["run"]
    assert run.returncode == 0, run.output
    [wait] = [record for record in run.records if record["task"].endswith("Wait until Cloudflare approves the prefixes")]
    assert wait["result"]["attempts"] > 1 and sorted(wait["result"]["ready"]) == sorted(cidrs)
    assert all(sim.prefix(cidr)["approved"] == "V" for cidr in cidrs)
    assert "Step 2, waiting for approval: poll" in run.output
