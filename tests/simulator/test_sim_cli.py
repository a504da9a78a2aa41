"""cfsim as a real process: announcement, clean stops on SIGINT and SIGTERM, options, and --state-file."""

import ipaddress
import itertools
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

import cfsim
from cfsim_runner import SimProcess, cfsim_executable, start_cfsim
from simapi import CDN, PDF, Api


@pytest.fixture(autouse=True)
def fresh():
    """These tests start their own processes; the shared one needs no reset."""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serves_and_stops_cleanly(sig):
    sim = start_cfsim()
    assert sim.first_line.startswith("cfsim: Cloudflare addressing API simulator serving at http://127.0.0.1:")
    assert sim.first_line.rstrip().endswith("/client/v4") and ":8787/" not in sim.first_line
    api = Api(sim)
    assert api.ok("GET", "/services")
    api.session.close()
    assert sim.stop(sig) == 0
    output = "\n".join(sim.output)
    for expected in ("account id 023e105f4ecef8ad9ca31a8372d0c353", "cfsim-token-0123456789abcdef0123456789ab",
                     "cfsim-ro-token-0123456789abcdef012345678", "admin@example.com",
                     "cfsim0key0123456789abcdef0123456789abc", "v1.0-cfsim-user-service-key",
                     "control API %s" % sim.control_url, "validation 60s (outcome valid), provisioning 120s, "
                     "advertisement hold 900s, rate limit 1200/300s", '"GET /client/v4/accounts/', "cfsim: stopped"):
        assert expected in output


def test_options_change_the_defaults():
    sim = start_cfsim("--account-id", "0123456789abcdef0123456789abcdef", "--api-token", "my-token",
                      "--validation-seconds", "5", "--validation-outcome", "invalid", "--rate-limit", "2/10",
                      "--advertisement-hold-seconds", "1", "--provisioning-seconds", "7", "--quiet")
    try:
        assert sim.account_id == "0123456789abcdef0123456789abcdef" and sim.api_token == "my-token"
        config = sim.control("GET", "/config")
        assert (config["validation_seconds"], config["provisioning_seconds"], config["advertisement_hold_seconds"],
                config["validation_outcome"], config["rate_limit"]) == (5, 7, 1, "invalid",
                                                                        {"requests": 2, "seconds": 10})
        api = Api(sim)
        prefix = api.prefix()
        sim.advance(5)
        resolved = api.ok("GET", "/prefixes/%s" % prefix["id"])
        assert resolved["rpki_validation_state"] == "invalid" and resolved["approved"] == "P"
        assert api.call("GET", "/prefixes").status_code == 429, "third request in the 2/10 window"
        api.session.close()
    finally:
        assert sim.stop() == 0
    assert not any('"GET ' in line for line in sim.output), "--quiet drops the access log"


@pytest.mark.parametrize("args", [["--rate-limit", "lots"], ["--account-id", "XYZ"], ["--validation-seconds", "-1"],
                                  ["--validation-outcome", "perhaps"], ["--port", "http"]])
def test_bad_options_exit_2(args):
    result = subprocess.run([cfsim_executable()] + args, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2 and "usage: cfsim" in result.stderr


def test_busy_port_is_a_clear_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run([cfsim_executable(), "--port", str(port)], capture_output=True, text=True,
                                timeout=30, check=False)
    assert result.returncode == 1 and "cannot listen" in result.stderr


def test_state_survives_a_restart(tmp_path):
    state = tmp_path / "state.json"
    sim = start_cfsim("--state-file", str(state), "--quiet")
    api = Api(sim)
    loa = api.ok("POST", "/loa_documents", files={"loa_document": ("a.pdf", PDF, "application/pdf")}, status=201)
    pending = api.prefix("198.51.100.0/24", loa_document_id=loa["id"])
    prefix, binding, bgp = api.bound_prefix("203.0.113.0/24", CDN)
    api.ok("PATCH", "/prefixes/%s/bgp/prefixes/%s" % (prefix["id"], bgp["id"]), {"on_demand": {"advertised": True}})
    api.ok("POST", "/prefixes/%s/delegations" % prefix["id"],
           {"cidr": "203.0.113.0/25", "delegated_account_id": "b" * 32})
    made = api.ok("POST", "/address_maps", {"ips": ["203.0.113.9"]})
    sim.advance(30)
    sim.control("POST", "/validation-outcomes", {"cidr": "192.0.2.0/24", "outcome": "missing"})
    before = {path: api.ok("GET", path) for path in (
        "/prefixes", "/prefixes/%s/bindings" % prefix["id"], "/prefixes/%s/bgp/prefixes" % prefix["id"],
        "/prefixes/%s/delegations" % prefix["id"], "/address_maps/%s" % made["id"])}
    api.session.close()
    assert sim.stop() == 0
    assert json.loads(state.read_text())["version"] == 1
    assert not [p for p in tmp_path.iterdir() if p.name != "state.json"], "no temporary files left"

    again = start_cfsim("--state-file", str(state), "--quiet")
    api = Api(again)
    try:
        for path, value in before.items():
            assert api.ok("GET", path) == value, path
        assert again.control("GET", "/clock")["offset_seconds"] == 30
        assert again.control("GET", "/validation-outcomes")["cidrs"] == {"192.0.2.0/24": "missing"}
        assert api.call("GET", "/loa_documents/%s/download" % loa["id"]).content == PDF
        # Validation keeps running from where it was: 30 of 60 simulated seconds had passed.
        again.advance(30)
        assert api.ok("GET", "/prefixes/%s" % pending["id"])["approved"] == "V"
        assert binding["id"] in [b["id"] for b in api.ok("GET", "/prefixes/%s/bindings" % prefix["id"])]
    finally:
        api.session.close()
        assert again.stop() == 0


def test_a_restart_with_longer_timings_keeps_what_was_already_due(tmp_path):
    state = tmp_path / "state.json"
    sim = start_cfsim("--state-file", str(state), "--quiet", "--validation-seconds", "1",
                      "--provisioning-seconds", "1")
    api = Api(sim)
    prefix = api.prefix("203.0.113.0/24")
    sim.advance(1)
    binding = api.ok("POST", "/prefixes/%s/bindings" % prefix["id"], {"cidr": prefix["cidr"], "service_id": CDN},
                     status=201)
    sim.advance(1)
    api.session.close()
    assert sim.stop() == 0

    again = start_cfsim("--state-file", str(state), "--quiet", "--validation-seconds", "3600",
                        "--provisioning-seconds", "3600")
    api = Api(again)
    try:
        assert api.ok("GET", "/prefixes/%s" % prefix["id"])["approved"] == "V"
        found = api.ok("GET", "/prefixes/%s/bindings/%s" % (prefix["id"], binding["id"]))
        assert found["provisioning"]["state"] == "active"
    finally:
        api.session.close()
        assert again.stop() == 0


def test_state_is_saved_soon_after_a_change_not_only_at_exit(tmp_path):
    state = tmp_path / "state.json"
    sim = start_cfsim("--state-file", str(state), "--quiet")
    api = Api(sim)
    prefix = api.prefix("192.0.2.0/24")
    api.session.close()
    deadline = time.monotonic() + 20
    while "192.0.2.0/24" not in (state.read_text() if state.exists() else ""):
        assert time.monotonic() < deadline, "the state file never received the new prefix"
        time.sleep(0.05)
    sim.process.kill()  # no chance to save at exit
    sim.stop()
    again = start_cfsim("--state-file", str(state), "--quiet")
    api = Api(again)
    try:
        assert api.ok("GET", "/prefixes/%s" % prefix["id"])["cidr"] == "192.0.2.0/24"
    finally:
        api.session.close()
        assert again.stop() == 0


@pytest.mark.parametrize("content, message", [
    ("{not json", "cannot load state file"),
    (json.dumps({"version": 99}), "unsupported state file version 99"),
    (json.dumps([]), "the state file must hold a JSON object, not list"),
    ("[" * 100000, "nested too deeply"),
    (json.dumps({"version": 1, "clock_offset": 3e11}), "past 9999-01-01T00:00:00Z"),
    (json.dumps({"version": 1, "clock_offset": -1}), "clock_offset must be a finite number of seconds >= 0"),
    (json.dumps({"version": 1, "clock_offset": 0, "prefixes": [7]}), "malformed state (TypeError"),
    (json.dumps({"version": 1, "clock_offset": 0, "prefixes": [{"cidr": "192.0.2.0/24"}]}),
     "malformed state (KeyError"),
])
def test_unusable_state_file_is_refused_with_the_documented_message(tmp_path, content, message):
    state = tmp_path / "state.json"
    state.write_text(content)
    result = subprocess.run([cfsim_executable(), "--port", "0", "--state-file", str(state)], capture_output=True,
                            text=True, timeout=30, check=False)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("cfsim: cannot load state file %s: " % state) and message in result.stderr
    assert "Traceback" not in result.stderr


def copy_of_cfsim(tmp_path, address_space=None):
    """cfsim's package under tmp_path/simulator, with tmp_path/plugins/module_utils/_address_space.py if given."""
    shutil.copytree(pathlib.Path(cfsim.__file__).parent, tmp_path / "simulator" / "cfsim",
                    ignore=shutil.ignore_patterns("__pycache__"))
    if address_space is not None:
        (tmp_path / "plugins" / "module_utils").mkdir(parents=True)
        (tmp_path / "plugins" / "module_utils" / "_address_space.py").write_text(address_space)
    return [sys.executable, "-m", "cfsim", "--port", "0"], dict(os.environ, PYTHONPATH=str(tmp_path / "simulator"))


def test_without_the_collection_beside_it_cfsim_says_what_is_missing(tmp_path):
    command, env = copy_of_cfsim(tmp_path)
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    missing = tmp_path / "plugins" / "module_utils" / "_address_space.py"
    assert result.stderr.startswith("cfsim: cannot find %s" % missing)


def test_the_address_space_list_is_read_from_the_collection_beside_cfsim(tmp_path):
    """No copy: a different file beside the package changes what cfsim refuses."""
    command, env = copy_of_cfsim(tmp_path, "def unannounceable_reason(network):\n"
                                           "    return 'is refused by the list beside this copy'\n")
    process = subprocess.Popen(command + ["--quiet"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env)
    sim = SimProcess(process, process.stdout.readline(), [])
    api = Api(sim)
    try:
        error = api.fails("POST", "/prefixes", {"cidr": "192.0.2.0/24", "asn": 13335}, code=1117)
        assert error["message"].startswith("Prefix 192.0.2.0/24 is refused by the list beside this copy;")
    finally:
        api.session.close()
        assert sim.stop() == 0


def keep_alive_writer(sim, worker, acknowledged, stop):
    """POST prefixes over one keep-alive session, as the modules do, until refused or stopped; note every 201."""
    api = Api(sim)
    try:
        for index in itertools.count():
            if stop.is_set():
                return
            cidr = str(ipaddress.IPv6Network(((0x20010db8 << 96) | (worker << 92) | (index << 80), 48)))
            try:
                response = api.call("POST", "/prefixes", {"cidr": cidr, "asn": 13335})
            except requests.ConnectionError:
                return
            if response.status_code != 201:
                return
            acknowledged.append(cidr)
    finally:
        api.session.close()


def test_a_clean_stop_keeps_every_acknowledged_write(tmp_path):
    """SIGTERM while keep-alive clients write: every 201 is in the saved state (39-133 were lost before)."""
    state = tmp_path / "state.json"
    sim = start_cfsim("--state-file", str(state), "--quiet", "--rate-limit", "1000000/300")
    acknowledged, stop = [], threading.Event()
    writers = [threading.Thread(target=keep_alive_writer, args=(sim, worker, acknowledged, stop))
               for worker in range(8)]
    try:
        for writer in writers:
            writer.start()
        while len(acknowledged) < 200 and any(writer.is_alive() for writer in writers):
            time.sleep(0.01)
        assert sim.stop() == 0
    finally:
        stop.set()
        for writer in writers:
            writer.join(60)
    assert len(acknowledged) >= 200

    again = start_cfsim("--state-file", str(state), "--quiet")
    api = Api(again)
    try:
        saved = {prefix["cidr"] for prefix in api.ok("GET", "/prefixes")}
    finally:
        api.session.close()
        assert again.stop() == 0
    assert sorted(set(acknowledged) - saved) == []
