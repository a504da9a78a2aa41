#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_bgp_prefix
short_description: Create, advertise, withdraw or delete a BGP prefix of a Cloudflare BYOIP prefix
version_added: 0.1.0
description:
  - Ensures that a BGP prefix of a bring-your-own-IP prefix exists with the requested advertisement and BGP
    settings, or that it does not.
  - A BGP prefix is what Cloudflare announces to the Internet. Creating the default service binding of a prefix
    creates the BGP prefix of the whole prefix automatically (withdrawn); more specific BGP prefixes, for example the
    two /24s of a /23, let you advertise parts of a prefix separately. Each BGP prefix is billed separately.
  - The BGP prefix is identified by its CIDR inside the parent prefix. The module adopts whatever BGP prefix exists at
    that CIDR, including the one Cloudflare created for the default binding.
  - Only the settings you set are managed; a setting left unset is left as it is. A run that finds everything as
    requested sends no write.
  - A new BGP prefix starts withdrawn. When O(advertised), O(asn_prepend_count) or O(auto_advertise_withdraw) ask
    for something else, the module creates it and then changes it with one more request.
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
  - cloudflare.addressing.parent_prefix
  - cloudflare.addressing.batch
options:
  cidr:
    description:
      - The BGP prefix, for example C(198.51.101.0/24). Defaults to the whole parent prefix. Set to V(null), it is
        refused; leave it out to mean the whole prefix.
      - It must lie inside the parent prefix and be a /24 or shorter (IPv4) or a /48 or shorter (IPv6), the most
        specific prefixes Cloudflare advertises. Host bits must be zero; IPv6 may be written in any spelling.
      - Like O(prefix_cidr), it cannot be address space that can never be announced on the Internet (see the
        O(cloudflare.addressing.byoip_prefix#module:cidr) option of the C(cloudflare.addressing.byoip_prefix)
        module).
    type: str
  advertised:
    description:
      - Whether Cloudflare advertises the BGP prefix to the Internet (on-demand advertisement).
      - Advertising takes effect in roughly 2 to 7 minutes, withdrawing in about 15 minutes. A successful run means
        Cloudflare registered the change, not that routers have converged.
      - Cloudflare allows one advertise or withdraw change per prefix every 15 minutes and answers more frequent
        changes with HTTP 429. When Cloudflare asks to wait longer than O(retry_max_wait), the module fails at once,
        says when the last change was and when to retry.
      - After the default service binding is created, allow five hours before advertising the prefix. The
        C(cloudflare.addressing.byoip_onboard) role enforces this wait; this module does not.
      - Cloudflare can lock the advertisement of a prefix until its pre-flight checks are closed
        (RV(bgp_prefix.on_demand.on_demand_locked)). Asking to change a locked advertisement fails without sending
        a request.
      - Setting the current value again is not a change.
    type: bool
  asn_prepend_count:
    description:
      - Number of times Cloudflare prepends its ASN to the AS path of the announcement, from V(0) to V(3).
        Prepending makes the path longer and so less preferred, for example to keep a backup announcement.
    type: int
  auto_advertise_withdraw:
    description:
      - For Magic Transit customers. When V(true), Cloudflare withdraws the BGP prefix automatically when the Magic
        Transit routing table has no matching route, and advertises it again when at least one matching route
        exists.
    type: bool
  state:
    description:
      - V(present) ensures the BGP prefix exists with the requested settings; V(absent) deletes it.
      - Cloudflare deletes only withdrawn BGP prefixes. Deleting an advertised one fails without sending a request;
        withdraw it first (O(advertised=false)). When offboarding, announce the prefix from your own network before
        withdrawing it at Cloudflare, so that traffic keeps a route.
    type: str
    choices: [present, absent]
    default: present
  bgp_prefixes:
    description:
      - Batch mode, several BGP prefixes in one run, each a dict with the options of one BGP prefix.
      - Mutually exclusive with the options of a single BGP prefix (O(prefix_cidr), O(prefix_id),
        O(parent_planned), O(cidr), O(advertised), O(asn_prepend_count), O(auto_advertise_withdraw) and O(state)).
      - See the notes for how a batch runs.
    type: list
    version_added: 0.2.0
    elements: dict
    suboptions:
      prefix_cidr:
        description: CIDR of the parent prefix, as O(prefix_cidr). One of O(bgp_prefixes[].prefix_cidr) and
          O(bgp_prefixes[].prefix_id) is required.
        type: str
      prefix_id:
        description: Identifier of the parent prefix, as O(prefix_id).
        type: str
      parent_planned:
        description: Whether an earlier task of the same run adds the parent prefix, as O(parent_planned).
        type: bool
        default: false
      cidr:
        description: The BGP prefix, as O(cidr); the whole parent prefix when left out.
        type: str
      advertised:
        description: Whether Cloudflare advertises the BGP prefix, as O(advertised).
        type: bool
      asn_prepend_count:
        description: How often Cloudflare prepends its ASN, as O(asn_prepend_count).
        type: int
      auto_advertise_withdraw:
        description: Whether Magic Transit routes drive the advertisement, as O(auto_advertise_withdraw).
        type: bool
      state:
        description: Whether the BGP prefix exists, as O(state).
        type: str
        choices: [present, absent]
        default: present
notes:
  - The module does not wait for the advertisement to propagate.
seealso:
  - module: cloudflare.addressing.byoip_prefix_info
  - name: Cloudflare BGP prefixes API
    description: The endpoints this module calls.
    link: https://developers.cloudflare.com/api/resources/addressing/subresources/prefixes/subresources/bgp_prefixes/
  - name: Dynamic advertisement best practices
    description: Timings of advertising and withdrawing, and how to withdraw safely.
    link: https://developers.cloudflare.com/byoip/concepts/dynamic-advertisement/best-practices/
"""

EXAMPLES = r"""
- name: Advertise the whole prefix (the BGP prefix of the default binding)
  cloudflare.addressing.byoip_bgp_prefix:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
    prefix_cidr: 198.51.100.0/23
    advertised: true

- name: Announce the second /24 of the prefix separately, with a longer AS path
  cloudflare.addressing.byoip_bgp_prefix:
    prefix_cidr: 198.51.100.0/23
    cidr: 198.51.101.0/24
    asn_prepend_count: 2
    advertised: true
  register: announced

- name: Withdraw it again (Cloudflare allows one change every 15 minutes)
  cloudflare.addressing.byoip_bgp_prefix:
    prefix_cidr: 198.51.100.0/23
    cidr: 198.51.101.0/24
    advertised: false

- name: Delete the withdrawn more-specific BGP prefix
  cloudflare.addressing.byoip_bgp_prefix:
    prefix_cidr: 198.51.100.0/23
    cidr: 198.51.101.0/24
    state: absent

- name: Advertise several prefixes in one run (batch mode)
  cloudflare.addressing.byoip_bgp_prefix:
    bgp_prefixes:
      - {prefix_cidr: 203.0.113.0/24, advertised: true}
      - {prefix_cidr: 198.51.100.0/24, advertised: true}
    # Cloudflare allows one change per prefix every 15 minutes; let the module wait for it.
    retry_max_wait: 960
  register: advertised

- name: Show which of them changed
  ansible.builtin.debug:
    msg: "{{ advertised.results | selectattr('changed') | map(attribute='item.prefix_cidr') }}"
"""

RETURN = r"""
bgp_prefix:
  description:
    - The BGP prefix as Cloudflare returns it after the run (predicted in check mode).
    - Empty after O(state=absent).
    - In check mode, a BGP prefix that would be created has V(null) identifiers and timestamps; a predicted change
      keeps the timestamps of the current object.
  returned: when O(bgp_prefixes) is not set (batch mode returns RV(results))
  type: dict
  contains:
    id:
      description: Identifier of the BGP prefix.
      type: str
      sample: 7009ba364c7a5760798ceb430e603b74
    cidr:
      description: The BGP prefix.
      type: str
      sample: 198.51.101.0/24
    asn:
      description: AS number the BGP prefix is announced with (the parent prefix's ASN).
      type: int
      sample: 13335
    asn_prepend_count:
      description: Number of times the Cloudflare ASN is prepended to the AS path.
      type: int
      sample: 0
    auto_advertise_withdraw:
      description: Whether Cloudflare advertises and withdraws the BGP prefix by the routes in the Magic Transit
        routing table.
      type: bool
      sample: false
    bgp_signal_opts:
      description: Advertisement controlled through a BGP signal from your own routers.
      type: dict
      contains:
        enabled:
          description: Whether the advertisement is controlled by BGP signal.
          type: bool
          sample: false
        modified_at:
          description: When BGP signaling was last switched on or off (RFC 3339), V(null) if never.
          type: str
          sample: null
    on_demand:
      description: On-demand (API-controlled) advertisement.
      type: dict
      contains:
        advertised:
          description: Whether the BGP prefix is advertised.
          type: bool
          sample: true
        advertised_modified_at:
          description: When the advertisement last changed (RFC 3339), V(null) if never.
          type: str
          sample: "2025-02-25T00:34:11.423722Z"
        on_demand_enabled:
          description: Whether the advertisement can be changed through the API.
          type: bool
          sample: true
        on_demand_locked:
          description: Whether Cloudflare locked the advertisement (until its pre-flight checks are closed).
          type: bool
          sample: false
    created_at:
      description: When the BGP prefix was created (RFC 3339).
      type: str
      sample: "2025-02-25T00:30:02.104311Z"
    modified_at:
      description: When the BGP prefix last changed (RFC 3339).
      type: str
      sample: "2025-02-25T00:34:11.423722Z"
results:
  description:
    - Batch mode, one entry per element of O(bgp_prefixes), in the same order.
    - Also returned when the module fails. An element that failed then has RV(results[].failed=true) and a
      message; an element that was never started has RV(results[].skipped=true).
  returned: when O(bgp_prefixes) is set
  type: list
  version_added: 0.2.0
  elements: dict
  contains:
    item:
      description: The element as checked, with every option and CIDRs in canonical form.
      type: dict
      sample: {"prefix_cidr": "203.0.113.0/24", "prefix_id": null, "parent_planned": false, "cidr": null,
               "advertised": true, "asn_prepend_count": null, "auto_advertise_withdraw": null, "state": "present"}
    changed:
      description: Whether this element changed something (in check mode, would change).
      type: bool
      sample: true
    bgp_prefix:
      description: The BGP prefix after the run, as RV(bgp_prefix); empty when absent.
      type: dict
      sample: {"id": "7009ba364c7a5760798ceb430e603b74", "cidr": "203.0.113.0/24", "asn": 13335,
               "asn_prepend_count": 0, "auto_advertise_withdraw": false,
               "on_demand": {"advertised": true, "on_demand_enabled": true, "on_demand_locked": false}}
    failed:
      description: Whether this element failed; its message is in RV(results[].msg).
      type: bool
      returned: when the element failed
      sample: true
    skipped:
      description: Whether this element was never started because another one failed first.
      type: bool
      returned: when the element was not started
      sample: true
    msg:
      description: Why the element failed, or why it was not started.
      type: str
      returned: when the element failed or was not started
      sample: "Not started: an earlier object failed."
"""

import copy
import datetime
import re

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError
from ansible_collections.cloudflare.addressing.plugins.module_utils._batch import BatchModule, Resource
from ansible_collections.cloudflare.addressing.plugins.module_utils._children import (
    PARENT_NULL_HINTS,
    check_child_input,
    child_key,
    describe_child,
    run_child_module,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    PARENT_MUTUALLY_EXCLUSIVE,
    PARENT_PREFIX_SPEC,
    PARENT_REQUIRED_ONE_OF,
    InputError,
    same_network,
    single_match,
)

SETTINGS = ("advertised", "asn_prepend_count", "auto_advertise_withdraw")
DIFF_KEYS = ("cidr",) + SETTINGS
MAX_ASN_PREPEND_COUNT = 3
# Cloudflare: "A prefix can be activated or deactivated once every 15 minutes".
TOGGLE_HOLD = datetime.timedelta(minutes=15)
RATE_LIMITED = 971  # Cloudflare's general rate limit, as opposed to the advertisement toggle hold


# --- decisions (no API) ----------------------------------------------------------------------------------------

def check_asn_prepend_count(value, option="asn_prepend_count"):
    if value is not None and not 0 <= value <= MAX_ASN_PREPEND_COUNT:
        raise InputError("%s must be between 0 and %d, got %s." % (option, MAX_ASN_PREPEND_COUNT, value))
    return value


def check_input(params, problems):
    parsed = check_child_input(params, problems, onboardable=True)
    problems.check(check_asn_prepend_count, params["asn_prepend_count"], problems.name("asn_prepend_count"))
    return parsed


def on_demand(bgp_prefix):
    return bgp_prefix.get("on_demand") or {}


def current_settings(bgp_prefix):
    """The managed settings of a BGP prefix; an advertisement Cloudflare reports as null counts as withdrawn."""
    return dict(advertised=bool(on_demand(bgp_prefix).get("advertised")),
                asn_prepend_count=bgp_prefix.get("asn_prepend_count", 0),
                auto_advertise_withdraw=bool(bgp_prefix.get("auto_advertise_withdraw")))


def requested_settings(params):
    """The settings the user set; unset ones are left alone."""
    return dict((name, params[name]) for name in SETTINGS if params.get(name) is not None)


def changes_needed(bgp_prefix, requested):
    """The requested settings that differ from the BGP prefix."""
    current = current_settings(bgp_prefix)
    return dict((name, value) for name, value in requested.items() if current[name] != value)


def patch_body(changes):
    body = dict((name, changes[name]) for name in ("asn_prepend_count", "auto_advertise_withdraw") if name in changes)
    if "advertised" in changes:
        body["on_demand"] = dict(advertised=changes["advertised"])
    return body


def apply_changes(bgp_prefix, changes):
    """The BGP prefix as Cloudflare would return it after the changes (check mode)."""
    predicted = copy.deepcopy(bgp_prefix)
    for name in ("asn_prepend_count", "auto_advertise_withdraw"):
        if name in changes:
            predicted[name] = changes[name]
    if "advertised" in changes:
        predicted["on_demand"] = dict(on_demand(predicted), advertised=changes["advertised"])
    return predicted


def predicted_new_bgp_prefix(parent, network):
    """A BGP prefix as Cloudflare creates it: withdrawn, with ids and timestamps only Cloudflare knows as None."""
    parent = parent or {}
    return dict(id=None, cidr=str(network), asn=parent.get("asn"), asn_prepend_count=0,
                auto_advertise_withdraw=False, bgp_signal_opts=dict(enabled=False, modified_at=None),
                on_demand=dict(advertised=False, advertised_modified_at=None, on_demand_enabled=True,
                               on_demand_locked=bool(parent.get("on_demand_locked"))),
                created_at=None, modified_at=None)


def locked_toggle_message(bgp_prefix, changes):
    """Why a requested advertisement change cannot happen, or None when it can."""
    if "advertised" not in changes or not on_demand(bgp_prefix).get("on_demand_locked"):
        return None
    return ("Cloudflare has locked the advertisement of BGP prefix %s (on_demand_locked): it cannot be %s until "
            "Cloudflare's pre-flight checks for the prefix are closed. No request was sent. Contact your Cloudflare "
            "account team to have the checks closed and the lock lifted."
            % (bgp_prefix.get("cidr"), "advertised" if changes["advertised"] else "withdrawn"))


def advertised_delete_message(bgp_prefix):
    return ("BGP prefix %s is advertised, and Cloudflare deletes only withdrawn BGP prefixes. No request was sent. "
            "Withdraw it first (advertised: false; withdrawing takes about 15 minutes to propagate), then delete it. "
            "When offboarding, announce the prefix from your own network first and wait for it to converge before "
            "withdrawing it at Cloudflare, so that traffic keeps a route." % bgp_prefix.get("cidr"))


def parse_timestamp(text):
    """An RFC 3339 timestamp as an aware datetime, or None when it is missing or unreadable."""
    match = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$", str(text or "").strip())
    if not match:
        return None
    moment = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    micro = (match.group(2) or "0")[:6].ljust(6, "0")
    zone = match.group(3) or "Z"
    offset = datetime.timedelta(0) if zone == "Z" else datetime.timedelta(
        hours=int(zone[1:3]), minutes=int(zone[4:6])) * (1 if zone[0] == "+" else -1)
    return moment.replace(microsecond=int(micro), tzinfo=datetime.timezone(offset))


def format_timestamp(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def toggle_hold_message(bgp_prefix, changes, error):
    """The 15-minute advertisement hold in a sentence: when the last change was and when to retry."""
    last = parse_timestamp(on_demand(bgp_prefix).get("advertised_modified_at"))
    if error.retry_after is not None:
        # Cloudflare's own Retry-After is exact, counted from its clock (the Date header) like the last change
        # time; the 15 minutes after the last change are the fallback.
        answered_at = error.server_time or datetime.datetime.now(datetime.timezone.utc)
        retry_at = answered_at + datetime.timedelta(seconds=error.retry_after)
    elif last is not None:
        retry_at = last + TOGGLE_HOLD
    else:
        retry_at = None
    when = "The last change was at %s" % format_timestamp(last) if last else "The last change time is not known"
    when += "; retry after %s" % format_timestamp(retry_at) if retry_at else "; retry in 15 minutes"
    return ("Cloudflare refused to %s BGP prefix %s: it allows one advertise or withdraw change per prefix every "
            "15 minutes. %s, or raise retry_max_wait above the remaining wait to let the module wait for it. %s"
            % ("advertise" if changes["advertised"] else "withdraw", bgp_prefix.get("cidr"), when,
               error.describe()))


def is_toggle_hold(error, changes):
    """A 429 left over after the client's retries, on a request that changes the advertisement."""
    return error.status == 429 and "advertised" in changes and RATE_LIMITED not in error.codes


def diff_view(bgp_prefix):
    if not bgp_prefix:
        return {}
    return dict(current_settings(bgp_prefix), cidr=bgp_prefix.get("cidr"))


# --- API --------------------------------------------------------------------------------------------------------

def bgp_prefixes_path(client, parent, *parts):
    return client.account_path("prefixes", parent["id"], "bgp", "prefixes", *parts)


def find_bgp_prefix(bgp_prefixes, network):
    """The parent's BGP prefix at this CIDR among its BGP prefixes, or None."""
    return single_match(bgp_prefixes, lambda item: same_network(item.get("cidr"), str(network)),
                        "BGP prefixes for %s" % network)


def update(module, target, bgp_prefix, changes):
    """One PATCH with the changed settings; the toggle hold becomes a sentence instead of a bare 429."""
    client = module.client
    try:
        updated = client.patch(bgp_prefixes_path(client, target.parent, bgp_prefix["id"]), patch_body(changes))
    except CloudflareAPIError as error:
        if is_toggle_hold(error, changes):
            module.fail_json(msg=toggle_hold_message(bgp_prefix, changes, error), bgp_prefix=bgp_prefix,
                             **error.as_dict())
        raise
    return target.children.replace(bgp_prefix, updated)


def refuse_locked_toggle(module, bgp_prefix, changes):
    message = locked_toggle_message(bgp_prefix, changes)
    if message:
        module.fail_json(msg=message, bgp_prefix=bgp_prefix)


def ensure_present(module, target):
    """(changed, before, after) after creating or changing the BGP prefix as requested.

    target.parent is None only in check mode, when the parent prefix is still to be added by an earlier task.
    """
    client = module.client
    requested = requested_settings(module.params)
    bgp_prefixes = target.children
    existing = find_bgp_prefix(bgp_prefixes.items(), target.network)

    if existing is None:
        predicted = predicted_new_bgp_prefix(target.parent, target.network)
        refuse_locked_toggle(module, predicted, changes_needed(predicted, requested))
        if module.check_mode:
            return True, None, bgp_prefixes.add(apply_changes(predicted, changes_needed(predicted, requested)))
        created = bgp_prefixes.add(client.create_resource(
            bgp_prefixes.path, dict(cidr=str(target.network)),
            lambda: find_bgp_prefix(bgp_prefixes.reload(), target.network)))
        # An adopted BGP prefix (dropped create) may not be withdrawn: compare with what exists, not the prediction.
        changes = changes_needed(created, requested)
        refuse_locked_toggle(module, created, changes)
        return True, None, update(module, target, created, changes) if changes else created

    changes = changes_needed(existing, requested)
    if not changes:
        return False, existing, existing
    refuse_locked_toggle(module, existing, changes)
    if module.check_mode:
        return True, existing, bgp_prefixes.replace(existing, apply_changes(existing, changes))
    return True, existing, update(module, target, existing, changes)


def ensure_absent(module, target):
    """(changed, before) after deleting the BGP prefix; an advertised one is refused."""
    client = module.client
    if target.parent is None:
        return False, None
    existing = find_bgp_prefix(target.children.items(), target.network)
    if existing is None:
        return False, None
    if on_demand(existing).get("advertised"):
        if not module.check_mode:
            module.fail_json(msg=advertised_delete_message(existing), bgp_prefix=existing)
        # In a dry run an earlier task (a withdrawal) may have been predicted but not done.
        module.warn("BGP prefix %s is advertised, and Cloudflare deletes only withdrawn BGP prefixes. This dry run "
                    "predicts the deletion anyway; a real run fails unless an earlier task withdraws it."
                    % existing.get("cidr"))
    if not module.check_mode:
        try:
            client.delete(bgp_prefixes_path(client, target.parent, existing["id"]))
        except CloudflareAPIError as error:
            if error.status != 404:  # already gone: the goal is reached
                raise
    target.children.remove(existing)
    return True, existing


def apply(module, target):
    """(changed, before, after, extras) for one BGP prefix."""
    if module.params["state"] == "absent":
        changed, before = ensure_absent(module, target)
        return changed, before, None, {}
    changed, before, after = ensure_present(module, target)
    return changed, before, after, {}


SPEC = dict(PARENT_PREFIX_SPEC)
SPEC.update(
    cidr=dict(type="str"),
    advertised=dict(type="bool"),
    asn_prepend_count=dict(type="int"),
    auto_advertise_withdraw=dict(type="bool"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
RESOURCE = Resource(
    option="bgp_prefixes", key="bgp_prefix", spec=SPEC, check=check_input, natural_key=child_key,
    describe=describe_child, diff_keys=DIFF_KEYS, diff_view=diff_view, null_hints=PARENT_NULL_HINTS,
    mutually_exclusive=PARENT_MUTUALLY_EXCLUSIVE, required_one_of=PARENT_REQUIRED_ONE_OF,
)


def main():
    module = BatchModule(RESOURCE)
    run_child_module(module, "its BGP prefix", bgp_prefixes_path, apply)


if __name__ == "__main__":
    main()
