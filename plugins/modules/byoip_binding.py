#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_binding
short_description: Bind a Cloudflare BYOIP prefix, or part of it, to a Cloudflare service
version_added: 0.1.0
description:
  - Ensures that a bring-your-own-IP prefix, or a more specific CIDR inside it, is bound to a Cloudflare service
    such as C(CDN), C(Spectrum) or C(Magic Transit), or that the binding is removed.
  - A binding is identified by its CIDR. Cloudflare cannot change the service of a binding. When the CIDR is
    already bound to another service the module fails and says so, unless O(replace=true).
  - The first binding of a prefix, its default binding, must cover the whole prefix; more specific bindings may
    follow and win for the IPs they cover. Creating the default binding also creates the prefix's whole-prefix BGP
    prefix, withdrawn (see M(cloudflare.addressing.byoip_bgp_prefix)); Cloudflare advises to allow five hours
    before advertising it.
  - The module does not wait for provisioning. A new binding starts in RV(binding.provisioning.state=provisioning)
    and becomes V(active) once Cloudflare has deployed it, which takes four to six hours; re-run the module (or
    poll it with C(until)) to read the current state.
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
  - cloudflare.addressing.parent_prefix
  - cloudflare.addressing.batch
options:
  cidr:
    description:
      - The network to bind, for example C(203.0.113.16/29). It must lie inside the prefix and have no host bits set.
      - Defaults to the whole prefix, which is the prefix's default binding. Set to V(null), it is refused; leave it
        out to mean the whole prefix.
      - Prefer one aggregated CIDR (one /29) over many small ones (eight /32s).
    type: str
  service:
    description:
      - The service to bind to, by name (matched case-insensitively, for example V(CDN), V(Spectrum) or
        V(Magic Transit)) or by its service id (32 hexadecimal characters).
      - The account's services and their ids are listed by C(GET /accounts/{account_id}/addressing/services)
        (M(cloudflare.addressing.byoip_service_info)). An unknown name fails and lists the available ones.
      - Required when O(state=present).
      - Magic Transit can only be the default binding, covering the whole prefix. A given IP can be bound to the
        CDN or to Spectrum, not both.
      - With O(state=absent), when set, the binding is removed only if it is bound to this service; a binding to
        another service is left alone with a warning. Set to V(null), it is refused; leave it out to remove the
        binding whatever its service.
    type: str
  replace:
    description:
      - What to do when O(cidr) is already bound to another service than O(service).
      - V(false) fails, names the current service, and changes nothing.
      - V(true) deletes that binding and creates the wanted one (two writes).
      - Cloudflare takes four to six hours to propagate a created or deleted binding, and services for the IP
        addresses in scope will likely be disrupted during that window. Plan a replacement like a maintenance.
    type: bool
    default: false
  state:
    description:
      - V(present) ensures the binding exists; V(absent) removes the binding at O(cidr).
      - Removing a binding also takes four to six hours to propagate, with a likely disruption of the services
        for its IP addresses.
      - The default (whole-prefix) binding can only be removed after all more specific bindings of the prefix are
        removed; the module checks this before sending the delete.
    type: str
    choices: [present, absent]
    default: present
  bindings:
    description:
      - Batch mode, several bindings in one run, each a dict with the options of one binding.
      - Mutually exclusive with the options of a single binding (O(prefix_cidr), O(prefix_id), O(parent_planned),
        O(cidr), O(service), O(replace) and O(state)).
      - The bindings of one prefix are handled in the given order, so list a prefix's default binding before its
        more specific ones, and remove them in the reverse order.
      - See the notes for how a batch runs.
    type: list
    version_added: 0.2.0
    elements: dict
    suboptions:
      prefix_cidr:
        description: CIDR of the parent prefix, as O(prefix_cidr). One of O(bindings[].prefix_cidr) and
          O(bindings[].prefix_id) is required.
        type: str
      prefix_id:
        description: Identifier of the parent prefix, as O(prefix_id).
        type: str
      parent_planned:
        description: Whether an earlier task of the same run adds the parent prefix, as O(parent_planned).
        type: bool
        default: false
      cidr:
        description: The network to bind, as O(cidr); the whole prefix when left out.
        type: str
      service:
        description: The service to bind to, as O(service). Required when O(bindings[].state=present).
        type: str
      replace:
        description: Whether to replace a binding to another service, as O(replace).
        type: bool
        default: false
      state:
        description: Whether the binding exists, as O(state).
        type: str
        choices: [present, absent]
        default: present
notes:
  - Service bindings need an approved prefix (RV(cloudflare.addressing.byoip_prefix#module:prefix.approved=V)). In
    check mode an unapproved prefix, or a prefix without its default binding yet, gives a warning and a predicted
    binding, because an earlier task of the same dry run may fix it; a real run fails before sending a request.
  - Service bindings stay on the account that owns the prefix, also when the prefix is delegated to another account
    (M(cloudflare.addressing.byoip_delegation)).
  - Service bindings are managed through the API only; the Cloudflare dashboard does not show them.
seealso:
  - module: cloudflare.addressing.byoip_prefix
  - module: cloudflare.addressing.byoip_delegation
  - name: Cloudflare BYOIP service bindings
    description: Services, more specific bindings and propagation times.
    link: https://developers.cloudflare.com/byoip/service-bindings/
  - name: Cloudflare API reference for service bindings
    description: The endpoints this module calls.
    link: https://developers.cloudflare.com/api/resources/addressing/subresources/prefixes/subresources/service_bindings/
"""

EXAMPLES = r"""
- name: Bind the whole prefix to the CDN (the default binding)
  cloudflare.addressing.byoip_binding:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
    prefix_cidr: 203.0.113.0/24
    service: CDN
  register: default_binding

- name: Route a /29 of it to Spectrum instead
  cloudflare.addressing.byoip_binding:
    prefix_cidr: 203.0.113.0/24
    cidr: 203.0.113.16/29
    service: Spectrum

- name: Wait until the default binding is deployed (Cloudflare needs four to six hours)
  cloudflare.addressing.byoip_binding:
    prefix_cidr: 203.0.113.0/24
    service: CDN
  register: deployed
  until: deployed.binding.provisioning.state == 'active'
  retries: 48
  delay: 600
  when: not ansible_check_mode

- name: Move the /29 from Spectrum to the CDN (disrupts those IPs while it propagates)
  cloudflare.addressing.byoip_binding:
    prefix_cidr: 203.0.113.0/24
    cidr: 203.0.113.16/29
    service: CDN
    replace: true

- name: Remove the /29 binding, but only if it is still bound to the CDN
  cloudflare.addressing.byoip_binding:
    prefix_cidr: 203.0.113.0/24
    cidr: 203.0.113.16/29
    service: CDN
    state: absent

- name: Bind two prefixes in one run (batch mode), each default binding before its more specific one
  cloudflare.addressing.byoip_binding:
    bindings:
      - {prefix_cidr: 203.0.113.0/24, service: CDN}
      - {prefix_cidr: 203.0.113.0/24, cidr: 203.0.113.16/29, service: Spectrum}
      - {prefix_cidr: 198.51.100.0/24, service: CDN}
      - {prefix_cidr: 198.51.100.0/24, cidr: 198.51.100.8/29, service: Spectrum}
  register: bound

- name: List the bindings still deploying
  ansible.builtin.debug:
    msg: "{{ bound.results | selectattr('binding.provisioning.state', 'ne', 'active') | map(attribute='item.cidr') }}"
"""

RETURN = r"""
binding:
  description:
    - The service binding as Cloudflare returns it after the run (predicted in check mode).
    - Empty after O(state=absent), unless the binding was left in place because it is bound to another service than
      O(service).
    - In check mode a new binding has RV(binding.id=null) and RV(binding.provisioning.state=provisioning); its
      RV(binding.service_id) is V(null) only when O(service) names no service of the account.
  returned: when O(bindings) is not set (batch mode returns RV(results))
  type: dict
  contains:
    id:
      description: Identifier of the service binding.
      type: str
      sample: 0429b49b6a5155297b78e75a44b09e14
    cidr:
      description: The bound network, the whole prefix or a more specific CIDR inside it.
      type: str
      sample: 203.0.113.0/24
    service_id:
      description: Identifier of the service.
      type: str
      sample: 2db684ee7ca04e159946fd05b99e1bcd
    service_name:
      description: Name of the service, for example V(CDN), V(Spectrum) or V(Magic Transit).
      type: str
      sample: CDN
    provisioning:
      description: Deployment of the binding to the Cloudflare network.
      type: dict
      contains:
        state:
          description:
            - V(provisioning) right after the binding was created, V(active) once it is deployed to most Cloudflare
              data centres (four to six hours later).
            - V(magic_transit_route_missing) when a Magic Transit binding has no matching route.
          type: str
          sample: provisioning
results:
  description:
    - Batch mode, one entry per element of O(bindings), in the same order.
    - Also returned when the module fails. An element that failed then has RV(results[].failed=true) and a
      message; an element that was never started has RV(results[].skipped=true).
  returned: when O(bindings) is set
  type: list
  version_added: 0.2.0
  elements: dict
  contains:
    item:
      description: The element as checked, with every option and CIDRs in canonical form.
      type: dict
      sample: {"prefix_cidr": "203.0.113.0/24", "prefix_id": null, "parent_planned": false, "cidr": "203.0.113.16/29",
               "service": "Spectrum", "replace": false, "state": "present"}
    changed:
      description: Whether this element changed something (in check mode, would change).
      type: bool
      sample: true
    binding:
      description: The service binding after the run, as RV(binding); empty when absent.
      type: dict
      sample: {"id": "0429b49b6a5155297b78e75a44b09e14", "cidr": "203.0.113.16/29",
               "service_id": "da179b4ab40d8d4f706092f587bc06b9", "service_name": "Spectrum",
               "provisioning": {"state": "provisioning"}}
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

import ipaddress
import re

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError
from ansible_collections.cloudflare.addressing.plugins.module_utils._batch import BatchModule, Resource, read_once
from ansible_collections.cloudflare.addressing.plugins.module_utils._children import (
    PARENT_NULL_HINTS,
    check_child_input,
    child_key,
    describe_child,
    run_child_module,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    PARENT_MUTUALLY_EXCLUSIVE,
    PARENT_PREFIX_SPEC,
    PARENT_REQUIRED_ONE_OF,
    InputError,
    find_service,
    list_services,
    same_network,
    shown,
    single_match,
)

DIFF_KEYS = ("cidr", "service_id", "service_name")
SERVICE_ID = re.compile(r"^[0-9a-fA-F]{32}$")
MAGIC_TRANSIT = "magic transit"
# Any one IP is bound to the CDN or to Spectrum, never both.
EXCLUSIVE_SERVICES = frozenset(("cdn", "spectrum"))
PROPAGATION = ("Cloudflare takes four to six hours to propagate a created or deleted binding, and services for those "
               "IP addresses will likely be disrupted meanwhile.")


# --- the wanted service ------------------------------------------------------------------------------------------

def parse_service(value, option="service"):
    """The service as given: {'id': ...} for a 32-hex service id, {'name': ...} otherwise; None when unset."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        raise InputError("%s must name a service (for example CDN, Spectrum or Magic Transit) or give its "
                         "32-hex id; it is empty." % option)
    if SERVICE_ID.match(text):
        return dict(id=text.lower())
    return dict(name=text)


def describe_service(wanted):
    return shown(wanted["name"], quoted=False) if "name" in wanted else "service id %s" % wanted["id"]


def bound_to(binding, wanted):
    """Whether a binding is bound to the wanted service; a name needs no /services lookup, the list carries it."""
    if "id" in wanted:
        return binding.get("service_id") == wanted["id"]
    return str(binding.get("service_name", "")).lower() == wanted["name"].lower()


def resolve_service(services, wanted):
    """The account's service {id, name} for the wanted one; InputError listing the available ones otherwise."""
    service = find_service(services, wanted.get("id") or wanted["name"])
    if service is None:
        available = ", ".join("%s (%s)" % (item.get("name"), item.get("id"))
                              for item in sorted(services, key=lambda item: str(item.get("name"))))
        raise InputError("%s is not one of the account's services. Available services: %s."
                         % (describe_service(wanted), available or "none"))
    return service


# --- Cloudflare's binding rules, checked before any doomed write --------------------------------------------------

def check_magic_transit(service_name, network, parent_network):
    if service_name.lower() == MAGIC_TRANSIT and network != parent_network:
        raise InputError("Magic Transit can only be the default binding, covering the whole prefix %s; %s is more "
                         "specific. Bind the whole prefix to Magic Transit and %s to CDN or Spectrum."
                         % (parent_network, network, network))


def check_input(params, problems):
    parsed = check_child_input(params, problems)
    wanted = problems.check(parse_service, params["service"], problems.name("service"))
    network, parent_network = parsed["cidr"], parsed["prefix_cidr"]
    if wanted and "name" in wanted and network is not None and parent_network is not None \
            and params["state"] == "present":
        problems.check(check_magic_transit, wanted["name"], network, parent_network)
    return parsed


def describe(params, parsed):
    if params["service"] is None:
        return describe_child(params, parsed)
    return "%s to %s" % (describe_child(params, parsed), params["service"].strip())


def is_default(binding, parent_network):
    return same_network(binding.get("cidr"), str(parent_network))


def service_conflicts(bindings, network, parent_network, service_name):
    """More specific bindings that overlap network with the other of CDN and Spectrum (an IP has only one)."""
    wanted = service_name.lower()
    if network == parent_network or wanted not in EXCLUSIVE_SERVICES:
        return []
    conflicts = []
    for other in bindings:
        other_service = str(other.get("service_name", "")).lower()
        if is_default(other, parent_network) or other_service not in EXCLUSIVE_SERVICES or other_service == wanted:
            continue
        if network.overlaps(ipaddress.ip_network(other["cidr"], strict=False)):
            conflicts.append(other)
    return conflicts


def unmet_preconditions(parent, bindings, network, parent_network):
    """Sentences for what must happen before Cloudflare accepts the binding; an earlier task may do it."""
    unmet = []
    if parent.get("approved") != "V":
        unmet.append("Prefix %s is not approved yet (approved=%s), and Cloudflare binds services only to approved "
                     "prefixes. Wait until its validation passes (cloudflare.addressing.byoip_prefix returns "
                     "approved=V)." % (parent["cidr"], parent.get("approved")))
    if network != parent_network and not any(is_default(item, parent_network) for item in bindings):
        unmet.append("Prefix %s has no default service binding yet, and the first binding of a prefix must cover "
                     "the whole prefix. Create the default binding (cidr %s) first, then bind %s."
                     % (parent["cidr"], parent_network, network))
    return unmet


def more_specific_bindings(bindings, parent_network):
    return [item for item in bindings if not is_default(item, parent_network)]


def describe_bindings(bindings):
    return ", ".join("%s (%s, id %s)" % (item.get("cidr"), item.get("service_name"), item.get("id"))
                     for item in bindings)


def predicted_binding(network, service):
    """The binding Cloudflare would create, with the values only Cloudflare can know set to None."""
    return dict(id=None, cidr=str(network), service_id=service.get("id"), service_name=service.get("name"),
                provisioning=dict(state="provisioning"))


# --- API -----------------------------------------------------------------------------------------------------------

def bindings_path(client, parent, *parts):
    return client.account_path("prefixes", parent["id"], "bindings", *parts)


def binding_at(bindings, network):
    return single_match(bindings, lambda item: same_network(item.get("cidr"), str(network)),
                        "service bindings for %s" % network)


def api_write(module, action, call, *args):
    """One write; when Cloudflare refuses it, fail saying what was being done and what Cloudflare answered."""
    try:
        return call(*args)
    except CloudflareAPIError as error:
        module.fail_api(error, action)
        raise  # not reached: fail_api exits


def delete_binding(module, target, binding):
    client = module.client
    try:
        client.delete(bindings_path(client, target.parent, binding["id"]))
    except CloudflareAPIError as error:
        if error.status != 404:  # already gone: the goal is reached
            module.fail_api(error, "delete the service binding %s (%s, %s)"
                            % (binding["id"], binding.get("cidr"), binding.get("service_name")))
    target.children.remove(binding)


def create_binding(module, target, service):
    client = module.client
    network, bindings = target.network, target.children

    def adopt():
        """After a POST of unknown outcome: the binding it created, if any."""
        return single_match(bindings.reload(),
                            lambda item: same_network(item.get("cidr"), str(network))
                            and item.get("service_id") == service["id"],
                            "service bindings for %s" % network)

    created = api_write(module, "bind %s to %s" % (network, service.get("name")), client.create_resource,
                        bindings.path, dict(cidr=str(network), service_id=service["id"]), adopt)
    return bindings.add(created)


# --- state ---------------------------------------------------------------------------------------------------------

def fail_service_conflict(module, existing, wanted):
    module.fail_json(
        msg="%s is bound to %s (binding %s, provisioning state %s), not to %s, and Cloudflare cannot change the "
            "service of a binding. Nothing was changed. To move these IPs, set replace=true: the module deletes "
            "that binding and creates one for %s. %s"
            % (existing.get("cidr"), existing.get("service_name"), existing.get("id"),
               (existing.get("provisioning") or {}).get("state"), describe_service(wanted), describe_service(wanted),
               PROPAGATION),
        binding=existing)


def check_create(module, parent, remaining, network, parent_network, service, replacing):
    """Fail on every rule the new binding would break; in check mode, warn about what an earlier task may fix."""
    check_magic_transit(service["name"], network, parent_network)
    conflicts = service_conflicts(remaining, network, parent_network, service["name"])
    if conflicts:
        raise InputError("%s cannot be bound to %s: it overlaps the more specific binding(s) %s, and an IP can be "
                         "bound to the CDN or to Spectrum, not both. Remove or replace those bindings first."
                         % (network, service["name"], describe_bindings(conflicts)))
    if replacing is not None and is_default(replacing, parent_network):
        others = more_specific_bindings(remaining, parent_network)
        if others:
            raise InputError("Replacing the default binding of %s means deleting it, and Cloudflare deletes the "
                             "default binding only when the prefix has no more specific bindings. Delete these "
                             "first: %s." % (parent_network, describe_bindings(others)))
    for sentence in unmet_preconditions(parent, remaining, network, parent_network):
        if not module.check_mode:
            raise InputError(sentence + " Nothing was changed.")
        module.warn(sentence + " This dry run predicts the binding anyway; a real run fails unless an earlier "
                    "task fixes this.")


def ensure_present(module, target, wanted, services):
    network, whole, bindings = target.network, target.whole, target.children
    if target.parent is None:  # check mode, parent to be added by an earlier task
        service = resolve_service(services(), wanted)
        check_magic_transit(service["name"], network, whole)
        return True, None, bindings.add(predicted_binding(network, service))
    current = bindings.items()
    existing = binding_at(current, network)
    if existing is not None and bound_to(existing, wanted):
        return False, existing, existing
    if existing is not None and not module.params["replace"]:
        fail_service_conflict(module, existing, wanted)

    service = resolve_service(services(), wanted)
    remaining = [item for item in current if item is not existing]
    check_create(module, target.parent, remaining, network, whole, service, existing)
    if existing is not None:
        module.warn("Replacing the %s binding of %s with a %s binding. %s"
                    % (existing.get("service_name"), network, service["name"], PROPAGATION))
    if module.check_mode:
        if existing is not None:
            bindings.remove(existing)
        return True, existing, bindings.add(predicted_binding(network, service))
    if existing is not None:
        delete_binding(module, target, existing)
    return True, existing, create_binding(module, target, service)


def ensure_absent(module, target, wanted):
    if target.parent is None:
        return False, None, None
    bindings = target.children.items()
    existing = binding_at(bindings, target.network)
    if existing is None:
        return False, None, None
    if wanted is not None and not bound_to(existing, wanted):
        module.warn("%s is bound to %s (binding %s), not to %s; left alone."
                    % (existing.get("cidr"), existing.get("service_name"), existing.get("id"),
                       describe_service(wanted)))
        return False, existing, existing
    others = more_specific_bindings(bindings, target.whole)
    if is_default(existing, target.whole) and others:
        sentence = ("%s is the default binding of the prefix, and Cloudflare deletes it only when the prefix has no "
                    "more specific bindings. Delete these first: %s." % (existing.get("cidr"), describe_bindings(others)))
        if not module.check_mode:
            raise InputError(sentence + " Nothing was changed.")
        # In a dry run an earlier task may have been predicted to delete them.
        module.warn(sentence + " This dry run predicts the deletion anyway; a real run fails unless an earlier task "
                    "deletes them.")
    if module.check_mode:
        target.children.remove(existing)
    else:
        delete_binding(module, target, existing)
    return True, existing, None


def apply(module, target, services):
    """(changed, before, after, extras) for one binding."""
    wanted = parse_service(module.params["service"])
    if module.params["state"] == "absent":
        changed, before, after = ensure_absent(module, target, wanted)
    else:
        if "name" in wanted:  # before listing bindings: a more specific Magic Transit binding never works
            check_magic_transit(wanted["name"], target.network, target.whole)
        changed, before, after = ensure_present(module, target, wanted, services)
    return changed, before, after, {}


SPEC = dict(
    cidr=dict(type="str"),
    service=dict(type="str"),
    replace=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
SPEC.update(PARENT_PREFIX_SPEC)
RESOURCE = Resource(
    option="bindings", key="binding", spec=SPEC, check=check_input, natural_key=child_key, describe=describe,
    diff_keys=DIFF_KEYS,
    null_hints=dict(PARENT_NULL_HINTS, service="leave service out to remove the binding whatever its service"),
    mutually_exclusive=PARENT_MUTUALLY_EXCLUSIVE, required_one_of=PARENT_REQUIRED_ONE_OF,
    required_if=[("state", "present", ("service",))],
)


def main():
    module = BatchModule(RESOURCE)
    services = read_once(lambda: list_services(module.client))
    run_child_module(module, "the binding", bindings_path, lambda each, target: apply(each, target, services))


if __name__ == "__main__":
    main()
