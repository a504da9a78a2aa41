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
options:
  cidr:
    description:
      - The part of the prefix to delegate, for example C(203.0.113.128/25). It must lie inside the prefix and have
        no host bits set.
      - Defaults to the whole prefix.
    type: str
  delegated_account_id:
    description:
      - Identifier (32 hexadecimal characters) of the Cloudflare account that receives the delegation.
      - It cannot be the account that owns the prefix (O(account_id)).
    type: str
    required: true
  state:
    description:
      - V(present) ensures the delegation exists; V(absent) removes it.
      - Removing a delegation that does not exist, or whose prefix does not exist, changes nothing.
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
"""

RETURN = r"""
delegation:
  description:
    - The delegation as Cloudflare returns it after the run (predicted in check mode).
    - Empty after O(state=absent).
    - In check mode, values only Cloudflare can know (the id and the timestamps of a new delegation, and the
      parent's id when the prefix does not exist yet) are V(null).
  returned: always
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
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    PARENT_MUTUALLY_EXCLUSIVE,
    PARENT_PREFIX_SPEC,
    PARENT_REQUIRED_ONE_OF,
    AddressingModule,
    InputError,
    check_child_input,
    check_identifier,
    child_network,
    parent_or_dry_run,
    same_network,
    single_match,
)

DIFF_KEYS = ("cidr", "delegated_account_id", "parent_prefix_id")


def check_delegated_account(delegated_account_id, account_id):
    """The receiving account must be a well-formed id, and not the owner: Cloudflare refuses self-delegation."""
    check_identifier(delegated_account_id, "delegated_account_id")
    if delegated_account_id == account_id:
        raise InputError("delegated_account_id %s is the account that owns the prefix (account_id); a prefix can "
                         "only be delegated to another account." % delegated_account_id)
    return delegated_account_id


def is_wanted(delegation, network, delegated_account_id):
    return (same_network(delegation.get("cidr"), str(network))
            and delegation.get("delegated_account_id") == delegated_account_id)


def predicted_delegation(network, delegated_account_id, parent):
    """The delegation Cloudflare would create, with the values only Cloudflare can know set to None."""
    return dict(id=None, cidr=str(network), delegated_account_id=delegated_account_id,
                parent_prefix_id=parent.get("id") if parent else None, created_at=None, modified_at=None)


def delegations_path(client, parent):
    return client.account_path("prefixes", parent["id"], "delegations")


def find_delegation(client, parent, network, delegated_account_id):
    """The delegation of this CIDR to this account, or None (one request)."""
    delegations = client.get(delegations_path(client, parent)) or []
    return single_match(delegations, lambda item: is_wanted(item, network, delegated_account_id),
                        "delegations of %s to account %s" % (network, delegated_account_id))


def ensure_present(module, parent, network):
    client = module.client
    account = module.params["delegated_account_id"]
    if parent is None:  # check mode, parent to be added by an earlier task
        return True, None, predicted_delegation(network, account, None)
    existing = find_delegation(client, parent, network, account)
    if existing is not None:
        return False, existing, existing
    if module.check_mode:
        return True, None, predicted_delegation(network, account, parent)
    body = dict(cidr=str(network), delegated_account_id=account)
    try:
        created = client.create_resource(delegations_path(client, parent), body,
                                         lambda: find_delegation(client, parent, network, account))
    except CloudflareAPIError as error:
        module.fail_api(error, "delegate %s to account %s" % (network, account))
        raise  # not reached: fail_api exits
    return True, None, created


def ensure_absent(module, parent, network):
    client = module.client
    if parent is None:
        return False, None
    existing = find_delegation(client, parent, network, module.params["delegated_account_id"])
    if existing is None:
        return False, None
    if not module.check_mode:
        try:
            client.delete(client.account_path("prefixes", parent["id"], "delegations", existing["id"]))
        except CloudflareAPIError as error:
            if error.status != 404:  # already gone: the goal is reached
                module.fail_api(error, "remove the delegation %s of %s" % (existing["id"], existing.get("cidr")))
    return True, existing


def main():
    argument_spec = dict(
        cidr=dict(type="str"),
        delegated_account_id=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    argument_spec.update(PARENT_PREFIX_SPEC)
    module = AddressingModule(
        argument_spec=argument_spec,
        mutually_exclusive=PARENT_MUTUALLY_EXCLUSIVE,
        required_one_of=PARENT_REQUIRED_ONE_OF,
    )
    parent_network, network = check_child_input(module)
    module.input_check(check_delegated_account, module.params["delegated_account_id"], module.params["account_id"])

    def run():
        parent = parent_or_dry_run(module, "the delegation")
        if parent is not None:
            wanted = child_network(parent, network)
        else:
            wanted = network or parent_network
        if module.params["state"] == "absent":
            changed, before = ensure_absent(module, parent, wanted)
            after = {}
        else:
            changed, before, after = ensure_present(module, parent, wanted)
        module.exit_with(changed, "delegation", before, after, DIFF_KEYS)

    module.run(run)


if __name__ == "__main__":
    main()
