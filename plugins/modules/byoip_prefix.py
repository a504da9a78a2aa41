#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_prefix
short_description: Add, update, re-validate or delete a Cloudflare BYOIP prefix
version_added: 0.1.0
description:
  - Ensures that a bring-your-own-IP prefix exists in a Cloudflare account, or that it does not.
  - The prefix is identified by its CIDR. A new prefix starts unapproved (C(approved=P)) while Cloudflare checks
    its IRR route object, its RPKI ROA and the ownership token; the returned prefix carries the three check states
    and the RV(prefix.ownership_validation_token) to publish.
  - Only the description of an existing prefix can change. A different ASN or LOA fails and says why.
  - The module does not wait for validation; the C(cloudflare.addressing.byoip_onboard) role polls with this
    module until the prefix is approved.
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
options:
  cidr:
    description:
      - The prefix, for example C(203.0.113.0/24) or C(2001:db8::/48).
      - IPv4 prefixes must be a /24 or shorter and IPv6 prefixes a /48 or shorter. Host bits must be zero.
      - Address space that can never be announced on the Internet fails before any request is sent, for example
        C(10.0.0.0/8) - default routes, loopback, link-local, multicast, reserved, private-use (RFC 1918),
        unique-local and shared (carrier-grade NAT) space, and any prefix that overlaps them. The documentation
        ranges C(192.0.2.0/24), C(198.51.100.0/24), C(203.0.113.0/24) and C(2001:db8::/32) are accepted, for
        rehearsals against a test account or the bundled simulator.
    type: str
    required: true
  asn:
    description:
      - The AS number that will originate the prefix. Cloudflare's self-service onboarding supports only
        Cloudflare's own AS13335; bringing your own ASN needs your account team.
      - Required when O(state=present). It cannot change on an existing prefix.
    type: int
  description:
    description:
      - Free-text description, up to 1000 characters. Left alone when not set.
    type: str
  loa_document_id:
    description:
      - Identifier of a Letter of Authorization uploaded to the account. Only used when the prefix is created.
      - Mutually exclusive with O(delegate_loa_creation=true).
    type: str
  delegate_loa_creation:
    description:
      - Whether Cloudflare generates the Letter of Authorization for you. Only used when the prefix is created.
      - When not set, a new prefix delegates LOA creation unless O(loa_document_id) is given, as Cloudflare
        recommends.
    type: bool
  revalidate:
    description:
      - Whether to ask Cloudflare to run the IRR, RPKI and ownership checks again (C(POST .../validate)).
      - V(never) leaves validation alone.
      - V(on_failure) re-runs the checks only when at least one of them failed (C(invalid), C(missing) or
        C(mismatch_asn)), for example after you fixed the route object or published the token. Checks that are
        still C(pending) are left to finish. This is what a polling loop wants.
      - V(always) re-runs the checks on every run, so the task always reports a change.
    type: str
    choices: [never, on_failure, always]
    default: never
  state:
    description:
      - V(present) ensures the prefix exists; V(absent) deletes it.
      - Cloudflare deletes only unapproved prefixes. Deleting an approved prefix fails without sending a request
        and explains what to do.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: cloudflare.addressing.byoip_prefix_info
  - module: cloudflare.addressing.byoip_binding
  - name: Cloudflare BYOIP get started
    description: The onboarding workflow, including how to publish the ownership token.
    link: https://developers.cloudflare.com/byoip/get-started/
"""

EXAMPLES = r"""
- name: Add a prefix and let Cloudflare generate the LOA
  cloudflare.addressing.byoip_prefix:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
    cidr: 203.0.113.0/24
    asn: 13335
    description: Anycast services, Frankfurt
  register: added

- name: Show what to publish in the IRR route object
  ansible.builtin.debug:
    msg: "remarks: cf-validation: {{ added.prefix.ownership_validation_token }}"

- name: After fixing the route object, re-run the failed checks
  cloudflare.addressing.byoip_prefix:
    cidr: 203.0.113.0/24
    asn: 13335
    revalidate: on_failure

- name: Delete a prefix that was never approved
  cloudflare.addressing.byoip_prefix:
    cidr: 198.51.100.0/24
    state: absent
"""

RETURN = r"""
prefix:
  description:
    - The prefix as Cloudflare returns it after the run (predicted in check mode).
    - Empty after O(state=absent).
    - In check mode, values only Cloudflare can know (such as RV(prefix.id) of a new prefix) are V(null).
  returned: always
  type: dict
  contains:
    id:
      description: Identifier of the prefix.
      type: str
      sample: 72823e95d6c64d48a8111fec81179816
    account_id:
      description: Account that owns the prefix.
      type: str
      sample: 654c5f71c324478cc9f68d60065d4620
    cidr:
      description: The prefix.
      type: str
      sample: 203.0.113.0/24
    asn:
      description: AS number the prefix is onboarded with.
      type: int
      sample: 13335
    description:
      description: Description of the prefix (an empty string when unset).
      type: str
      sample: Anycast services, Frankfurt
    approved:
      description: Approval state; V(P) while pending validation, V(V) when all checks passed.
      type: str
      sample: P
    irr_validation_state:
      description: State of the IRR route object check, for example V(pending), V(valid), V(missing), V(invalid),
        V(mismatch_asn).
      type: str
      sample: pending
    rpki_validation_state:
      description: State of the RPKI ROA check.
      type: str
      sample: pending
    ownership_validation_state:
      description: State of the ownership check (the token in the IRR object or in reverse DNS).
      type: str
      sample: pending
    ownership_validation_token:
      description: Token to publish as C(cf-validation:<token>) in the IRR route object, or in a
        C(cf-validation) TXT record of every reverse DNS zone of the prefix.
      type: str
      sample: 1234a5b6-1234-1abc-12a3-1234a5b6789c
    loa_document_id:
      description: Identifier of the Letter of Authorization, generated by Cloudflare when
        RV(prefix.delegate_loa_creation) is true.
      type: str
      sample: b9ff4afe312246a8b2e7324d98f40b23
    delegate_loa_creation:
      description: Whether Cloudflare generates the Letter of Authorization.
      type: bool
      sample: true
    on_demand_enabled:
      description: Whether advertisement of the prefix can be switched on and off through the API.
      type: bool
      sample: false
    on_demand_locked:
      description: Whether the advertisement state is locked and cannot change.
      type: bool
      sample: false
    advertised:
      description: Whether the whole prefix is advertised; V(null) until on-demand advertisement is enabled.
      type: bool
      sample: null
    advertised_modified_at:
      description: When the advertisement last changed, or V(null).
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
validation_triggered:
  description: Whether this run asked Cloudflare to run the validation checks again (see O(revalidate)).
  returned: always
  type: bool
  sample: false
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    AddressingModule,
    InputError,
    check_asn,
    check_identifier,
    check_onboardable,
    failed_checks,
    find_prefix_by_cidr,
    parse_network,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError

DIFF_KEYS = ("cidr", "asn", "description", "loa_document_id", "delegate_loa_creation", "approved",
             "irr_validation_state", "rpki_validation_state", "ownership_validation_state")
PENDING_CHECKS = dict(irr_validation_state="pending", rpki_validation_state="pending",
                      ownership_validation_state="pending")
MAX_DESCRIPTION = 1000


def check_input(params):
    network = check_onboardable(parse_network(params["cidr"], "cidr"), "cidr")
    check_asn(params["asn"])
    check_identifier(params["loa_document_id"], "loa_document_id")
    if params["description"] is not None and len(params["description"]) > MAX_DESCRIPTION:
        raise InputError("description is %d characters long; Cloudflare accepts at most %d."
                         % (len(params["description"]), MAX_DESCRIPTION))
    if params["loa_document_id"] and params["delegate_loa_creation"]:
        raise InputError("Set either loa_document_id (your own LOA) or delegate_loa_creation=true "
                         "(Cloudflare generates the LOA), not both.")
    return network


def immutable_conflicts(existing, params):
    """Sentences for each requested value that differs from the prefix and that Cloudflare cannot change."""
    conflicts = []
    if params["asn"] is not None and existing.get("asn") != params["asn"]:
        conflicts.append("it is onboarded with ASN %s, not %s" % (existing.get("asn"), params["asn"]))
    if params["loa_document_id"] and existing.get("loa_document_id") != params["loa_document_id"]:
        conflicts.append("its LOA is %s, not %s" % (existing.get("loa_document_id"), params["loa_document_id"]))
    if params["delegate_loa_creation"] is not None \
            and bool(existing.get("delegate_loa_creation")) != params["delegate_loa_creation"]:
        conflicts.append("its delegate_loa_creation is %s" % bool(existing.get("delegate_loa_creation")))
    return conflicts


def create_body(network, params):
    body = dict(cidr=str(network), asn=params["asn"])
    if params["description"] is not None:
        body["description"] = params["description"]
    if params["loa_document_id"]:
        body["loa_document_id"] = params["loa_document_id"]
    delegate = params["delegate_loa_creation"]
    body["delegate_loa_creation"] = (not params["loa_document_id"]) if delegate is None else delegate
    return body


def predicted_new_prefix(body, account_id):
    """The prefix Cloudflare would create, with the values only Cloudflare can know set to None."""
    prefix = dict(id=None, account_id=account_id, cidr=body["cidr"], asn=body["asn"],
                  description=body.get("description", ""), approved="P", on_demand_enabled=False,
                  on_demand_locked=False, advertised=None, advertised_modified_at=None,
                  loa_document_id=body.get("loa_document_id"),
                  delegate_loa_creation=body["delegate_loa_creation"], ownership_validation_token=None,
                  created_at=None, modified_at=None)
    prefix.update(PENDING_CHECKS)
    return prefix


def should_revalidate(prefix, mode):
    if mode == "always":
        return True
    return mode == "on_failure" and bool(failed_checks(prefix))


def refuse_immutable_conflicts(module, existing):
    conflicts = immutable_conflicts(existing, module.params)
    if conflicts:
        module.fail_json(
            msg="Prefix %s already exists in account %s, but %s. Cloudflare cannot change this on an existing "
                "prefix. Keep the existing values in your inventory, or, while the prefix is still unapproved, "
                "delete it (state=absent) and add it again." % (existing["cidr"], module.params["account_id"],
                                                                "; ".join(conflicts)),
            prefix=existing)


def ensure_present(module, network):
    client = module.client
    params = module.params
    existing = find_prefix_by_cidr(client, network)

    if existing is None:
        body = create_body(network, params)
        if module.check_mode:
            prefix = predicted_new_prefix(body, params["account_id"])
        else:
            prefix = client.create_resource(client.account_path("prefixes"), body,
                                            lambda: find_prefix_by_cidr(client, network))
            # An adopted prefix (created by a concurrent run, say) may carry other values than this task's.
            refuse_immutable_conflicts(module, prefix)
        return True, None, prefix, False

    refuse_immutable_conflicts(module, existing)

    prefix = existing
    changed = False
    if params["description"] is not None and existing.get("description", "") != params["description"]:
        changed = True
        if module.check_mode:
            prefix = dict(prefix, description=params["description"])
        else:
            prefix = client.patch(client.account_path("prefixes", existing["id"]),
                                  dict(description=params["description"]))

    revalidated = should_revalidate(prefix, params["revalidate"])
    if revalidated:
        changed = True
        if module.check_mode:
            prefix = dict(prefix, **PENDING_CHECKS)
        else:
            # Asking for another check run twice does no harm: retried like a read.
            validate = client.account_path("prefixes", existing["id"], "validate")
            prefix = client.post(validate, idempotent=True) or prefix
    return changed, existing, prefix, revalidated


def ensure_absent(module, network):
    client = module.client
    existing = find_prefix_by_cidr(client, network)
    if existing is None:
        return False, None
    if existing.get("approved") == "V":
        module.fail_json(
            msg="Prefix %s is approved (approved=V), and Cloudflare deletes only unapproved prefixes (\"Delete an "
                "unapproved prefix owned by the account\"). No request was sent. To retire it: withdraw its "
                "advertisement, delete its service bindings and delegations (the cloudflare.addressing.byoip_offboard "
                "role does this in a safe order), then ask your Cloudflare account team to remove the prefix."
                % existing["cidr"],
            prefix=existing)
    if not module.check_mode:
        try:
            client.delete(client.account_path("prefixes", existing["id"]))
        except CloudflareAPIError as error:
            if error.status != 404:  # already gone: the goal is reached
                raise
    return True, existing


def main():
    module = AddressingModule(
        argument_spec=dict(
            cidr=dict(type="str", required=True),
            asn=dict(type="int"),
            description=dict(type="str"),
            loa_document_id=dict(type="str"),
            delegate_loa_creation=dict(type="bool"),
            revalidate=dict(type="str", choices=["never", "on_failure", "always"], default="never"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[("state", "present", ("asn",))],
    )
    network = module.input_check(check_input, module.params)

    def run():
        if module.params["state"] == "absent":
            changed, before = ensure_absent(module, network)
            after, revalidated = {}, False
        else:
            changed, before, after, revalidated = ensure_present(module, network)
        module.exit_with(changed, "prefix", before, after, DIFF_KEYS, validation_triggered=revalidated)

    module.run(run)


if __name__ == "__main__":
    main()
