# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One poll of a wait on many prefixes: which are ready, pending or stopped (byoip_progress_info and its action).

For internal collection use only: this is not a public interface and may change without notice.
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils._estate import REGIONAL_BINDINGS, with_collections
from ansible_collections.cloudflare.addressing.plugins.module_utils._plan import (
    ACTIVE,
    ROUTE_MISSING,
    approved,
    check_states,
    deployment_state,
    failed_checks,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._pool import DEFAULT_CONCURRENCY

SHOWN_IN_ONE_LINE = 5
# The onboarding step each stage belongs to, so that the last line on screen says where an interrupted run stopped.
STEPS = dict(validation=(2, "approval"), deployment=(6, "deployment"))


def read_children(client, prefixes, concurrency=DEFAULT_CONCURRENCY, regional=False):
    """The prefixes with their bindings and BGP prefixes (two requests per prefix, several at a time), and with
    regional, their Regional Services bindings."""
    names = ("bindings", "bgp_prefixes") + ((REGIONAL_BINDINGS,) if regional else ())
    return with_collections(client, prefixes, names, concurrency)


def _validation(prefix):
    states = "IRR %(irr)s, RPKI %(rpki)s, ownership %(ownership)s" % check_states(prefix)
    if approved(prefix):
        return "ready", "approved"
    if failed_checks(prefix):
        return "stopped", "validation failed: " + states
    return "pending", states


def _deployment(cidr, prefix):
    if not approved(prefix):
        return "stopped", "not approved, so nothing can deploy"
    bindings = prefix.get("bindings") or []
    state = deployment_state(cidr, prefix)
    if state == "failed":
        missing = [binding["cidr"] for binding in bindings
                   if (binding.get("provisioning") or {}).get("state") == ROUTE_MISSING]
        return "stopped", "magic_transit_route_missing on " + ", ".join(missing)
    if state == "pending":
        waiting = [binding["cidr"] for binding in bindings
                   if (binding.get("provisioning") or {}).get("state") != ACTIVE]
        waiting += ["regional %s" % binding["cidr"] for binding in prefix.get(REGIONAL_BINDINGS) or []
                    if (binding.get("provisioning") or {}).get("state") != ACTIVE]
        if not bindings:
            return "pending", "no service binding yet"
        return "pending", ("provisioning " + ", ".join(waiting)) if waiting else "waiting for the BGP prefix"
    return "ready", "deployed"


def evaluate(cidrs, found, stage):
    """ready / pending / stopped for each CIDR, from the prefixes read (found: canonical CIDR -> prefix)."""
    result = dict(ready=[], pending={}, stopped={}, prefixes=[])
    for cidr in cidrs:
        prefix = found.get(cidr)
        if prefix is None:
            result["stopped"][cidr] = "not a prefix of the account"
            continue
        result["prefixes"].append(prefix)
        outcome, text = _validation(prefix) if stage == "validation" else _deployment(cidr, prefix)
        if outcome == "ready":
            result["ready"].append(cidr)
        else:
            result[outcome][cidr] = text
    result["done"] = not result["pending"]
    return result


def poll_line(stage, result, number, deadline):
    """One line per poll: the step, how many prefixes are still pending (the first few with their states), the
    deadline, and that a run interrupted here continues from this step when run again."""
    step, what = STEPS[stage]
    pending = list(result["pending"].items())
    if not pending:
        return "Step %d, waiting for %s: poll %d, done (%d ready, %d stopped)." % (
            step, what, number, len(result["ready"]), len(result["stopped"]))
    shown = "; ".join("%s %s" % pair for pair in pending[:SHOWN_IN_ONE_LINE])
    more = " and %d more" % (len(pending) - SHOWN_IN_ONE_LINE) if len(pending) > SHOWN_IN_ONE_LINE else ""
    return ("Step %d, waiting for %s: poll %d, until %s, %d pending: %s%s. If interrupted, run the role again: it "
            "continues from step %d." % (step, what, number, deadline, len(pending), shown, more, step))
