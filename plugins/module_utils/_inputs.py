# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The roles' input check: a vars file's prefixes, turned into the desired state or into every problem at once.

For internal collection use only: this is not a public interface and may change without notice.

Everything that can be judged without Cloudflare is judged here, before the first request, and reported in the
user's own variable names (``byoip_prefixes[1].cidr``): what the modules would refuse, what Cloudflare would refuse
(sizes, overlaps, unannounceable space, description length, delegating to yourself) and what is surely a mistake
(unknown keys, empty entries, a string where a list belongs). Only the service names and the region keys need the
account: see unknown_services() and unknown_regions().
"""

import difflib
import ipaddress
import os
import re

from ansible_collections.cloudflare.addressing.plugins.module_utils._address_space import unannounceable_reason
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import shown
from ansible_collections.cloudflare.addressing.plugins.module_utils._loa import check_loa_file

MAX_PREFIX_LENGTH = {4: 24, 6: 48}  # Cloudflare onboards nothing smaller than a /24 or a /48
MAX_ASN = 4294967295
MAX_DESCRIPTION = 1000  # characters, the API's maxLength
DEFAULT_ASN = 13335  # self-serve onboarding supports only Cloudflare's ASN
IDENTIFIER = re.compile(r"^[0-9a-f]{32}$")
MAGIC_TRANSIT = "magic transit"

PREFIX_KEYS = ("cidr", "asn", "description", "delegate_loa_creation", "loa_document_id", "loa_path", "delegations",
               "default_service", "bindings", "region", "regions", "address_maps", "advertise")
DELEGATION_KEYS = ("cidr", "account_id")
BINDING_KEYS = ("service", "cidrs")
REGION_KEYS = ("cidr", "region")
ADDRESS_MAP_KEYS = ("description", "ips", "memberships", "enabled", "default_sni")
MEMBERSHIP_KEYS = ("kind", "identifier")
MEMBERSHIP_KINDS = ("account", "zone")
MAX_REGION_KEY = 128  # characters, as byoip_regional_binding accepts
MAX_MAP_ADDRESSES = 256  # per entry of an address map's ips, as byoip_address_map accepts
CDN = "cdn"
OTHER_SERVICES = ("spectrum", MAGIC_TRANSIT)


class Problems:
    """The problems found so far, each one sentence starting with the variable path it is about."""

    def __init__(self):
        self.messages = []

    def add(self, where, text):
        self.messages.append("%s: %s" % (where, text))


def _unknown_keys(entry, allowed, where, problems):
    for key in entry:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = " (did you mean %r?)" % close[0] if close else " (known keys: %s)" % ", ".join(allowed)
        problems.add(where, "unknown key %s%s" % (shown(key), hint))


def _mapping(entry, where, problems, example):
    if isinstance(entry, dict):
        return True
    if entry is None:
        problems.add(where, "is empty; remove the line, or describe it, for example %s" % example)
    else:
        problems.add(where, "must be a mapping such as %s, got %s" % (example, shown(entry)))
    return False


def _text(entry, key, where, problems, required=False):
    """A non-empty string value (stripped), None when absent and allowed; problems for anything else."""
    path = "%s.%s" % (where, key)
    if key not in entry:
        if required:
            problems.add(where, "%s is missing" % key)
        return None
    value = entry[key]
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.add(path, "is empty; give it a value%s" % ("" if required else ", or leave the key out"))
        return None
    if not isinstance(value, str):
        problems.add(path, "must be a string, got %s" % shown(value))
        return None
    return value.strip()


def _flag(entry, key, where, problems):
    if key not in entry or entry[key] is None:
        return None
    if isinstance(entry[key], bool):
        return entry[key]
    problems.add("%s.%s" % (where, key), "must be true or false, got %s" % shown(entry[key]))
    return None


def _list(entry, key, where, problems, example):
    if key not in entry or entry[key] is None:
        return []
    value = entry[key]
    if isinstance(value, list):
        return value
    problems.add("%s.%s" % (where, key), "must be a list, for example %s, got %s" % (example, shown(value)))
    return []


def _items(entry, key, where, problems, examples, known):
    """(path, item) for each mapping of the list entry[key]; a value that is no list, an element that is no mapping
    and unknown keys are problems. examples: the list and one element, as messages show them."""
    for index, item in enumerate(_list(entry, key, where, problems, examples[0])):
        path = "%s.%s[%d]" % (where, key, index)
        if _mapping(item, path, problems, examples[1]):
            _unknown_keys(item, known, path, problems)
            yield path, item


def parse_cidr(text, path, problems, address_ok=False):
    """The network of a CIDR (or a bare address when address_ok), None after recording why it is not one."""
    if not isinstance(text, str) or not text.strip():
        problems.add(path, "must be a CIDR such as 203.0.113.0/24, got %s" % shown(text))
        return None
    text = text.strip()
    if "/" not in text and not address_ok:
        problems.add(path, "%s has no prefix length; write it as a CIDR such as 203.0.113.0/24" % shown(text))
        return None
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(text, strict=False)
    except ValueError:
        problems.add(path, "%s is not an IP address or a CIDR" % shown(text))
        return None
    problems.add(path, "%s has host bits set; the network is %s" % (shown(text), loose))
    return None


def _prefix_network(entry, where, problems):
    if "cidr" not in entry:
        problems.add(where, "cidr is missing; every prefix needs one, for example cidr: 203.0.113.0/24")
        return None
    if entry["cidr"] is None or (isinstance(entry["cidr"], str) and not entry["cidr"].strip()):
        problems.add(where + ".cidr", "is empty; give the prefix, for example cidr: 203.0.113.0/24, or remove the "
                                      "entry")
        return None
    network = parse_cidr(entry["cidr"], where + ".cidr", problems)
    if network is None:
        return None
    limit = MAX_PREFIX_LENGTH[network.version]
    if network.prefixlen > limit:
        problems.add(where + ".cidr", "%s is too small: Cloudflare onboards IPv%d prefixes of /%d or shorter"
                     % (network, network.version, limit))
        return None
    reason = unannounceable_reason(network)
    if reason:
        problems.add(where + ".cidr", "%s %s; it can never be announced on the Internet, so Cloudflare cannot "
                                      "onboard it" % (network, reason))
        return None
    return network


def _asn(entry, where, problems):
    value = entry.get("asn")
    if value is None:
        if "asn" in entry:
            problems.add(where + ".asn", "is empty; give the AS number, or leave the key out for AS%d" % DEFAULT_ASN)
        return DEFAULT_ASN
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ASN:
        problems.add(where + ".asn", "%s is not an AS number (1 to %d)" % (shown(value), MAX_ASN))
        return DEFAULT_ASN
    return value


def _inside(network, parent, path, problems, what):
    if network.version != parent.version or not network.subnet_of(parent):
        problems.add(path, "%s %s is not inside the prefix %s" % (what, network, parent))
        return False
    return True


def _delegations(entry, network, where, owner_account_id, problems):
    example = "[{cidr: 203.0.113.128/25, account_id: 0123456789abcdef0123456789abcdef}]"
    delegations, seen = [], set()
    element = "{cidr: 203.0.113.128/25, account_id: <32 hex>}"
    for path, item in _items(entry, "delegations", where, problems, (example, element), DELEGATION_KEYS):
        delegated = network
        if "cidr" in item:  # left out: the whole prefix; written but empty: surely a mistake
            delegated = parse_cidr(item["cidr"], path + ".cidr", problems)
            if delegated is not None and network is not None \
                    and not _inside(delegated, network, path + ".cidr", problems, "the delegation"):
                delegated = None
        account = _text(item, "account_id", path, problems, required=True)
        if account is not None and not IDENTIFIER.match(account):
            problems.add(path + ".account_id", "%s is not a Cloudflare account id (32 lowercase hexadecimal "
                                               "characters)" % shown(account))
            account = None
        elif account is not None and account == owner_account_id:
            problems.add(path + ".account_id", "%s is the account that owns the prefix; a prefix is delegated to "
                                               "other accounts" % account)
            account = None
        if delegated is None or account is None:
            continue
        key = (str(delegated), account)
        if key in seen:
            problems.add(path, "delegates %s to %s a second time" % key)
            continue
        seen.add(key)
        delegations.append(dict(cidr=str(delegated), account_id=account))
    return delegations


def _bindings(entry, network, where, problems):
    """The additional bindings, aggregated per service into the fewest CIDRs (as Cloudflare recommends)."""
    example = "[{service: CDN, cidrs: [203.0.113.16/29]}]"
    by_service, spelling = {}, {}
    for path, item in _items(entry, "bindings", where, problems, (example, example[1:-1]), BINDING_KEYS):
        service = _text(item, "service", path, problems, required=True)
        if service is not None and service.lower() == MAGIC_TRANSIT:
            problems.add(path + ".service", "Magic Transit can only be the default binding (default_service); bind "
                                            "these addresses to CDN or Spectrum")
            service = None
        if "cidrs" not in item:
            problems.add(path, "cidrs is missing; list the addresses or CIDRs to bind to %s" % (service or "it"))
            continue
        cidrs = _list(item, "cidrs", path, problems, "[203.0.113.16/29]")
        if not cidrs and isinstance(item["cidrs"], list):
            problems.add(path + ".cidrs", "is empty; list the addresses or CIDRs to bind")
        networks = []
        for position, value in enumerate(cidrs):
            value_path = "%s.cidrs[%d]" % (path, position)
            bound = parse_cidr(value, value_path, problems, address_ok=True)
            if bound is None or network is None or not _inside(bound, network, value_path, problems, "the address"):
                continue
            if bound == network:
                problems.add(value_path, "%s is the whole prefix; set default_service for that" % bound)
                continue
            networks.append(bound)
        if service is not None:
            key = service.lower()
            spelling.setdefault(key, service)
            by_service.setdefault(key, []).extend(networks)
    bindings = []
    for key, networks in by_service.items():
        for bound in ipaddress.collapse_addresses(networks):
            bindings.append(dict(service=spelling[key], cidr=str(bound)))
    _one_service_per_address(bindings, where, problems)
    return bindings


def _one_service_per_address(bindings, where, problems):
    """An address is bound to the CDN or to Spectrum, not both (after aggregation, so overlaps are exact)."""
    for index, first in enumerate(bindings):
        for second in bindings[index + 1:]:
            if first["service"].lower() == second["service"].lower():
                continue
            a, b = ipaddress.ip_network(first["cidr"]), ipaddress.ip_network(second["cidr"])
            if a.version == b.version and a.overlaps(b):
                problems.add(where + ".bindings", "%s (%s) and %s (%s) overlap; an address is bound to one "
                                                  "service only" % (a, first["service"], b, second["service"]))


def _loa(entry, where, problems):
    """(loa_document_id, delegate_loa_creation, loa_path, why the file cannot be uploaded or None)."""
    loa_id = _text(entry, "loa_document_id", where, problems)
    if loa_id is not None and not IDENTIFIER.match(loa_id):
        problems.add(where + ".loa_document_id", "%s is not a Cloudflare identifier (32 lowercase hexadecimal "
                                                 "characters)" % shown(loa_id))
        loa_id = None
    delegate = _flag(entry, "delegate_loa_creation", where, problems)
    if loa_id is not None and delegate:
        problems.add(where, "loa_document_id and delegate_loa_creation: true exclude each other; either Cloudflare "
                            "writes the Letter of Authorization or you upload one")
    path, unusable = _text(entry, "loa_path", where, problems), None
    if path is not None:
        if loa_id is not None or delegate:
            problems.add(where, "loa_path excludes %s; give the PDF to upload, or the id of one uploaded before, or "
                                "let Cloudflare write the LOA" % ("loa_document_id" if loa_id else
                                                                  "delegate_loa_creation: true"))
        path = os.path.abspath(os.path.expanduser(path))
        try:
            check_loa_file(path, where + ".loa_path")
        except ValueError as error:  # refused only if the prefix is still to be added (see _plan)
            unusable = str(error)
        delegate = False
    return loa_id, delegate, path, unusable


# --- Regional Services -----------------------------------------------------------------------------------------

def _region_key(value, path, problems):
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.add(path, "is empty; give a region key such as eu or us")
        return None
    if not isinstance(value, str) or len(value.strip()) > MAX_REGION_KEY:
        problems.add(path, "must be a region key such as eu or us (at most %d characters), got %s"
                     % (MAX_REGION_KEY, shown(value)))
        return None
    return value.strip()


def _halves(network):
    return list(network.subnets()) if network.prefixlen < network.max_prefixlen else []


def region_cover(network, region, explicit, taken):
    """The bindings that put the whole prefix in a region: its halves, and the halves of any that Cloudflare would
    refuse because a binding already has exactly that CIDR (taken); CIDRs of explicit keep their own region."""
    cover = []
    for half in _halves(network):
        if half in explicit:
            continue
        if half in taken:
            cover.extend(region_cover(half, region, explicit, taken))
        else:
            cover.append(dict(cidr=str(half), region=region))
    return cover


def _regions(entry, network, bindings, where, problems):
    """The Regional Services bindings of the prefix: region for the whole prefix, regions for parts of it."""
    whole = _region_key(entry["region"], where + ".region", problems) if "region" in entry else None
    taken = set(ipaddress.ip_network(binding["cidr"]) for binding in bindings)
    explicit = {}
    example = "[{cidr: 203.0.113.0/25, region: eu}]"
    for path, item in _items(entry, "regions", where, problems, (example, example[1:-1]), REGION_KEYS):
        region = _region_key(item.get("region"), path + ".region", problems)
        if "cidr" not in item:
            problems.add(path, "cidr is missing; give the part of the prefix to bind (region: binds the whole prefix)")
            continue
        part = parse_cidr(item["cidr"], path + ".cidr", problems, address_ok=True)
        if part is None or network is None or not _inside(part, network, path + ".cidr", problems, "the CIDR"):
            continue
        if part == network:
            problems.add(path + ".cidr", "%s is the whole prefix; set region: for that (Cloudflare binds regions only "
                                         "to CIDRs more specific than the prefix, so the role binds its halves)" % part)
        elif part in taken:
            problems.add(path + ".cidr", "%s is also a service binding of the prefix, and Cloudflare takes one binding "
                                         "per CIDR; bind %s instead" % (part, " and ".join(map(str, _halves(part)))))
        elif part in explicit:
            problems.add(path + ".cidr", "%s is listed twice; give each CIDR one region" % part)
        elif region is not None:
            explicit[part] = region
    if network is None:
        return []
    cover = region_cover(network, whole, explicit, taken) if whole else []
    return cover + [dict(cidr=str(part), region=region) for part, region in explicit.items()]


# --- address maps ----------------------------------------------------------------------------------------------

def _service_kind(service):
    """cdn, other, or None when the service is given by id (then the role cannot tell)."""
    name = str(service or "").strip().lower()
    if name == CDN:
        return "cdn"
    return "other" if name in OTHER_SERVICES else None


def _not_cdn(address, default_service, bindings):
    """The service an address is bound to when that is surely not the CDN, else None."""
    for binding in bindings:
        if address in ipaddress.ip_network(binding["cidr"]):
            return binding["service"] if _service_kind(binding["service"]) == "other" else None
    return default_service if _service_kind(default_service) == "other" else None


def _addresses(values, network, path, problems):
    """The canonical addresses of a list of IPs and CIDRs inside the prefix (a CIDR stands for all its addresses)."""
    addresses = []
    for position, value in enumerate(values):
        value_path = "%s[%d]" % (path, position)
        part = parse_cidr(value, value_path, problems, address_ok=True)
        if part is None or not _inside(part, network, value_path, problems, "the address"):
            continue
        if part.num_addresses > MAX_MAP_ADDRESSES:
            problems.add(value_path, "%s holds %d addresses; an address map entry stands for at most %d (an IPv4 /24 "
                         "or an IPv6 /120); list the addresses you mean" % (part, part.num_addresses, MAX_MAP_ADDRESSES))
            continue
        addresses.extend(str(address) for address in part if str(address) not in addresses)
    return addresses


def _default_map_ips(network, bindings, default_service, path, problems):
    """The prefix's addresses bound to the CDN, as the map's IPs when the entry gives none."""
    cdn = [binding["cidr"] for binding in bindings if _service_kind(binding["service"]) == "cdn"]
    if not cdn:
        problems.add(path, "ips is missing, and the prefix binds no addresses to the CDN (bindings); list the "
                           "addresses of the prefix that the map hands out")
        return []
    return _addresses(cdn, network, path + ".ips (the CDN addresses of bindings)", problems)


def _memberships(item, path, problems):
    example = "[{kind: zone, identifier: <32 hex>}]"
    memberships = []
    for member_path, member in _items(item, "memberships", path, problems, (example, example[1:-1]), MEMBERSHIP_KEYS):
        kind = _text(member, "kind", member_path, problems, required=True)
        if kind is not None and kind.lower() not in MEMBERSHIP_KINDS:
            problems.add(member_path + ".kind", "must be account or zone, got %s" % shown(kind))
            kind = None
        identifier = _text(member, "identifier", member_path, problems, required=True)
        if identifier is not None and not IDENTIFIER.match(identifier.lower()):
            problems.add(member_path + ".identifier", "%s is not a Cloudflare account or zone id (32 hexadecimal "
                                                      "characters)" % shown(identifier))
            identifier = None
        if kind is not None and identifier is not None:
            wanted = dict(kind=kind.lower(), identifier=identifier.lower())
            if wanted not in memberships:
                memberships.append(wanted)
    return memberships


def _address_map(item, network, prefix, path, problems):
    description = _text(item, "description", path, problems, required=True)
    if "ips" in item:
        ips = _list(item, "ips", path, problems, "[203.0.113.16/29]")
        if not ips and isinstance(item["ips"], list):
            problems.add(path + ".ips", "is empty; list the addresses, or leave ips out for the CDN addresses")
        ips = _addresses(ips, network, path + ".ips", problems) if network is not None else []
    else:
        ips = _default_map_ips(network, prefix["bindings"], prefix["default_service"], path, problems) \
            if network is not None else []
    for address in ips:
        service = _not_cdn(ipaddress.ip_address(address), prefix["default_service"], prefix["bindings"])
        if service is not None:
            problems.add(path + ".ips", "%s is bound to %s, not to the CDN; an address map hands out CDN addresses"
                         % (address, service))
            break
    sni = item.get("default_sni")
    if sni is not None and not isinstance(sni, str):
        problems.add(path + ".default_sni", "must be a hostname such as '*.example.com', got %s" % shown(sni))
        sni = None
    enabled = _flag(item, "enabled", path, problems)
    return dict(description=description, name=path, ips=ips, memberships=_memberships(item, path, problems),
                enabled=enabled, default_sni=sni or None)


def _address_maps(entry, network, prefix, where, problems):
    """The address maps the prefix's addresses go on, each named by its description."""
    example = "[{description: CDN edge, memberships: [{kind: zone, identifier: <32 hex>}]}]"
    maps = []
    for path, item in _items(entry, "address_maps", where, problems, (example, "{description: CDN edge}"),
                             ADDRESS_MAP_KEYS):
        wanted = _address_map(item, network, prefix, path, problems)
        if wanted["description"] is not None:
            maps.append(wanted)
    return maps


def _map_names(entry, where, problems):
    """Offboarding: only the descriptions of the address maps the prefix's addresses are taken off."""
    names = []
    examples = ("[{description: CDN edge}]", "{description: CDN edge}")
    for path, item in _items(entry, "address_maps", where, problems, examples, ADDRESS_MAP_KEYS):
        description = _text(item, "description", path, problems, required=True)
        if description is not None:
            names.append(dict(description=description, name=path))
    return names


def _same_map_settings(prefixes, problems):
    """Entries that name the same map (in one prefix or several) must agree on the settings they give."""
    first = {}
    for prefix in prefixes:
        for wanted in prefix.get("address_maps") or []:
            for key in ("enabled", "default_sni"):
                if wanted[key] is None:
                    continue
                seen = first.setdefault((wanted["description"], key), wanted)
                if wanted[key] != seen[key]:
                    problems.add("%s.%s" % (wanted["name"], key), "%s differs from %s.%s (%s) for the same map %s"
                                 % (shown(wanted[key]), seen["name"], key, shown(seen[key]),
                                    shown(wanted["description"])))


def _description(entry, where, problems):
    if "description" not in entry or entry["description"] is None:
        return None
    value = entry["description"]
    if not isinstance(value, str):
        problems.add(where + ".description", "must be a string, got %s" % shown(value))
        return None
    if len(value) > MAX_DESCRIPTION:
        problems.add(where + ".description", "has %d characters; Cloudflare accepts at most %d"
                     % (len(value), MAX_DESCRIPTION))
        return None
    return value


def _overlaps(prefixes, name, problems):
    """Two prefixes of the vars that overlap: Cloudflare refuses the second, after the first was added."""
    ordered = sorted(((ipaddress.ip_network(prefix["cidr"]), index) for index, prefix in enumerate(prefixes)),
                     key=lambda pair: (pair[0].version, pair[0].network_address, pair[0].prefixlen))
    for (first, first_index), (second, second_index) in zip(ordered, ordered[1:]):
        if first.version == second.version and first.overlaps(second):
            if first == second:
                problems.add("%s[%d]" % (name, max(first_index, second_index)),
                             "%s is listed more than once (also %s[%d]); describe each prefix once"
                             % (first, name, min(first_index, second_index)))
            else:
                problems.add("%s[%d]" % (name, second_index), "%s overlaps %s of %s[%d]; Cloudflare holds no "
                                                              "overlapping prefixes" % (second, first, name, first_index))


def check_prefixes(prefixes, name="byoip_prefixes", owner_account_id=None, cidr_only=False):
    """(desired prefixes, problems) for a list of prefix descriptions as the user wrote them.

    name is the variable the user set (the playbooks' byoip_prefixes, or a role variable), used in every message.
    cidr_only checks only what a role that acts on CIDRs alone needs (offboarding), and ignores the other keys' values
    (but still refuses unknown keys, which are typos).
    """
    problems = Problems()
    if prefixes is None or (isinstance(prefixes, str) and not prefixes.strip()):
        problems.add(name, "is empty; list the prefixes, for example [{cidr: 203.0.113.0/24, default_service: CDN}]")
        return [], problems.messages
    if not isinstance(prefixes, list):
        problems.add(name, "must be a list of prefixes, got %s" % shown(prefixes))
        return [], problems.messages
    if not prefixes:
        problems.add(name, "lists no prefix; nothing would be done")
    desired = []
    for index, entry in enumerate(prefixes):
        where = "%s[%d]" % (name, index)
        if not _mapping(entry, where, problems, "{cidr: 203.0.113.0/24, default_service: CDN}"):
            continue
        _unknown_keys(entry, PREFIX_KEYS, where, problems)
        network = _prefix_network(entry, where, problems)
        prefix = dict(cidr=str(network) if network else None, name=where)
        if cidr_only:
            prefix.update(address_maps=_map_names(entry, where, problems),
                          regional="region" in entry or "regions" in entry)
        else:
            loa_id, delegate, loa_path, loa_unusable = _loa(entry, where, problems)
            prefix.update(
                asn=_asn(entry, where, problems),
                description=_description(entry, where, problems),
                loa_document_id=loa_id,
                delegate_loa_creation=delegate,
                loa_path=loa_path,
                loa_unusable=loa_unusable,
                delegations=_delegations(entry, network, where, owner_account_id, problems),
                default_service=_text(entry, "default_service", where, problems, required=True),
                bindings=_bindings(entry, network, where, problems),
                advertise=bool(_flag(entry, "advertise", where, problems)),
            )
            prefix["regions"] = _regions(entry, network, prefix["bindings"], where, problems)
            prefix["regional"] = "region" in entry or "regions" in entry
            prefix["address_maps"] = _address_maps(entry, network, prefix, where, problems)
        if network is not None:
            desired.append(prefix)
    _overlaps(desired, name, problems)
    if not cidr_only:
        _same_map_settings(desired, problems)
        _settle_map_settings(desired)
    return desired, problems.messages


def _settle_map_settings(prefixes):
    """Every entry of a map gets the settings another entry gives it: enabled (true unless one says false) and the
    default SNI (left alone unless one sets it)."""
    given = {}
    for prefix in prefixes:
        for wanted in prefix.get("address_maps") or []:
            for key in ("enabled", "default_sni"):
                if wanted[key] is not None:
                    given.setdefault((wanted["description"], key), wanted[key])
    for prefix in prefixes:
        for wanted in prefix.get("address_maps") or []:
            wanted["enabled"] = given.get((wanted["description"], "enabled"), True)
            wanted["default_sni"] = given.get((wanted["description"], "default_sni"))


def reads(desired):
    """What the roles read besides the prefixes, only for the features the vars use: byoip_prefix_info's include,
    whether to read the address maps, and both as the status role's list of extra reads."""
    regional = any(prefix.get("regional") for prefix in desired)
    maps = any(prefix.get("address_maps") for prefix in desired)
    return dict(include=["delegations", "bindings", "bgp_prefixes"] + (["regional_bindings"] if regional else []),
                address_maps=maps,
                extras=(["regional_bindings"] if regional else []) + (["address_maps"] if maps else []))


def unknown_services(desired, services):
    """Problems for service names (or ids) that are not the account's, in the user's variable names."""
    known = set()
    for service in services or []:
        known.add(str(service.get("name", "")).lower())
        known.add(str(service.get("id", "")).lower())
    problems = Problems()
    for prefix in desired:
        if prefix.get("default_service") and prefix["default_service"].lower() not in known:
            problems.add(prefix["name"] + ".default_service", "%s is not a service of the account"
                         % shown(prefix["default_service"]))
        for service in sorted(set(binding["service"] for binding in prefix.get("bindings", []))):
            if service.lower() not in known:
                problems.add(prefix["name"] + ".bindings", "%s is not a service of the account" % shown(service))
    if problems.messages:
        names = ", ".join(sorted(str(service.get("name")) for service in services or []))
        problems.messages.append("The account's services: %s (by name, any case, or by id)." % names)
    return problems.messages


def unknown_regions(desired, regions):
    """Problems for region keys of the vars that are not regions of the account, in the user's variable names."""
    known = set(str(region.get("region_key")) for region in regions or [])
    problems = Problems()
    for prefix in desired:
        for key in sorted(set(item["region"] for item in prefix.get("regions") or [])):
            if key not in known:
                problems.add(prefix["name"], "region %s is not a region of the account" % shown(key))
    if problems.messages:
        problems.messages.append("The account's regions: %s." % (", ".join(
            "%s (%s)" % (region.get("region_key"), region.get("name"))
            for region in sorted(regions or [], key=lambda region: str(region.get("region_key"))))
            or "none (are Regional Services enabled for the account?)"))
    return problems.messages
