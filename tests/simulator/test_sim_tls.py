"""cfsim behind TLS (--tls-cert/--tls-key): the API and the control API over HTTPS with the given certificate."""

import subprocess

import pytest
import requests

from cfsim_runner import cfsim_executable, start_cfsim
from self_signed import write_self_signed


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return write_self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_sim(certificate):
    sim = start_cfsim("--quiet", "--tls-cert", certificate[0], "--tls-key", certificate[1])
    yield sim
    assert sim.stop() == 0, "\n".join(sim.output)


def get_services(sim, verify):
    return requests.get("%s/accounts/%s/addressing/services" % (sim.base_url, sim.account_id), verify=verify,
                        headers={"Authorization": "Bearer %s" % sim.api_token}, timeout=30)


def test_serves_https_and_says_so(tls_sim, certificate):
    assert tls_sim.first_line.split()[-1].startswith("https://127.0.0.1:")
    response = get_services(tls_sim, verify=certificate[0])
    assert response.status_code == 200 and len(response.json()["result"]) == 3


def test_a_client_that_does_not_trust_the_certificate_is_refused_and_the_server_goes_on(tls_sim, certificate):
    with pytest.raises(requests.exceptions.SSLError, match="certificate verify failed"):
        get_services(tls_sim, verify=True)
    assert get_services(tls_sim, verify=certificate[0]).status_code == 200
    assert not any("Traceback" in line for line in tls_sim.output)


def test_the_control_api_is_behind_tls_too(tls_sim):
    assert tls_sim.control("GET", "/health")["status"] == "ok"
    assert tls_sim.control("GET", "/health")["base_url"].startswith("https://")


def test_a_certificate_without_its_key_is_a_bad_option(certificate):
    result = subprocess.run([cfsim_executable(), "--port", "0", "--tls-cert", certificate[0]], capture_output=True,
                            text=True, timeout=30, check=False)
    assert result.returncode == 2 and "--tls-cert and --tls-key go together" in result.stderr


def test_an_unreadable_certificate_is_a_clear_error(tmp_path, certificate):
    missing = str(tmp_path / "missing.pem")
    result = subprocess.run([cfsim_executable(), "--port", "0", "--tls-cert", missing, "--tls-key", certificate[1]],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 1 and "cannot load the TLS certificate" in result.stderr
