# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the modules of a prefix's child resources (delegations, bindings, BGP prefixes) share, one object or many.

For internal collection use only: this is not a public interface and may change without notice.
"""

import ipaddress

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    check_identifier,
    check_inside,
    check_onboardable,
    child_network,
    list_prefixes,
    parent_or_dry_run,
    parse_network,
    prefix_with_cidr,
    single_match,
)

PARENT_NULL_HINTS = dict(
    prefix_cidr="name the parent prefix by prefix_cidr or prefix_id",
    prefix_id="name the parent prefix by prefix_cidr or prefix_id",
    cidr="leave cidr out to mean the whole prefix",
)


def same_object(a, b):
    return a is b or (a.get("id") is not None and a.get("id") == b.get("id"))


class Children:
    """The delegations, bindings or BGP prefixes of one parent prefix.

    Read once per run (one request), then kept as the run's writes leave them, or in check mode as its predictions
    would: a later object of the same prefix sees what an earlier one did (the default binding before the more
    specific ones). A parent that does not exist yet (check mode) has none, and costs no request.
    """

    def __init__(self, client, path):
        self._client = client
        self.path = path
        self._items = None if path else []

    def items(self):
        if self._items is None:
            self.reload()
        return list(self._items)

    def reload(self):
        """Read the list again, for example to find what a create of unknown outcome did."""
        self._items = self._client.get(self.path) or []
        return list(self._items)

    def add(self, item):
        if not any(same_object(known, item) for known in self.items()):
            self._items.append(item)
        return item

    def remove(self, item):
        self._items = [known for known in self.items() if not same_object(known, item)]

    def replace(self, old, new):
        self.remove(old)
        return self.add(new)


class ChildTarget:
    """Where one child object lives: its parent prefix (None when a dry run predicts the parent), the network the
    object covers, the parent's whole network, and the parent's children."""

    def __init__(self, parent, network, whole, children):
        self.parent = parent
        self.network = network
        self.whole = whole
        self.children = children


# --- input checks (no API calls) -------------------------------------------------------------------------------

def check_child_input(params, problems, onboardable=False):
    """Checks of a child object's parent and CIDR that need no API: syntax, size, and inside prefix_cidr.

    Returns the parsed {prefix_cidr, cidr} (None when unset or bad); problems get every mistake.
    """
    problems.check(check_identifier, params.get("prefix_id"), problems.name("prefix_id"))
    parent_network = network = None
    if params.get("prefix_cidr") is not None:
        option = problems.name("prefix_cidr")
        parent_network = problems.check(lambda: check_onboardable(parse_network(params["prefix_cidr"], option),
                                                                  option))
    if params.get("cidr") is not None:  # an empty string is bad input, not "the whole prefix"
        option = problems.name("cidr")
        network = problems.check(parse_network, params["cidr"], option)
        if network is not None and onboardable and problems.check(check_onboardable, network, option) is None:
            network = None
        if network is not None and parent_network is not None:
            problems.check(check_inside, network, parent_network, option, problems.name("prefix_cidr"))
    return dict(prefix_cidr=parent_network, cidr=network)


def parent_key(params, parsed):
    """The parent prefix as named by the task, for telling objects of one batch apart."""
    if parsed["prefix_cidr"] is not None:
        return "prefix %s" % parsed["prefix_cidr"]
    return "prefix id %s" % params["prefix_id"]


def child_key(params, parsed):
    """(parent, network) of a child object; an unset cidr is the whole prefix."""
    network = parsed["cidr"] or parsed["prefix_cidr"]
    return parent_key(params, parsed), str(network) if network is not None else "the whole prefix"


def describe_child(params, parsed):
    if parsed["cidr"] is None or parsed["cidr"] == parsed["prefix_cidr"]:
        return "the whole %s" % parent_key(params, parsed)
    return "%s of %s" % (parsed["cidr"], parent_key(params, parsed))


# --- parents and targets ---------------------------------------------------------------------------------------

def find_parent(prefixes, params, parent_network):
    """The parent prefix named by prefix_id or prefix_cidr among the account's prefixes, or None."""
    if params.get("prefix_id"):
        return single_match(prefixes, lambda item: item.get("id") == params["prefix_id"],
                            "prefixes with id %s" % params["prefix_id"])
    return prefix_with_cidr(prefixes, parent_network)


def child_target(parent, parsed, children):
    """The target of a child object once its parent is known (or predicted, as None)."""
    if parent is None:
        return ChildTarget(None, parsed["cidr"] or parsed["prefix_cidr"], parsed["prefix_cidr"], children)
    whole = ipaddress.ip_network(parent["cidr"], strict=False)
    return ChildTarget(parent, child_network(parent, parsed["cidr"]), whole, children)


def run_child_module(module, what, children_path, apply):
    """Run a child-resource module (a BatchModule), one object or a batch.

    apply(module_or_element, target) -> (changed, before, after, extras). children_path(client, parent) is the
    path of the parent's collection. A batch reads the prefix list once, finds every parent before any write
    (a missing parent fails the whole batch before it starts), reads each parent's children once, and runs the
    objects of each parent in order, different parents side by side.
    """
    client = module.client

    def one():
        parent = parent_or_dry_run(module, what)
        children = Children(client, children_path(client, parent) if parent else None)
        module.exit_outcome(apply(module, child_target(parent, module.context, children)))

    def batch():
        prefixes = list_prefixes(client) if module.elements else []
        by_parent = {}

        def prepare(element):
            found = find_parent(prefixes, element.params, element.parsed["prefix_cidr"])
            parent = parent_or_dry_run(element, what, lookup=lambda _module: found)
            key = parent["id"] if parent else parent_key(element.params, element.parsed)
            if key not in by_parent:
                by_parent[key] = (Children(client, children_path(client, parent) if parent else None), [])
            children, group = by_parent[key]
            element.context["target"] = child_target(parent, element.parsed, children)
            group.append(element)

        module.preflight(prepare)
        module.apply_in_groups([group for _children, group in by_parent.values()],
                               lambda element: apply(element, element.context["target"]))

    module.run(batch if module.batch else one)
