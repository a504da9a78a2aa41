#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_prefix_info
short_description: List the BYOIP prefixes of a Cloudflare account, with their delegations, bindings and BGP prefixes
version_added: 0.1.0
description:
  - Returns the bring-your-own-IP prefixes of a Cloudflare account, all of them, the one named by O(cidr) or
    O(id), or exactly those named by O(cidrs).
  - With O(include), each returned prefix also carries its delegations, service bindings or BGP prefixes.
  - The module only reads. It sends one request for the prefixes, plus one request per included collection and
    returned prefix; those are sent several at a time (O(concurrency)).
  - A selector set to null or empty (O(cidr), O(id) or O(cidrs)) is refused, never read as "every prefix"; leave
    them all out to read every prefix.
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes.INFO_MODULE
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
  - cloudflare.addressing.batch.CONCURRENCY
options:
  cidr:
    description:
      - Return only the prefix with this CIDR, for example C(203.0.113.0/24). Any spelling of the same network
        matches (IPv6 case and compression). Host bits must be zero.
      - Mutually exclusive with O(id) and O(cidrs).
    type: str
  cidrs:
    description:
      - Return exactly the prefixes with these CIDRs, in this order, for example the prefixes of an inventory.
      - Costs one request for the prefix list, plus one request per included collection and prefix found.
      - CIDRs that match no prefix of the account are returned in RV(missing).
      - Each CIDR may be named once. An empty list, or a null element, is refused.
      - Mutually exclusive with O(cidr) and O(id).
    type: list
    version_added: 0.2.0
    elements: str
  id:
    description:
      - Return only the prefix with this identifier (32 hexadecimal characters). An identifier the account does not
        have returns an empty list.
      - Mutually exclusive with O(cidr) and O(cidrs).
    type: str
  include:
    description:
      - Collections to add under each returned prefix, each costing one request per prefix.
      - V(delegations) adds RV(prefixes[].delegations), V(bindings) adds RV(prefixes[].bindings) and
        V(bgp_prefixes) adds RV(prefixes[].bgp_prefixes).
      - V(regional_bindings) adds RV(prefixes[].regional_bindings), the Regional Services (Data Localization Suite)
        bindings of the prefix with their deployment state. Cloudflare lists them for the whole account, so this
        costs one request per 100 bindings of the account, plus one request per binding of the returned prefixes
        for its state. It needs the Regional Services entitlements and a token with C(DLS Read).
    type: list
    elements: str
    choices: [delegations, bindings, bgp_prefixes, regional_bindings]
    default: []
seealso:
  - module: cloudflare.addressing.byoip_prefix
  - module: cloudflare.addressing.byoip_bgp_prefix
  - module: cloudflare.addressing.byoip_service_info
  - name: Cloudflare IP prefixes API
    description: The endpoints this module calls.
    link: https://developers.cloudflare.com/api/resources/addressing/subresources/prefixes/
"""

EXAMPLES = r"""
- name: List every prefix of the account
  cloudflare.addressing.byoip_prefix_info:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
  register: all_prefixes

- name: Show one prefix with its service bindings and BGP prefixes
  cloudflare.addressing.byoip_prefix_info:
    cidr: 203.0.113.0/24
    include:
      - bindings
      - bgp_prefixes
  register: one

- name: Is the prefix advertised anywhere?
  ansible.builtin.debug:
    msg: "{{ one.prefixes[0].bgp_prefixes | map(attribute='on_demand.advertised') | list }}"
  when: one.prefixes | length == 1

- name: Read exactly the prefixes of the inventory, with everything they carry
  cloudflare.addressing.byoip_prefix_info:
    cidrs: "{{ byoip_prefixes | map(attribute='cidr') }}"
    include: [delegations, bindings, bgp_prefixes]
  register: estate

- name: Name the prefixes still to add
  ansible.builtin.debug:
    msg: "Not in the account yet: {{ estate.missing | join(', ') }}"
  when: estate.missing | length > 0
"""

RETURN = r"""
prefixes:
  description:
    - The prefixes that match, as Cloudflare returns them; an empty list when none does.
    - With O(cidrs), in the order of O(cidrs).
    - Each prefix carries the collections named in O(include), and only those.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Identifier of the prefix.
      type: str
      sample: 72823e95d6c64d48a8111fec81179816
    account_id:
      description: Account that owns the prefix.
      type: str
      sample: 023e105f4ecef8ad9ca31a8372d0c353
    cidr:
      description: The prefix.
      type: str
      sample: 203.0.113.0/24
    asn:
      description: AS number the prefix is onboarded with.
      type: int
      sample: 13335
    description:
      description: Description of the prefix.
      type: str
      sample: Anycast services, Frankfurt
    approved:
      description: Approval state; V(P) while pending validation, V(V) when all checks passed.
      type: str
      sample: V
    irr_validation_state:
      description: State of the IRR route object check, for example V(pending), V(valid), V(missing), V(invalid),
        V(mismatch_asn).
      type: str
      sample: valid
    rpki_validation_state:
      description: State of the RPKI ROA check.
      type: str
      sample: valid
    ownership_validation_state:
      description: State of the ownership check (the token in the IRR object or in reverse DNS).
      type: str
      sample: valid
    ownership_validation_token:
      description: Token to publish as C(cf-validation:<token>) to prove ownership.
      type: str
      sample: 1234a5b6-1234-1abc-12a3-1234a5b6789c
    loa_document_id:
      description: Identifier of the Letter of Authorization.
      type: str
      sample: b9ff4afe312246a8b2e7324d98f40b23
    delegate_loa_creation:
      description: Whether Cloudflare generates the Letter of Authorization.
      type: bool
      sample: true
    on_demand_enabled:
      description: Whether advertisement of the prefix can be switched on and off through the API.
      type: bool
      sample: true
    on_demand_locked:
      description: Whether Cloudflare locked the advertisement (until its pre-flight checks are closed).
      type: bool
      sample: false
    advertised:
      description: Whether the whole prefix is advertised; V(null) until on-demand advertisement is enabled.
      type: bool
      sample: false
    advertised_modified_at:
      description: When the advertisement of the whole prefix last changed (RFC 3339), or V(null).
      type: str
      sample: null
    created_at:
      description: When the prefix was added (RFC 3339).
      type: str
      sample: "2025-02-25T00:34:11.423722Z"
    modified_at:
      description: When the prefix last changed (RFC 3339).
      type: str
      sample: "2025-02-25T00:34:11.423722Z"
    delegations:
      description: The prefix's delegations to other accounts.
      returned: when O(include) contains V(delegations)
      type: list
      elements: dict
      contains:
        id:
          description: Identifier of the delegation.
          type: str
          sample: d933b1530bc56c9953cf8ce166da8004
        cidr:
          description: The delegated part of the prefix.
          type: str
          sample: 203.0.113.0/28
        delegated_account_id:
          description: Account that may use the delegated addresses.
          type: str
          sample: b1946ac92492d2347c6235b4d2611184
        parent_prefix_id:
          description: Identifier of the prefix.
          type: str
          sample: 72823e95d6c64d48a8111fec81179816
        created_at:
          description: When the delegation was created (RFC 3339).
          type: str
          sample: "2025-02-25T00:40:00.000000Z"
        modified_at:
          description: When the delegation last changed (RFC 3339).
          type: str
          sample: "2025-02-25T00:40:00.000000Z"
    bindings:
      description: The prefix's service bindings.
      returned: when O(include) contains V(bindings)
      type: list
      elements: dict
      contains:
        id:
          description: Identifier of the service binding.
          type: str
          sample: 0429b49b6a5155297b78e75a44b09e14
        cidr:
          description: The part of the prefix bound to the service.
          type: str
          sample: 203.0.113.0/24
        service_id:
          description: Identifier of the service (see M(cloudflare.addressing.byoip_service_info)).
          type: str
          sample: 2db684ee7ca04e159946fd05b99e1bcd
        service_name:
          description: Name of the service, for example V(Magic Transit), V(CDN) or V(Spectrum).
          type: str
          sample: CDN
        provisioning:
          description: Provisioning of the binding at Cloudflare's edge.
          type: dict
          contains:
            state:
              description: V(provisioning) while the binding propagates (four to six hours), then V(active);
                V(magic_transit_route_missing) when Magic Transit has no route for it.
              type: str
              sample: active
    bgp_prefixes:
      description: The prefix's BGP prefixes (see M(cloudflare.addressing.byoip_bgp_prefix)).
      returned: when O(include) contains V(bgp_prefixes)
      type: list
      elements: dict
      contains:
        id:
          description: Identifier of the BGP prefix.
          type: str
          sample: 7009ba364c7a5760798ceb430e603b74
        cidr:
          description: The BGP prefix.
          type: str
          sample: 203.0.113.0/24
        asn:
          description: AS number the BGP prefix is announced with.
          type: int
          sample: 13335
        asn_prepend_count:
          description: Number of times the Cloudflare ASN is prepended to the AS path (0 to 3).
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
              sample: false
            advertised_modified_at:
              description: When the advertisement last changed (RFC 3339), V(null) if never.
              type: str
              sample: null
            on_demand_enabled:
              description: Whether the advertisement can be changed through the API.
              type: bool
              sample: true
            on_demand_locked:
              description: Whether Cloudflare locked the advertisement.
              type: bool
              sample: false
        created_at:
          description: When the BGP prefix was created (RFC 3339).
          type: str
          sample: "2025-02-25T00:30:02.104311Z"
        modified_at:
          description: When the BGP prefix last changed (RFC 3339).
          type: str
          sample: "2025-02-25T00:30:02.104311Z"
    regional_bindings:
      description: The prefix's Regional Services bindings (see M(cloudflare.addressing.byoip_regional_binding)).
      returned: when O(include) contains V(regional_bindings)
      type: list
      elements: dict
      version_added: 0.2.0
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
          description: The bound part of the prefix.
          type: str
          sample: 203.0.113.128/25
        region_key:
          description: The region the traffic of these addresses is processed in.
          type: str
          sample: eu
        provisioning:
          description: Deployment of the binding at Cloudflare's edge.
          type: dict
          contains:
            state:
              description: V(provisioning) while it propagates (four to six hours), then V(active); V(unknown) when
                the binding was deleted while it was read.
              type: str
              sample: active
missing:
  description:
    - The CIDRs named by O(cidrs) or O(cidr) that match no prefix of the account, in canonical form and in the
      order given; an empty list when every one was found, or when neither option is set.
  returned: always
  type: list
  version_added: 0.2.0
  elements: str
  sample: ["198.51.100.0/24"]
others:
  description:
    - With O(cidrs) or O(cidr), the CIDRs of the account's other prefixes, which this call did not read further (the
      prefix list holds them anyway, so they cost no request). An empty list otherwise.
    - The roles report them as present in the account but not in the vars, and never touch them.
  returned: always
  type: list
  version_added: 0.2.0
  elements: str
  sample: ["192.0.2.0/24"]
server_time:
  description: Cloudflare's clock at its last answer (its C(Date) header), RFC 3339; null when it sent none.
  returned: always
  type: str
  version_added: 0.2.0
  sample: "2026-11-29T12:00:00Z"
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils._batch import Problems, refuse_nulls
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    AddressingModule,
    check_identifier,
    get_prefix,
    list_prefixes,
    parse_network,
    same_network,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._estate import INCLUDE_CHOICES, with_collections
from ansible_collections.cloudflare.addressing.plugins.module_utils._pool import DEFAULT_CONCURRENCY, check_concurrency

EVERY_PREFIX = "leave %s out to read every prefix"
NULL_HINTS = dict(
    cidr="name a prefix, or " + EVERY_PREFIX % "cidr",
    id="give a prefix id, or " + EVERY_PREFIX % "id",
    cidrs="name at least one prefix, or " + EVERY_PREFIX % "cidrs",
)


def check_cidrs(raw, cidrs, problems):
    """The canonical networks of cidrs, in order; null, empty or repeated names are problems."""
    if not cidrs:
        problems.add("cidrs is empty, which is refused rather than read as 'all': " + NULL_HINTS["cidrs"])
        return []
    raw = raw if isinstance(raw, list) and len(raw) == len(cidrs) else [""] * len(cidrs)
    networks, seen = [], {}
    for index, cidr in enumerate(cidrs):
        option = "cidrs[%d]" % index
        if raw[index] is None:
            problems.add("%s is null (set, but empty): name a prefix, or leave it out" % option)
            continue
        network = problems.check(parse_network, cidr, option)
        if network is None:
            continue
        if network in seen:
            problems.add("%s names the same prefix as %s (%s); name each prefix once" % (option, seen[network], network))
            continue
        seen[network] = option
        networks.append(network)
    return networks


def check_input(params, raw, problems):
    """The CIDRs to read (None for every prefix, or when id names the prefix); problems get every mistake."""
    if refuse_nulls(raw, NULL_HINTS, problems):
        return None
    problems.check(check_identifier, params["id"], "id")
    try:
        check_concurrency(params["concurrency"])
    except ValueError as error:
        problems.add(str(error))
    if params["cidrs"] is not None:
        return check_cidrs(raw.get("cidrs"), params["cidrs"], problems)
    if params["cidr"] is not None:  # an empty string is bad input, not "every prefix"
        network = problems.check(parse_network, params["cidr"], "cidr")
        return [network] if network is not None else []
    return None


def matching(prefixes, network):
    """The prefixes whose CIDR is network (any spelling); all of them when network is None."""
    if network is None:
        return list(prefixes)
    return [prefix for prefix in prefixes if same_network(prefix.get("cidr"), str(network))]


def included(include):
    """The requested collections in a stable order, each once."""
    return [name for name in INCLUDE_CHOICES if name in (include or [])]


def read_prefixes(client, prefix_id, networks):
    """One request: the prefix with this id, or the list; then (prefixes in the order named, CIDRs not found, CIDRs
    of the account's other prefixes)."""
    if prefix_id:
        prefix = get_prefix(client, prefix_id)
        return ([prefix] if prefix else []), [], []
    prefixes = list_prefixes(client)
    if networks is None:
        return prefixes, [], []
    found, missing = [], []
    for network in networks:
        matches = matching(prefixes, network)
        found.extend(matches)
        if not matches:
            missing.append(str(network))
    named = set(id(prefix) for prefix in found)
    others = [prefix.get("cidr") for prefix in prefixes if id(prefix) not in named]
    return found, missing, others


def main():
    module = AddressingModule(
        argument_spec=dict(
            cidr=dict(type="str"),
            cidrs=dict(type="list", elements="str"),
            id=dict(type="str"),
            include=dict(type="list", elements="str", choices=INCLUDE_CHOICES, default=[]),
            concurrency=dict(type="int", default=DEFAULT_CONCURRENCY),
        ),
        mutually_exclusive=[("cidr", "cidrs", "id")],
    )
    problems = Problems()
    networks = check_input(module.params, module.raw_params, problems)
    if problems.messages:
        module.fail_json(msg=" ".join(problems.messages))
    names = included(module.params["include"])

    def run():
        client = module.client
        prefixes, missing, others = read_prefixes(client, module.params["id"], networks)
        module.exit_json(changed=False, prefixes=with_collections(client, prefixes, names,
                                                                  module.params["concurrency"]),
                         missing=missing, others=others, server_time=client.server_time)

    module.run(run)


if __name__ == "__main__":
    main()
