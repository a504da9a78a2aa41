# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Address maps: reading them whole, and the canonical forms of their IPs and memberships.

For internal collection use only: this is not a public interface and may change without notice.

The list endpoint returns plain maps; only the single-map endpoint carries `ips` and `memberships`, so reading a
map whole always costs one GET of its own.
"""

import ipaddress

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    InputError,
    check_identifier,
    parse_network,
)

MEMBERSHIP_KINDS = ("account", "zone")
# A CIDR in `ips` stands for all of its addresses, each one PUT on an existing map: keep that bounded.
MAX_ADDRESSES_PER_CIDR = 256
# Longer than any CIDR spelling (a full IPv6 address plus /128): such a value is echoed shortened, not parsed.
MAX_CIDR_LENGTH = 43


def address_maps_path(client, *parts):
    return client.account_path("address_maps", *parts)


def list_address_maps(client):
    """The account's maps as plain objects (no ips, no memberships): one request."""
    return client.get(address_maps_path(client)) or []


def get_address_map(client, map_id):
    """The whole map (with ips and memberships), or None when the account has no map with this id."""
    try:
        return client.get(address_maps_path(client, map_id))
    except CloudflareAPIError as error:
        if error.status == 404:
            return None
        raise


# --- IPs -------------------------------------------------------------------------------------------------------

def canonical_ip(text):
    """The canonical spelling of an IP address (IPv6 compressed, lower case), or the text when it is not one."""
    try:
        return str(ipaddress.ip_address(str(text).strip()))
    except ValueError:
        return str(text)


def map_ips(address_map):
    """The canonical IPs of a whole map, in the map's order."""
    return [canonical_ip(item.get("ip")) for item in (address_map or {}).get("ips") or []]


def parse_ip_entries(values, option):
    """The canonical addresses named by a list of IPs and CIDRs (a CIDR stands for every address in it).

    Returns (addresses in order without repeats, problems); each problem is a sentence about one entry.
    """
    addresses, problems = [], []
    for value in values or []:
        try:
            for address in _entry_addresses(value, option):
                if address not in addresses:
                    addresses.append(address)
        except InputError as error:
            problems.append(str(error))
    return addresses, problems


def _entry_addresses(value, option):
    text = str(value).strip()
    if "/" not in text or len(text) > MAX_CIDR_LENGTH:
        try:
            return [str(ipaddress.ip_address(text))]
        except ValueError:
            raise InputError("%s: %r is not an IP address or a CIDR." % (option, _shorten(value)))
    network = parse_network(text, option)
    if network.num_addresses > MAX_ADDRESSES_PER_CIDR:
        raise InputError("%s: %s holds %d addresses; a CIDR entry may stand for at most %d (an IPv4 /24 or an "
                         "IPv6 /120). Address maps hold single IPs: list the ones you mean."
                         % (option, network, network.num_addresses, MAX_ADDRESSES_PER_CIDR))
    return [str(address) for address in network]


def parse_networks(values, option):
    """The networks named by a list of IPs and CIDRs (an IP is its own /32 or /128), and the problems found."""
    networks, problems = [], []
    for value in values or []:
        text = str(value).strip()
        try:
            if len(text) > MAX_CIDR_LENGTH:
                raise ValueError(text)
            networks.append(parse_network(text, option) if "/" in text else ipaddress.ip_network(text))
        except (InputError, ValueError):
            problems.append("%s: %r is not an IP address or a CIDR without host bits." % (option, _shorten(value)))
    return networks, problems


def cidr_filter(values, what):
    """The networks of a `cidrs` filter option (None when unset); InputError naming every bad entry."""
    if values is None:
        return None
    networks, problems = parse_networks(values, "cidrs")
    if not values:
        problems.append("cidrs is an empty list, which no %s can match; leave it unset to read every %s."
                        % (what, what))
    if problems:
        raise InputError(" ".join(problems))
    return networks


def ips_within(ips, networks):
    """The IPs (canonical strings) that lie in any of the networks."""
    found = []
    for text in ips:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if any(address.version == network.version and address in network for network in networks):
            found.append(text)
    return found


# --- memberships -----------------------------------------------------------------------------------------------

def membership_key(member):
    """(kind, identifier) of a membership, the way two memberships are compared."""
    return (str(member.get("kind", "")).strip().lower(), str(member.get("identifier", "")).strip().lower())


def map_membership_keys(address_map):
    return [membership_key(member) for member in (address_map or {}).get("memberships") or []]


def parse_memberships(values, option):
    """The membership keys of a list of {kind, identifier} options, and the problems found (sentences)."""
    keys, problems = [], []
    for index, member in enumerate(values or []):
        kind, identifier = membership_key(member)
        where = "%s[%d]" % (option, index)
        if kind not in MEMBERSHIP_KINDS:
            problems.append("%s.kind must be account or zone, got %r." % (where, _shorten(member.get("kind"))))
        try:
            check_identifier(identifier, "%s.identifier" % where)
        except InputError as error:
            problems.append(str(error))
        if (kind, identifier) not in keys:
            keys.append((kind, identifier))
    return keys, problems


def membership_path(client, map_id, key):
    kind, identifier = key
    return address_maps_path(client, map_id, "accounts" if kind == "account" else "zones", identifier)


def describe_membership(key):
    return "%s %s" % key


def _shorten(value, limit=80):
    """A value as echoed in a message: at most `limit` characters, so that a huge input is not printed whole."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "... (%d characters)" % len(text)
