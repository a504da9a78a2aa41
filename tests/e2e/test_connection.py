"""A module against endpoints that fail below HTTP, and against a tight rate limit, run by ansible-playbook.

The shared simulator cannot be these endpoints, so each test makes its own: a closed port, a listener whose full
accept queue drops every new SYN (a black hole), cfsim behind TLS with a self-signed certificate, and cfsim with a
rate limit of a few requests per window. Assertions are on what the module says and what reached the simulator,
never on how long anything took.
"""

import json
import os
import socket
import subprocess
import sys
import types

import pytest
import requests

from conftest import RUN_TIMEOUT, PlaybookRun, Runner, read_records
# conftest puts tests/helpers on sys.path
from cfsim_runner import start_cfsim  # pylint: disable=wrong-import-order
from self_signed import write_self_signed  # pylint: disable=wrong-import-order

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "cfsim-token-0123456789abcdef0123456789ab"


def run_module_task(tmp_path, options, env=None, module="byoip_prefix_info"):
    """Run one task of the module with options in a playbook of its own; return the PlaybookRun."""
    playbook = tmp_path / "task.yml"
    playbook.write_text(json.dumps([{
        "hosts": "localhost", "connection": "local", "gather_facts": False,
        "tasks": [{"name": "The task", "cloudflare.addressing." + module: dict(
            dict(account_id=ACCOUNT_ID, api_token=TOKEN), **options)}],
    }]), encoding="utf-8")
    record_file = tmp_path / "record.jsonl"
    environment = Runner(None, tmp_path).environment(record_file, credentials_in_env=False)
    environment.update(env or {})
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook)]
    proc = subprocess.run(command, env=environment, cwd=str(tmp_path), capture_output=True, text=True,
                          timeout=RUN_TIMEOUT, check=False)
    return PlaybookRun(proc.returncode, proc.stdout + proc.stderr, read_records(record_file), 0)


def task_result(run):
    results = run.tasks("The task")
    assert len(results) == 1, run.output
    return results[0]["status"], results[0]["result"]


def api_requests(sim):
    return [entry for entry in sim.requests() if entry["path"].startswith("/client/v4/")]


# --- a closed port and a black hole ----------------------------------------------------------------------------

def closed_port():
    """A port on 127.0.0.1 where nothing listens (bound and closed again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def black_hole():
    """A port whose accept queue is full and never drained: the kernel drops further SYNs, as a firewall would."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _filler in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for sock in fillers + [listener]:
        sock.close()


def test_a_refused_connection_fails_at_once_and_says_so(tmp_path):
    port = closed_port()
    status, result = task_result(run_module_task(tmp_path, dict(base_url="http://127.0.0.1:%d/client/v4" % port)))
    assert status == "failed"
    assert ("could not connect to 127.0.0.1:%d (base_url http://127.0.0.1:%d/client/v4): connection refused"
            % (port, port)) in result["msg"]
    assert "A refused connection is not retried" in result["msg"]
    assert TOKEN not in json.dumps(result)


def test_a_black_hole_is_given_up_after_the_connection_budget(tmp_path, black_hole):
    status, result = task_result(run_module_task(tmp_path, dict(
        base_url="http://127.0.0.1:%d/client/v4" % black_hole, connect_timeout=2)))
    assert status == "failed"
    assert "could not connect to 127.0.0.1:%d" % black_hole in result["msg"]
    assert "timed out after 2 s (connect_timeout)" in result["msg"]
    assert "gave up after 2 attempts" in result["msg"]


# --- a self-signed TLS endpoint ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls_sim(tmp_path_factory):
    cert, key = write_self_signed(tmp_path_factory.mktemp("tls"))
    process = start_cfsim("--quiet", "--tls-cert", cert, "--tls-key", key)
    process.cert = cert
    yield process
    assert process.stop() == 0, "\n".join(process.output)


SYSTEM_CAS = {"REQUESTS_CA_BUNDLE": requests.certs.where()}  # a CA bundle that does not know the certificate


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_certificate_that_does_not_verify_fails_with_its_reason(tmp_path, tls_sim, variable):
    tls_sim.reset()
    status, result = task_result(run_module_task(tmp_path, dict(base_url=tls_sim.base_url),
                                                 env={variable: requests.certs.where()}))
    assert status == "failed"
    assert "TLS failed: certificate verify failed: self-signed certificate" in result["msg"]
    assert "ca_path" in result["msg"]
    assert api_requests(tls_sim) == []


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_validate_certs_false_wins_over_a_ca_bundle_in_the_environment(tmp_path, tls_sim, variable):
    tls_sim.reset()
    status, result = task_result(run_module_task(tmp_path, dict(base_url=tls_sim.base_url, validate_certs=False),
                                                 env={variable: requests.certs.where()}))
    assert status == "ok" and result["prefixes"] == []
    assert [entry["method"] for entry in api_requests(tls_sim)] == ["GET"]


def test_ca_path_wins_over_the_environment(tmp_path, tls_sim):
    tls_sim.reset()
    status, _result = task_result(run_module_task(tmp_path, dict(base_url=tls_sim.base_url, ca_path=tls_sim.cert),
                                                  env=SYSTEM_CAS))
    assert status == "ok"
    assert len(api_requests(tls_sim)) == 1


def test_without_ca_path_the_environment_names_the_ca(tmp_path, tls_sim):
    tls_sim.reset()
    status, _result = task_result(run_module_task(tmp_path, dict(base_url=tls_sim.base_url),
                                                  env={"REQUESTS_CA_BUNDLE": tls_sim.cert}))
    assert status == "ok"
    assert len(api_requests(tls_sim)) == 1


def test_a_ca_path_that_does_not_exist_fails_before_any_request(tmp_path, tls_sim):
    tls_sim.reset()
    missing = str(tmp_path / "no-such-ca.pem")
    status, result = task_result(run_module_task(tmp_path, dict(base_url=tls_sim.base_url, ca_path=missing)))
    assert status == "failed" and "ca_path '%s' does not exist" % missing in result["msg"]
    assert api_requests(tls_sim) == []


# --- the playbooks pass the connection options to every module of their role ------------------------------------

def test_the_playbooks_pass_cloudflare_ca_path_to_the_role(tmp_path, tls_sim, monkeypatch):
    tls_sim.reset()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())  # a CA bundle that does not know the certificate
    variables = dict(cloudflare_ca_path=tls_sim.cert, byoip_onboard_preflight="off")
    run = Runner(tls_sim, tmp_path).run("status", variables, credentials_in_env=False)
    assert run.returncode == 0, run.output
    assert "The account has no BYOIP prefix." in run.output


def test_the_playbooks_pass_cloudflare_connect_timeout_to_the_role(tmp_path, black_hole):
    endpoint = types.SimpleNamespace(account_id=ACCOUNT_ID, api_token=TOKEN,
                                     base_url="http://127.0.0.1:%d/client/v4" % black_hole)
    variables = dict(byoip_prefixes=[dict(cidr="198.51.100.0/24", default_service="CDN")],
                     cloudflare_connect_timeout=2, byoip_onboard_preflight="off")
    run = Runner(endpoint, tmp_path).run("onboard", variables, credentials_in_env=False)
    assert run.returncode != 0
    assert "timed out after 2 s (connect_timeout)" in run.failure_messages()


# --- a tight rate limit ------------------------------------------------------------------------------------------

@pytest.fixture
def tight_sim():
    process = start_cfsim("--quiet", "--rate-limit", "6/4", "--validation-seconds", "0")
    yield process
    assert process.stop() == 0, "\n".join(process.output)


def test_a_long_read_slows_down_instead_of_collecting_429s(tmp_path, tight_sim):
    # Three prefixes, added with the email/key credential: the token's quota stays untouched for the read.
    setup = requests.Session()
    setup.headers.update({"X-Auth-Email": tight_sim.email, "X-Auth-Key": tight_sim.api_key})
    prefixes = "%s/accounts/%s/addressing/prefixes" % (tight_sim.base_url, tight_sim.account_id)
    for cidr in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"):
        assert setup.post(prefixes, json={"cidr": cidr, "asn": 13335}, timeout=30).status_code == 201
    mark = tight_sim.requests()[-1]["seq"]
    # One module run, 1 + 3 x 3 = 10 requests against a quota of 6 per 4 seconds.
    run = run_module_task(tmp_path, dict(base_url=tight_sim.base_url,
                                         include=["delegations", "bindings", "bgp_prefixes"]))
    status, result = task_result(run)
    assert status == "ok" and len(result["prefixes"]) == 3
    statuses = [entry["status"] for entry in tight_sim.requests(since=mark)]
    assert len(statuses) == 10 and set(statuses) == {200}, statuses
    assert "to stay within Cloudflare's rate limit" in " ".join(run.output.split())  # the warning, however wrapped
