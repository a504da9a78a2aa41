"""Nothing the tests, CI or the demo run ever reaches a public whois server, RPKI validator or resolver.

The pre-flight module's defaults name public sources (rr.ntt.net, rpki-validator.ripe.net, the host's resolvers).
These tests run the module end to end against the simulator's registry world, and the demo as `make demo` runs it,
under the offline guard (tests/helpers/offline_guard): every Python process refuses and records each attempt to
reach an address that is not on this machine. The guard's own test proves that it catches such attempts.
"""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from conftest import COLLECTION, collections_path, read_records
from cfsim_runner import start_cfsim

GUARD = COLLECTION / "tests" / "helpers" / "offline_guard"
WORLD = {
    "route_objects": [{"prefix": "203.0.113.0/24", "origin": 13335, "source": "RIPE"},
                      {"prefix": "198.51.100.0/24", "origin": 64500, "source": "RADB"}],
    "roas": [{"prefix": "203.0.113.0/24", "asn": 13335}],
}
PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Pre-flight against the registry world
      cloudflare.addressing.byoip_preflight_info:
        account_id: "%(account_id)s"
        api_token: "%(api_token)s"
        base_url: "%(base_url)s"
        prefixes:
          - {cidr: 203.0.113.0/24, asn: 13335}
          - {cidr: 198.51.100.0/24, asn: 13335, ownership_token: demo-token}
        whois_servers: ["127.0.0.1:%(whois)d"]
        rpki_validator_url: "%(rpki)s"
        dns_servers: ["127.0.0.1"]
        dns_port: %(dns)d
        source_timeout: 10
"""


def guarded_environment(log):
    env = dict(os.environ)
    env.update(PYTHONPATH=os.pathsep.join(filter(None, [str(GUARD), env.get("PYTHONPATH")])),
               OFFLINE_GUARD_LOG=str(log), ANSIBLE_COLLECTIONS_PATH=collections_path())
    return env


def attempts(log):
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_the_guard_catches_and_refuses_a_public_address_and_a_public_name(tmp_path):
    log = tmp_path / "guard.log"
    probe = ("import socket\n"
             "attempts = [lambda: socket.socket().connect(('192.0.2.1', 43)),\n"
             "            lambda: socket.create_connection(('rr.ntt.net', 43), timeout=1),\n"
             "            lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'q', ('192.0.2.53', 53))]\n"
             "for attempt in attempts:\n"
             "    try:\n"
             "        attempt()\n"
             "    except OSError as error:\n"
             "        print('refused:', error)\n")
    result = subprocess.run([sys.executable, "-c", probe], env=guarded_environment(log), capture_output=True,
                            text=True, timeout=60, check=True)
    assert result.stdout.count("refused:") == 3
    assert [line.split(" ", 1)[1] for line in attempts(log)] == [
        "connect 192.0.2.1:43", "lookup rr.ntt.net", "sendto 192.0.2.53:53"]


@pytest.fixture(scope="module")
def world_sim(tmp_path_factory):
    world_file = tmp_path_factory.mktemp("world") / "world.json"
    world_file.write_text(json.dumps(WORLD), encoding="utf-8")
    process = start_cfsim("--quiet", "--registry-world", str(world_file), "--whois-port", "0", "--dns-port", "0")
    yield process
    assert process.stop() == 0, "\n".join(process.output)


def test_the_preflight_module_asks_only_this_machine(world_sim, tmp_path):
    servers = world_sim.control("GET", "/registry")["servers"]
    playbook = tmp_path / "preflight.yml"
    playbook.write_text(PLAYBOOK % dict(account_id=world_sim.account_id, api_token=world_sim.api_token,
                                        base_url=world_sim.base_url, whois=servers["whois"]["port"],
                                        rpki=servers["rpki_validator_url"], dns=servers["dns"]["port"]),
                        encoding="utf-8")
    log, record = tmp_path / "guard.log", tmp_path / "record.jsonl"
    env = guarded_environment(log)
    env.update(ANSIBLE_CALLBACK_PLUGINS=str(pathlib.Path(__file__).parent / "plugins" / "callback"),
               ANSIBLE_CALLBACKS_ENABLED="e2e_record", E2E_RECORD_FILE=str(record),
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook)],
                            env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert attempts(log) == []
    (preflight,) = [entry["result"] for entry in read_records(record) if entry["task"].startswith("Pre-flight")]
    assert [(item["cidr"], item["check"]) for item in preflight["problems"]] == [
        ("198.51.100.0/24", "irr"), ("198.51.100.0/24", "rpki"), ("198.51.100.0/24", "ownership")]
    assert preflight["unknown"] == []


def makefile_options(name):
    """The words of a `NAME := ...` line of the Makefile (the demo's cfsim options)."""
    for line in (COLLECTION / "Makefile").read_text(encoding="utf-8").splitlines():
        if line.startswith(name + " :="):
            return line.split(":=", 1)[1].split()
    raise AssertionError("the Makefile sets no %s" % name)


def test_the_demo_asks_only_this_machine(tmp_path):
    """`make demo`, as the Makefile runs it, under the guard; its pre-flight check finds the demo prefix in order."""
    log = tmp_path / "guard.log"
    env = guarded_environment(log)
    env["CFSIM_LOG"] = str(tmp_path / "demo-cfsim.log")
    (COLLECTION / ".build").mkdir(exist_ok=True)  # the demo writes its report there
    python = sys.executable
    result = subprocess.run(
        [python, "tools/with_sim.py", "--quiet"] + makefile_options("DEMO_SIM_OPTIONS")
        + makefile_options("DEMO_WORLD_OPTIONS") + ["--", python, "tools/demo.py", str(COLLECTION)],
        cwd=str(COLLECTION), env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert attempts(log) == []
    output = " ".join(result.stdout.split())
    assert "203.0.113.0/24: IRR ok, RPKI ok, ownership not checked yet" in output
    assert "203.0.113.0/24: IRR ok, ownership ok" in output
