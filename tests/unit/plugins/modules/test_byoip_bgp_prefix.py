"""Unit tests of byoip_bgp_prefix's decisions; behaviour against the API is covered by the integration target."""

import datetime
import ipaddress
import re

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_bgp_prefix

PARENT = {"id": "a" * 32, "cidr": "198.51.100.0/23", "asn": 13335, "on_demand_locked": False}
EXISTING = {"id": "b" * 32, "cidr": "198.51.101.0/24", "asn": 13335, "asn_prepend_count": 1,
            "auto_advertise_withdraw": False, "bgp_signal_opts": {"enabled": False, "modified_at": None},
            "on_demand": {"advertised": True, "advertised_modified_at": "2025-02-25T00:34:11.423722Z",
                          "on_demand_enabled": True, "on_demand_locked": False},
            "created_at": "2025-02-25T00:30:02.104311Z", "modified_at": "2025-02-25T00:34:11.423722Z"}


def params(**overrides):
    base = dict(advertised=None, asn_prepend_count=None, auto_advertise_withdraw=None)
    base.update(overrides)
    return base


def test_unset_settings_are_left_alone():
    assert byoip_bgp_prefix.requested_settings(params()) == {}
    assert byoip_bgp_prefix.requested_settings(params(advertised=False, asn_prepend_count=0)) == {
        "advertised": False, "asn_prepend_count": 0}


def test_only_settings_that_differ_are_changes():
    requested = byoip_bgp_prefix.requested_settings(params(advertised=True, asn_prepend_count=3,
                                                           auto_advertise_withdraw=False))
    assert byoip_bgp_prefix.changes_needed(EXISTING, requested) == {"asn_prepend_count": 3}


def test_setting_the_current_advertisement_is_not_a_change():
    assert byoip_bgp_prefix.changes_needed(EXISTING, {"advertised": True}) == {}
    null_advertised = dict(EXISTING, on_demand=dict(EXISTING["on_demand"], advertised=None))
    assert byoip_bgp_prefix.changes_needed(null_advertised, {"advertised": False}) == {}


def test_patch_body_holds_only_the_changes_in_the_api_shape():
    assert byoip_bgp_prefix.patch_body({"advertised": False}) == {"on_demand": {"advertised": False}}
    assert byoip_bgp_prefix.patch_body({"asn_prepend_count": 2, "auto_advertise_withdraw": True}) == {
        "asn_prepend_count": 2, "auto_advertise_withdraw": True}


def test_predicted_create_is_withdrawn_with_unknown_ids_and_the_shape_of_a_real_one():
    predicted = byoip_bgp_prefix.predicted_new_bgp_prefix(PARENT, ipaddress.ip_network("198.51.101.0/24"))
    assert sorted(predicted) == sorted(EXISTING)
    assert sorted(predicted["on_demand"]) == sorted(EXISTING["on_demand"])
    assert predicted["on_demand"]["advertised"] is False
    assert predicted["id"] is None and predicted["created_at"] is None and predicted["modified_at"] is None
    assert predicted["asn"] == 13335 and predicted["cidr"] == "198.51.101.0/24"


def test_predicted_create_without_a_parent_leaves_the_asn_unknown():
    predicted = byoip_bgp_prefix.predicted_new_bgp_prefix(None, ipaddress.ip_network("198.51.100.0/23"))
    assert predicted["asn"] is None and predicted["on_demand"]["on_demand_locked"] is False


def test_apply_changes_predicts_without_touching_the_original():
    predicted = byoip_bgp_prefix.apply_changes(EXISTING, {"advertised": False, "asn_prepend_count": 0})
    assert predicted["on_demand"]["advertised"] is False and predicted["asn_prepend_count"] == 0
    assert EXISTING["on_demand"]["advertised"] is True and EXISTING["asn_prepend_count"] == 1


def test_a_locked_prefix_refuses_only_advertisement_changes():
    locked = dict(EXISTING, on_demand=dict(EXISTING["on_demand"], on_demand_locked=True))
    assert byoip_bgp_prefix.locked_toggle_message(locked, {"asn_prepend_count": 0}) is None
    assert byoip_bgp_prefix.locked_toggle_message(EXISTING, {"advertised": False}) is None
    message = byoip_bgp_prefix.locked_toggle_message(locked, {"advertised": False})
    assert "locked" in message and "pre-flight checks" in message and "account team" in message
    assert "No request was sent" in message


def test_deleting_an_advertised_prefix_explains_the_safe_order():
    message = byoip_bgp_prefix.advertised_delete_message(EXISTING)
    assert "advertised: false" in message and "announce the prefix from your own network" in message


@pytest.mark.parametrize("text,expected", [
    ("2025-02-25T00:34:11.423722Z", "2025-02-25T00:34:11Z"),
    ("2025-02-25T00:34:11Z", "2025-02-25T00:34:11Z"),
    ("2025-02-25T02:34:11.5+02:00", "2025-02-25T00:34:11Z"),
])
def test_parse_timestamp(text, expected):
    assert byoip_bgp_prefix.format_timestamp(byoip_bgp_prefix.parse_timestamp(text)) == expected


@pytest.mark.parametrize("text", [None, "", "yesterday"])
def test_parse_timestamp_of_nothing(text):
    assert byoip_bgp_prefix.parse_timestamp(text) is None


def hold_error(code=1401):
    error = CloudflareAPIError("Too Many Requests", status=429, method="PATCH", path="/x",
                               errors=[{"code": code, "message": "retry in 840 seconds"}])
    error.notes.append("the next retry is due in 840 s, more than the 120 s left of the retry budget "
                       "(retry_max_wait)")
    return error


def test_toggle_hold_says_when_the_last_change_was_and_when_to_retry():
    message = byoip_bgp_prefix.toggle_hold_message(EXISTING, {"advertised": False}, hold_error())
    assert "withdraw BGP prefix 198.51.101.0/24" in message
    assert "one advertise or withdraw change per prefix every 15 minutes" in message
    assert "last change was at 2025-02-25T00:34:11Z" in message
    assert "retry after 2025-02-25T00:49:11Z" in message
    assert "1401 retry in 840 seconds" in message  # Cloudflare's own words stay visible


def test_toggle_hold_prefers_cloudflares_retry_after():
    error = hold_error()
    error.retry_after = 840.0
    before = datetime.datetime.now(datetime.timezone.utc)
    message = byoip_bgp_prefix.toggle_hold_message(EXISTING, {"advertised": False}, error)
    retry_at = re.search(r"retry after (\S+Z)", message).group(1)
    expected = before + datetime.timedelta(seconds=840)
    assert abs((byoip_bgp_prefix.parse_timestamp(retry_at) - expected).total_seconds()) < 5


def test_toggle_hold_counts_retry_after_from_cloudflares_clock():
    error = hold_error()
    error.retry_after = 840.0
    error.server_time = datetime.datetime(2025, 2, 25, 0, 35, 11, tzinfo=datetime.timezone.utc)
    message = byoip_bgp_prefix.toggle_hold_message(EXISTING, {"advertised": False}, error)
    assert "last change was at 2025-02-25T00:34:11Z; retry after 2025-02-25T00:49:11Z" in message


def test_toggle_hold_without_a_last_change_time():
    never = dict(EXISTING, on_demand=dict(EXISTING["on_demand"], advertised_modified_at=None))
    assert "retry in 15 minutes" in byoip_bgp_prefix.toggle_hold_message(never, {"advertised": True}, hold_error())


def test_only_an_advertisement_change_makes_a_429_the_toggle_hold():
    assert byoip_bgp_prefix.is_toggle_hold(hold_error(), {"advertised": True})
    assert not byoip_bgp_prefix.is_toggle_hold(hold_error(), {"asn_prepend_count": 1})
    assert not byoip_bgp_prefix.is_toggle_hold(hold_error(code=971), {"advertised": True})


def test_diff_view_flattens_the_managed_settings():
    assert byoip_bgp_prefix.diff_view(EXISTING) == {"cidr": "198.51.101.0/24", "advertised": True,
                                                    "asn_prepend_count": 1, "auto_advertise_withdraw": False}
    assert byoip_bgp_prefix.diff_view(None) == {}


@pytest.mark.parametrize("args,fragment", [
    (dict(asn_prepend_count=4), "between 0 and 3, got 4"),
    (dict(asn_prepend_count=-1), "between 0 and 3, got -1"),
    (dict(cidr="198.51.101.0/25"), "too small"),
    (dict(cidr="198.51.102.0/24"), "not inside the prefix 198.51.100.0/23"),
    (dict(cidr="198.51.101.7/24"), "host bits set"),
    (dict(prefix_cidr="198.51.100.0/25"), "too small"),
    (dict(prefix_cidr="198.18.0.0/23", cidr="198.18.1.0/24"), "prefix_cidr 198.18.0.0/23 is reserved for network "
                                                              "benchmarking (RFC 2544); it can never be announced"),
    (dict(prefix_cidr=None, prefix_id="c" * 32, cidr="100.64.0.0/24"), "cidr 100.64.0.0/24 is shared address space"),
    (dict(prefix_cidr=None, prefix_id="xyz"), "prefix_id must be"),
    (dict(prefix_cidr=None), "one of the following is required: prefix_cidr, prefix_id"),
    (dict(prefix_id="c" * 32), "mutually exclusive"),
    (dict(cidr=""), "cidr must be a CIDR"),
    (dict(prefix_cidr=""), "prefix_cidr must be a CIDR"),
])
def test_bad_input_fails_before_any_request(run_module, sent_requests, args, fragment):
    request_args = dict(prefix_cidr="198.51.100.0/23", cidr="198.51.101.0/24")
    request_args.update(args)
    request_args = dict((key, value) for key, value in request_args.items() if value is not None)
    result, failed = run_module(byoip_bgp_prefix, request_args)
    assert failed
    assert fragment in result["msg"]
    assert sent_requests == []
