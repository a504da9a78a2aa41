# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The roles' decisions: what differs between the vars and the account, and what each step must do about it.

For internal collection use only: this is not a public interface and may change without notice.

Pure functions of the desired state (from _inputs.check_prefixes), the estate (what the info module read, merged
with what later steps returned) and a few options. They never talk to Cloudflare: the roles gather the estate once,
plan, call the resource modules (the only writers) for the planned items in batch mode, merge their results and
plan again. The same plan() serves onboarding, offboarding (in reverse) and the status report's drift.

The estate is a dict: ``prefixes`` keyed by canonical CIDR, each value the prefix object with its
``delegations``, ``bindings`` and ``bgp_prefixes`` lists (and ``regional_bindings`` when the vars name regions) as
byoip_prefix_info returns them; ``others``, the CIDRs of the account's prefixes that the vars do not name (never
touched); ``address_maps``, the account's whole maps when the vars name maps (else None: not read); ``leases``
(status only); ``loas``, the LOA documents this run uploaded per prefix; ``time``, Cloudflare's clock at the last
read (gates are measured on it, not on this host's clock); and ``journal``, what the steps of this run changed.
"""

import datetime
import ipaddress
import re

from ansible_collections.cloudflare.addressing.plugins.module_utils._diagnosis import FAILED as FAILED_STATES

CHECKS = (("irr", "irr_validation_state"), ("rpki", "rpki_validation_state"),
          ("ownership", "ownership_validation_state"))
ACTIVE = "active"
REGIONAL = "regional_bindings"
ROUTE_MISSING = "magic_transit_route_missing"
CHILD_KEYS = ("delegations", "bindings", "bgp_prefixes", "regional_bindings")


# --- small helpers -----------------------------------------------------------------------------------------

def canonical(cidr):
    return str(ipaddress.ip_network(str(cidr).strip(), strict=False))


def parse_time(text):
    """An aware datetime from Cloudflare's RFC 3339 timestamps (microseconds, Z), or None."""
    if not text:
        return None
    match = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$", str(text).strip())
    if not match:
        return None
    base, fraction, zone = match.groups()
    when = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S")
    if fraction:
        when = when.replace(microsecond=int((fraction[1:] + "000000")[:6]))
    offset = datetime.timedelta(0)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return when.replace(tzinfo=datetime.timezone(offset))


def _next_second(when):
    """The time rounded up to a whole second, so that a gate printed as not_before is open at that second."""
    return when.replace(microsecond=0) + datetime.timedelta(seconds=1) if when.microsecond else when


def format_time(when):
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now(estate, options):
    """Cloudflare's clock when the estate was read; this host's clock when no answer said."""
    now = parse_time(options.get("now") or estate.get("time"))
    return now or datetime.datetime.now(datetime.timezone.utc)


def _prefix_entry(prefix, previous=None):
    entry = dict(previous or {})
    entry.update(prefix)
    for key in CHILD_KEYS:
        if key == REGIONAL and key not in prefix and key not in entry:
            continue  # not read: unknown, which is not the same as none
        entry[key] = list(prefix.get(key, entry.get(key)) or [])
    return entry


def new_estate(found):
    """The estate from what byoip_prefix_info returned (its result, or its list of prefixes)."""
    if isinstance(found, dict) and "journal" in found and isinstance(found.get("prefixes"), dict):
        return found  # an estate already
    result = found if isinstance(found, dict) else dict(prefixes=found or [])
    prefixes = dict((canonical(prefix["cidr"]), _prefix_entry(prefix)) for prefix in result.get("prefixes") or [])
    return dict(prefixes=prefixes, others=sorted(canonical(cidr) for cidr in result.get("others") or []),
                time=result.get("server_time"), journal=[], read={}, address_maps=None, maps_read=None,
                leases=None, loas={})


def as_read(estate, cidr):
    """The prefix as Cloudflare last answered, before any predicted (check mode) change of this run."""
    if cidr in estate.get("read", {}):
        return estate["read"][cidr]
    return estate["prefixes"].get(cidr)


def approved(prefix):
    return bool(prefix) and prefix.get("approved") == "V"


def failed_checks(prefix):
    """{check: state} for the validation checks of a prefix that ran and failed."""
    return dict((check, prefix.get(field)) for check, field in CHECKS if prefix.get(field) in FAILED_STATES)


def check_states(prefix):
    return dict((check, (prefix or {}).get(field) or "pending") for check, field in CHECKS)


def _service_of(binding):
    return str(binding.get("service_name") or binding.get("service") or "").lower()


def _by_cidr(items):
    return dict((canonical(item["cidr"]), item) for item in items or [] if item.get("cidr"))


def _whole_bgp(prefix, cidr):
    return _by_cidr(prefix.get("bgp_prefixes")).get(cidr)


def _advertised(bgp):
    return bool(bgp and (bgp.get("on_demand") or {}).get("advertised"))


def step_actions(step):
    """Every action of a plan step, one per prefix, also those an item shares between prefixes."""
    flat = []
    for action in (step or {}).get("actions") or []:
        flat.append(dict((key, value) for key, value in action.items() if key != "also"))
        flat.extend(action.get("also") or [])
    return flat


class Step:
    """The items one batch module call gets, and a description of each for the report."""

    def __init__(self):
        self.items = []
        self.actions = []

    def add(self, cidr, item, infinitive, past, also=None):
        """also: more (cidr, infinitive, past) that the same item does for other prefixes (an address map)."""
        self.items.append(item)
        action = dict(cidr=cidr, do=infinitive, done=past)
        if also:
            action["also"] = [dict(cidr=other, do=do, done=done) for other, do, done in also]
        self.actions.append(action)

    def as_dict(self):
        # "batch", not "items": Jinja would read plan.step.items as the dict method.
        return dict(batch=self.items, actions=self.actions)


# --- onboarding --------------------------------------------------------------------------------------------

def _prefix_item(desired, live, options, uploaded=None):
    item = dict(cidr=desired["cidr"], asn=desired["asn"])
    if desired.get("description") is not None:
        item["description"] = desired["description"]
    if live is None:
        loa_id = desired.get("loa_document_id") or uploaded
        if loa_id:
            item["loa_document_id"] = loa_id
        delegate = desired.get("delegate_loa_creation")
        item["delegate_loa_creation"] = (not loa_id) if delegate is None else delegate
    elif options.get("revalidate") and failed_checks(live):
        item["revalidate"] = "on_failure"
    return item


def _plan_prefix(desired, live, options, plan, loas):
    cidr = desired["cidr"]
    if live is None:
        plan["prefixes"].add(cidr, _prefix_item(desired, None, options, loas.get(cidr)), "add the prefix",
                             "added the prefix")
        return
    if live.get("asn") is not None and int(live["asn"]) != int(desired["asn"]):
        plan["conflicts"].append(
            "%s: the prefix exists with AS%s, the vars say AS%s (%s.asn). A prefix's ASN cannot change; correct the "
            "vars, or offboard the prefix and add it again." % (cidr, live["asn"], desired["asn"], desired["name"]))
        return
    described = desired.get("description") is not None and desired["description"] != (live.get("description") or "")
    revalidate = options.get("revalidate") and failed_checks(live) and not approved(live)
    if described:
        plan["prefixes"].add(cidr, _prefix_item(desired, live, options), "update the prefix description",
                             "updated the prefix description")
    elif revalidate:
        plan["prefixes"].add(cidr, _prefix_item(desired, live, options),
                             "ask Cloudflare to re-run the failed validation checks",
                             "asked Cloudflare to re-run the failed validation checks")


def _plan_validation(desired, live, options, plan):
    cidr = desired["cidr"]
    if live is None or approved(live):
        return
    if failed_checks(live) and not options.get("revalidate"):
        plan["validation"]["failed"].append(cidr)
    else:
        plan["validation"]["pending"].append(cidr)


def _parent_planned(live, options):
    """Whether the prefix exists only in this dry run's prediction (or is not approved yet, as in a dry run)."""
    return live is None or (options.get("check_mode") and not approved(live))


def _may_configure(cidr, live, options):
    """Delegations and bindings need an approved prefix; a dry run shows them for every prefix it would add."""
    if approved(live):
        return True
    return bool(options.get("check_mode")) and options.get("wait", True) and cidr not in options.get("stopped", ())


def _plan_delegations(desired, live, options, plan):
    cidr = desired["cidr"]
    existing = set((canonical(item["cidr"]), item.get("delegated_account_id"))
                   for item in (live or {}).get("delegations") or [])
    for delegation in desired["delegations"]:
        if (delegation["cidr"], delegation["account_id"]) in existing:
            continue
        item = dict(prefix_cidr=cidr, cidr=delegation["cidr"], delegated_account_id=delegation["account_id"])
        if _parent_planned(live, options):
            item["parent_planned"] = True
        plan["delegations"].add(cidr, item, "delegate %s to account %s" % (delegation["cidr"], delegation["account_id"]),
                                "delegated %s to account %s" % (delegation["cidr"], delegation["account_id"]))


def _wanted_bindings(desired):
    """The prefix's bindings as the vars want them: the default binding first, then the additional ones."""
    wanted = [dict(cidr=desired["cidr"], service=desired["default_service"], default=True)]
    wanted.extend(dict(cidr=binding["cidr"], service=binding["service"], default=False)
                  for binding in desired["bindings"])
    return wanted


def _plan_bindings(desired, live, options, plan):
    cidr = desired["cidr"]
    existing = _by_cidr((live or {}).get("bindings"))
    for wanted in _wanted_bindings(desired):
        current = existing.get(wanted["cidr"])
        if current is not None:
            if _service_of(current) != wanted["service"].lower() and current.get("service_id") != wanted["service"]:
                plan["conflicts"].append(
                    "%s: %s is bound to %s in the account, the vars say %s (%s). Changing a binding's service "
                    "disrupts its traffic for four to six hours, so the role never does it; delete the binding "
                    "first (cloudflare.addressing.byoip_binding with state=absent) if that is what you want."
                    % (cidr, wanted["cidr"], current.get("service_name"), wanted["service"],
                       desired["name"] + (".default_service" if wanted["default"] else ".bindings")))
            continue
        item = dict(prefix_cidr=cidr, cidr=wanted["cidr"], service=wanted["service"])
        if _parent_planned(live, options):
            item["parent_planned"] = True
        if wanted["default"]:
            plan["bindings"].add(cidr, item, "bind %s to %s (the default binding, which comes with the withdrawn BGP "
                                             "prefix of the whole prefix)" % (cidr, wanted["service"]),
                                 "bound %s to %s (the default binding, which comes with the withdrawn BGP prefix of "
                                 "the whole prefix)" % (cidr, wanted["service"]))
        else:
            plan["bindings"].add(cidr, item, "bind %s to %s" % (wanted["cidr"], wanted["service"]),
                                 "bound %s to %s" % (wanted["cidr"], wanted["service"]))


def _deployed(binding):
    return (binding.get("provisioning") or {}).get("state") == ACTIVE


def deployment_state(cidr, live):
    """'ready', 'pending' or 'failed' for the bindings (service and, when read, Regional Services ones) and the
    whole-prefix BGP prefix of an approved prefix."""
    bindings = live.get("bindings") or []
    if any((binding.get("provisioning") or {}).get("state") == ROUTE_MISSING for binding in bindings):
        return "failed"
    if not bindings or _whole_bgp(live, cidr) is None:
        return "pending"
    if not all(_deployed(binding) for binding in bindings + (live.get(REGIONAL) or [])):
        return "pending"
    return "ready"


def _plan_deployment(desired, live, options, plan):
    cidr = desired["cidr"]
    if not approved(live) or not live.get("bindings"):
        return
    state = deployment_state(cidr, live)
    if state != "ready":
        plan["deployment"][state].append(cidr)


def gate(desired, live, options, now, maps=None):
    """Whether the prefix may be advertised now, and if not, why and until when.

    maps are the account's address maps (the estate's): when the vars put the prefix's addresses on maps, it is
    advertised only once they are there, as Cloudflare's guide asks.
    """
    cidr = desired["cidr"]
    bgp = _whole_bgp(live, cidr) if live else None
    if _advertised(bgp):
        return dict(state="advertised", reason="advertised")
    if not desired["advertise"]:
        return dict(state="not_asked", reason="advertise is false")
    if not approved(live):
        return dict(state="blocked", reason="waits until Cloudflare approves the prefix")
    deployment = deployment_state(cidr, live)
    if deployment == "failed":
        return dict(state="blocked", reason="waits until the Magic Transit route of every binding exists")
    if deployment != "ready":
        return dict(state="blocked", reason="waits until every binding is active")
    missing = regions_missing(desired, live)
    if missing:
        return dict(state="blocked", reason="waits until the regional bindings %s exist" % ", ".join(missing))
    gaps = map_gaps(desired, maps)
    if gaps:
        return dict(state="blocked", reason="waits until its addresses are on their address maps (%s)"
                                            % "; ".join(gaps))
    if (bgp.get("on_demand") or {}).get("on_demand_locked"):
        return dict(state="blocked", reason="Cloudflare locked its advertisement (on_demand_locked); ask your "
                                            "account team")
    created = parse_time(bgp.get("created_at"))
    if created is not None:
        allowed_at = _next_second(created + datetime.timedelta(seconds=int(options.get("advertise_after", 0))))
        remaining = int(-(-(allowed_at - now).total_seconds() // 1))
        if remaining > 0:
            return dict(state="waiting", not_before=format_time(allowed_at), wait_seconds=remaining,
                        reason="not before %s: Cloudflare asks to allow five hours after the default binding "
                               "(byoip_onboard_advertise_after=%ss)" % (format_time(allowed_at),
                                                                        options.get("advertise_after")))
    return dict(state="ready", reason="every binding is active and the BGP prefix is old enough")


def _plan_advertise(desired, live, options, plan, now, maps=None):
    cidr = desired["cidr"]
    state = gate(desired, live, options, now, maps)
    plan["gates"][cidr] = state
    item = dict(prefix_cidr=cidr, cidr=cidr, advertised=True)
    if state["state"] == "ready":
        plan["advertise"].add(cidr, item, "advertise %s over BGP" % cidr, "advertised %s over BGP" % cidr)
    elif state["state"] in ("blocked", "waiting") and options.get("check_mode") and options.get("wait", True) \
            and cidr not in options.get("stopped", ()):
        # A dry run does not wait; it shows the advertisement that the waiting run would make.
        if _parent_planned(live, options) or _whole_bgp(live, cidr) is None:
            item["parent_planned"] = True
        plan["advertise"].add(cidr, item, "advertise %s over BGP" % cidr, "advertised %s over BGP" % cidr)


STEPS = ("loa", "prefixes", "delegations", "bindings", "regional", "address_maps", "advertise", "unmap",
         "unregion", "withdraw", "bgp_prefixes", "unbind", "undelegate", "remove")


def _new_plan(direction):
    plan = dict(direction=direction, conflicts=[], gates={}, services=set(), regions=set(), found={},
                validation=dict(pending=[], failed=[]), deployment=dict(pending=[], failed=[]), left_alone={})
    for step in STEPS:
        plan[step] = Step()
    return plan


def _finish(plan):
    result = dict(plan)
    for key, value in plan.items():
        if isinstance(value, Step):
            result[key] = value.as_dict()
    result["services"] = sorted(plan["services"])
    result["regions"] = sorted(plan["regions"])
    waiting = [entry for entry in plan["gates"].values() if entry["state"] == "waiting"]
    result["advertise_wait_seconds"] = max(entry["wait_seconds"] for entry in waiting) if waiting else 0
    result["advertise_at"] = max(entry["not_before"] for entry in waiting) if waiting else None
    result["writes"] = sum(len(value.items) for value in plan.values() if isinstance(value, Step))
    return result


def _missing_services(desired, live):
    """The services of the bindings the vars want that the account does not have yet (checked before any write)."""
    bound = _by_cidr((live or {}).get("bindings"))
    return set(wanted["service"] for wanted in _wanted_bindings(desired) if wanted["cidr"] not in bound)


def onboard(desired, estate, options, now):
    plan = _new_plan("onboard")
    prefixes, maps, loas = estate["prefixes"], estate.get("address_maps"), estate.get("loas") or {}
    for prefix in desired:
        cidr = prefix["cidr"]
        live = prefixes.get(cidr)
        _plan_loa(prefix, live, plan, loas)
        _plan_prefix(prefix, live, options, plan, loas)
        _plan_validation(prefix, live, options, plan)
        plan["services"].update(_missing_services(prefix, live))
        if _may_configure(cidr, live, options):
            _plan_delegations(prefix, live, options, plan)
            _plan_bindings(prefix, live, options, plan)
            _plan_regions(prefix, live, options, plan)
        _plan_deployment(prefix, live, options, plan)
    _plan_address_maps(desired, prefixes, maps, options, plan)
    for prefix in desired:
        _plan_advertise(prefix, prefixes.get(prefix["cidr"]), options, plan, now, maps)
    return plan


# --- the guide's last steps: LOA documents, Regional Services, address maps --------------------------------

MAP_CIDR_LIMIT = {4: 24, 6: 120}  # byoip_address_map takes CIDRs of at most 256 addresses


def _plan_loa(desired, live, plan, loas):
    """Upload the LOA only for a prefix still to be added, and once: Cloudflare cannot list LOA documents."""
    cidr = desired["cidr"]
    if live is not None or not desired.get("loa_path") or cidr in loas:
        return
    if desired.get("loa_unusable"):
        plan["conflicts"].append("%s: %s The prefix is still to be added with this Letter of Authorization; fix the "
                                 "path or the file." % (cidr, desired["loa_unusable"]))
        return
    path = desired["loa_path"]
    plan["loa"].add(cidr, dict(path=path, prefix_cidr=cidr), "upload the Letter of Authorization %s" % path,
                    "uploaded the Letter of Authorization %s" % path)


def _plan_regions(desired, live, options, plan):
    """Create or move the Regional Services bindings the vars name; others in the account are left alone."""
    cidr = desired["cidr"]
    existing = _by_cidr((live or {}).get(REGIONAL))
    for wanted in desired.get("regions") or []:
        current = existing.get(wanted["cidr"])
        if current is not None and current.get("region_key") == wanted["region"]:
            continue
        item = dict(prefix_cidr=cidr, cidr=wanted["cidr"], region=wanted["region"])
        if _parent_planned(live, options):
            item["parent_planned"] = True
        plan["regions"].add(wanted["region"])
        if current is None:
            plan["regional"].add(cidr, item, "bind %s to region %s" % (wanted["cidr"], wanted["region"]),
                                 "bound %s to region %s" % (wanted["cidr"], wanted["region"]))
        else:
            move = "%s from region %s to %s" % (wanted["cidr"], current.get("region_key"), wanted["region"])
            plan["regional"].add(cidr, item, "move " + move, "moved " + move)


def regions_missing(desired, live):
    """The regional bindings the vars want that the account does not have (with their region) yet."""
    existing = _by_cidr((live or {}).get(REGIONAL))
    return ["%s (%s)" % (wanted["cidr"], wanted["region"]) for wanted in desired.get("regions") or []
            if (existing.get(wanted["cidr"]) or {}).get("region_key") != wanted["region"]]


def map_ips(address_map):
    """The canonical IPs of a whole address map."""
    ips = []
    for item in (address_map or {}).get("ips") or []:
        try:
            ips.append(str(ipaddress.ip_address(str(item.get("ip")).strip())))
        except ValueError:
            continue
    return ips


def _member_key(member):
    return (str(member.get("kind", "")).lower(), str(member.get("identifier", "")).lower())


def maps_named(maps, description):
    return [address_map for address_map in maps or [] if address_map.get("description") == description]


def _networks(addresses):
    """The fewest CIDRs for some addresses, none holding more than 256 (what byoip_address_map takes)."""
    networks = []
    for version in (4, 6):
        same = [ipaddress.ip_address(text) for text in addresses if ipaddress.ip_address(text).version == version]
        for network in ipaddress.collapse_addresses(same):
            limit = MAP_CIDR_LIMIT[version]
            networks.extend(network.subnets(new_prefix=limit) if network.prefixlen < limit else [network])
    return [str(network) for network in networks]


def describe_addresses(addresses):
    return ", ".join(_networks(addresses))


def _membership_text(members):
    return ", ".join("%s %s" % (member["kind"], member["identifier"]) for member in members)


def map_gaps(desired, maps):
    """What keeps the prefix's addresses from being on their address maps, one phrase per map; [] once they are."""
    gaps = []
    for entry in desired.get("address_maps") or []:
        name = "'%s'" % entry["description"]
        found = maps_named(maps, entry["description"])
        if len(found) != 1:
            gaps.append("address map %s %s" % (name, "does not exist" if not found else "is not unique"))
            continue
        have = set(map_ips(found[0]))
        members = set(_member_key(member) for member in found[0].get("memberships") or [])
        parts = []
        missing = [ip for ip in entry["ips"] if ip not in have]
        if missing:
            parts.append("lacks " + describe_addresses(missing))
        absent = [member for member in entry["memberships"] if _member_key(member) not in members]
        if absent:
            parts.append("lacks the membership of " + _membership_text(absent))
        if entry.get("enabled", True) and not found[0].get("enabled"):
            parts.append("is disabled")
        if parts:
            gaps.append("address map %s %s" % (name, " and ".join(parts)))
    return gaps


def _map_ready(prefix, live, options):
    """A prefix's addresses go on address maps once it is deployed (every binding and regional binding active),
    the last step before advertising; a dry run that would wait shows them as the waiting run would do them."""
    cidr = prefix["cidr"]
    if approved(live) and deployment_state(cidr, live) == "ready" and not regions_missing(prefix, live):
        return True
    return bool(options.get("check_mode")) and options.get("wait", True) and cidr not in options.get("stopped", ())


def _map_entries(desired):
    """description -> [(prefix, entry)], in the order the vars first name each map."""
    entries = {}
    for prefix in desired:
        for entry in prefix.get("address_maps") or []:
            entries.setdefault(entry["description"], []).append((prefix, entry))
    return entries


def _plan_address_maps(desired, prefixes, maps, options, plan):
    for description, entries in _map_entries(desired).items():
        found = maps_named(maps, description)
        if len(found) > 1:
            plan["conflicts"].append(
                "The account has %d address maps with the description %r (ids %s), named in %s. The role identifies a "
                "map by its description, so it cannot tell which one is meant; give the maps distinct descriptions "
                "(cloudflare.addressing.byoip_address_map with id and description) or delete the extra one."
                % (len(found), description, ", ".join(str(item.get("id")) for item in found),
                   ", ".join(entry["name"] for _prefix, entry in entries)))
            continue
        _plan_map(description, entries, found[0] if found else None, prefixes, options, plan)


def _plan_map(description, entries, current, prefixes, options, plan):
    """One item for the map: the addresses of every prefix that is ready, the memberships and the settings."""
    name = "the address map '%s'" % description
    have, members = set(map_ips(current)), set(_member_key(member) for member in (current or {}).get("memberships")
                                               or [])
    parts, ips = [], []
    for prefix, entry in entries:
        if not _map_ready(prefix, prefixes.get(prefix["cidr"]), options):
            continue
        missing = [ip for ip in entry["ips"] if ip not in have and ip not in ips]
        if missing:
            ips.extend(missing)
            parts.append([prefix["cidr"], "put %s on %s" % (describe_addresses(missing), name)])
    wanted = []
    for _prefix, entry in entries:
        wanted.extend(member for member in entry["memberships"] if member not in wanted)
    new_members = [member for member in wanted if _member_key(member) not in members]
    settings = entries[0][1]
    item = dict(description=description)
    if current is None:
        if not parts:
            return  # nothing of it can be in place yet: create it with the first addresses
        parts[0][1] = "create %s and %s" % (name, parts[0][1].replace(" on " + name, " on it"))
        item.update(ips=_networks(ips), memberships=wanted, enabled=settings.get("enabled", True))
        if settings.get("default_sni"):
            item["default_sni"] = settings["default_sni"]
    else:
        owner = parts[0][0] if parts else entries[0][0]["cidr"]
        if ips:
            item["ips"] = _networks(ips)
        if new_members:
            item["memberships"] = new_members
            parts.append([owner, "add the membership of %s to %s" % (_membership_text(new_members), name)])
        if bool(current.get("enabled")) != settings.get("enabled", True):
            item["enabled"] = settings.get("enabled", True)
            parts.append([owner, "%s %s" % ("enable" if item["enabled"] else "disable", name)])
        if settings.get("default_sni") and current.get("default_sni") != settings["default_sni"]:
            item["default_sni"] = settings["default_sni"]
            parts.append([owner, "set the default SNI of %s to %s" % (name, settings["default_sni"])])
        if not parts:
            return
    done = [(cidr, do, _past(do)) for cidr, do in parts]
    plan["address_maps"].add(done[0][0], item, done[0][1], done[0][2], also=done[1:])


PAST = (("create ", "created "), ("put ", "put "), ("add ", "added "), ("enable ", "enabled "),
        ("disable ", "disabled "), ("set ", "set "), ("take ", "took "))


def _past(infinitive):
    """The past tense of the map actions' sentences (each verb of an 'and' too)."""
    words = infinitive.split(" and ")
    for index, phrase in enumerate(words):
        for present, past in PAST:
            if phrase.startswith(present):
                words[index] = past + phrase[len(present):]
                break
    return " and ".join(words)


def _inside(ip, network):
    address = ipaddress.ip_address(ip)
    return address.version == network.version and address in network


def _plan_unmap(desired, prefixes, maps, plan):
    """Take the prefixes' addresses off the maps the vars name for them; other maps, IPs and memberships stay."""
    if maps is None:
        return
    per_map, order = {}, []
    for prefix in desired:
        cidr = prefix["cidr"]
        network = ipaddress.ip_network(cidr)
        names = set(entry["description"] for entry in prefix.get("address_maps") or [])
        for address_map in maps:
            inside = [ip for ip in map_ips(address_map) if _inside(ip, network)]
            if not inside:
                continue
            where = "the address map '%s' (%s)" % (address_map.get("description"), address_map.get("id"))
            if address_map.get("description") not in names:
                plan["left_alone"].setdefault(cidr, []).append(
                    "%s still holds %s; the vars do not name it for this prefix, so it was left alone"
                    % (where, describe_addresses(inside)))
            elif address_map.get("can_modify_ips") is False:
                plan["left_alone"].setdefault(cidr, []).append(
                    "%s holds %s, and Cloudflare manages its IPs (can_modify_ips: false); ask your account team"
                    % (where, describe_addresses(inside)))
            else:
                if address_map["id"] not in per_map:
                    order.append(address_map["id"])
                per_map.setdefault(address_map["id"], []).append((cidr, inside, address_map.get("description")))
    for map_id in order:
        parts = per_map[map_id]
        done = [(cidr, "take %s off the address map '%s'" % (describe_addresses(inside), description),
                 "took %s off the address map '%s'" % (describe_addresses(inside), description))
                for cidr, inside, description in parts]
        plan["unmap"].add(done[0][0], dict(id=map_id, remove_ips=[cidr for cidr, _ips, _name in parts]),
                          done[0][1], done[0][2], also=done[1:])


def _edge_differences(prefix, live, maps):
    """Drift of the regional bindings (when read) and the address maps (when read) from the vars."""
    if "default_service" not in prefix:  # a CIDR-only description (offboarding)
        return []
    details = []
    if REGIONAL in live:
        existing = _by_cidr(live[REGIONAL])
        for wanted in prefix.get("regions") or []:
            current = existing.get(wanted["cidr"])
            if current is None:
                details.append("regional binding %s (%s) missing" % (wanted["cidr"], wanted["region"]))
            elif current.get("region_key") != wanted["region"]:
                details.append("regional binding %s is %s in the account, %s in the vars"
                               % (wanted["cidr"], current.get("region_key"), wanted["region"]))
        named = set(wanted["cidr"] for wanted in prefix.get("regions") or [])
        details.extend("regional binding %s (%s) in the account, not in the vars" % (cidr, existing[cidr].get(
            "region_key")) for cidr in sorted(set(existing) - named))
    if maps is not None:
        details.extend(map_gaps(prefix, maps))
    return details


# --- offboarding -------------------------------------------------------------------------------------------

def _hold_gate(bgp, options, now):
    """When Cloudflare's toggle hold (one change every 15 minutes) lets this BGP prefix be withdrawn."""
    changed = parse_time((bgp.get("on_demand") or {}).get("advertised_modified_at"))
    if changed is None:
        return None
    allowed_at = _next_second(changed + datetime.timedelta(seconds=int(options.get("hold", 0))))
    remaining = int(-(-(allowed_at - now).total_seconds() // 1))
    if remaining <= 0:
        return None
    return dict(state="waiting", not_before=format_time(allowed_at), wait_seconds=remaining,
                reason="not before %s: Cloudflare allows one advertisement change every 15 minutes and this one "
                       "was advertised at %s" % (format_time(allowed_at), format_time(changed)))


def offboard(desired, estate, options, now):
    plan = _new_plan("offboard")
    prefixes = estate["prefixes"]
    _plan_unmap(desired, prefixes, estate.get("address_maps"), plan)
    for prefix in desired:
        cidr = prefix["cidr"]
        live = prefixes.get(cidr)
        if live is None:
            continue
        for regional in sorted(live.get(REGIONAL) or [], key=lambda item: canonical(item["cidr"])):
            what = "regional binding of %s to %s" % (regional["cidr"], regional.get("region_key"))
            plan["unregion"].add(cidr, dict(prefix_cidr=cidr, cidr=regional["cidr"], region=regional.get("region_key"),
                                            state="absent"), "delete the " + what, "deleted the " + what)
        bgps = live.get("bgp_prefixes") or []
        for bgp in bgps:
            if _advertised(bgp):
                gate = _hold_gate(bgp, options, now)
                if gate:
                    plan["gates"][canonical(bgp["cidr"])] = gate
                plan["withdraw"].add(cidr, dict(prefix_cidr=cidr, cidr=bgp["cidr"], advertised=False),
                                     "withdraw %s" % bgp["cidr"], "withdrew %s" % bgp["cidr"])
        for bgp in bgps:
            if canonical(bgp["cidr"]) != cidr:
                plan["bgp_prefixes"].add(cidr, dict(prefix_cidr=cidr, cidr=bgp["cidr"], state="absent"),
                                         "delete the BGP prefix %s" % bgp["cidr"], "deleted the BGP prefix %s" % bgp["cidr"])
        bindings = sorted(live.get("bindings") or [], key=lambda binding: canonical(binding["cidr"]) == cidr)
        for binding in bindings:  # the more specific ones first: Cloudflare keeps the default binding until last
            what = "service binding %s (%s)" % (binding["cidr"], binding.get("service_name"))
            plan["unbind"].add(cidr, dict(prefix_cidr=cidr, cidr=binding["cidr"], state="absent"),
                               "delete the " + what, "deleted the " + what)
        for delegation in live.get("delegations") or []:
            what = "delegation of %s to account %s" % (delegation["cidr"], delegation.get("delegated_account_id"))
            plan["undelegate"].add(cidr, dict(prefix_cidr=cidr, cidr=delegation["cidr"], state="absent",
                                              delegated_account_id=delegation.get("delegated_account_id")),
                                   "delete the " + what, "deleted the " + what)
        plan["found"][cidr] = approved(live)
        if options.get("delete_prefix", True) and not approved(live):
            plan["remove"].add(cidr, dict(cidr=cidr, state="absent"), "delete the prefix", "deleted the prefix")
    waits = [entry["wait_seconds"] for entry in plan["gates"].values()]
    plan["withdraw_wait_seconds"] = max(waits) if waits else 0
    return plan


# --- drift -------------------------------------------------------------------------------------------------

def drift(desired, prefixes, others=(), maps=None):
    """Per prefix of the vars: in_sync, missing or different (with what differs); then the account's other prefixes.

    Prefixes and objects that are in the account but not in the vars are reported, and never touched.
    """
    report = []
    named = set()
    for prefix in desired:
        cidr = prefix["cidr"]
        named.add(cidr)
        live = prefixes.get(cidr)
        if live is None:
            report.append(dict(cidr=cidr, state="missing", details=["not in the account"]))
            continue
        details = _differences(prefix, live) + _edge_differences(prefix, live, maps)
        report.append(dict(cidr=cidr, state="different" if details else "in_sync", details=details))
    for cidr in sorted(set(list(prefixes) + [canonical(other) for other in others]) - named):
        report.append(dict(cidr=cidr, state="unmanaged", details=["in the account, not in the vars; never touched"]))
    return report


def _differences(prefix, live):
    if "default_service" not in prefix:  # a CIDR-only description (offboarding): present is all it can say
        return []
    cidr = prefix["cidr"]
    details = []
    if prefix.get("description") is not None and prefix["description"] != (live.get("description") or ""):
        details.append("description differs")
    if not approved(live):
        details.append("not approved yet (%s)" % ", ".join("%s %s" % pair for pair in check_states(live).items()))
    delegated = set((canonical(item["cidr"]), item.get("delegated_account_id")) for item in live.get("delegations") or [])
    wanted_delegations = set((item["cidr"], item["account_id"]) for item in prefix["delegations"])
    details.extend("delegation of %s to %s missing" % pair for pair in sorted(wanted_delegations - delegated))
    details.extend("delegation of %s to %s in the account, not in the vars" % pair
                   for pair in sorted(delegated - wanted_delegations))
    bound = _by_cidr(live.get("bindings"))
    wanted = dict((item["cidr"], item["service"]) for item in _wanted_bindings(prefix))
    for binding_cidr, service in wanted.items():
        current = bound.get(binding_cidr)
        if current is None:
            details.append("binding %s (%s) missing" % (binding_cidr, service))
        elif _service_of(current) != service.lower() and current.get("service_id") != service:
            details.append("binding %s is %s in the account, %s in the vars"
                           % (binding_cidr, current.get("service_name"), service))
    details.extend("binding %s (%s) in the account, not in the vars" % (binding_cidr, bound[binding_cidr].get(
        "service_name")) for binding_cidr in sorted(set(bound) - set(wanted)))
    advertised = _advertised(_whole_bgp(live, cidr))
    if prefix["advertise"] and not advertised:
        details.append("not advertised yet (advertise: true)")
    return details


# --- the one entry point -----------------------------------------------------------------------------------

def _flag(value):
    # ansible-core before 2.19 may hand a templated boolean over as the string "True" or "False".
    return value.strip().lower() in ("true", "yes", "1") if isinstance(value, str) else bool(value)


def normalised_options(options):
    """The plan options with their types, whatever the templating engine made of them."""
    options = dict(options or {})
    for key in ("check_mode", "wait", "revalidate", "delete_prefix"):
        if key in options:
            options[key] = _flag(options[key])
    for key in ("advertise_after", "hold"):
        options[key] = int(options.get(key) or 0)
    return options


def plan(desired, estate, options=None, direction="onboard"):
    """What each step of onboarding or offboarding must do, as batch items for the resource modules, with gates."""
    options = normalised_options(options)
    estate = new_estate(estate)
    now = _now(estate, options)
    if direction == "onboard":
        result = onboard(desired, estate, options, now)
    elif direction == "offboard":
        result = offboard(desired, estate, options, now)
    else:
        raise ValueError("direction must be onboard or offboard, got %r" % (direction,))
    result["drift"] = drift(desired, estate["prefixes"], estate["others"], estate.get("address_maps"))
    result["now"] = format_time(now)
    return _finish(result)


# --- merging what the modules returned into the estate -----------------------------------------------------

RESULT_KINDS = (("prefix", None), ("delegation", "delegations"), ("binding", "bindings"), ("bgp_prefix", "bgp_prefixes"))


def _natural_key(kind, item):
    if kind == "delegations":
        return (canonical(item["cidr"]), item.get("delegated_account_id"))
    return canonical(item["cidr"])


def _upsert(children, kind, obj, absent):
    key = _natural_key(kind, obj)
    kept = [child for child in children if _natural_key(kind, child) != key]
    if not absent:
        kept.append(obj)
    return kept


def _merge_object(estate, kind, children, item, obj, absent):
    prefixes = estate["prefixes"]
    if children is None:  # a prefix
        cidr = canonical(item.get("cidr") or obj.get("cidr"))
        if absent:
            prefixes.pop(cidr, None)
        elif obj:
            prefixes[cidr] = _prefix_entry(obj, prefixes.get(cidr))
        return
    parent = canonical(item.get("prefix_cidr") or "0.0.0.0/0")
    if parent in prefixes:
        entry = dict(prefixes[parent])
        entry[children] = _upsert(entry.get(children) or [], children, obj or dict(item), absent)
        prefixes[parent] = entry


def _keep_read(estate, cidr):
    """Before a predicted change, keep the prefix as it was read: a dry run reports what is, not what would be."""
    if cidr not in estate["read"]:
        estate["read"][cidr] = estate["prefixes"].get(cidr)


def merge(estate, result, step=None, predicted=False):
    """The estate after a module result (a batch result, or an info result), with the journal of what changed.

    step is the plan step whose batch the module ran: its actions describe each changed element for the report.
    predicted says that the result is a check mode prediction; the estate then also keeps what was read.
    """
    estate = new_estate(estate)
    estate = dict(estate, prefixes=dict(estate["prefixes"]), journal=list(estate["journal"]),
                  read=dict(estate.get("read") or {}))
    if not isinstance(result, dict) or result.get("skipped"):
        return estate
    if result.get("server_time"):
        estate["time"] = result["server_time"]
    for key in ("address_maps", "leases"):  # what byoip_address_map_info and byoip_lease_info read
        if isinstance(result.get(key), list):
            estate[key] = list(result[key])
    for prefix in result.get("prefixes") or []:
        cidr = canonical(prefix["cidr"])
        estate["prefixes"][cidr] = _prefix_entry(prefix, estate["prefixes"].get(cidr))
        estate["read"].pop(cidr, None)
    actions = (step or {}).get("actions") or []
    for index, element in enumerate(result.get("results") or []):
        item = element.get("item") or {}
        for kind, children in RESULT_KINDS:
            if kind in element:
                if predicted:
                    _keep_read(estate, canonical(item.get("prefix_cidr") or item.get("cidr")))
                _merge_object(estate, kind, children, item, element[kind] or {}, item.get("state") == "absent")
        _merge_edge(estate, item, element, predicted)
        if element.get("changed") and index < len(actions):
            estate["journal"].extend(step_actions(dict(actions=[actions[index]])))
    return estate


def _merge_edge(estate, item, element, predicted):
    """The results of the looped modules: an uploaded LOA, a regional binding, an address map."""
    if "uploaded" in element and item.get("prefix_cidr"):
        estate["loas"] = dict(estate.get("loas") or {}, **{canonical(item["prefix_cidr"]): element.get(
            "loa_document_id")})
    if "regional_binding" in element and item.get("prefix_cidr"):
        parent = canonical(item["prefix_cidr"])
        if predicted:
            _keep_read(estate, parent)
        if parent in estate["prefixes"]:
            entry = dict(estate["prefixes"][parent])
            kept = [binding for binding in entry.get(REGIONAL) or []
                    if canonical(binding["cidr"]) != canonical(item["cidr"])]
            if item.get("state") != "absent" and element["regional_binding"]:
                # A new binding, or a new region, propagates for hours, like a service binding.
                kept.append(dict(element["regional_binding"], provisioning=dict(state="provisioning")))
            entry[REGIONAL] = kept
            estate["prefixes"][parent] = entry
    if "address_map" in element:
        if predicted and estate.get("maps_read") is None:
            estate["maps_read"] = list(estate.get("address_maps") or [])
        after = element["address_map"] or {}
        same = (lambda other: other.get("id") == after.get("id")) if after.get("id") else \
            (lambda other: other.get("description") == after.get("description"))
        maps = [other for other in estate.get("address_maps") or [] if not (after and same(other))]
        estate["address_maps"] = maps + ([after] if after else [])
