"""Benchmark (not a test): cfsim create and list throughput with 10, 1,000 and 10,000 prefixes.

Run with `make bench-sim`. It starts its own cfsim (quiet, rate limit lifted) and prints one table; nothing is asserted.
Creates go through one keep-alive requests.Session, the way the collection's modules talk to the API, and through
8 parallel sessions; lists fetch the whole collection.
"""

import concurrent.futures
import pathlib
import sys
import time

import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "helpers"))

from cfsim_runner import start_cfsim  # noqa: E402  pylint: disable=wrong-import-position
from public_cidrs import public_slash24  # noqa: E402  pylint: disable=wrong-import-position

SIZES = (10, 1000, 10000)
PARALLEL = 8


def session(sim):
    http = requests.Session()
    http.headers["Authorization"] = "Bearer %s" % sim.api_token
    return http


def create_all(sim, url, indexes):
    http = session(sim)
    try:
        for index in indexes:
            response = http.post(url, json={"cidr": public_slash24(index), "asn": 13335}, timeout=60)
            if response.status_code != 201:
                raise RuntimeError("create failed: %s %s" % (response.status_code, response.text[:200]))
    finally:
        http.close()


def measure(sim, size, parallel):
    sim.reset()
    url = "%s/accounts/%s/addressing/prefixes" % (sim.base_url, sim.account_id)
    started = time.perf_counter()
    if parallel == 1:
        create_all(sim, url, range(size))
    else:
        with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
            list(pool.map(lambda part: create_all(sim, url, range(part, size, parallel)), range(parallel)))
    create_seconds = time.perf_counter() - started
    http = session(sim)
    rounds = max(3, min(50, 20000 // size))
    started = time.perf_counter()
    for _round in range(rounds):
        body = http.get(url, timeout=120).json()
        if len(body["result"]) != size:
            raise RuntimeError("list returned %d of %d prefixes" % (len(body["result"]), size))
    list_seconds = (time.perf_counter() - started) / rounds
    http.close()
    return size / create_seconds, list_seconds


def main():
    sim = start_cfsim("--quiet", "--rate-limit", "1000000000/1", conformance=False)  # measure cfsim, not the checker
    try:
        print("cfsim throughput (%s)" % sim.base_url)
        print("%10s  %22s  %22s  %16s  %18s" % ("prefixes", "creates/s (1 session)", "creates/s (%d sessions)"
                                                % PARALLEL, "list latency ms", "prefixes listed/s"))
        for size in SIZES:
            serial, list_seconds = measure(sim, size, 1)
            parallel = measure(sim, size, PARALLEL)[0]
            print("%10d  %22.0f  %22.0f  %16.1f  %18.0f" % (size, serial, parallel, list_seconds * 1000,
                                                            size / list_seconds))
            sys.stdout.flush()
    finally:
        status = sim.stop()
    if status != 0:
        sys.exit("cfsim exited with status %s" % status)


if __name__ == "__main__":
    main()
