#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_address_map
short_description: Manage a Cloudflare address map, its IPs and its account and zone memberships
version_added: 0.2.0
description:
  - Ensures that a Cloudflare address map exists with the wanted description, default SNI and enabled state, holds
    the wanted IPs and belongs to the wanted accounts and zones; or that it is deleted.
  - Address maps tell Cloudflare's DNS which of your IPs to answer with for the proxied hostnames of a zone or an
    account. Cloudflare expects them in place before a prefix bound to the CDN is advertised.
  - B(How a map is identified.) Maps have no natural key besides their id. With O(id), the module manages that
    map, and O(description) is a setting like the others. Without O(id), O(description) is the map's unique name
    - the module manages the one map with exactly this description (case-sensitive) and creates it when there is
    none. When several maps share the description, the module fails, names their ids and changes nothing; it never
    picks one. Name the map by O(id) then, or give the maps distinct descriptions.
  - B(IPs and memberships change in place.) The module adds and removes only the differences, one request each,
    and never deletes and recreates a map.
  - B(What is removed is always explicit.) O(ips) and O(memberships) are added to what the map has. IPs and
    memberships the task does not list stay, unless O(purge_ips) or O(purge_memberships) is set (the lists are
    then the full set), or they are named in O(remove_ips) or O(remove_memberships).
  - Maps that Cloudflare manages can have C(can_delete=false) or C(can_modify_ips=false). A run that would delete
    such a map or change its IPs fails before it sends any write.
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
options:
  id:
    description:
      - Identifier (32 hexadecimal characters) of the map to manage.
      - An id names an existing map; the module never creates a map with a given id. With O(state=present) an id
        that names no map fails; with O(state=absent) there is then nothing to delete.
      - One of O(id) and O(description) is required.
    type: str
  description:
    description:
      - Without O(id), the unique name of the map (see above), compared exactly.
      - With O(id), the description to give the map.
      - Must not be empty.
    type: str
  default_sni:
    description:
      - The hostname Cloudflare presents to TLS clients that send no server name indication, for example
        C(*.example.com). It can be any zone or subdomain of the account.
      - An empty string removes the default SNI. Left unset, the map's default SNI is not changed.
      - Cloudflare cannot set it when it creates a map; for a new map the module sets it with a second request.
    type: str
  enabled:
    description:
      - Whether the map is enabled. Cloudflare's DNS answers with the map's IPs only while it is enabled.
      - Left unset, a new map is created disabled (Cloudflare's default) and an existing map keeps its state.
      - When a run enables a map, it does so after the IPs and memberships are in place; when it disables one, it
        does so first.
    type: bool
  ips:
    description:
      - IP addresses the map must hold. Each entry is an IPv4 or IPv6 address, or a CIDR that stands for all of its
        addresses (at most 256, an IPv4 C(/24) or an IPv6 C(/120)), for example the C(/29) bound to the CDN.
      - The IPs must lie in prefixes of the account (or delegated to it); Cloudflare refuses others.
      - Added to the IPs the map has, unless O(purge_ips=true).
    type: list
    elements: str
  purge_ips:
    description:
      - Whether O(ips) is the full set. V(true) removes every IP of the map that O(ips) does not list (an empty
        list removes them all). Requires O(ips).
    type: bool
    default: false
  remove_ips:
    description:
      - IP addresses or CIDRs that the map must not hold. Every IP of the map inside one of them is removed; for
        example the whole prefix when it is offboarded. Other IPs stay.
      - Must not overlap O(ips).
      - When the map does not exist and the task only removes (no O(ips), O(memberships), O(enabled) or
        O(default_sni)), the module does not create it.
    type: list
    elements: str
  memberships:
    description:
      - Accounts and zones the map must belong to; their proxied hostnames get the map's IPs. A zone membership
        takes priority over an account membership.
      - Added to the memberships the map has, unless O(purge_memberships=true).
    type: list
    elements: dict
    suboptions:
      kind:
        description: V(account) or V(zone).
        type: str
        required: true
        choices: [account, zone]
      identifier:
        description: The account or zone identifier (32 hexadecimal characters).
        type: str
        required: true
  purge_memberships:
    description:
      - Whether O(memberships) is the full set. V(true) removes every membership O(memberships) does not list.
        Requires O(memberships).
      - A membership Cloudflare marks C(can_delete=false) cannot be removed; the module then fails before any write.
    type: bool
    default: false
  remove_memberships:
    description:
      - Memberships the map must not have. Must not overlap O(memberships).
    type: list
    elements: dict
    suboptions:
      kind:
        description: V(account) or V(zone).
        type: str
        required: true
        choices: [account, zone]
      identifier:
        description: The account or zone identifier (32 hexadecimal characters).
        type: str
        required: true
  state:
    description:
      - V(present) ensures the map exists as described; V(absent) deletes it.
      - Cloudflare deletes only disabled maps. An enabled map is disabled first, in the same run, and the result
        says so (RV(disabled_first)). Disabling takes its IPs out of DNS answers at once.
      - With V(absent), only O(id) or O(description) name the map; the other options are refused.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Reading a map costs one request by O(id), two by O(description) (the list holds plain maps without IPs and
    memberships). Each added or removed IP or membership is one more request, and a map whose IPs or memberships
    changed is read once more at the end so that the result shows Cloudflare's state.
  - A run that fails half-way (for example Cloudflare refuses an IP outside the account's prefixes) leaves the
    writes before it done; the result lists them, and a re-run converges.
seealso:
  - module: cloudflare.addressing.byoip_address_map_info
  - module: cloudflare.addressing.byoip_binding
  - name: Cloudflare address maps
    description: What address maps do and how they relate to BYOIP and the CDN.
    link: https://developers.cloudflare.com/byoip/address-maps/
  - name: Cloudflare API reference for address maps
    description: The endpoints this module calls.
    link: https://developers.cloudflare.com/api/resources/addressing/subresources/address_maps/
"""

EXAMPLES = r"""
- name: The CDN /29 of the prefix, answered for one zone
  cloudflare.addressing.byoip_address_map:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
    description: CDN edge 203.0.113.16/29
    ips:
      - 203.0.113.16/29
    memberships:
      - kind: zone
        identifier: 023e105f4ecef8ad9ca31a8372d0c353
    default_sni: "*.example.com"
    enabled: true
  register: cdn_map

- name: Exactly these two IPs and this account, nothing else
  cloudflare.addressing.byoip_address_map:
    id: "{{ cdn_map.address_map.id }}"
    ips:
      - 203.0.113.16
      - 203.0.113.17
    purge_ips: true
    memberships:
      - kind: account
        identifier: 0123456789abcdef0123456789abcdef
    purge_memberships: true

- name: Before offboarding the prefix, take its IPs off the map (other IPs stay)
  cloudflare.addressing.byoip_address_map:
    description: CDN edge 203.0.113.16/29
    remove_ips:
      - 203.0.113.0/24

- name: Delete the map (disabled first if it is enabled)
  cloudflare.addressing.byoip_address_map:
    description: CDN edge 203.0.113.16/29
    state: absent
  register: deleted

- name: Say whether it had to be disabled
  ansible.builtin.debug:
    msg: "The map was enabled and was disabled before the delete"
  when: deleted.disabled_first
"""

RETURN = r"""
address_map:
  description:
    - The map as Cloudflare returns it after the run, with its IPs and memberships (predicted in check mode).
    - Empty after O(state=absent), and when the task only removes from a map that does not exist.
    - In check mode a new map has RV(address_map.id=null), and new IPs and memberships have C(created_at=null).
  returned: always
  type: dict
  contains:
    id:
      description: Identifier of the map.
      type: str
      sample: 055817b111884e0227e1be16a0be6ee0
    description:
      description: Description of the map.
      type: str
      sample: CDN edge 203.0.113.16/29
    default_sni:
      description: The default SNI, or V(null).
      type: str
      sample: "*.example.com"
    enabled:
      description: Whether Cloudflare's DNS answers with the map's IPs.
      type: bool
      sample: true
    can_delete:
      description: V(false) for maps Cloudflare manages, which cannot be deleted through the API.
      type: bool
      sample: true
    can_modify_ips:
      description: V(false) for maps Cloudflare manages, whose IPs cannot be changed through the API.
      type: bool
      sample: true
    created_at:
      description: When the map was created (RFC 3339).
      type: str
      sample: "2025-02-25T00:34:11.423722Z"
    modified_at:
      description: When the map last changed (RFC 3339).
      type: str
      sample: "2025-02-25T00:34:11.423722Z"
    ips:
      description: The map's IPs.
      type: list
      elements: dict
      contains:
        ip:
          description: An IPv4 or IPv6 address.
          type: str
          sample: 203.0.113.16
        created_at:
          description: When the IP was added (RFC 3339).
          type: str
          sample: "2025-02-25T00:34:11.423722Z"
    memberships:
      description: The accounts and zones the map belongs to.
      type: list
      elements: dict
      contains:
        kind:
          description: V(account) or V(zone).
          type: str
          sample: zone
        identifier:
          description: The account or zone identifier.
          type: str
          sample: 023e105f4ecef8ad9ca31a8372d0c353
        can_delete:
          description: V(false) when Cloudflare does not allow removing the membership.
          type: bool
          sample: true
        created_at:
          description: When the membership was added (RFC 3339).
          type: str
          sample: "2025-02-25T00:34:11.423722Z"
ips_added:
  description: The IPs the run added to an existing map (would add, in check mode).
  returned: always
  type: list
  elements: str
  sample: [203.0.113.18]
ips_removed:
  description: The IPs the run removed from the map (would remove, in check mode).
  returned: always
  type: list
  elements: str
  sample: []
memberships_added:
  description: The memberships the run added to an existing map (would add, in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{kind: account, identifier: 0123456789abcdef0123456789abcdef}]
memberships_removed:
  description: The memberships the run removed from the map (would remove, in check mode).
  returned: always
  type: list
  elements: dict
  sample: []
disabled_first:
  description:
    - V(true) when O(state=absent) found the map enabled and disabled it before deleting it, because Cloudflare
      deletes only disabled maps (would disable, in check mode).
  returned: always
  type: bool
  sample: false
"""

import copy

from ansible_collections.cloudflare.addressing.plugins.module_utils._address_map import (
    address_maps_path,
    canonical_ip,
    describe_membership,
    get_address_map,
    ips_within,
    list_address_maps,
    map_ips,
    map_membership_keys,
    membership_key,
    membership_path,
    parse_ip_entries,
    parse_memberships,
    parse_networks,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    AddressingModule,
    AmbiguousMatchError,
    InputError,
    check_identifier,
    single_match,
)

SETTINGS = ("description", "default_sni", "enabled")
DIFF_KEYS = SETTINGS + ("ips", "memberships")
MEMBERSHIP_SPEC = dict(
    kind=dict(type="str", required=True, choices=["account", "zone"]),
    identifier=dict(type="str", required=True),
)
# Options that only make sense for a map that is kept (refused with state=absent).
PRESENT_ONLY = ("default_sni", "enabled", "ips", "remove_ips", "memberships", "remove_memberships")


# --- the request, checked before any API call ------------------------------------------------------------------

class Wanted:
    """What the task asks for, in canonical form."""

    def __init__(self, params):
        self.map_id = params["id"]
        self.name = params["description"] if not params["id"] else None
        self.settings = wanted_settings(params)
        self.ips, self.remove_networks, self.memberships, self.remove_memberships = None, [], None, []
        self.purge_ips = params["purge_ips"]
        self.purge_memberships = params["purge_memberships"]
        self.problems = []

    @property
    def only_removals(self):
        """True when the task only takes IPs or memberships away (then a missing map is not created)."""
        return (bool(self.remove_networks or self.remove_memberships) and not self.settings
                and self.ips is None and self.memberships is None)


def wanted_settings(params):
    """The settings the task sets; an empty default_sni means none (null)."""
    settings = dict((name, params[name]) for name in SETTINGS if params[name] is not None)
    if params["id"] is None:
        settings.pop("description", None)  # the key, not a setting
    if settings.get("default_sni") == "":
        settings["default_sni"] = None
    return settings


def check_input(params):
    """The canonical request and every problem with it, all at once."""
    wanted = Wanted(params)
    problems = wanted.problems
    try:
        check_identifier(params["id"], "id")
    except InputError as error:  # collected with the others
        problems.append(str(error))
    if params["description"] is not None and not params["description"].strip():
        problems.append("description must not be empty: it is %s." % (
            "the map's name when no id is given" if params["id"] is None else "the map's description"))
    if params["state"] == "absent":
        problems.extend(absent_problems(params))
        return wanted
    if params["ips"] is not None:
        wanted.ips, found = parse_ip_entries(params["ips"], "ips")
        problems.extend(found)
    wanted.remove_networks, found = parse_networks(params["remove_ips"], "remove_ips")
    problems.extend(found)
    if params["memberships"] is not None:
        wanted.memberships, found = parse_memberships(params["memberships"], "memberships")
        problems.extend(found)
    wanted.remove_memberships, found = parse_memberships(params["remove_memberships"], "remove_memberships")
    problems.extend(found)
    problems.extend(overlap_problems(wanted))
    for option, listed in (("purge_ips", "ips"), ("purge_memberships", "memberships")):
        if params[option] and params[listed] is None:
            problems.append("%s needs %s: it removes what %s does not list (an empty list removes everything)."
                            % (option, listed, listed))
    return wanted


def absent_problems(params):
    refused = [name for name in PRESENT_ONLY if params[name] is not None]
    refused += [name for name in ("purge_ips", "purge_memberships") if params[name]]
    if params["id"] is not None and params["description"] is not None:
        refused.append("description")
    if not refused:
        return []
    return ["state=absent deletes the whole map, so %s cannot be used with it. To take IPs or memberships off a "
            "map that stays, use remove_ips or remove_memberships with state=present." % ", ".join(refused)]


def overlap_problems(wanted):
    problems = []
    clashing = ips_within(wanted.ips or [], wanted.remove_networks)
    if clashing:
        problems.append("ips and remove_ips overlap: %s." % ", ".join(clashing[:10]))
    both = [key for key in wanted.memberships or [] if key in wanted.remove_memberships]
    if both:
        problems.append("memberships and remove_memberships both name %s."
                        % ", ".join(describe_membership(key) for key in both))
    return problems


# --- decisions (no API) ----------------------------------------------------------------------------------------

class Plan:
    """The writes that turn an existing map into the wanted one."""

    def __init__(self, settings, ips_add, ips_remove, members_add, members_remove):
        self.settings = settings
        self.ips_add = ips_add
        self.ips_remove = ips_remove
        self.members_add = members_add
        self.members_remove = members_remove

    @property
    def empty(self):
        return not (self.settings or self.ips_add or self.ips_remove or self.members_add or self.members_remove)

    @property
    def touches_children(self):
        return bool(self.ips_add or self.ips_remove or self.members_add or self.members_remove)


def current_settings(address_map):
    """The managed settings of a map; an enabled state Cloudflare reports as null counts as disabled."""
    return dict(description=address_map.get("description"), default_sni=address_map.get("default_sni"),
                enabled=bool(address_map.get("enabled")))


def plan_changes(address_map, wanted):
    current = current_settings(address_map)
    settings = dict((name, value) for name, value in wanted.settings.items() if current[name] != value)
    have_ips = map_ips(address_map)
    ips_add = [ip for ip in wanted.ips or [] if ip not in have_ips]
    ips_remove = [ip for ip in have_ips if wanted.purge_ips and ip not in wanted.ips]
    ips_remove += [ip for ip in ips_within(have_ips, wanted.remove_networks) if ip not in ips_remove]
    have_members = map_membership_keys(address_map)
    members_add = [key for key in wanted.memberships or [] if key not in have_members]
    members_remove = [key for key in have_members if wanted.purge_memberships and key not in wanted.memberships]
    members_remove += [key for key in wanted.remove_memberships if key in have_members and key not in members_remove]
    return Plan(settings, ips_add, ips_remove, members_add, members_remove)


def refusals(address_map, plan):
    """Why Cloudflare would refuse part of the plan (it manages the map); checked before the first write."""
    problems = []
    name = describe_map(address_map)
    if (plan.ips_add or plan.ips_remove) and address_map.get("can_modify_ips") is False:
        changes = [sentence % ", ".join(ips) for sentence, ips in (("add %s", plan.ips_add),
                                                                   ("remove %s", plan.ips_remove)) if ips]
        problems.append("Cloudflare manages the IPs of %s (can_modify_ips: false): the module cannot %s."
                        % (name, " or ".join(changes)))
    locked = [member for member in address_map.get("memberships") or []
              if membership_key(member) in plan.members_remove and member.get("can_delete") is False]
    if locked:
        problems.append("Cloudflare does not allow removing the membership(s) %s of %s (can_delete: false). List "
                        "them in memberships, or leave them out of remove_memberships."
                        % (", ".join(describe_membership(membership_key(item)) for item in locked), name))
    return problems


def describe_map(address_map):
    return "address map %s (%r)" % (address_map.get("id"), address_map.get("description"))


def new_membership(key):
    return dict(kind=key[0], identifier=key[1], can_delete=True, created_at=None)


def predicted_new_map(wanted):
    """A map as Cloudflare would create it, with the values only Cloudflare can know set to None."""
    return dict(id=None, description=wanted.name, default_sni=wanted.settings.get("default_sni"),
                enabled=bool(wanted.settings.get("enabled")), can_delete=True, can_modify_ips=True,
                created_at=None, modified_at=None,
                ips=[dict(ip=ip, created_at=None) for ip in wanted.ips or []],
                memberships=[new_membership(key) for key in wanted.memberships or []])


def apply_plan(address_map, plan):
    """The map as Cloudflare would return it after the plan (check mode)."""
    predicted = copy.deepcopy(address_map)
    predicted.update(plan.settings)
    predicted["ips"] = [item for item in predicted.get("ips") or []
                        if canonical_ip(item.get("ip")) not in plan.ips_remove]
    predicted["ips"] += [dict(ip=ip, created_at=None) for ip in plan.ips_add]
    predicted["memberships"] = [item for item in predicted.get("memberships") or []
                                if membership_key(item) not in plan.members_remove]
    predicted["memberships"] += [new_membership(key) for key in plan.members_add]
    return predicted


def diff_view(address_map):
    if not address_map:
        return {}
    view = current_settings(address_map)
    view["ips"] = sorted(map_ips(address_map))
    view["memberships"] = sorted(describe_membership(key) for key in map_membership_keys(address_map))
    return view


def membership_dicts(keys):
    return [dict(kind=kind, identifier=identifier) for kind, identifier in keys]


# --- API -------------------------------------------------------------------------------------------------------

def find_by_name(client, name):
    """The whole map with this description, or None: the list, then one GET of the match."""
    try:
        match = single_match(list_address_maps(client), lambda item: item.get("description") == name,
                             "address maps with the description %r" % name)
    except AmbiguousMatchError as error:
        raise AmbiguousMatchError("%s Or name the map to manage by id." % error)
    return get_address_map(client, match["id"]) if match else None


def find_map(module, wanted):
    if wanted.map_id:
        return get_address_map(module.client, wanted.map_id)
    return find_by_name(module.client, wanted.name)


class Writer:
    """Sends the writes of one run and remembers which succeeded, so that a failure can say what was done."""

    def __init__(self, module, address_map):
        self.module = module
        self.client = module.client
        self.map = address_map
        self.done = dict(ips_added=[], ips_removed=[], memberships_added=[], memberships_removed=[])

    def call(self, action, method, path, body=None):
        try:
            return self.client.request(method, path, body=body).get("result")
        except CloudflareAPIError as error:
            if method == "DELETE" and error.status == 404:  # already gone: the goal is reached
                return None
            what = "%s %s. The writes listed in this result were done; re-running converges" % (
                action, describe_map(self.map))
            done = dict((name, items if "ips" in name else membership_dicts(items))
                        for name, items in self.done.items())
            self.module.fail_api(error, what, address_map=self.map, disabled_first=False, **done)
            raise  # not reached: fail_api exits

    def patch(self, settings):
        body = dict(settings)
        return self.call("change %s of" % ", ".join(sorted(body)), "PATCH",
                         address_maps_path(self.client, self.map["id"]), body)

    def ips(self, method, ips, record):
        verb = "add IP %s to" if method == "PUT" else "remove IP %s from"
        for ip in ips:
            self.call(verb % ip, method, address_maps_path(self.client, self.map["id"], "ips", ip),
                      {} if method == "PUT" else None)
            self.done[record].append(ip)

    def memberships(self, method, keys, record):
        verb = "add the membership of %s to" if method == "PUT" else "remove the membership of %s from"
        for key in keys:
            self.call(verb % describe_membership(key), method, membership_path(self.client, self.map["id"], key),
                      {} if method == "PUT" else None)
            self.done[record].append(key)


def carry_out(module, address_map, plan):
    """The writes of the plan, in a safe order; returns the map as Cloudflare has it afterwards."""
    writer = Writer(module, address_map)
    settings = dict(plan.settings)
    enable_last = settings.get("enabled") is True  # the map goes live only once its IPs are in place
    patched = writer.patch(settings) if settings and not enable_last else None
    writer.ips("PUT", plan.ips_add, "ips_added")
    writer.memberships("PUT", plan.members_add, "memberships_added")
    writer.memberships("DELETE", plan.members_remove, "memberships_removed")
    writer.ips("DELETE", plan.ips_remove, "ips_removed")
    if settings and enable_last:
        patched = writer.patch(settings)
    if plan.touches_children:
        return get_address_map(module.client, address_map["id"]) or apply_plan(address_map, plan)
    return dict(address_map, **(patched or {}))


def create_map(module, wanted):
    """POST the map with its IPs and memberships; a default SNI (not accepted by the POST) follows as a PATCH."""
    client = module.client
    body = dict(description=wanted.name)
    sni = wanted.settings.get("default_sni")
    # With a default SNI the map is created disabled and enabled together with the SNI, so it goes live complete.
    if wanted.settings.get("enabled") is not None:
        body["enabled"] = wanted.settings["enabled"] and not sni
    if wanted.ips is not None:
        body["ips"] = list(wanted.ips)
    if wanted.memberships is not None:
        body["memberships"] = membership_dicts(wanted.memberships)
    created = module.call_api("create the address map %r" % wanted.name, client.create_resource,
                              address_maps_path(client), body, lambda: find_by_name(client, wanted.name))
    if not sni:
        return created
    later = dict((name, wanted.settings[name]) for name in ("default_sni", "enabled") if name in wanted.settings)
    return dict(created, **(Writer(module, created).patch(later) or {}))


# --- state -----------------------------------------------------------------------------------------------------

def ensure_present(module, wanted, existing):
    """(changed, before, after, plan or None)."""
    if existing is None and wanted.map_id:
        module.fail_json(msg="Account %s has no address map with id %s. An id names an existing map; to create one, "
                             "name it by description instead." % (module.params["account_id"], wanted.map_id))
    if existing is None and wanted.only_removals:
        return False, None, None, None
    if existing is None:
        if module.check_mode:
            return True, None, predicted_new_map(wanted), None
        return True, None, create_map(module, wanted), None
    plan = plan_changes(existing, wanted)
    problems = refusals(existing, plan)
    if problems:
        module.fail_json(msg=" ".join(problems) + " Nothing was changed.", address_map=existing)
    if plan.empty:
        return False, existing, existing, plan
    if module.check_mode:
        return True, existing, apply_plan(existing, plan), plan
    return True, existing, carry_out(module, existing, plan), plan


def ensure_absent(module, existing):
    """(changed, before, disabled_first)."""
    if existing is None:
        return False, None, False
    if existing.get("can_delete") is False:
        module.fail_json(msg="Cloudflare manages %s (can_delete: false); it cannot be deleted through the API. "
                             "Nothing was changed." % describe_map(existing), address_map=existing)
    disabled_first = bool(existing.get("enabled"))
    if module.check_mode:
        return True, existing, disabled_first
    client = module.client
    path = address_maps_path(client, existing["id"])
    try:
        if disabled_first:
            client.patch(path, dict(enabled=False))
        client.delete(path)
    except CloudflareAPIError as error:
        if error.status != 404:
            done = (". It was disabled first and stays disabled (Cloudflare's DNS no longer answers with its IPs); "
                    "re-run to delete it" if disabled_first and error.method == "DELETE" else "")
            module.fail_api(error, "delete %s%s" % (describe_map(existing), done), address_map=existing,
                            disabled_first=disabled_first and error.method == "DELETE")
    return True, existing, disabled_first


def main():
    module = AddressingModule(
        argument_spec=dict(
            id=dict(type="str"),
            description=dict(type="str"),
            default_sni=dict(type="str"),
            enabled=dict(type="bool"),
            ips=dict(type="list", elements="str"),
            purge_ips=dict(type="bool", default=False),
            remove_ips=dict(type="list", elements="str"),
            memberships=dict(type="list", elements="dict", options=MEMBERSHIP_SPEC),
            purge_memberships=dict(type="bool", default=False),
            remove_memberships=dict(type="list", elements="dict", options=MEMBERSHIP_SPEC),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_one_of=[("id", "description")],
    )
    wanted = check_input(module.params)
    if wanted.problems:
        module.fail_json(msg="Invalid input: " + " ".join(wanted.problems))

    def run():
        existing = find_map(module, wanted)
        result = dict(ips_added=[], ips_removed=[], memberships_added=[], memberships_removed=[],
                      disabled_first=False)
        if module.params["state"] == "absent":
            changed, before, result["disabled_first"] = ensure_absent(module, existing)
            after = None
        else:
            changed, before, after, plan = ensure_present(module, wanted, existing)
            if plan is not None:
                result.update(ips_added=plan.ips_add, ips_removed=plan.ips_remove,
                              memberships_added=membership_dicts(plan.members_add),
                              memberships_removed=membership_dicts(plan.members_remove))
        module.exit_with(changed, "address_map", before, after, DIFF_KEYS, diff_view=diff_view, **result)

    module.run(run)


if __name__ == "__main__":
    main()
