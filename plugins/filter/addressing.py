# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters for planning BYOIP work: aggregate bindings, reverse DNS zones, validation diagnoses."""

import ipaddress

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudflare.addressing.plugins.module_utils import _diagnosis, _reverse_dns


def _network(value, name):
    if not isinstance(value, str):
        raise AnsibleFilterError("%s expects IP addresses or CIDRs as strings, got %r" % (name, value))
    try:
        return ipaddress.ip_network(value.strip(), strict=True)
    except ValueError as error:
        raise AnsibleFilterError("%s: %r is not an IP address or a CIDR without host bits (%s)" % (name, value, error))


def aggregate_cidrs(values):
    """Collapse IP addresses and CIDRs into the fewest CIDR blocks, IPv4 first, each family in address order."""
    if isinstance(values, str):
        values = [values]
    networks = [_network(value, "aggregate_cidrs") for value in values]
    result = []
    for version in (4, 6):
        family = [network for network in networks if network.version == version]
        result.extend(str(network) for network in ipaddress.collapse_addresses(family))
    return result


def reverse_zones(cidr):
    """Reverse DNS zones on octet (IPv4) or nibble (IPv6) boundaries that together cover the prefix."""
    return _reverse_dns.reverse_zones(_network(cidr, "reverse_zones"))


def validation_diagnosis(prefix):
    """One entry per validation check of a prefix: its state, whether it failed, and what to do about it."""
    if not isinstance(prefix, dict):
        raise AnsibleFilterError("validation_diagnosis expects a prefix as returned by byoip_prefix, got %r" % prefix)
    return _diagnosis.diagnose(prefix)


class FilterModule:
    """BYOIP planning filters."""

    def filters(self):
        return {
            "aggregate_cidrs": aggregate_cidrs,
            "reverse_zones": reverse_zones,
            "validation_diagnosis": validation_diagnosis,
        }
