"""End-to-end tests: the playbooks as a user runs them (ansible-playbook processes) against a cfsim process.

Each test module starts its own simulator with one-second timings, and the roles poll every second with budgets of
seconds, so a whole onboarding takes seconds. Results are read from the e2e_record callback (one JSON line per task
result) and from the simulator: its public API for the account's state, its control API for the request log.
"""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

COLLECTION = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(COLLECTION / "tests" / "helpers"))

from cfsim_runner import start_cfsim  # noqa: E402  pylint: disable=wrong-import-position

# The registry world is served too, so that the onboarding role's pre-flight check asks this machine only (its
# defaults name public sources); empty and not configured, it leaves validation to the outcomes.
SIM_OPTIONS = ("--quiet", "--validation-seconds", "1", "--provisioning-seconds", "1",
               "--advertisement-hold-seconds", "1", "--whois-port", "0", "--dns-port", "0")
# Production budgets are hours; here every wait is polled each second with a budget of seconds.
FAST = dict(
    byoip_onboard_validation_timeout=30,
    byoip_onboard_validation_poll_interval=1,
    byoip_onboard_provisioning_timeout=30,
    byoip_onboard_provisioning_poll_interval=1,
    byoip_onboard_advertise_after=1,
    byoip_onboard_advertise_hold=5,
    byoip_offboard_advertise_hold=5,
)
DELEGATED_ACCOUNT = "0123456789abcdef0123456789abcdef"
# The eight addresses of Cloudflare's get-started guide, plus two that are contiguous with nothing.
GET_STARTED_CDN_ADDRESSES = ["203.0.113.%d" % host for host in range(16, 24)]
LONELY_ADDRESSES = ["203.0.113.64", "203.0.113.66"]
RUN_TIMEOUT = 240


def edge_prefix(**overrides):
    """The get-started example: Spectrum by default, eight CDN addresses, a delegated half, advertised."""
    prefix = dict(cidr="203.0.113.0/24", asn=13335, description="Anycast edge",
                  delegations=[dict(cidr="203.0.113.128/25", account_id=DELEGATED_ACCOUNT)],
                  default_service="Spectrum",
                  bindings=[dict(service="CDN", cidrs=GET_STARTED_CDN_ADDRESSES + LONELY_ADDRESSES)],
                  advertise=True)
    prefix.update(overrides)
    return prefix


def plain_prefix(cidr="198.51.100.0/24", **overrides):
    """A prefix with only its default binding, not advertised."""
    prefix = dict(cidr=cidr, default_service="CDN")
    prefix.update(overrides)
    return prefix


def collections_path():
    # make exports it; the staged copy lives at <collections>/ansible_collections/cloudflare/addressing.
    return os.environ.get("ANSIBLE_COLLECTIONS_PATH") or str(COLLECTION.parents[2])


class PlaybookRun:
    """A finished ansible-playbook run: exit status, output and the recorded task results."""

    def __init__(self, returncode, output, records, seconds):
        self.returncode = returncode
        self.output = output
        self.records = records
        self.seconds = seconds

    def tasks(self, name_part):
        return [record for record in self.records if name_part in record["task"]]

    def fact(self, name):
        values = [record["result"]["ansible_facts"][name] for record in self.records
                  if name in record["result"].get("ansible_facts", {})]
        assert values, "no task set the fact %s\n%s" % (name, self.output)
        return values[-1]

    def failure_messages(self):
        """The messages of every failed task result, loop items included, as one string."""
        messages = []
        for record in self.records:
            if record["status"] != "failed":
                continue
            for result in [record["result"]] + record["result"].get("results", []):
                message = result.get("msg", "")
                messages.append("\n".join(message) if isinstance(message, list) else str(message))
        return "\n".join(messages)

    def max_attempts(self):
        """The most attempts any task or loop item made (until/retries); 0 when nothing was retried or polled."""
        attempts = [result.get("attempts", 0) for record in self.records
                    for result in [record["result"]] + record["result"].get("results", [])]
        return max(attempts or [0])

    def changed_tasks(self):
        return [record["task"] for record in self.records if record["status"] == "changed"]


class Sim:
    """The simulator of one test module, with helpers to read the account and the request log."""

    def __init__(self, process):
        self.process = process
        self.base_url = process.base_url
        self.account_id = process.account_id
        self.api_token = process.api_token

    def control(self, method, path, body=None):
        return self.process.control(method, path, body)

    def advance(self, seconds):
        """Move the simulated clock: validation and provisioning finish without the test sleeping."""
        return self.process.advance(seconds)

    def mark(self):
        """The sequence number of the newest request; requests_since(mark) then lists what came after."""
        return self.control("GET", "/requests?since=0")["next"]

    def requests_since(self, mark):
        return self.control("GET", "/requests?since=%d" % mark)["requests"]

    def writes_since(self, mark):
        return ["%s %s" % (entry["method"], entry["path"]) for entry in self.requests_since(mark)
                if entry["method"] != "GET"]

    def get(self, *parts):
        url = "/".join([self.base_url, "accounts", self.account_id, "addressing"] + list(parts))
        request = urllib.request.Request(url, headers={"Authorization": "Bearer " + self.api_token})
        with urllib.request.urlopen(request, timeout=30) as response:  # nosec - the local simulator
            return json.loads(response.read())["result"]

    def prefix(self, cidr):
        matches = [prefix for prefix in self.get("prefixes") if prefix["cidr"] == cidr]
        assert len(matches) <= 1, "more than one prefix %s: %s" % (cidr, matches)
        return matches[0] if matches else None

    def children(self, cidr, collection):
        """delegations, bindings or bgp/prefixes of the prefix cidr."""
        return self.get("prefixes", self.prefix(cidr)["id"], *collection.split("/"))


@pytest.fixture(scope="module")
def sim():
    process = start_cfsim(*SIM_OPTIONS)
    yield Sim(process)
    assert process.stop() == 0, "\n".join(process.output)


class Runner:
    """Runs the collection's playbooks the documented way: ansible-playbook cloudflare.addressing.NAME -e @vars."""

    def __init__(self, sim, workdir):
        self.sim = sim
        self.workdir = workdir
        self.count = 0

    def environment(self, record_file, credentials_in_env):
        env = {key: value for key, value in os.environ.items() if not key.startswith(("CLOUDFLARE_", "ANSIBLE_"))}
        env.update(
            ANSIBLE_COLLECTIONS_PATH=collections_path(),
            ANSIBLE_CALLBACK_PLUGINS=str(pathlib.Path(__file__).parent / "plugins" / "callback"),
            ANSIBLE_CALLBACKS_ENABLED="e2e_record",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            ANSIBLE_RETRY_FILES_ENABLED="false",
            E2E_RECORD_FILE=str(record_file),
        )
        if credentials_in_env:  # the way an AWX credential type injects them
            env.update(CLOUDFLARE_ACCOUNT_ID=self.sim.account_id, CLOUDFLARE_API_TOKEN=self.sim.api_token,
                       CLOUDFLARE_BASE_URL=self.sim.base_url)
        return env

    def command(self, playbook, variables, args, credentials_in_env):
        self.count += 1
        if not credentials_in_env:  # the way the vars file of the design gives them
            variables = dict(variables, cloudflare_account_id=self.sim.account_id,
                             cloudflare_api_token=self.sim.api_token, cloudflare_base_url=self.sim.base_url)
        vars_file = self.workdir / ("vars-%d.json" % self.count)
        # The pre-flight check asks the simulator's registry world, unless the test turns it off (an endpoint that
        # is no cfsim cannot say where its registry is).
        preflight = {} if variables.get("byoip_onboard_preflight") == "off" else self.sim.process.preflight_sources()
        vars_file.write_text(json.dumps(dict(FAST, **dict(preflight, **variables))), encoding="utf-8")
        record_file = self.workdir / ("record-%d.jsonl" % self.count)
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                   "cloudflare.addressing." + playbook, "-e", "@" + str(vars_file)] + list(args)
        return command, record_file, self.environment(record_file, credentials_in_env)

    def run(self, playbook, variables, *args, credentials_in_env=True):
        command, record_file, env = self.command(playbook, variables, args, credentials_in_env)
        started = time.monotonic()
        proc = subprocess.run(command, env=env, cwd=str(self.workdir), capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, check=False)
        return PlaybookRun(proc.returncode, proc.stdout + proc.stderr, read_records(record_file),
                           time.monotonic() - started)

    def start(self, playbook, variables, *args):
        """Start a run in its own process group, to be killed half-way with kill()."""
        command, _record_file, env = self.command(playbook, variables, args, True)
        return subprocess.Popen(command, env=env, cwd=str(self.workdir), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    @staticmethod
    def kill(process):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def read_records(path):
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture
def runner(sim, tmp_path):
    return Runner(sim, tmp_path)


@pytest.fixture(scope="module")
def module_runner(sim, tmp_path_factory):
    return Runner(sim, tmp_path_factory.mktemp("playbooks"))
