#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_regional_binding
short_description: Pin where Cloudflare processes the traffic of a CIDR of a BYOIP prefix (Regional Services)
version_added: 0.2.0
description:
  - Ensures that a CIDR inside a bring-your-own-IP prefix is bound to a Regional Services region (Data
    Localization Suite), so that Cloudflare terminates TLS and processes traffic to those addresses only in data
    centres of that region, or that the binding is removed.
  - A binding is identified by its CIDR within the prefix. When the CIDR is bound to another region, the module
    changes the region in place (one C(PATCH)); it never deletes and recreates the binding.
  - Cloudflare takes four to six hours to provision a new binding or a new region. The module does not wait.
  - Needs the Regional Services and Regional Services for BYOIP entitlements on the account, and an API token with
    C(DLS Write) and C(IP Prefixes Write) (reads need C(DLS Read)).
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
      - The network to bind, for example C(203.0.113.128/25). It must lie inside the prefix, be more specific than
        it, and have no host bits set.
      - Cloudflare refuses the whole prefix (it is always in use by the prefix's service bindings) and a CIDR that
        already has a binding; overlapping bindings of different CIDRs can coexist, and the most specific one
        applies.
    type: str
    required: true
  region:
    description:
      - The region key, for example V(eu) or V(us). The regions of the account and their keys are listed by
        M(cloudflare.addressing.byoip_region_info).
      - Before it creates a binding or changes its region, the module reads the account's regions and fails, listing
        them, when the key is not one of them.
      - Required when O(state=present). With O(state=absent), when set, the binding is removed only if it is bound
        to this region; a binding to another region is left alone with a warning.
    type: str
    aliases: [region_key]
  state:
    description:
      - V(present) ensures the binding exists with the region; V(absent) removes the binding of O(cidr).
    type: str
    choices: [present, absent]
    default: present
notes:
  - Cloudflare lists Regional Services bindings for the whole account, 100 a page; reading them costs one request
    per 100 bindings, after the one that reads the prefix. A create or a change of region reads the regions once
    more (one request) and then writes once.
  - The binding's id is also a service binding id of the prefix; its provisioning state can be read with
    C(GET /accounts/{account_id}/addressing/prefixes/{prefix_id}/bindings/{id}).
seealso:
  - module: cloudflare.addressing.byoip_region_info
  - module: cloudflare.addressing.byoip_binding
  - name: Cloudflare Regionalized IP Bindings
    description: How Regional Services apply to BYOIP prefixes.
    link: https://developers.cloudflare.com/data-localization/regional-services/ip-bindings/
  - name: Cloudflare API reference for Regional Services prefix bindings
    description: The endpoints this module calls.
    link: https://developers.cloudflare.com/api/resources/dls/subresources/regional_services/subresources/prefix_bindings/
"""

EXAMPLES = r"""
- name: Process the traffic of the upper half of the prefix in the EU only
  cloudflare.addressing.byoip_regional_binding:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
    prefix_cidr: 203.0.113.0/24
    cidr: 203.0.113.128/25
    region: eu

- name: Move it to the United States (changes the region in place)
  cloudflare.addressing.byoip_regional_binding:
    prefix_cidr: 203.0.113.0/24
    cidr: 203.0.113.128/25
    region: us

- name: Remove the binding, but only if it is still in the United States
  cloudflare.addressing.byoip_regional_binding:
    prefix_cidr: 203.0.113.0/24
    cidr: 203.0.113.128/25
    region: us
    state: absent
"""

RETURN = r"""
regional_binding:
  description:
    - The binding as Cloudflare returns it after the run (predicted in check mode).
    - Empty after O(state=absent), unless the binding was left in place because it is bound to another region
      than O(region).
    - In check mode a new binding has RV(regional_binding.id=null), and RV(regional_binding.prefix_id=null) when
      the prefix is still to be added by an earlier task.
  returned: always
  type: dict
  contains:
    id:
      description: Identifier of the binding (also a service binding id of the prefix).
      type: str
      sample: 0429b49b6a5155297b78e75a44b09e14
    prefix_id:
      description: Identifier of the prefix.
      type: str
      sample: 72823e95d6c64d48a8111fec81179816
    cidr:
      description: The bound network.
      type: str
      sample: 203.0.113.128/25
    region_key:
      description: The region key.
      type: str
      sample: eu
"""

import ipaddress

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError
from ansible_collections.cloudflare.addressing.plugins.module_utils._batch import Problems
from ansible_collections.cloudflare.addressing.plugins.module_utils._children import check_child_input
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    PARENT_MUTUALLY_EXCLUSIVE,
    PARENT_PREFIX_SPEC,
    PARENT_REQUIRED_ONE_OF,
    AddressingModule,
    InputError,
    child_network,
    parent_or_dry_run,
    same_network,
    single_match,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._dls import (
    list_prefix_bindings,
    list_regions,
    prefix_bindings_path,
)

DIFF_KEYS = ("cidr", "region_key")
MAX_REGION_KEY_LENGTH = 128


# --- decisions (no API) ----------------------------------------------------------------------------------------

def check_region(value):
    """The region key as given (stripped); None when unset."""
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > MAX_REGION_KEY_LENGTH:
        raise InputError("region must be a region key of 1 to %d characters, for example eu or us; got %d "
                         "characters." % (MAX_REGION_KEY_LENGTH, len(text)))
    return text


def check_more_specific(network, parent_network, option="cidr"):
    """Cloudflare binds regions to parts of a prefix only: the whole prefix is always in use."""
    if network == parent_network:
        raise InputError("%s %s is the whole prefix; Cloudflare binds regions only to CIDRs more specific than the "
                         "prefix (the whole prefix is always in use by its service bindings). Bind its halves, for "
                         "example %s." % (option, network, " and ".join(str(half) for half in network.subnets())))
    return network


def check_known_region(regions, region):
    """InputError listing the account's regions when region is not one of their keys."""
    if any(item.get("region_key") == region for item in regions):
        return
    available = ", ".join("%s (%s)" % (item.get("region_key"), item.get("name"))
                          for item in sorted(regions, key=lambda item: str(item.get("region_key"))))
    raise InputError("region %s is not a region of the account. Available regions: %s."
                     % (region, available or "none (are Regional Services enabled for the account?)"))


def predicted_binding(parent, network, region):
    return dict(id=None, prefix_id=(parent or {}).get("id"), cidr=str(network), region_key=region)


# --- API -------------------------------------------------------------------------------------------------------

def binding_at(client, parent, network):
    """The prefix's Regional Services binding of this CIDR, or None."""
    return single_match(list_prefix_bindings(client),
                        lambda item: item.get("prefix_id") == parent["id"]
                        and same_network(item.get("cidr"), str(network)),
                        "Regional Services bindings for %s" % network)


# --- state -----------------------------------------------------------------------------------------------------

def check_approved(module, parent, network):
    """Regional Services bind CIDRs of onboarded (approved) prefixes; in a dry run an earlier task may get there."""
    if parent is None or parent.get("approved") == "V":
        return
    sentence = ("Prefix %s is not approved yet (approved=%s), and Regional Services bind CIDRs of onboarded prefixes "
                "only. Wait until its validation passes (cloudflare.addressing.byoip_prefix returns approved=V), then "
                "bind %s." % (parent.get("cidr"), parent.get("approved"), network))
    if not module.check_mode:
        raise InputError(sentence + " Nothing was changed.")
    module.warn(sentence + " This dry run predicts the binding anyway.")


def ensure_present(module, parent, network, region):
    client = module.client
    existing = binding_at(client, parent, network) if parent else None
    if existing is not None and existing.get("region_key") == region:
        return False, existing, existing
    check_known_region(list_regions(client), region)
    if existing is not None:
        if module.check_mode:
            return True, existing, dict(existing, region_key=region)
        action = "move %s from region %s to %s" % (network, existing.get("region_key"), region)
        updated = module.call_api(action, client.patch, prefix_bindings_path(client, existing["id"]),
                                  dict(region_key=region))
        return True, existing, updated
    check_approved(module, parent, network)
    if module.check_mode:
        return True, None, predicted_binding(parent, network, region)
    body = dict(prefix_id=parent["id"], cidr=str(network), region_key=region)
    created = module.call_api("bind %s to region %s" % (network, region), client.create_resource,
                              prefix_bindings_path(client), body, lambda: binding_at(client, parent, network))
    return True, None, created


def ensure_absent(module, parent, network, region):
    client = module.client
    existing = binding_at(client, parent, network) if parent else None
    if existing is None:
        return False, None, None
    if region is not None and existing.get("region_key") != region:
        module.warn("%s is bound to region %s (binding %s), not to %s; left alone."
                    % (existing.get("cidr"), existing.get("region_key"), existing.get("id"), region))
        return False, existing, existing
    if not module.check_mode:
        try:
            client.delete(prefix_bindings_path(client, existing["id"]))
        except CloudflareAPIError as error:
            if error.status != 404:  # already gone: the goal is reached
                module.fail_api(error, "remove the Regional Services binding %s (%s, region %s)"
                                % (existing["id"], existing.get("cidr"), existing.get("region_key")))
    return True, existing, None


def main():
    argument_spec = dict(PARENT_PREFIX_SPEC)
    argument_spec.update(
        cidr=dict(type="str", required=True),
        region=dict(type="str", aliases=["region_key"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AddressingModule(
        argument_spec=argument_spec,
        mutually_exclusive=PARENT_MUTUALLY_EXCLUSIVE,
        required_one_of=PARENT_REQUIRED_ONE_OF,
        required_if=[("state", "present", ("region",))],
    )
    problems = Problems()
    parsed = check_child_input(module.params, problems)
    if problems.messages:
        module.fail_json(msg=" ".join(problems.messages))
    parent_network, network = parsed["prefix_cidr"], parsed["cidr"]
    if parent_network is not None:
        module.input_check(check_more_specific, network, parent_network)
    region = module.input_check(check_region, module.params["region"])

    def run():
        parent = parent_or_dry_run(module, "the regional binding")
        if parent is not None:
            target = check_more_specific(child_network(parent, network),
                                         ipaddress.ip_network(parent["cidr"], strict=False))
        else:
            target = network
        if module.params["state"] == "absent":
            changed, before, after = ensure_absent(module, parent, target, region)
        else:
            changed, before, after = ensure_present(module, parent, target, region)
        module.exit_with(changed, "regional_binding", before, after, DIFF_KEYS)

    module.run(run)


if __name__ == "__main__":
    main()
