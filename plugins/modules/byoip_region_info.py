#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_region_info
short_description: List the Regional Services regions a Cloudflare account can bind BYOIP CIDRs to
version_added: 0.2.0
description:
  - Returns the Data Localization Suite regions (managed and custom) available to the account, with the region keys
    that M(cloudflare.addressing.byoip_regional_binding) takes.
  - The module only reads, with one request per 100 regions, or one request for O(region).
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes.INFO_MODULE
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
options:
  region:
    description:
      - Return only this region, named by its id or, for a managed region, by its key (for example V(eu)). A region
        the account does not have returns an empty list.
      - Mutually exclusive with O(type).
    type: str
  type:
    description:
      - Return only V(managed) regions (Cloudflare's) or V(custom) ones (defined for the account).
    type: str
    choices: [managed, custom]
seealso:
  - module: cloudflare.addressing.byoip_regional_binding
  - name: Cloudflare Regionalized IP Bindings
    description: How Regional Services apply to BYOIP prefixes.
    link: https://developers.cloudflare.com/data-localization/regional-services/ip-bindings/
  - name: Cloudflare API reference for DLS regions
    description: The endpoints this module calls.
    link: https://developers.cloudflare.com/api/resources/dls/subresources/regions/
"""

EXAMPLES = r"""
- name: List the regions
  cloudflare.addressing.byoip_region_info:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
  register: regions

- name: Show their keys
  ansible.builtin.debug:
    msg: "{{ regions.regions | map(attribute='region_key') | list }}"

- name: Is the EU region available?
  cloudflare.addressing.byoip_region_info:
    region: eu
  register: eu
  failed_when: eu.regions | length == 0
"""

RETURN = r"""
regions:
  description: The regions, or the one named by O(region); an empty list when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Identifier of the region.
      type: str
      sample: 9c1b5e6a-2a44-5d0f-8c8e-6d3c2b2b8f11
    region_key:
      description: The key a Regional Services binding takes.
      type: str
      sample: eu
    name:
      description: Name of the region.
      type: str
      sample: Europe
    version:
      description: Version of the region's definition.
      type: int
      sample: 1
    created_on:
      description: When the region was created (RFC 3339).
      type: str
      sample: "2026-01-13T23:59:45.276558Z"
    modified_on:
      description: When the region last changed (RFC 3339).
      type: str
      sample: "2026-01-13T23:59:45.276558Z"
    version_created_on:
      description: When this version of the region was created (RFC 3339).
      type: str
      sample: "2026-01-13T23:59:45.276558Z"
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import AddressingModule
from ansible_collections.cloudflare.addressing.plugins.module_utils._dls import get_region, list_regions

MAX_REGION_LENGTH = 255


def main():
    module = AddressingModule(
        argument_spec=dict(
            region=dict(type="str"),
            type=dict(type="str", choices=["managed", "custom"]),
        ),
        mutually_exclusive=[("region", "type")],
    )
    region = module.params["region"]
    if region is not None and not 0 < len(region.strip()) <= MAX_REGION_LENGTH:
        module.fail_json(msg="region must be a region id or key of 1 to %d characters, got %d characters; leave it "
                             "unset to list every region." % (MAX_REGION_LENGTH, len(region.strip())))

    def run():
        client = module.client
        if region is not None:
            found = get_region(client, region.strip())
            regions = [found] if found else []
        else:
            regions = list_regions(client, module.params["type"])
        module.exit_json(changed=False, regions=regions)

    module.run(run)


if __name__ == "__main__":
    main()
