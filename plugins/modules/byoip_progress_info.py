#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_progress_info
short_description: Read how far BYOIP prefixes are in validation or in deployment, for one poll of a wait
version_added: 0.2.0
description:
  - Reads the prefixes named in O(cidrs) and says, for each, whether it is ready, still pending or stopped at the
    O(stage) it waits for. It is made for one task that waits on many prefixes at once with C(until), C(retries) and
    C(delay); the wait ends when the slowest prefix is ready (RV(done)).
  - O(stage=validation) reads the prefix list (one request) and is ready when Cloudflare approved the prefix
    (C(approved=V)). A validation check that ran and failed (C(missing), C(invalid), C(mismatch_asn)) stops the prefix.
  - O(stage=deployment) also reads the service bindings and BGP prefixes of each approved prefix (two requests per
    prefix) and is ready when every binding is C(active) and the BGP prefix of the whole prefix exists. A binding in
    state C(magic_transit_route_missing) stops the prefix; so does an unapproved one.
  - When the task registers its result and retries, each retry re-reads only the prefixes that the previous attempt
    found still pending, and carries the others over, so a long wait costs less as prefixes get ready. Each poll
    prints one line with the states still pending and the time the wait gives up.
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes.INFO_MODULE
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
options:
  cidrs:
    description:
      - The prefixes to read, as CIDRs. At least one; a CIDR that is not a prefix of the account fails that prefix.
    type: list
    elements: str
    required: true
  stage:
    description:
      - What the prefixes wait for.
    type: str
    choices: [validation, deployment]
    required: true
  regional_bindings:
    description:
      - With O(stage=deployment), also wait until every Regional Services binding of each prefix is C(active).
      - Costs one request per 100 Regional Services bindings of the account, plus one per binding of each prefix read,
        on every poll. Needs a token with C(DLS Read).
    type: bool
    default: false
    version_added: 0.2.0
notes:
  - The poll line and the narrowing of later retries need O(cidrs) to stay the same for every retry, which it does
    in a task with C(until), and C(register) on the task.
seealso:
  - module: cloudflare.addressing.byoip_prefix_info
  - name: Cloudflare BYOIP get started
    description: The validation and deployment steps, and how long they take.
    link: https://developers.cloudflare.com/byoip/get-started/
"""

EXAMPLES = r"""
- name: Wait up to a day until Cloudflare approves both prefixes
  cloudflare.addressing.byoip_progress_info:
    cidrs: [203.0.113.0/24, 198.51.100.0/24]
    stage: validation
  register: validation
  until: validation is failed or validation.done
  retries: 288
  delay: 300

- name: Wait until every binding is deployed
  cloudflare.addressing.byoip_progress_info:
    cidrs: "{{ validation.ready }}"
    stage: deployment
  register: deployment
  until: deployment is failed or deployment.done
  retries: 48
  delay: 600
"""

RETURN = r"""
done:
  description: Whether no prefix is pending any more (each is ready or stopped).
  returned: always
  type: bool
  sample: false
ready:
  description: The prefixes that reached the stage, canonical CIDRs in the order of O(cidrs).
  returned: always
  type: list
  elements: str
  sample: [203.0.113.0/24]
pending:
  description: The prefixes still on their way, each with its state in a few words.
  returned: always
  type: dict
  sample: {"198.51.100.0/24": "IRR valid, RPKI pending, ownership pending"}
stopped:
  description: The prefixes that cannot get there without your action, each with the reason.
  returned: always
  type: dict
  sample: {"192.0.2.0/24": "validation failed: RPKI invalid"}
prefixes:
  description:
    - The prefixes as last read (carried over from an earlier attempt when not re-read), as
      M(cloudflare.addressing.byoip_prefix_info) returns them; with O(stage=deployment) with their C(bindings) and
      C(bgp_prefixes).
  returned: always
  type: list
  elements: dict
server_time:
  description: Cloudflare's clock at the last answer (its C(Date) header), RFC 3339; null when it sent none.
  returned: always
  type: str
  sample: "2026-11-29T12:00:00Z"
poll:
  description:
    - Which poll of the wait this was, and when the wait gives up, on Cloudflare's clock (its C(Date) header), or
      on this host's clock when it sent none.
  returned: always
  type: dict
  sample: {"number": 3, "deadline": "2026-11-30T12:00:00Z"}
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    AddressingModule,
    InputError,
    list_prefixes,
    parse_network,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._progress import evaluate, read_children


def check_cidrs(cidrs):
    """Canonical CIDRs, in order, each once; an empty list or an empty entry is bad input, never "every prefix"."""
    if not cidrs:
        raise InputError("cidrs is empty: name at least one prefix to wait for.")
    networks = []
    for index, value in enumerate(cidrs):
        if value is None or not str(value).strip():
            raise InputError("cidrs[%d] is empty: name a prefix such as 203.0.113.0/24." % index)
        network = str(parse_network(value, "cidrs[%d]" % index))
        if network not in networks:
            networks.append(network)
    return networks


def main():
    module = AddressingModule(
        argument_spec=dict(
            cidrs=dict(type="list", elements="str", required=True),
            stage=dict(type="str", choices=["validation", "deployment"], required=True),
            regional_bindings=dict(type="bool", default=False),
        ),
    )
    cidrs = module.input_check(check_cidrs, module.params["cidrs"])
    stage = module.params["stage"]

    def run():
        client = module.client
        found = dict((str(parse_network(prefix["cidr"], "cidr")), prefix) for prefix in list_prefixes(client))
        if stage == "deployment":
            approved = [cidr for cidr in cidrs if found.get(cidr, {}).get("approved") == "V"]
            found.update(zip(approved, read_children(client, [found[cidr] for cidr in approved],
                                                     regional=module.params["regional_bindings"])))
        result = evaluate(cidrs, found, stage)
        module.exit_json(changed=False, server_time=client.server_time, **result)

    module.run(run)


if __name__ == "__main__":
    main()
