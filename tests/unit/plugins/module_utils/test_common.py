"""Unit tests of the shared input checks and lookups."""

import ipaddress

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    AmbiguousMatchError,
    InputError,
    check_asn,
    check_identifier,
    check_inside,
    check_onboardable,
    failed_checks,
    find_service,
    make_diff,
    next_step_hint,
    parse_network,
    same_network,
    single_match,
)


@pytest.mark.parametrize("text,expected", [
    ("203.0.113.0/24", "203.0.113.0/24"),
    (" 2001:DB8:0:0::/48 ", "2001:db8::/48"),
    ("198.51.100.16/29", "198.51.100.16/29"),
])
def test_parse_network_canonicalises(text, expected):
    assert str(parse_network(text, "cidr")) == expected


@pytest.mark.parametrize("text,fragment", [
    ("203.0.113.5/24", "host bits set; the network is 203.0.113.0/24"),
    ("203.0.113.0", "no prefix length"),
    ("203.0.113.0/33", "not a valid CIDR"),
    ("not-an-ip/24", "not a valid CIDR"),
])
def test_parse_network_rejects_bad_input_with_a_useful_message(text, fragment):
    with pytest.raises(InputError, match=fragment):
        parse_network(text, "cidr")


@pytest.mark.parametrize("text,ok", [("203.0.113.0/24", True), ("203.0.112.0/23", True), ("203.0.113.0/25", False),
                                     ("2001:db8::/48", True), ("2001:db8::/49", False)])
def test_onboardable_prefix_lengths(text, ok):
    network = ipaddress.ip_network(text)
    if ok:
        assert check_onboardable(network, "cidr") == network
    else:
        with pytest.raises(InputError, match="too small"):
            check_onboardable(network, "cidr")


@pytest.mark.parametrize("text, message", [
    ("10.0.0.0/8", "cidr 10.0.0.0/8 is private-use space (RFC 1918); it can never be announced on the Internet, "
                   "so Cloudflare cannot onboard it."),
    ("0.0.0.0/0", "cidr 0.0.0.0/0 is a default route, which covers the whole IPv4 Internet; it can never be"),
    ("fe80::/48", "cidr fe80::/48 is link-local space (RFC 4291); it can never be announced"),
    ("8.0.0.0/6", "cidr 8.0.0.0/6 overlaps 10.0.0.0/8, private-use space (RFC 1918); it can never be announced"),
])
def test_unannounceable_space_is_not_onboardable(text, message):
    with pytest.raises(InputError) as raised:
        check_onboardable(ipaddress.ip_network(text), "cidr")
    assert str(raised.value).startswith(message)


def test_check_inside():
    parent = ipaddress.ip_network("203.0.113.0/24")
    assert check_inside(ipaddress.ip_network("203.0.113.16/29"), parent, "cidr")
    assert check_inside(parent, parent, "cidr")
    for outside in ("198.51.100.0/29", "203.0.112.0/23", "2001:db8::/64"):
        with pytest.raises(InputError, match="not inside the prefix 203.0.113.0/24"):
            check_inside(ipaddress.ip_network(outside), parent, "cidr")


@pytest.mark.parametrize("value", ["023e105f4ecef8ad9ca31a8372d0c35", "023E105F4ECEF8AD9CA31A8372D0C353", "x" * 32])
def test_identifiers_must_be_32_lowercase_hex(value):
    with pytest.raises(InputError, match="32 lowercase hexadecimal"):
        check_identifier(value, "account_id")
    assert check_identifier("023e105f4ecef8ad9ca31a8372d0c353", "account_id")


@pytest.mark.parametrize("asn", [0, -1, 4294967296])
def test_asn_range(asn):
    with pytest.raises(InputError, match="between 1 and 4294967295"):
        check_asn(asn)
    assert check_asn(13335) == 13335


def test_same_network_ignores_spelling():
    assert same_network("2001:DB8:0::/48", "2001:db8::/48")
    assert not same_network("203.0.113.0/24", "203.0.113.0/25")
    assert not same_network(None, "203.0.113.0/24")


def test_single_match_never_picks_one_of_several():
    items = [{"id": "a", "cidr": "203.0.113.0/24"}, {"id": "b", "cidr": "203.0.113.0/24"}]
    with pytest.raises(AmbiguousMatchError, match="2 prefixes match \\(ids a, b\\)"):
        single_match(items, lambda item: True, "prefixes")
    assert single_match(items, lambda item: item["id"] == "b", "prefixes") == items[1]
    assert single_match(items, lambda item: False, "prefixes") is None


def test_find_service_by_name_or_id():
    services = [{"id": "0" * 32, "name": "Magic Transit"}, {"id": "1" * 32, "name": "CDN"}]
    assert find_service(services, "cdn")["id"] == "1" * 32
    assert find_service(services, "magic transit")["id"] == "0" * 32
    assert find_service(services, "1" * 32)["name"] == "CDN"
    assert find_service(services, "Spectrum") is None


def test_make_diff_keeps_only_managed_fields():
    diff = make_diff(None, {"cidr": "x", "id": "y", "asn": 1}, ("cidr", "asn"))
    assert diff == {"before": {}, "after": {"cidr": "x", "asn": 1}}


def test_failed_checks_ignores_pending_and_valid():
    prefix = {"irr_validation_state": "missing", "rpki_validation_state": "pending",
              "ownership_validation_state": "valid"}
    assert failed_checks(prefix) == {"irr_validation_state": "missing"}


@pytest.mark.parametrize("status,codes,fragment", [
    (None, [], "base_url"),
    (400, [9106], "missing or malformed"),
    (403, [10000], "IP Prefixes: Write"),
    (404, [1404], "does not exist"),
    (409, [1302], "byoip_prefix_info"),
    (429, [971], "rate-limiting"),
    (503, [], "Re-running is safe"),
])
def test_next_step_hints(status, codes, fragment):
    error = CloudflareAPIError("x", status=status, errors=[{"code": code, "message": "m"} for code in codes])
    assert fragment in next_step_hint(error, "0" * 32)


def test_refused_global_api_key_is_not_told_about_token_permissions():
    error = CloudflareAPIError("x", status=403, errors=[{"code": 10000, "message": "Authentication error"}])
    hint = next_step_hint(error, "0" * 32, uses_token=False)
    assert "Global API key of the user api_email" in hint and "API token" not in hint
