#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_service_info
short_description: List the Cloudflare services a BYOIP prefix can be bound to
version_added: 0.1.0
description:
  - Returns the services (for example Magic Transit, CDN and Spectrum) that service bindings of a bring-your-own-IP
    prefix can route traffic to, with the identifiers a binding needs.
  - The module only reads, with one request.
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes.INFO_MODULE
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
options:
  name:
    description:
      - Return only the service with this name, compared case-insensitively, for example V(CDN) or
        V(magic transit).
      - A name that matches no service returns an empty list.
    type: str
seealso:
  - module: cloudflare.addressing.byoip_prefix_info
  - name: Cloudflare service bindings
    description: Which services a prefix or part of it can be bound to.
    link: https://developers.cloudflare.com/byoip/service-bindings/
"""

EXAMPLES = r"""
- name: List the services
  cloudflare.addressing.byoip_service_info:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
  register: services

- name: Find the identifier of the CDN service
  cloudflare.addressing.byoip_service_info:
    name: cdn
  register: cdn

- name: Show it
  ansible.builtin.debug:
    msg: "CDN is {{ cdn.services[0].id }}"
"""

RETURN = r"""
services:
  description: The services, or the one named by O(name); an empty list when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Identifier of the service, as a service binding's C(service_id) takes it.
      type: str
      sample: 2db684ee7ca04e159946fd05b99e1bcd
    name:
      description: Name of the service.
      type: str
      sample: CDN
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import AddressingModule, list_services


def service_summary(service):
    return dict(id=service.get("id"), name=service.get("name"))


def matching(services, name):
    """The services named name (case-insensitive, surrounding blanks ignored); all of them when name is None."""
    if name is None:
        return [service_summary(service) for service in services]
    wanted = name.strip().lower()
    return [service_summary(service) for service in services if str(service.get("name", "")).lower() == wanted]


def main():
    module = AddressingModule(argument_spec=dict(name=dict(type="str")))
    if module.params["name"] is not None and not module.params["name"].strip():
        module.fail_json(msg="name is empty: give a service name such as CDN, or leave name unset to list every "
                             "service.")

    def run():
        module.exit_json(changed=False, services=matching(list_services(module.client), module.params["name"]))

    module.run(run)


if __name__ == "__main__":
    main()
