#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_address_map_info
short_description: Read the address maps of a Cloudflare account with their IPs and memberships
version_added: 0.2.0
description:
  - Returns the address maps of a Cloudflare account, each with its IPs and its account and zone memberships.
  - All maps, the one named by O(id), the ones with a given O(description), or only the maps that hold IPs inside
    given prefixes or CIDRs (O(cidrs)).
  - The module only reads. Cloudflare's list of maps holds plain maps without IPs and memberships, so the module
    sends one request for the list and one more per returned map (one request in all with O(id)).
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes.INFO_MODULE
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
options:
  id:
    description:
      - Return only the map with this identifier (32 hexadecimal characters). An identifier the account does not
        have returns an empty list.
      - Mutually exclusive with O(description).
    type: str
  description:
    description:
      - Return only the maps whose description is exactly this. More than one map can match.
    type: str
  cidrs:
    description:
      - Return only the maps that hold at least one IP inside one of these prefixes or CIDRs (an IP address counts
        as its own C(/32) or C(/128)), for example the prefixes about to be offboarded.
      - Each returned map then lists those IPs in RV(address_maps[].matched_ips).
    type: list
    elements: str
seealso:
  - module: cloudflare.addressing.byoip_address_map
  - module: cloudflare.addressing.byoip_prefix_info
  - name: Cloudflare API reference for address maps
    description: The endpoints this module calls.
    link: https://developers.cloudflare.com/api/resources/addressing/subresources/address_maps/
"""

EXAMPLES = r"""
- name: Every address map of the account
  cloudflare.addressing.byoip_address_map_info:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
  register: maps

- name: The maps that hold IPs of the prefix about to be offboarded
  cloudflare.addressing.byoip_address_map_info:
    cidrs:
      - 203.0.113.0/24
  register: affected

- name: Show which IPs of the prefix each map holds
  ansible.builtin.debug:
    msg: "{{ item.description }}: {{ item.matched_ips | join(', ') }}"
  loop: "{{ affected.address_maps }}"
  loop_control:
    label: "{{ item.id }}"
"""

RETURN = r"""
address_maps:
  description: The matching maps as Cloudflare returns them one by one, with their IPs and memberships; an empty list
    when none matches.
  returned: always
  type: list
  elements: dict
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
      description: The map's IPs, each as C({ip, created_at}).
      type: list
      elements: dict
      sample: [{ip: 203.0.113.16, created_at: "2025-02-25T00:34:11.423722Z"}]
    memberships:
      description: The accounts and zones the map belongs to, each as C({kind, identifier, can_delete, created_at}).
      type: list
      elements: dict
      sample: [{kind: zone, identifier: 023e105f4ecef8ad9ca31a8372d0c353, can_delete: true,
                created_at: "2025-02-25T00:34:11.423722Z"}]
    matched_ips:
      description: The map's IPs that lie inside O(cidrs), in canonical form.
      returned: when O(cidrs) is given
      type: list
      elements: str
      sample: [203.0.113.16, 203.0.113.17]
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils._address_map import (
    cidr_filter,
    get_address_map,
    ips_within,
    list_address_maps,
    map_ips,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    AddressingModule,
    InputError,
    check_identifier,
)


def check_input(params):
    """The networks of O(cidrs) (None when not given); every problem at once."""
    problems = []
    try:
        check_identifier(params["id"], "id")
    except InputError as error:
        problems.append(str(error))
    networks = None
    try:
        networks = cidr_filter(params["cidrs"], "map")
    except InputError as error:
        problems.append(str(error))
    if params["description"] is not None and not params["description"].strip():
        problems.append("description is empty; leave it unset to read every map.")
    if problems:
        raise InputError(" ".join(problems))
    return networks


def read_maps(client, map_id, description):
    """The whole maps: one GET by id, or the list and one GET per matching map."""
    if map_id:
        found = get_address_map(client, map_id)
        return [found] if found else []
    plain = [item for item in list_address_maps(client)
             if description is None or item.get("description") == description]
    return [found for found in (get_address_map(client, item["id"]) for item in plain) if found]


def in_networks(address_maps, networks):
    """The maps holding IPs inside the networks, each with those IPs as matched_ips; all maps when None."""
    if networks is None:
        return address_maps
    selected = []
    for address_map in address_maps:
        matched = ips_within(map_ips(address_map), networks)
        if matched:
            selected.append(dict(address_map, matched_ips=matched))
    return selected


def main():
    module = AddressingModule(
        argument_spec=dict(
            id=dict(type="str"),
            description=dict(type="str"),
            cidrs=dict(type="list", elements="str"),
        ),
        mutually_exclusive=[("id", "description")],
    )
    networks = module.input_check(check_input, module.params)

    def run():
        found = read_maps(module.client, module.params["id"], module.params["description"])
        module.exit_json(changed=False, address_maps=in_networks(found, networks))

    module.run(run)


if __name__ == "__main__":
    main()
