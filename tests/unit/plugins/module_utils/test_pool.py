"""Unit tests of the bounded pool: order within a group, groups side by side, and stopping at a failure."""

import threading

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils import _pool

WAIT = 10  # seconds a test waits for another thread before it counts as a failure (never reached when it works)


def groups_of(*groups):
    return [[(item, item) for item in group] for group in groups]


class Recorder:
    """work(item) for run_groups that records the order of items and how many ran at the same time."""

    def __init__(self, fail=(), before=None):
        self.order = []
        self.fail = set(fail)
        self.before = before or {}
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()

    def __call__(self, item):
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            if item in self.before:
                self.before[item]()
            with self._lock:
                self.order.append(item)
            if item in self.fail:
                raise RuntimeError("%s failed" % item)
            return item.upper()
        finally:
            with self._lock:
                self.active -= 1


def test_every_item_runs_and_each_group_keeps_its_order():
    work = Recorder()
    done, failed = _pool.run_groups(groups_of(["a0", "a1", "a2"], ["b0", "b1"], ["c0"]), work, 3)
    assert failed == {}
    assert done == {"a0": "A0", "a1": "A1", "a2": "A2", "b0": "B0", "b1": "B1", "c0": "C0"}
    for group in (["a0", "a1", "a2"], ["b0", "b1"]):
        assert [item for item in work.order if item in group] == group


def test_groups_run_side_by_side():
    # Each first item waits until the other group's first item has started: only possible side by side.
    barrier = threading.Barrier(2, timeout=WAIT)
    work = Recorder(before={"a0": barrier.wait, "b0": barrier.wait})
    done, failed = _pool.run_groups(groups_of(["a0"], ["b0"]), work, 2)
    assert failed == {} and set(done) == {"a0", "b0"}
    assert work.most_active == 2


def test_no_more_groups_at_once_than_the_concurrency():
    work = Recorder()
    _pool.run_groups(groups_of(*[["g%d-%d" % (group, item) for item in range(3)] for group in range(12)]), work, 3)
    assert len(work.order) == 36
    assert work.most_active <= 3


def test_one_at_a_time_runs_in_the_given_order_without_threads():
    work = Recorder()
    _pool.run_groups(groups_of(["a0", "a1"], ["b0"]), work, 1)
    assert work.order == ["a0", "a1", "b0"]
    assert work.most_active == 1


def test_after_a_failure_no_new_item_starts():
    work = Recorder(fail={"a1"})
    done, failed = _pool.run_groups(groups_of(["a0", "a1", "a2"], ["b0", "b1"]), work, 1)
    assert set(done) == {"a0"}
    assert set(failed) == {"a1"} and str(failed["a1"]) == "a1 failed"
    assert work.order == ["a0", "a1"]


def test_an_item_in_flight_at_a_failure_finishes_and_its_group_stops():
    stop = threading.Event()
    started = threading.Event()

    def b0_runs_until_the_pool_stops():
        """b0 is running when a0 fails (a0 waits for it to start), and returns only once the pool has stopped."""
        started.set()
        stop.wait(WAIT)

    work = Recorder(fail={"a0"}, before={"a0": lambda: started.wait(WAIT), "b0": b0_runs_until_the_pool_stops})
    done, failed = _pool.run_groups(groups_of(["a0", "a1"], ["b0", "b1"]), work, 2, stop=stop)
    assert set(failed) == {"a0"}
    assert set(done) == {"b0"}
    assert "a1" not in work.order and "b1" not in work.order


@pytest.mark.parametrize("value", [0, -1, 9, None])
def test_concurrency_is_bounded(value):
    with pytest.raises(ValueError, match="concurrency must be between 1 and 8"):
        _pool.check_concurrency(value)


def test_empty_groups_are_fine():
    assert _pool.run_groups([[], []], Recorder(), 4) == ({}, {})
