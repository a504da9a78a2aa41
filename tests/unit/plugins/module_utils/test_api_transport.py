"""Unit tests of the client's transport failures: what is retried, for how long, and what the message says."""

import pytest
import requests

from ansible_collections.cloudflare.addressing.plugins.module_utils import _api
from ansible_collections.cloudflare.addressing.plugins.module_utils._api import (
    CloudflareAPIError,
    OutcomeUnknownError,
    may_retry_unanswered,
)

from api_harness import TOKEN, chained, client, connect_timeout, dropped, ok, refused, self_signed

CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def read_timeout():
    return requests.exceptions.ReadTimeout("HTTPConnectionPool(host='sim', port=80): Read timed out. "
                                           "(read timeout=30)")


def fail(hx, method="GET", body=None):
    with pytest.raises(CloudflareAPIError) as caught:
        hx.api.request(method, "/accounts/x/addressing/prefixes", body=body)
    return caught.value


# --- refused, TLS and malformed URLs fail at once ----------------------------------------------------------------

def test_a_refused_connection_fails_at_once_and_says_what_was_tried():
    hx = client([refused()], base_url="http://127.0.0.1:9/client/v4")
    error = fail(hx)
    assert len(hx.session.sent) == 1 and hx.sleeps == []
    assert error.transport == _api.REFUSED and error.status is None
    text = error.describe()
    assert "could not connect to 127.0.0.1:9 (base_url http://127.0.0.1:9/client/v4): connection refused" in text
    assert TOKEN not in text


def test_a_refused_post_is_not_retried_either():
    hx = client([refused()])
    error = fail(hx, "POST", {"cidr": "203.0.113.0/24"})
    assert not isinstance(error, OutcomeUnknownError)
    assert len(hx.session.sent) == 1


def test_a_certificate_that_does_not_verify_keeps_its_reason():
    hx = client([self_signed()], base_url="https://127.0.0.1:8443/client/v4")
    error = fail(hx)
    assert len(hx.session.sent) == 1 and hx.sleeps == []
    assert error.transport == _api.TLS_FAILED
    assert "certificate verify failed: self-signed certificate" in error.describe()
    assert "_ssl.c" not in error.describe()


def test_the_default_port_is_named_when_base_url_has_none():
    hx = client([refused()], base_url="https://api.example.test/client/v4")
    assert "api.example.test:443" in fail(hx).describe()


def test_the_proxy_in_the_way_is_named_without_its_credentials(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://user:secret@proxy.example.test:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    hx = client([refused()], base_url="https://api.example.test/client/v4")
    text = fail(hx).describe()
    assert "through the proxy http://proxy.example.test:3128" in text
    assert "secret" not in text and "user" not in text


# --- an unreachable API: bounded by connect_timeout, not by the retry budget of a live API ------------------------

def test_a_black_hole_is_given_up_within_three_connect_timeouts():
    hx = client([(10.0, connect_timeout())] * 11, connect_timeout=10.0)
    started = hx.clock.now
    error = fail(hx)
    assert hx.clock.now - started <= 3 * 10.0
    assert len(hx.session.sent) == 2
    assert error.transport == _api.UNREACHABLE
    text = error.describe()
    assert "could not connect to sim:80" in text and "timed out after 10 s (connect_timeout)" in text
    assert "gave up after 2 attempts" in text


def test_a_longer_connect_timeout_buys_a_longer_search():
    hx = client([(30.0, connect_timeout())] * 11, connect_timeout=30.0)
    fail(hx)
    assert len(hx.session.sent) == 2


def test_fast_connection_failures_are_retried_up_to_the_retry_count():
    gaierror = _api.socket.gaierror(-3, "Temporary failure in name resolution")
    unresolved = chained(requests.exceptions.ConnectionError, gaierror)
    hx = client([unresolved] * 4, retries=3)
    error = fail(hx)
    assert len(hx.session.sent) == 4
    assert "the host name does not resolve (Temporary failure in name resolution)" in error.describe()


def test_a_read_that_times_out_is_retried_once():
    hx = client([(30.0, read_timeout()), (30.0, read_timeout()), ok([])])
    error = fail(hx)
    assert len(hx.session.sent) == 2
    assert error.transport == _api.NO_ANSWER
    assert "no answer from sim:80" in error.describe() and "timed out after 30 s (request_timeout)" in error.describe()


def test_a_read_that_times_out_once_then_answers_succeeds():
    hx = client([(30.0, read_timeout()), ok(["answer"])])
    assert hx.api.get("/x") == ["answer"]


def test_a_post_without_answer_is_an_unknown_outcome():
    hx = client([read_timeout()])
    with pytest.raises(OutcomeUnknownError) as caught:
        hx.api.post("/x", {"cidr": "203.0.113.0/24"})
    assert len(hx.session.sent) == 1
    assert "request_timeout" in caught.value.describe()


def test_dropped_connections_of_reads_are_retried_within_the_retry_count():
    hx = client([dropped()] * 3 + [ok([])], retries=3)
    assert hx.api.get("/x") == []


@pytest.mark.parametrize("failures,elapsed,expected", [
    (1, 100.0, True),  # always once
    (2, 19.0, True),  # 19 + 1 + 10 <= 30
    (2, 20.0, False),  # 20 + 1 + 10 > 30
    (3, 5.0, True),
])
def test_may_retry_unanswered(failures, elapsed, expected):
    assert may_retry_unanswered(first_started=0.0, now=elapsed, delay=1.0, failures=failures,
                                connect_timeout=10.0) is expected


# --- TLS verification settings -----------------------------------------------------------------------------------

def sent_verify(monkeypatch, env, **options):
    """What verify requests really uses for a request of the client: its own merge of the environment."""
    for name in CA_BUNDLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    hx = client([ok([])], **options)
    hx.api.get("/x")
    verify = hx.session.kwargs[0]["verify"]
    merged = requests.Session().merge_environment_settings("https://sim/x", {}, None, verify, None)
    return verify, merged["verify"]


@pytest.mark.parametrize("variable", CA_BUNDLE_VARIABLES)
def test_validate_certs_false_wins_over_a_ca_bundle_in_the_environment(monkeypatch, variable):
    assert sent_verify(monkeypatch, {variable: "/etc/ssl/certs/ca-certificates.crt"},
                       validate_certs=False) == (False, False)


def test_ca_path_wins_over_the_environment(monkeypatch):
    assert sent_verify(monkeypatch, {"REQUESTS_CA_BUNDLE": "/env/ca.pem"},
                       ca_path="/my/ca.pem") == ("/my/ca.pem", "/my/ca.pem")


def test_without_ca_path_the_environment_names_the_ca_bundle(monkeypatch):
    assert sent_verify(monkeypatch, {"REQUESTS_CA_BUNDLE": "/env/ca.pem"}) == (True, "/env/ca.pem")


def test_validate_certs_false_ignores_ca_path(monkeypatch):
    assert sent_verify(monkeypatch, {}, validate_certs=False, ca_path="/my/ca.pem") == (False, False)


def test_the_connect_timeout_and_the_read_timeout_are_sent_apart():
    hx = client([ok([])], timeout=45.0, connect_timeout=5.0)
    hx.api.get("/x")
    assert hx.session.kwargs[0]["timeout"] == (5.0, 45.0)


def test_the_connect_timeout_defaults_to_ten_seconds_or_the_request_timeout_if_shorter():
    assert client([]).api.connect_timeout == 10.0
    assert client([], timeout=4.0).api.connect_timeout == 4.0
