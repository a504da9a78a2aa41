#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_delegation
short_description: Delegate a Cloudflare BYOIP prefix, or part of it, to another account
version_added: 0.1.0
description:
  - Ensures that all or part of a bring-your-own-IP prefix is delegated to another Cloudflare account, or that it
    is not.
  - A delegation is identified by its CIDR together with the account it is delegated to. Cloudflare cannot edit a
    delegation, so a delegation either exists for that pair or the module creates it; the same CIDR may be
    delegated to several accounts, each with its own delegation.
  - The other account can then use the delegated IPs for the CDN and Cloudflare for SaaS (address maps, custom
    hostnames) or for Spectrum. Service bindings stay on the account that owns the prefix
    (see M(cloudflare.addressing.byoip_binding)).
  - The Cloudflare dashboard delegates only whole prefixes; delegating part of a prefix is possible only through
    the API, which this module uses.
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
      - The part of the prefix to delegate, for example C(203.0.113.128/25). It must lie inside the prefix and have
        no host bits set.
      - Defaults to the whole prefix. Set to V(null), it is refused; leave it out to mean the whole prefix.
    type: str
  delegated_account_id:
    description:
      - Identifier (32 hexadecimal characters) of the Cloudflare account that receives the delegation.
      - It cannot be the account that owns the prefix (O(account_id)).
      - Required, unless O(delegations) is given.
    type: str
  state:
    description:
      - V(present) ensures the delegation exists; V(absent) removes it.
      - Removing a delegation that does not exist, or whose prefix does not exist, changes nothing.
    type: str
    choices: [present, absent]
    default: present
  delegations:
    description:
      - Batch mode, several delegations in one run, each a dict with the options of one delegation.
      - Mutually exclusive with the options of a single delegation (O(prefix_cidr), O(prefix_id),
        O(parent_planned), O(cidr), O(delegated_account_id) and O(state)).
      - See the notes for how a batch runs.
    type: list
    version_added: 0.2.0
    elements: dict
    suboptions:
      prefix_cidr:
        description: CIDR of the parent prefix, as O(prefix_cidr). One of O(delegations[].prefix_cidr) and
          O(delegations[].prefix_id) is required.
        type: str
      prefix_id:
        description: Identifier of the parent prefix, as O(prefix_id).
        type: str
      parent_planned:
        description: Whether an earlier task of the same run adds the parent prefix, as O(parent_planned).
        type: bool
        default: false
      cidr:
        description: The part of the prefix to delegate, as O(cidr); the whole prefix when left out.
        type: str
      delegated_account_id:
        description: The account that receives the delegation, as O(delegated_account_id).
        type: str
        required: true
      state:
        description: Whether the delegation exists, as O(state).
        type: str
        choices: [present, absent]
        default: present
notes:
  - Delegations are keyed by O(cidr) and O(delegated_account_id). Changing either one in your inventory creates a
    new delegation; remove the old one with O(state=absent).
seealso:
  - module: cloudflare.addressing.byoip_prefix
  - module: cloudflare.addressing.byoip_binding
  - name: Cloudflare BYOIP prefix delegations
    description: What a delegation lets the other account do.
    link: https://developers.cloudflare.com/byoip/concepts/prefix-delegations/
"""

EXAMPLES = r"""
- name: Let another account use the whole prefix for its CDN zones
  cloudflare.addressing.byoip_delegation:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
    prefix_cidr: 203.0.113.0/24
    delegated_account_id: 9a7806061c88ada191ed06f989cc3dac

- name: Delegate only the upper half (possible only through the API)
  cloudflare.addressing.byoip_delegation:
    prefix_cidr: 203.0.113.0/24
    cidr: 203.0.113.128/25
    delegated_account_id: 9a7806061c88ada191ed06f989cc3dac
  register: half

- name: Show the delegation
  ansible.builtin.debug:
    msg: "{{ half.delegation.cidr }} is delegated as {{ half.delegation.id }}"

- name: Take the delegation back
  cloudflare.addressing.byoip_delegation:
    prefix_cidr: 203.0.113.0/24
    cidr: 203.0.113.128/25
    delegated_account_id: 9a7806061c88ada191ed06f989cc3dac
    state: absent

- name: Delegate several prefixes in one run (batch mode), in a dry run of an onboarding that adds them first
  cloudflare.addressing.byoip_delegation:
    delegations:
      - prefix_cidr: 203.0.113.0/24
        delegated_account_id: 9a7806061c88ada191ed06f989cc3dac
        parent_planned: true
      - prefix_cidr: 198.51.100.0/24
        cidr: 198.51.100.0/25
        delegated_account_id: 9a7806061c88ada191ed06f989cc3dac
        parent_planned: true
  register: delegated

- name: Show what each element did
  ansible.builtin.debug:
    msg: "{{ delegated.results | map(attribute='item.cidr') | zip(delegated.results | map(attribute='changed')) }}"
"""

RETURN = r"""
delegation:
  description:
    - The delegation as Cloudflare returns it after the run (predicted in check mode).
    - Empty after O(state=absent).
    - In check mode, values only Cloudflare can know (the id and the timestamps of a new delegation, and the
      parent's id when the prefix does not exist yet) are V(null).
  returned: when O(delegations) is not set (batch mode returns RV(results))
  type: dict
  contains:
    id:
      description: Identifier of the delegation.
      type: str
      sample: d933b1530bc56c9953cf8ce166da8004
    cidr:
      description: The delegated network, inside the parent prefix.
      type: str
      sample: 203.0.113.128/25
    delegated_account_id:
      description: The account the network is delegated to.
      type: str
      sample: 9a7806061c88ada191ed06f989cc3dac
    parent_prefix_id:
      description: Identifier of the BYOIP prefix the network belongs to.
      type: str
      sample: 72823e95d6c64d48a8111fec81179816
    created_at:
      description: When the delegation was created (RFC 3339).
      type: str
      sample: "2025-02-25T00:34:11.423722Z"
    modified_at:
      description: When the delegation last changed (RFC 3339).
      type: str
      sample: "2025-02-25T00:34:11.423722Z"
results:
  description:
    - Batch mode, one entry per element of O(delegations), in the same order.
    - Also returned when the module fails. An element that failed then has RV(results[].failed=true) and a
      message; an element that was never started has RV(results[].skipped=true).
  returned: when O(delegations) is set
  type: list
  version_added: 0.2.0
  elements: dict
  contains:
    item:
      description: The element as checked, with every option and CIDRs in canonical form.
      type: dict
      sample: {"prefix_cidr": "203.0.113.0/24", "prefix_id": null, "parent_planned": false, "cidr": null,
               "delegated_account_id": "9a7806061c88ada191ed06f989cc3dac", "state": "present"}
    changed:
      description: Whether this element changed something (in check mode, would change).
      type: bool
      sample: true
    delegation:
      description: The delegation after the run, as RV(delegation); empty when absent.
      type: dict
      sample: {"id": "d933b1530bc56c9953cf8ce166da8004", "cidr": "203.0.113.0/24",
               "delegated_account_id": "9a7806061c88ada191ed06f989cc3dac",
               "parent_prefix_id": "72823e95d6c64d48a8111fec81179816",
               "created_at": "2025-02-25T00:34:11.423722Z", "modified_at": "2025-02-25T00:34:11.423722Z"}
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
    check_identifier,
    same_network,
    single_match,
)

DIFF_KEYS = ("cidr", "delegated_account_id", "parent_prefix_id")


def check_delegated_account(delegated_account_id, account_id, option="delegated_account_id"):
    """The receiving account must be a well-formed id, and not the owner: Cloudflare refuses self-delegation."""
    check_identifier(delegated_account_id, option)
    if delegated_account_id == account_id:
        raise InputError("%s %s is the account that owns the prefix (account_id); a prefix can only be delegated "
                         "to another account." % (option, delegated_account_id))
    return delegated_account_id


def check_input(params, problems):
    parsed = check_child_input(params, problems)
    problems.check(check_delegated_account, params["delegated_account_id"], params["account_id"],
                   problems.name("delegated_account_id"))
    return parsed


def natural_key(params, parsed):
    return child_key(params, parsed) + (params["delegated_account_id"],)


def describe(params, parsed):
    return "%s to account %s" % (describe_child(params, parsed), params["delegated_account_id"])


def is_wanted(delegation, network, delegated_account_id):
    return (same_network(delegation.get("cidr"), str(network))
            and delegation.get("delegated_account_id") == delegated_account_id)


def predicted_delegation(network, delegated_account_id, parent):
    """The delegation Cloudflare would create, with the values only Cloudflare can know set to None."""
    return dict(id=None, cidr=str(network), delegated_account_id=delegated_account_id,
                parent_prefix_id=parent.get("id") if parent else None, created_at=None, modified_at=None)


def delegations_path(client, parent):
    return client.account_path("prefixes", parent["id"], "delegations")


def find_delegation(delegations, network, delegated_account_id):
    """The delegation of this CIDR to this account among the parent's delegations, or None."""
    return single_match(delegations, lambda item: is_wanted(item, network, delegated_account_id),
                        "delegations of %s to account %s" % (network, delegated_account_id))


def ensure_present(module, target):
    client = module.client
    account = module.params["delegated_account_id"]
    network, delegations = target.network, target.children
    if target.parent is None:  # check mode, parent to be added by an earlier task
        return True, None, delegations.add(predicted_delegation(network, account, None))
    existing = find_delegation(delegations.items(), network, account)
    if existing is not None:
        return False, existing, existing
    if module.check_mode:
        return True, None, delegations.add(predicted_delegation(network, account, target.parent))
    body = dict(cidr=str(network), delegated_account_id=account)
    try:
        created = client.create_resource(delegations.path, body,
                                         lambda: find_delegation(delegations.reload(), network, account))
    except CloudflareAPIError as error:
        module.fail_api(error, "delegate %s to account %s" % (network, account))
        raise  # not reached: fail_api exits
    return True, None, delegations.add(created)


def ensure_absent(module, target):
    client = module.client
    if target.parent is None:
        return False, None
    existing = find_delegation(target.children.items(), target.network, module.params["delegated_account_id"])
    if existing is None:
        return False, None
    if not module.check_mode:
        try:
            client.delete(client.account_path("prefixes", target.parent["id"], "delegations", existing["id"]))
        except CloudflareAPIError as error:
            if error.status != 404:  # already gone: the goal is reached
                module.fail_api(error, "remove the delegation %s of %s" % (existing["id"], existing.get("cidr")))
    target.children.remove(existing)
    return True, existing


def apply(module, target):
    """(changed, before, after, extras) for one delegation."""
    if module.params["state"] == "absent":
        changed, before = ensure_absent(module, target)
        return changed, before, {}, {}
    changed, before, after = ensure_present(module, target)
    return changed, before, after, {}


SPEC = dict(
    cidr=dict(type="str"),
    delegated_account_id=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
SPEC.update(PARENT_PREFIX_SPEC)
RESOURCE = Resource(
    option="delegations", key="delegation", spec=SPEC, check=check_input, natural_key=natural_key,
    describe=describe, diff_keys=DIFF_KEYS,
    null_hints=dict(PARENT_NULL_HINTS, delegated_account_id="give the id of the account that receives the delegation"),
    mutually_exclusive=PARENT_MUTUALLY_EXCLUSIVE, required_one_of=PARENT_REQUIRED_ONE_OF,
)


def main():
    module = BatchModule(RESOURCE)
    run_child_module(module, "the delegation", delegations_path, apply)


if __name__ == "__main__":
    main()
