"""Unit tests of byoip_preflight_info's input checks and dependencies; its sources are tested in the integration
target against the simulator's registry world. Every source here is a closed port on this machine."""

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils import _preflight_sources
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_preflight_info

CLOSED = dict(whois_servers=["127.0.0.1:9"], rpki_validator_url="http://127.0.0.1:9", dns_servers=["127.0.0.1"],
              dns_port=9, source_timeout=0.5)


def test_without_account_id_nothing_goes_to_cloudflare_nor_needs_credentials(run_module, sent_requests, environment):
    result, failed = run_module(byoip_preflight_info, dict(
        CLOSED, account_id=None, api_token=None, checks=["rpki"], prefixes=[{"cidr": "203.0.113.0/24", "asn": 13335}]))
    assert not failed, result
    assert [url for _method, url in sent_requests] == [
        "http://127.0.0.1:9/api/v1/validity/AS13335/203.0.113.0/24"]
    assert result["status"] == "unknown" and result["problems"] == []


def test_with_account_id_the_credentials_are_checked_as_in_every_module(run_module, sent_requests, environment):
    result, failed = run_module(byoip_preflight_info, dict(CLOSED, api_token=None,
                                                           prefixes=[{"cidr": "203.0.113.0/24", "asn": 13335}]))
    assert failed and "No usable Cloudflare credentials" in result["msg"]
    assert sent_requests == []


def test_missing_dnspython_fails_clearly_when_reverse_dns_is_asked(run_module, sent_requests, environment,
                                                                   monkeypatch):
    monkeypatch.setattr(_preflight_sources, "HAS_DNSPYTHON", False)
    prefixes = [{"cidr": "203.0.113.0/24", "asn": 13335, "ownership_token": "t"}]
    result, failed = run_module(byoip_preflight_info, dict(CLOSED, account_id=None, prefixes=prefixes))
    assert failed and "dnspython" in result["msg"] and "ownership_methods" in result["msg"]
    assert sent_requests == []
    result, failed = run_module(byoip_preflight_info, dict(CLOSED, account_id=None, prefixes=prefixes,
                                                           ownership_methods=["irr_remark"], checks=["ownership"]))
    assert not failed and result["prefixes"][0]["checks"]["ownership"]["status"] == "unknown"


def test_no_token_needs_no_dnspython(run_module, sent_requests, environment, monkeypatch):
    monkeypatch.setattr(_preflight_sources, "HAS_DNSPYTHON", False)
    result, failed = run_module(byoip_preflight_info, dict(
        CLOSED, account_id=None, checks=["ownership"], prefixes=[{"cidr": "203.0.113.0/24", "asn": 13335}]))
    assert not failed and result["prefixes"][0]["checks"]["ownership"]["status"] == "skipped"


@pytest.mark.parametrize("args, fragments", [
    (dict(prefixes=[{"cidr": "203.0.113.0/24", "asn": 13335}] * 2), ["lists 203.0.113.0/24 more than once"]),
    (dict(prefixes=[{"cidr": "2001:db8::/64", "asn": 1}], dns_port=0, rpki_validator_url="ftp://x"),
     ["prefixes[0].cidr 2001:db8::/64 is too small", "dns_port must be between 1 and 65535",
      "rpki_validator_url must be an http:// or https:// URL"]),
    (dict(prefixes=[{"cidr": "fe80::/48", "asn": 1}], whois_servers=[]),
     ["link-local space", "whois_servers is empty"]),
])
def test_bad_input_is_reported_whole_before_any_query(run_module, sent_requests, environment, args, fragments):
    result, failed = run_module(byoip_preflight_info, dict(CLOSED, account_id=None, **args))
    assert failed and all(fragment in result["msg"] for fragment in fragments), result["msg"]
    assert sent_requests == []


def test_an_echoed_value_is_cut_short(run_module, sent_requests, environment):
    result, failed = run_module(byoip_preflight_info, dict(
        CLOSED, account_id=None, dns_servers=["x" * 10000], prefixes=[{"cidr": "203.0.113.0/24", "asn": 1}]))
    assert failed and "(10000 characters)" in result["msg"] and len(result["msg"]) < 1000
