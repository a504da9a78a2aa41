# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Address space that can never be a BYOIP prefix, because it can never be announced on the Internet.

For internal collection use only: this is not a public interface and may change without notice.

This is the one list that the modules, the roles' input checks and the bundled simulator (cfsim) all use. It is
standard-library Python with no other import, so that cfsim can load it from this file.

The blocks come from the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates): every
block there that is not globally reachable, plus the default routes. A network is refused when it overlaps one of
them, so a /6 that contains 10.0.0.0/8 is refused as well as 10.0.0.0/24.

The documentation ranges are **accepted** on purpose: 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24
(RFC 5737), 2001:db8::/32 (RFC 3849) and 3fff::/20 (RFC 9637). They are not routable either, but Cloudflare's own
BYOIP guide uses them in its examples, and every rehearsal against the simulator uses them.
"""

import ipaddress

# (block, what it is). Order matters only for the message: the first overlapping block is named.
UNANNOUNCEABLE_BLOCKS = tuple(
    (ipaddress.ip_network(block), reason) for block, reason in (
        # IPv4
        ("0.0.0.0/8", "'this network' space (RFC 791), which includes the unspecified address 0.0.0.0"),
        ("10.0.0.0/8", "private-use space (RFC 1918)"),
        ("100.64.0.0/10", "shared address space for carrier-grade NAT (RFC 6598)"),
        ("127.0.0.0/8", "loopback space (RFC 1122)"),
        ("169.254.0.0/16", "link-local space (RFC 3927)"),
        ("172.16.0.0/12", "private-use space (RFC 1918)"),
        ("192.0.0.0/24", "reserved for IETF protocol assignments (RFC 6890)"),
        ("192.88.99.0/24", "reserved, the deprecated 6to4 relay anycast block (RFC 7526)"),
        ("192.168.0.0/16", "private-use space (RFC 1918)"),
        ("198.18.0.0/15", "reserved for network benchmarking (RFC 2544)"),
        ("224.0.0.0/4", "multicast space (RFC 5771)"),
        ("240.0.0.0/4", "reserved for future use (RFC 1112), which includes the broadcast address"),
        # IPv6: everything outside 2000::/3 is not global unicast; the named blocks give the clearer reason.
        ("::/128", "the unspecified address (RFC 4291)"),
        ("::1/128", "the loopback address (RFC 4291)"),
        ("::ffff:0:0/96", "IPv4-mapped space (RFC 4291)"),
        ("64:ff9b::/96", "the IPv4/IPv6 translation prefix (RFC 6052)"),
        ("100::/64", "discard-only space (RFC 6666)"),
        ("fc00::/7", "unique-local space (RFC 4193)"),
        ("fe80::/10", "link-local space (RFC 4291)"),
        ("fec0::/10", "the deprecated site-local space (RFC 3879)"),
        ("ff00::/8", "multicast space (RFC 4291)"),
        ("2001::/23", "reserved for IETF protocol assignments (RFC 2928), such as Teredo and benchmarking"),
        ("2002::/16", "6to4 space (RFC 3056), derived from IPv4 addresses"),
    )
)

GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")

DOCUMENTATION_BLOCKS = tuple(ipaddress.ip_network(block) for block in (
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20"))


def unannounceable_reason(network):
    """Why an ipaddress network can never be announced on the Internet, or None when it can be.

    The reason is a phrase that follows the CIDR, e.g. "10.0.0.0/24 is private-use space (RFC 1918)" or
    "8.0.0.0/6 overlaps 10.0.0.0/8, private-use space (RFC 1918)". The documentation ranges count as announceable
    (see the module docstring).
    """
    if network.prefixlen == 0:
        return "is a default route, which covers the whole IPv%d Internet" % network.version
    if any(network.version == block.version and network.subnet_of(block) for block in DOCUMENTATION_BLOCKS):
        return None
    for block, reason in UNANNOUNCEABLE_BLOCKS:
        if block.version == network.version and network.overlaps(block):
            return "is %s" % reason if network.subnet_of(block) else "overlaps %s, %s" % (block, reason)
    if network.version == 6 and not network.subnet_of(GLOBAL_UNICAST_V6):
        return "lies outside the global unicast space 2000::/3 (RFC 4291), in space reserved by the IETF"
    return None
