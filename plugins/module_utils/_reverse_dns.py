# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reverse DNS zones of a prefix and the names of the ownership TXT records in them.

For internal collection use only: this is not a public interface and may change without notice.

Cloudflare looks for ``cf-validation.<zone> IN TXT <token>`` in every reverse zone of the prefix, with zones split on
octet (IPv4) or nibble (IPv6) boundaries: a /23 needs two /24 zones, an IPv6 /46 four /48 zones. The reverse_zones
filter and the pre-flight module both use this.
"""

VALIDATION_LABEL = "cf-validation"


def reverse_zones(network):
    """Reverse zone names (no trailing dot) on octet or nibble boundaries that together cover an ipaddress network."""
    step = 8 if network.version == 4 else 4
    boundary = -(-network.prefixlen // step) * step  # round up to the next boundary
    # reverse_pointer names the first address; the labels below the zone boundary are dropped.
    host_labels = (network.max_prefixlen - boundary) // step
    zones = []
    for subnet in network.subnets(new_prefix=boundary):
        labels = subnet.network_address.reverse_pointer.split(".")
        zones.append(".".join(labels[host_labels:]))
    return zones


def validation_record_name(zone):
    """The name of the ownership TXT record in a reverse zone."""
    return "%s.%s" % (VALIDATION_LABEL, zone)
