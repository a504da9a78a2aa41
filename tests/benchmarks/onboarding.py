"""Benchmark (not a test): the onboarding playbook against cfsim for N prefixes, as `make bench` runs it.

Usage: onboarding.py [--n "1 10 50 200 500"] [--latency-ms MS] [--rate-limit-run yes|no] [--vars-template FILE]
                     [--output DIR] [-- CFSIM OPTION ...]

For every N it generates a vars file of N public-looking /24s (tests/helpers/public_cidrs.py), each with a
delegation, a Spectrum default binding, a CDN /29 and `advertise: true`, the way `playbooks/vars/demo.yml` onboards
one prefix, and runs `ansible-playbook cloudflare.addressing.onboard -e @vars` against the staged collection
(ANSIBLE_COLLECTIONS_PATH, exported by the Makefile) four ways:

  fresh          onboarding an empty account
  no-op          the same run again, on the onboarded account
  check          --check --diff on the onboarded account
  check-empty    --check --diff on an empty account

Every row shows the wall time, the collection's module invocations (counted from the e2e_record callback, loop items
and until/retries attempts included), the requests by method, the writes and the 429 answers (from cfsim's request
log). The waits and timeouts of the role come from the rehearsal's vars file, playbooks/vars/rehearsal.yml; the
pre-flight check asks the table's cfsim when it serves a routing registry world (cfsim options --whois-port and
--dns-port) and is off otherwise, as with the Makefile's options: it sends no Cloudflare request either way. The
cfsim options after `--` are the demo's (the Makefile passes them), so the numbers use the demo's short waits. The table's cfsim has its rate limit lifted; with
--rate-limit-run yes the largest N is onboarded (fresh, then no-op) once more against cfsim's default rate limit
(1200 requests per 300 s), to show whether any 429 was answered. Nothing is asserted; the playbook's output of each
run goes to --output.

The benchmark only writes a vars file and runs the playbook, so it measures whatever the roles do.
"""

import argparse
import collections
import json
import os
import pathlib
import subprocess
import sys
import time

import yaml

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "helpers"))

from cfsim_runner import start_cfsim  # noqa: E402  pylint: disable=wrong-import-position
from public_cidrs import public_slash24  # noqa: E402  pylint: disable=wrong-import-position

CALLBACK_DIR = HERE.parent / "e2e" / "plugins" / "callback"
MODULE_PREFIX = "cloudflare.addressing."
DELEGATED_ACCOUNT = "0123456789abcdef0123456789abcdef"
LIFTED_RATE_LIMIT = "1000000000/300"
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
RUNS = (  # (name in the table, account reset first, extra ansible-playbook arguments)
    ("fresh", True, ()),
    ("no-op", False, ()),
    ("check", False, ("--check", "--diff")),
    ("check-empty", True, ("--check", "--diff")),
)
RATE_LIMITED_RUNS = (("fresh @1200/300", True, ()), ("no-op @1200/300", False, ()))
ROW = "%5s  %-16s  %6s  %8s  %8s  %8s  %s  %7s  %5s"


def prefix_vars(index):
    """One prefix as the demo's vars file writes it: delegated upper half, Spectrum by default, a CDN /29."""
    cidr = public_slash24(index)
    base = cidr.rsplit(".", 1)[0]
    return {
        "cidr": cidr,
        "asn": 13335,
        "delegate_loa_creation": True,
        "delegations": [{"cidr": base + ".128/25", "account_id": DELEGATED_ACCOUNT}],
        "default_service": "Spectrum",
        "bindings": [{"service": "CDN", "cidrs": [base + ".16/29"]}],
        "advertise": True,
    }


def write_vars(path, count, template):
    """The vars file for count prefixes, with every other variable (the waits) of the demo's vars file."""
    variables = {key: value for key, value in template.items() if key != "byoip_prefixes"}
    variables["byoip_prefixes"] = [prefix_vars(index) for index in range(count)]
    path.write_text(json.dumps(variables), encoding="utf-8")


def module_invocations(records):
    """Invocations of the collection's modules: one per attempt, per loop item that was not skipped."""
    total = 0
    for record in records:
        if not record["action"].startswith(MODULE_PREFIX) or record["status"] == "skipped":
            continue
        results = record["result"].get("results")
        # A loop's results carry ansible_loop_var; a module's batch mode also returns `results`, one per object.
        looped = isinstance(results, list) and results and all("ansible_loop_var" in result for result in results)
        for result in results if looped else [record["result"]]:
            if not result.get("skipped"):
                total += result.get("attempts", 1)
    return total


def read_records(path):
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class Bench:
    """Runs the playbook against the cfsim of the current table; the files of every run are kept apart."""

    def __init__(self, template, output):
        self.sim = None
        self.template = template
        self.output = output
        self.count = 0

    def table(self, sim, sizes, runs):
        self.sim = sim
        for size in sizes:
            for name, reset, args in runs:
                print(ROW % self.run(size, name, reset, args))
                sys.stdout.flush()

    def environment(self, record_file):
        env = {key: value for key, value in os.environ.items() if not key.startswith("CLOUDFLARE_")}
        env.update(
            CLOUDFLARE_ACCOUNT_ID=self.sim.account_id,
            CLOUDFLARE_API_TOKEN=self.sim.api_token,
            CLOUDFLARE_BASE_URL=self.sim.base_url,
            ANSIBLE_CALLBACK_PLUGINS=str(CALLBACK_DIR),
            ANSIBLE_CALLBACKS_ENABLED="e2e_record",
            E2E_RECORD_FILE=str(record_file),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            ANSIBLE_RETRY_FILES_ENABLED="false",
        )
        return env

    def run(self, size, name, reset, args):
        """One playbook run; returns the row's values."""
        self.count += 1
        stem = self.output / ("%03d-n%d-%s" % (self.count, size, name.split()[0]))
        vars_file, record_file, log_file = (stem.with_suffix(suffix) for suffix in (".vars.json", ".jsonl", ".log"))
        write_vars(vars_file, size, dict(self.template, **self.sim.preflight_sources()))
        if reset:
            self.sim.reset()
        mark = self.sim.control("GET", "/requests?since=0")["next"]
        command = [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "cloudflare.addressing.onboard",
                   "-e", "@" + str(vars_file)] + list(args)
        print("bench: N=%d %s ... (output in %s)" % (size, name, log_file), file=sys.stderr, flush=True)
        started = time.monotonic()
        with open(log_file, "w", encoding="utf-8") as log:
            status = subprocess.call(command, env=self.environment(record_file), stdout=log,
                                     stderr=subprocess.STDOUT)
        seconds = time.monotonic() - started
        requests = self.sim.control("GET", "/requests?since=%d" % mark)["requests"]
        methods = collections.Counter(entry["method"] for entry in requests)
        return (size, name, "ok" if status == 0 else "rc=%d" % status, "%.1f" % seconds,
                module_invocations(read_records(record_file)), len(requests),
                "  ".join("%6d" % methods[method] for method in METHODS),
                sum(count for method, count in methods.items() if method != "GET"),
                sum(1 for entry in requests if entry["status"] == 429))


def header():
    print(ROW % ("N", "run", "result", "wall s", "modules", "requests",
                 "  ".join("%6s" % method for method in METHODS), "writes", "429"))


def options():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--n", default="1 10 50 200 500", help="prefix counts, separated by spaces")
    parser.add_argument("--latency-ms", default="0", help="cfsim --latency-ms for every run")
    parser.add_argument("--rate-limit-run", choices=("yes", "no"), default="yes",
                        help="onboard the largest N again against cfsim's default rate limit")
    parser.add_argument("--vars-template", default=str(HERE.parents[1] / "playbooks" / "vars" / "rehearsal.yml"),
                        help="vars file whose waits the runs use (default: the demo's and the rehearsal's)")
    parser.add_argument("--output", default=str(HERE.parents[1] / ".build" / "bench"),
                        help="directory for the vars files, records and playbook output")
    parser.add_argument("cfsim_options", nargs="*", help="options for cfsim (after --)")
    args = parser.parse_args()
    try:
        args.sizes = [int(size) for size in args.n.split()]
    except ValueError:
        parser.error("--n takes whole numbers separated by spaces, got %r" % args.n)
    if not args.sizes or min(args.sizes) < 1 or max(args.sizes) > 1 << 16:
        parser.error("--n takes prefix counts between 1 and 65536, got %r" % args.n)
    return args


def with_cfsim(cfsim_options, body):
    sim = start_cfsim(*cfsim_options, conformance=False)  # time the roles, not the conformance checker
    try:
        body(sim)
    finally:
        status = sim.stop()
    if status != 0:
        sys.exit("cfsim exited with status %s:\n%s" % (status, "\n".join(sim.output)))


def main():
    args = options()
    with open(args.vars_template, encoding="utf-8") as handle:
        template = yaml.safe_load(handle)
    output = pathlib.Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    for stale in output.glob("[0-9][0-9][0-9]-n*"):  # the files of an earlier `make bench`
        stale.unlink()
    # The pre-flight check asks cfsim's (empty) registry world, never the public sources of the role's defaults.
    common = ["--quiet", "--latency-ms", args.latency_ms, "--whois-port", "0", "--dns-port", "0"] + args.cfsim_options
    print("Onboarding benchmark: N = %s; cfsim %s; waits from %s" % (
        " ".join(map(str, args.sizes)), " ".join(common), args.vars_template))
    print("Each prefix: a /24, a delegation, a Spectrum default binding, a CDN /29, advertise: true.")
    print("modules = the collection's module invocations (loop items and retries included); requests, writes and")
    print("429 from cfsim's request log. The table's cfsim lifts the rate limit (%s).\n" % LIFTED_RATE_LIMIT)
    bench = Bench(template, output)
    header()
    with_cfsim(common + ["--rate-limit", LIFTED_RATE_LIMIT], lambda sim: bench.table(sim, args.sizes, RUNS))
    if args.rate_limit_run == "yes":
        print("\nAgainst cfsim's default rate limit (1200 requests per 300 s), the largest N:\n")
        header()
        with_cfsim(common, lambda sim: bench.table(sim, [max(args.sizes)], RATE_LIMITED_RUNS))


if __name__ == "__main__":
    main()
