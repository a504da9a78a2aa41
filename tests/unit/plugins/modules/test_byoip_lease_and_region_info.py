"""Unit tests of byoip_lease_info's and byoip_region_info's filters and input checks."""

import ipaddress

from ansible_collections.cloudflare.addressing.plugins.modules import byoip_lease_info, byoip_region_info

LEASES = [{"id": "1", "cidrs": ["192.0.2.100/32", "192.0.2.101/32"]}, {"id": "2", "cidrs": ["2001:db8:5::/127"]},
          {"id": "3", "cidrs": ["not a cidr"]}]


def test_leases_overlapping_any_network_are_kept():
    def ids(networks):
        return [lease["id"] for lease in byoip_lease_info.matching(LEASES, networks)]
    assert ids(None) == ["1", "2", "3"]
    assert ids([ipaddress.ip_network("192.0.2.0/24")]) == ["1"]
    assert ids([ipaddress.ip_network("2001:db8::/32"), ipaddress.ip_network("192.0.2.101/32")]) == ["1", "2"]
    assert ids([ipaddress.ip_network("198.51.100.0/24")]) == []


def test_lease_filters_are_checked_before_any_request(run_module, sent_requests):
    result, failed = run_module(byoip_lease_info, dict(cidrs=["192.0.2.1/24", "nonsense"]))
    assert failed and "'192.0.2.1/24'" in result["msg"] and "'nonsense'" in result["msg"]
    empty, failed_empty = run_module(byoip_lease_info, dict(cidrs=[]))
    assert failed_empty and "cidrs is an empty list, which no lease can match" in empty["msg"]
    assert sent_requests == []


def test_region_filters_are_checked_before_any_request(run_module, sent_requests):
    result, failed = run_module(byoip_region_info, dict(region=" "))
    assert failed and "region must be a region id or key" in result["msg"]
    both, failed_both = run_module(byoip_region_info, dict(region="eu", type="managed"))
    assert failed_both and "mutually exclusive" in both["msg"]
    assert sent_requests == []
