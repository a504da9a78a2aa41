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
  - cloudflare.addressing.batch
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
      - Required, unless O(prefixes) is given.
    type: str
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
  prefixes:
    description:
      - Batch mode, several prefixes in one run, each a dict with the options of one prefix.
      - Mutually exclusive with the options of a single prefix (O(cidr), O(asn), O(description),
        O(loa_document_id), O(delegate_loa_creation), O(revalidate) and O(state)).
      - Each prefix is checked against the account before the first write, so that an ASN or LOA that cannot change,
        or the deletion of an approved prefix, fails the batch before anything is changed.
      - See the notes for how a batch runs.
    type: list
    version_added: 0.2.0
    elements: dict
    suboptions:
      cidr:
        description: The prefix, as O(cidr).
        type: str
        required: true
      asn:
        description: The AS number, as O(asn). Required when O(prefixes[].state=present).
        type: int
      description:
        description: Free-text description, as O(description).
        type: str
      loa_document_id:
        description: Identifier of a Letter of Authorization, as O(loa_document_id).
        type: str
      delegate_loa_creation:
        description: Whether Cloudflare generates the Letter of Authorization, as O(delegate_loa_creation).
        type: bool
      revalidate:
        description: Whether to run the validation checks again, as O(revalidate).
        type: str
        choices: [never, on_failure, always]
        default: never
      state:
        description: Whether the prefix exists, as O(state).
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

- name: Add several prefixes in one run (batch mode)
  cloudflare.addressing.byoip_prefix:
    prefixes:
      - {cidr: 203.0.113.0/24, asn: 13335, description: Anycast services, Frankfurt}
      - {cidr: 2001:db8::/48, asn: 13335}
  register: added_all

- name: Show the ownership token of each prefix
  ansible.builtin.debug:
    msg: "{{ added_all.results | map(attribute='prefix') | items2dict(key_name='cidr', value_name='ownership_validation_token') }}"
"""

RETURN = r"""
prefix:
  description:
    - The prefix as Cloudflare returns it after the run (predicted in check mode).
    - Empty after O(state=absent).
    - In check mode, values only Cloudflare can know (such as RV(prefix.id) of a new prefix) are V(null).
  returned: when O(prefixes) is not set (batch mode returns RV(results))
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
  returned: when O(prefixes) is not set
  type: bool
  sample: false
results:
  description:
    - Batch mode, one entry per element of O(prefixes), in the same order.
    - Also returned when the module fails. An element that failed then has RV(results[].failed=true) and a
      message; an element that was never started has RV(results[].skipped=true).
  returned: when O(prefixes) is set
  type: list
  version_added: 0.2.0
  elements: dict
  contains:
    item:
      description: The element as checked, with every option and CIDRs in canonical form.
      type: dict
      sample: {"cidr": "203.0.113.0/24", "asn": 13335, "description": "Anycast services, Frankfurt",
               "loa_document_id": null, "delegate_loa_creation": null, "revalidate": "never", "state": "present"}
    changed:
      description: Whether this element changed something (in check mode, would change).
      type: bool
      sample: true
    prefix:
      description: The prefix after the run, as RV(prefix); empty when absent.
      type: dict
      sample: {"id": "72823e95d6c64d48a8111fec81179816", "cidr": "203.0.113.0/24", "asn": 13335, "approved": "P"}
    validation_triggered:
      description: Whether this element asked Cloudflare to run the validation checks again, as
        RV(validation_triggered).
      type: bool
      returned: when the element ran
      sample: false
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
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    InputError,
    check_asn,
    check_identifier,
    check_onboardable,
    failed_checks,
    find_prefix_by_cidr,
    list_prefixes,
    parse_network,
    prefix_with_cidr,
)

DIFF_KEYS = ("cidr", "asn", "description", "loa_document_id", "delegate_loa_creation", "approved",
             "irr_validation_state", "rpki_validation_state", "ownership_validation_state")
PENDING_CHECKS = dict(irr_validation_state="pending", rpki_validation_state="pending",
                      ownership_validation_state="pending")
MAX_DESCRIPTION = 1000


def check_description(description, option="description"):
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise InputError("%s is %d characters long; Cloudflare accepts at most %d."
                         % (option, len(description), MAX_DESCRIPTION))
    return description


def check_loa_choice(params):
    if params["loa_document_id"] and params["delegate_loa_creation"]:
        raise InputError("Set either loa_document_id (your own LOA) or delegate_loa_creation=true "
                         "(Cloudflare generates the LOA), not both.")


def check_input(params, problems):
    """Checks of one prefix that need no API; returns {cidr: the network}, problems get every mistake."""
    option = problems.name("cidr")
    network = problems.check(lambda: check_onboardable(parse_network(params["cidr"], option), option))
    problems.check(check_asn, params["asn"], problems.name("asn"))
    problems.check(check_identifier, params["loa_document_id"], problems.name("loa_document_id"))
    problems.check(check_description, params["description"], problems.name("description"))
    problems.check(check_loa_choice, params)
    return dict(cidr=network)


def natural_key(_params, parsed):
    return str(parsed["cidr"])


def describe(_params, parsed):
    return str(parsed["cidr"])


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


def refuse_impossible(module, existing):
    """Fail, before any write, when Cloudflare cannot do what is asked of the existing prefix."""
    params = module.params
    if existing is None:
        return
    if params["state"] == "absent" and existing.get("approved") == "V":
        module.fail_json(
            msg="Prefix %s is approved (approved=V), and Cloudflare deletes only unapproved prefixes (\"Delete an "
                "unapproved prefix owned by the account\"). No request was sent. To retire it: withdraw its "
                "advertisement, delete its service bindings and delegations (the cloudflare.addressing.byoip_offboard "
                "role does this in a safe order), then ask your Cloudflare account team to remove the prefix."
                % existing["cidr"],
            prefix=existing)
    conflicts = immutable_conflicts(existing, params) if params["state"] == "present" else []
    if conflicts:
        module.fail_json(
            msg="Prefix %s already exists in account %s, but %s. Cloudflare cannot change this on an existing "
                "prefix. Keep the existing values in your inventory, or, while the prefix is still unapproved, "
                "delete it (state=absent) and add it again." % (existing["cidr"], params["account_id"],
                                                                "; ".join(conflicts)),
            prefix=existing)


def ensure_present(module, network, existing):
    client = module.client
    params = module.params
    if existing is None:
        body = create_body(network, params)
        if module.check_mode:
            prefix = predicted_new_prefix(body, params["account_id"])
        else:
            prefix = client.create_resource(client.account_path("prefixes"), body,
                                            lambda: find_prefix_by_cidr(client, network))
            # An adopted prefix (created by a concurrent run, say) may carry other values than this task's.
            refuse_impossible(module, prefix)
        return True, None, prefix, False

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


def ensure_absent(module, existing):
    client = module.client
    if existing is None:
        return False, None
    if not module.check_mode:
        try:
            client.delete(client.account_path("prefixes", existing["id"]))
        except CloudflareAPIError as error:
            if error.status != 404:  # already gone: the goal is reached
                raise
    return True, existing


def apply(module, network, existing):
    """(changed, before, after, extras) for one prefix, given what the account has at its CIDR."""
    refuse_impossible(module, existing)
    if module.params["state"] == "absent":
        changed, before = ensure_absent(module, existing)
        return changed, before, {}, dict(validation_triggered=False)
    changed, before, after, revalidated = ensure_present(module, network, existing)
    return changed, before, after, dict(validation_triggered=revalidated)


SPEC = dict(
    cidr=dict(type="str", required=True),
    asn=dict(type="int"),
    description=dict(type="str"),
    loa_document_id=dict(type="str"),
    delegate_loa_creation=dict(type="bool"),
    revalidate=dict(type="str", choices=["never", "on_failure", "always"], default="never"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
RESOURCE = Resource(
    option="prefixes", key="prefix", spec=SPEC, check=check_input, natural_key=natural_key, describe=describe,
    diff_keys=DIFF_KEYS, null_hints=dict(cidr="give the prefix's CIDR, for example 203.0.113.0/24"),
    required_if=[("state", "present", ("asn",))],
)


def main():
    module = BatchModule(RESOURCE)
    client = module.client

    def one():
        network = module.context["cidr"]
        module.exit_outcome(apply(module, network, find_prefix_by_cidr(client, network)))

    def batch():
        prefixes = list_prefixes(client) if module.elements else []

        def prepare(element):
            element.context["existing"] = prefix_with_cidr(prefixes, element.parsed["cidr"])
            refuse_impossible(element, element.context["existing"])

        module.preflight(prepare)
        module.apply_in_groups([[element] for element in module.elements],
                               lambda element: apply(element, element.parsed["cidr"], element.context["existing"]))

    module.run(batch if module.batch else one)


if __name__ == "__main__":
    main()
