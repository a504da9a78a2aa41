"""The one list of address space that can never be a BYOIP prefix (modules, roles and cfsim share it)."""

import ipaddress

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._address_space import (
    UNANNOUNCEABLE_BLOCKS,
    unannounceable_reason,
)


def reason(cidr):
    return unannounceable_reason(ipaddress.ip_network(cidr))


@pytest.mark.parametrize("cidr, expected", [
    # unspecified and default routes
    ("0.0.0.0/0", "is a default route, which covers the whole IPv4 Internet"),
    ("::/0", "is a default route, which covers the whole IPv6 Internet"),
    ("0.0.0.0/8", "is 'this network' space (RFC 791)"),
    ("::/128", "is the unspecified address (RFC 4291)"),
    # loopback
    ("127.0.0.0/24", "is loopback space (RFC 1122)"),
    ("::1/128", "is the loopback address (RFC 4291)"),
    # link-local
    ("169.254.0.0/16", "is link-local space (RFC 3927)"),
    ("fe80::/48", "is link-local space (RFC 4291)"),
    # multicast
    ("224.0.0.0/24", "is multicast space (RFC 5771)"),
    ("239.255.255.0/24", "is multicast space (RFC 5771)"),
    ("ff02::/48", "is multicast space (RFC 4291)"),
    # reserved / future use
    ("240.0.0.0/24", "is reserved for future use (RFC 1112)"),
    ("255.255.255.0/24", "is reserved for future use (RFC 1112)"),
    ("192.0.0.0/24", "is reserved for IETF protocol assignments (RFC 6890)"),
    ("198.18.0.0/23", "is reserved for network benchmarking (RFC 2544)"),
    ("2001::/32", "is reserved for IETF protocol assignments (RFC 2928)"),
    ("4000::/48", "lies outside the global unicast space 2000::/3"),
    # RFC 1918 and unique-local
    ("10.0.0.0/8", "is private-use space (RFC 1918)"),
    ("172.31.255.0/24", "is private-use space (RFC 1918)"),
    ("192.168.0.0/24", "is private-use space (RFC 1918)"),
    ("fd00:1234::/48", "is unique-local space (RFC 4193)"),
    # shared (carrier-grade NAT) space
    ("100.64.0.0/10", "is shared address space for carrier-grade NAT (RFC 6598)"),
    ("100.127.255.0/24", "is shared address space for carrier-grade NAT (RFC 6598)"),
])
def test_space_that_can_never_be_announced_is_named(cidr, expected):
    assert reason(cidr).startswith(expected)


@pytest.mark.parametrize("cidr, block", [
    ("8.0.0.0/6", "10.0.0.0/8"),
    ("172.0.0.0/8", "172.16.0.0/12"),
    ("192.0.0.0/16", "192.0.0.0/24"),
    ("fc00::/6", "fc00::/7"),
])
def test_a_network_that_contains_such_space_is_refused_and_says_which(cidr, block):
    assert reason(cidr).startswith("overlaps %s, " % block)


@pytest.mark.parametrize("cidr", [
    # documentation ranges: accepted on purpose (Cloudflare's guide and every rehearsal use them)
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "2001:db8:1::/48", "3fff::/20",
    # ordinary public space, including neighbours of refused blocks
    "1.1.1.0/24", "9.255.255.0/24", "11.0.0.0/24", "100.63.255.0/24", "100.128.0.0/24", "172.15.255.0/24",
    "172.32.0.0/24", "192.0.1.0/24", "198.17.255.0/24", "198.20.0.0/24", "198.51.100.0/23", "223.255.255.0/24",
    "2606:4700::/32", "2a00:1450::/32",
])
def test_announceable_space_and_documentation_ranges_are_accepted(cidr):
    assert reason(cidr) is None


def test_every_block_is_canonical_and_refuses_itself():
    for block, text in UNANNOUNCEABLE_BLOCKS:
        assert str(block) == str(ipaddress.ip_network(str(block))) and text
        assert reason(str(block)) == "is " + text
