"""Unit tests of byoip_address_map_info's filters; reads against the API are covered by the integration target."""

import ipaddress

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import InputError
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_address_map_info as info

V4 = dict(id="a" * 32, ips=[dict(ip="203.0.113.16"), dict(ip="198.51.100.5")])
V6 = dict(id="b" * 32, ips=[dict(ip="2001:DB8::1")])
EMPTY = dict(id="c" * 32, ips=[])


def test_without_cidrs_every_map_is_returned_unchanged():
    assert info.in_networks([V4, V6, EMPTY], None) == [V4, V6, EMPTY]


def test_cidrs_select_the_maps_with_ips_inside_and_name_those_ips():
    selected = info.in_networks([V4, V6, EMPTY], [ipaddress.ip_network("203.0.113.0/24"),
                                                  ipaddress.ip_network("2001:db8::/32")])
    expected = [("a" * 32, ["203.0.113.16"]), ("b" * 32, ["2001:db8::1"])]
    assert [(item["id"], item["matched_ips"]) for item in selected] == expected


def test_bad_filters_are_reported_together():
    with pytest.raises(InputError) as error:
        info.check_input(dict(id="x", description=" ", cidrs=["203.0.113.1/24", "nonsense"]))
    text = str(error.value)
    assert "id must be" in text and "'203.0.113.1/24'" in text and "'nonsense'" in text and "description" in text


def test_an_ip_is_a_filter_of_its_own():
    assert info.check_input(dict(id=None, description=None, cidrs=["203.0.113.16"])) == [
        ipaddress.ip_network("203.0.113.16/32")]


def test_bad_input_fails_before_any_request(run_module, sent_requests):
    result, failed = run_module(info, dict(cidrs=[]))
    assert failed and "cidrs is an empty list" in result["msg"]
    assert sent_requests == []
