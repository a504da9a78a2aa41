# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A small bounded thread pool that runs groups of work items: groups side by side, each group's items in order.

For internal collection use only: this is not a public interface and may change without notice.

The modules use it to work on several prefixes at once while the objects of one prefix keep their order (a
prefix's default binding must exist before its more specific ones). Once an item fails, no new item starts;
items already running finish, so that the result says exactly what was done.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 8


def check_concurrency(value):
    """The concurrency option as a number of threads; ValueError with a sentence when it is out of bounds."""
    if value is None or not 1 <= value <= MAX_CONCURRENCY:
        raise ValueError("concurrency must be between 1 and %d, got %s." % (MAX_CONCURRENCY, value))
    return value


def run_groups(groups, work, concurrency, stop=None):
    """Run work(item) for every item of every group; return (done, failed).

    groups is a list of lists of (key, item). done maps key -> what work returned, failed maps key -> the
    exception work raised. Keys in neither were never started because an item had failed before. stop, an Event
    the caller may share, is set at the first failure.
    """
    done, failed = {}, {}
    stop = stop or threading.Event()
    lock = threading.Lock()

    def run_group(group):
        for key, item in group:
            if stop.is_set():
                return
            try:
                value = work(item)
            except Exception as error:  # pylint: disable=broad-except
                with lock:
                    failed[key] = error
                stop.set()
                return
            with lock:
                done[key] = value

    groups = [group for group in groups if group]
    if len(groups) <= 1 or concurrency <= 1:
        for group in groups:  # no thread needed for one group, or when asked for one at a time
            run_group(group)
        return done, failed
    with ThreadPoolExecutor(max_workers=min(concurrency, len(groups))) as pool:
        for future in [pool.submit(run_group, group) for group in groups]:
            future.result()
    return done, failed
