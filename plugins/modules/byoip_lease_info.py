#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_lease_info
short_description: List the IP address leases of a Cloudflare account
version_added: 0.2.0
description:
  - Returns the leases the account holds - Cloudflare addresses leased to it, for example static IPs for
    Spectrum - with their CIDRs and purpose.
  - The module only reads, with one request.
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes.INFO_MODULE
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
options:
  cidrs:
    description:
      - Return only the leases with a CIDR that overlaps one of these networks (an IP address counts as its own
        C(/32) or C(/128)).
    type: list
    elements: str
seealso:
  - module: cloudflare.addressing.byoip_prefix_info
  - module: cloudflare.addressing.byoip_address_map
  - name: Cloudflare API reference for leases
    description: The endpoint this module calls.
    link: https://developers.cloudflare.com/api/resources/addressing/subresources/leases/
"""

EXAMPLES = r"""
- name: List the leases of the account
  cloudflare.addressing.byoip_lease_info:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
  register: leases

- name: Show every leased CIDR
  ansible.builtin.debug:
    msg: "{{ leases.leases | map(attribute='cidrs') | flatten }}"
"""

RETURN = r"""
leases:
  description: The leases, or those that overlap O(cidrs); an empty list when none does.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Identifier of the lease.
      type: str
      sample: d933b1530bc56c9953cf8ce166da8004
    cidrs:
      description: The leased CIDRs.
      type: list
      elements: str
      sample: [192.0.2.100/32, 192.0.2.101/32]
    owner_id:
      description: The account that owns the lease.
      type: str
      sample: 023e105f4ecef8ad9ca31a8372d0c353
    purpose:
      description: What the addresses are for.
      type: str
      sample: Spectrum Static IPs
    active_from:
      description: When the lease became active (RFC 3339).
      type: str
      sample: "2025-02-25T00:34:11.423722Z"
    created_at:
      description: When the lease was created (RFC 3339).
      type: str
      sample: "2025-02-25T00:34:11.423722Z"
    modified_at:
      description: When the lease last changed (RFC 3339).
      type: str
      sample: "2025-02-25T00:34:11.423722Z"
"""

import ipaddress

from ansible_collections.cloudflare.addressing.plugins.module_utils._address_map import cidr_filter
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import AddressingModule


def overlaps(lease, networks):
    for text in lease.get("cidrs") or []:
        try:
            leased = ipaddress.ip_network(str(text), strict=False)
        except ValueError:
            continue
        if any(leased.version == network.version and leased.overlaps(network) for network in networks):
            return True
    return False


def matching(leases, networks):
    if networks is None:
        return list(leases)
    return [lease for lease in leases if overlaps(lease, networks)]


def main():
    module = AddressingModule(argument_spec=dict(cidrs=dict(type="list", elements="str")))
    networks = module.input_check(cidr_filter, module.params["cidrs"], "lease")

    def run():
        client = module.client
        module.exit_json(changed=False, leases=matching(client.get(client.account_path("leases")) or [], networks))

    module.run(run)


if __name__ == "__main__":
    main()
