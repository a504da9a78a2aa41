"""The TLS and timeout options reach every request; bad connection options fail together, before any request."""

import pytest
import requests

from ansible_collections.cloudflare.addressing.plugins.modules import byoip_prefix_info


@pytest.fixture
def sent_kwargs(monkeypatch):
    """The keyword arguments of every request a module sends; each one is refused."""
    sent = []

    def refuse(self, method, url, **kwargs):  # pylint: disable=unused-argument
        sent.append(kwargs)
        raise requests.exceptions.ConnectionError("unit tests send no requests")

    monkeypatch.setattr(requests.Session, "request", refuse)
    return sent


def test_the_tls_and_timeout_options_go_with_the_request(run_module, sent_kwargs, tmp_path, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    ca_path = tmp_path / "ca.pem"
    ca_path.write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    run_module(byoip_prefix_info, dict(ca_path=str(ca_path), connect_timeout=3, request_timeout=45))
    assert sent_kwargs[0]["verify"] == str(ca_path) and sent_kwargs[0]["timeout"] == (3.0, 45.0)


def test_validate_certs_false_goes_with_the_request_whatever_the_environment(run_module, sent_kwargs, monkeypatch):
    monkeypatch.setenv("CURL_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    run_module(byoip_prefix_info, dict(validate_certs=False))
    assert sent_kwargs[0]["verify"] is False


def test_every_bad_connection_option_is_reported_at_once(run_module, sent_kwargs, tmp_path):
    result, failed = run_module(byoip_prefix_info, dict(
        account_id="not-an-account", base_url="api.cloudflare.com", ca_path=str(tmp_path / "missing.pem"),
        connect_timeout=0, retries=-1))
    assert failed and sent_kwargs == []
    for fragment in ("account_id must be a Cloudflare identifier", "base_url must be an http:// or https:// URL",
                     "ca_path '%s' does not exist" % (tmp_path / "missing.pem"),
                     "connect_timeout must be a positive number of seconds", "retries must be 0 or more"):
        assert fragment in result["msg"]
