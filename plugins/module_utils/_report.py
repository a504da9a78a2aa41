# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the roles tell the user: reports per prefix, the lines they print, what to publish, why they wait.

For internal collection use only: this is not a public interface and may change without notice.

Pure functions of the desired state, the estate and the plan (see _plan). Every sentence the roles print is made
here, so it is tested once and reads the same in every role.
"""

import datetime
import ipaddress

from ansible_collections.cloudflare.addressing.plugins.module_utils import _preflight
from ansible_collections.cloudflare.addressing.plugins.module_utils._diagnosis import diagnose
from ansible_collections.cloudflare.addressing.plugins.module_utils._preflight_role import problem_lines
from ansible_collections.cloudflare.addressing.plugins.module_utils._reverse_dns import reverse_zones
from ansible_collections.cloudflare.addressing.plugins.module_utils._plan import (
    ACTIVE,
    REGIONAL,
    ROUTE_MISSING,
    STEPS,
    approved,
    as_read,
    canonical,
    check_states,
    describe_addresses,
    format_time,
    gate,
    map_gaps,
    map_ips,
    maps_named,
    new_estate,
    normalised_options,
    parse_time,
    step_actions,
)

TOKEN_PLACEHOLDER = "<the token Cloudflare returns when the prefix is added>"
RESUME = "An interrupted wait loses nothing: run the role again and it continues from here."


def _binding_state(binding):
    return (binding.get("provisioning") or {}).get("state") or "unknown"


def _bindings(live):
    return [dict(cidr=binding["cidr"], service=binding.get("service_name"), state=_binding_state(binding))
            for binding in sorted((live or {}).get("bindings") or [], key=lambda binding: binding["cidr"])]


def _whole_advertised(live, cidr):
    for bgp in (live or {}).get("bgp_prefixes") or []:
        if canonical(bgp["cidr"]) == cidr:
            return bool((bgp.get("on_demand") or {}).get("advertised"))
    return False


def _maps(estate, check_mode):
    """The address maps as read (a dry run reports what is), or as this run left them; None when not read."""
    if check_mode and estate.get("maps_read") is not None:
        return estate["maps_read"]
    return estate.get("address_maps")


def _regional(live):
    return [dict(cidr=item["cidr"], region=item.get("region_key"), state=_binding_state(item))
            for item in sorted((live or {}).get(REGIONAL) or [], key=lambda item: canonical(item["cidr"]))]


def _regional_text(item):
    return "%(cidr)s %(region)s (%(state)s)" % item


def _prefix_maps(cidr, names, maps):
    """The maps named for the prefix, or holding some of its IPs, each with those IPs."""
    network = ipaddress.ip_network(cidr)
    shown = []
    for address_map in maps or []:
        inside = [ip for ip in map_ips(address_map)
                  if ipaddress.ip_address(ip).version == network.version and ipaddress.ip_address(ip) in network]
        if inside or address_map.get("description") in names:
            shown.append(dict(id=address_map.get("id"), description=address_map.get("description"),
                              enabled=bool(address_map.get("enabled")), ips=describe_addresses(inside)))
    shown.extend(dict(id=None, description=name, enabled=False, ips="") for name in names
                 if not maps_named(maps, name))
    return shown


def _map_text(item):
    if item["id"] is None:
        return "'%s' (not in the account yet)" % item["description"]
    return "'%s' (%s): %s" % (item["description"], "enabled" if item["enabled"] else "disabled",
                              item["ips"] or "none of this prefix's addresses")


def _changes(estate, cidr, check_mode):
    return [("would " + entry["do"]) if check_mode else entry["done"]
            for entry in estate["journal"] if entry["cidr"] == cidr]


# --- onboarding --------------------------------------------------------------------------------------------

def _onboard_pending(prefix, live, plan, options, now, maps=None):
    """(pending, next steps) of one prefix, from the final plan (a dry run: from what was read): what is left."""
    cidr = prefix["cidr"]
    pending, next_steps = [], []
    if options.get("check_mode"):
        pending.append("dry run (check mode): nothing was changed; run without --check to apply")
        if live is None:
            return pending, next_steps
    if live is None:
        pending.append("the prefix is not in the account")
        next_steps.append("run the role again; it adds the prefix")
        return pending, next_steps
    if not approved(live):
        states = check_states(live)
        pending.append("validation: IRR %(irr)s, RPKI %(rpki)s, ownership %(ownership)s" % states)
        next_steps.append("publish the ownership token shown in step 1 and make sure the IRR route object and the RPKI "
                          "ROA of %s exist; then run the role again (with byoip_onboard_revalidate=true after fixing "
                          "a failed check)" % cidr)
        return pending, next_steps
    bindings = _bindings(live)
    route_missing = [binding["cidr"] for binding in bindings if binding["state"] == ROUTE_MISSING]
    provisioning = [binding["cidr"] for binding in bindings if binding["state"] not in (ACTIVE, ROUTE_MISSING)]
    provisioning += ["%(cidr)s (regional, %(region)s)" % item for item in _regional(live) if item["state"] != ACTIVE]
    if route_missing:
        pending.append("deployment: %s reports magic_transit_route_missing (Cloudflare has no Magic Transit route "
                       "for these addresses)" % ", ".join(route_missing))
        next_steps.append("add a Magic Transit route (static route or tunnel) that covers %s, then run the role again"
                          % ", ".join(route_missing))
    if provisioning:
        pending.append("deployment: %s still provisioning (Cloudflare takes four to six hours)"
                       % ", ".join(provisioning))
        next_steps.append("run the role again later; it continues where it stopped")
    advertising = plan["gates"].get(cidr) or {}
    if options.get("check_mode"):  # the plan's gates count this dry run's predictions as done
        advertising = gate(prefix, live, normalised_options(options), now, maps)
    if advertising.get("state") in ("blocked", "waiting"):
        pending.append("advertisement: " + advertising["reason"])
        if advertising.get("state") == "waiting":
            next_steps.append("run the role again after %s to advertise %s" % (advertising["not_before"], cidr))
    else:
        gaps = map_gaps(prefix, maps) if prefix.get("address_maps") else []
        if gaps:  # advertised already, or not to be: the maps are still the vars' to complete
            pending.append("address maps: " + "; ".join(gaps))
        if advertising.get("state") == "not_asked" and not route_missing and not provisioning:
            cdn = any(str(binding["service"]).lower() == "cdn" for binding in bindings)
            next_steps.append("to advertise %s, set advertise: true and run the role again%s" % (
                cidr, " (put the CDN addresses on an address map first)" if cdn and not prefix.get("address_maps")
                else ""))
    return pending, next_steps


def onboard_report(desired, estate, plan, options=None):
    """One entry per prefix of the vars: its state, what this run changed, what is pending and what to do next."""
    options = options or {}
    estate = new_estate(estate)
    drift = dict((entry["cidr"], entry) for entry in plan.get("drift") or [])
    report = []
    now = parse_time(estate.get("time")) or datetime.datetime.now(datetime.timezone.utc)
    for prefix in desired:
        cidr = prefix["cidr"]
        live = as_read(estate, cidr) if options.get("check_mode") else estate["prefixes"].get(cidr)
        maps = _maps(estate, options.get("check_mode"))
        pending, next_steps = _onboard_pending(prefix, live, plan, options, now, maps)
        advertised = _whole_advertised(live, cidr)
        entry = dict(
            cidr=cidr,
            id=(live or {}).get("id"),
            approved=approved(live),
            validation=check_states(live) if live else dict(irr=None, rpki=None, ownership=None),
            bindings=_bindings(live),
            advertised=advertised,
            changed=_changes(estate, cidr, options.get("check_mode")),
            pending=pending,
            next_steps=next_steps,
            drift=drift.get(cidr, dict(state="missing", details=[])),
            regional_bindings=_regional(live),
            address_maps=_prefix_maps(cidr, [item["description"] for item in prefix.get("address_maps") or []], maps),
        )
        entry["complete"] = bool(entry["approved"] and not pending and (advertised or not prefix["advertise"]))
        entry["lines"] = onboard_summary(entry, options.get("check_mode"))
        report.append(entry)
    return report


def onboard_summary(entry, check_mode=False):
    state = "onboarded" if entry["complete"] else ("dry run" if check_mode else "in progress")
    lines = ["%s: %s%s%s" % (entry["cidr"], state, ", approved" if entry["approved"] else "",
                             ", advertised" if entry["advertised"] else "")]
    lines.extend(_section("Changed", entry["changed"]) or ["Changed: nothing"])
    lines.extend(_section("Bindings", ["%(cidr)s %(service)s (%(state)s)" % binding for binding in entry["bindings"]]))
    lines.extend(_section("Regional bindings", [_regional_text(item) for item in entry.get("regional_bindings") or []]))
    lines.extend(_section("Address maps", [_map_text(item) for item in entry.get("address_maps") or []]))
    lines.extend(_section("Pending", entry["pending"]))
    lines.extend(_section("Next", entry["next_steps"]))
    return lines


def _section(title, items):
    return ["%s:" % title] + ["  - %s" % item for item in items] if items else []


def ownership_instructions(desired, estate):
    """What to publish to prove ownership, for each prefix of the vars whose ownership is not validated yet."""
    estate = new_estate(estate)
    instructions = []
    for prefix in desired:
        live = estate["prefixes"].get(prefix["cidr"])
        if live is None or approved(live) or live.get("ownership_validation_state") == "valid":
            continue
        cidr = prefix["cidr"]
        token = live.get("ownership_validation_token") or TOKEN_PLACEHOLDER
        states = check_states(live)
        lines = ["%s is not approved yet (IRR %s, RPKI %s, ownership %s)."
                 % (cidr, states["irr"], states["rpki"], states["ownership"]),
                 "YOUR ACTION: prove you own it by publishing the token in ONE of these places:",
                 "  the IRR route object of %s (remarks or descr):" % cidr,
                 "    cf-validation: %s" % token,
                 "  or a TXT record in every reverse DNS zone of the prefix:"]
        lines.extend('    cf-validation.%s. IN TXT "%s"' % (zone, token) for zone in reverse_zones(ipaddress.ip_network(cidr)))
        lines.append("Cloudflare also needs an IRR route object and an RPKI ROA for exactly %s with origin AS%s."
                     % (cidr, live.get("asn") or prefix.get("asn")))
        lines.append("You can remove the token once the prefix is approved.")
        instructions.append(dict(cidr=cidr, lines=lines))
    return instructions


def _deadline(estate, seconds):
    now = parse_time(new_estate(estate).get("time")) or datetime.datetime.now(datetime.timezone.utc)
    return format_time(now + datetime.timedelta(seconds=int(seconds)))


def wait_explanation(plan, estate, kind, timeout, interval):
    """The lines that open a wait: what it waits for, per prefix, how often it polls and until when."""
    deadline = _deadline(estate, timeout)
    estate = new_estate(estate)
    if kind == "validation":
        lines = ["Cloudflare now checks the IRR route object, the RPKI ROA and the ownership token, asynchronously and "
                 "with no published duration."]
        for cidr in plan["validation"]["pending"]:
            lines.append("  %s: IRR %s, RPKI %s, ownership %s" % ((cidr,) + tuple(
                check_states(estate["prefixes"].get(cidr)).values())))
        lines.append("Polling every %s s until %s (byoip_onboard_validation_timeout=%s s)." % (
            interval, deadline, timeout))
    elif kind == "deployment":
        lines = ["Cloudflare deploys each new binding to its network in four to six hours."]
        for cidr in plan["deployment"]["pending"]:
            waiting = _still_provisioning(estate["prefixes"].get(cidr))
            lines.append("  %s: %s" % (cidr, "provisioning " + ", ".join(waiting) if waiting
                                       else "waiting for its whole-prefix BGP prefix"))
        lines.append("Polling every %s s until %s (byoip_onboard_provisioning_timeout=%s s)." % (
            interval, deadline, timeout))
    else:
        raise ValueError("kind must be validation or deployment, got %r" % (kind,))
    lines.append(RESUME)
    return lines


def _still_provisioning(live):
    """The bindings, and regional bindings, of a prefix that are not active yet."""
    return ([binding["cidr"] for binding in _bindings(live) if binding["state"] != ACTIVE]
            + ["%(cidr)s (regional, %(region)s)" % item for item in _regional(live) if item["state"] != ACTIVE])


def advertise_explanation(plan):
    """The lines that open the wait before advertising: when each prefix may be advertised."""
    waiting = [(cidr, gate) for cidr, gate in sorted(plan["gates"].items()) if gate["state"] == "waiting"]
    lines = ["Every binding is active. Cloudflare asks to allow five hours after the default binding before "
             "advertising:"]
    lines.extend("  %s: not before %s" % (cidr, gate["not_before"]) for cidr, gate in waiting)
    lines.append("Waiting %s s, until %s. %s" % (plan["advertise_wait_seconds"], plan["advertise_at"], RESUME))
    return lines


def withdraw_explanation(plan):
    """The lines that open the offboarding's wait for Cloudflare's toggle hold: when each BGP prefix may change."""
    waiting = sorted((cidr, gate) for cidr, gate in plan["gates"].items() if gate["state"] == "waiting")
    lines = ["Cloudflare allows one advertisement change every 15 minutes per BGP prefix:"]
    lines.extend("  %s: %s" % (cidr, gate["reason"]) for cidr, gate in waiting)
    until = max(gate["not_before"] for _cidr, gate in waiting) if waiting else None
    lines.append("Waiting %s s, until %s, then withdrawing. %s" % (plan["withdraw_wait_seconds"], until, RESUME))
    return lines


def plan_summary(desired, estate, plan, options=None):
    """The lines that open a run: per prefix, how it differs from the vars and what this run does about it."""
    options = options or {}
    estate = new_estate(estate)
    drift = dict((entry["cidr"], entry) for entry in plan["drift"])
    steps = [step for step in STEPS if (plan.get(step) or {}).get("actions")]
    waits = plan["validation"]["pending"] or plan["deployment"]["pending"] or plan.get("advertise_wait_seconds")
    if not steps and not waits:
        lines = ["Nothing to do: every prefix of the vars is as they describe it (%d prefix(es))." % len(desired)]
    else:
        lines = ["%s %d prefix(es) in the order of Cloudflare's BYOIP guide:" % (
            "Dry run (check mode): nothing is written and nothing is waited for; --diff shows each change. Planning"
            if options.get("check_mode") else "Working on", len(desired))]
        for prefix in desired:
            cidr = prefix["cidr"]
            entry = drift.get(cidr) or dict(state="missing", details=[])
            todo = [action["do"] for step in steps for action in step_actions(plan[step]) if action["cidr"] == cidr]
            state = entry["state"].replace("_", " ")
            lines.append("  %s: %s%s" % (cidr, state, "; " + "; ".join(todo) if todo else ""))
        if not options.get("wait", True) and not options.get("check_mode"):
            lines.append("Not waiting (wait is false): the role does what it can now and reports what is pending.")
    others = [entry["cidr"] for entry in plan["drift"] if entry["state"] == "unmanaged"]
    if others:
        lines.append("The account also has %d prefix(es) that the vars do not name; they are never touched: %s."
                     % (len(others), ", ".join(others[:10]) + (" ..." if len(others) > 10 else "")))
    return lines


def failures(desired, estate, plan, budgets):
    """The message of each prefix that stopped: validation failed or timed out, or deployment cannot finish.

    budgets: validation_timeout, validation_interval, provisioning_timeout, provisioning_interval (seconds), and
    optionally waited, the stages whose wait ran in this run (default both): a prefix still pending at a stage
    whose wait did not run (a run of other steps alone, with --tags) did not time out, so it is no failure; and
    preflight, the pre-flight check's evidence per prefix, when the role gathered it.
    """
    waited = budgets.get("waited", ("validation", "deployment"))
    messages = validation_failures(desired, estate, plan, budgets["validation_timeout"],
                                   budgets["validation_interval"], budgets.get("preflight"), "validation" in waited)
    estate = new_estate(estate)
    for cidr in plan["deployment"]["failed"]:
        for binding in _bindings(estate["prefixes"].get(cidr)):
            if binding["state"] != ROUTE_MISSING:
                continue
            messages.append(dict(cidr=cidr, lines=[
                "Binding %s (%s) reports magic_transit_route_missing: Cloudflare has no Magic Transit route for these "
                "addresses, so it cannot deliver their traffic." % (binding["cidr"], binding["service"]),
                "Add a Magic Transit route (static route or tunnel) that covers %s, then run the role again. Nothing "
                "is advertised until every binding is active." % binding["cidr"]]))
    for cidr in plan["deployment"]["pending"] if "deployment" in waited else ():
        live = estate["prefixes"].get(cidr) or {}
        waiting = _still_provisioning(live)
        has_bgp = any(canonical(bgp["cidr"]) == cidr for bgp in live.get("bgp_prefixes") or [])
        messages.append(dict(cidr=cidr, lines=[
            "Timed out in step 6 (wait for deployment): %s is not deployed after byoip_onboard_provisioning_timeout="
            "%s s (polled every %s s)." % (cidr, budgets["provisioning_timeout"], budgets["provisioning_interval"]),
            "Still provisioning: %s. Whole-prefix BGP prefix: %s." % (
                ", ".join(waiting) or "none", "present" if has_bgp else "missing (is the default binding there?)"),
            "Cloudflare takes four to six hours; run the role again later (it continues where it stopped) or raise "
            "byoip_onboard_provisioning_timeout."]))
    return messages


def _check_lines(check, evidence):
    """A check of Cloudflare's diagnosis; a failed one in the pre-flight check's words when it looked, with the fix."""
    name = _preflight.STATE_FIELDS[check["field"]]
    found = ((evidence or {}).get("checks") or {}).get(name)
    if not check["failed"] or found is None or found["status"] == "skipped":
        return ["  - " + check["message"]]
    if found["status"] == "unknown":
        return ["  - " + check["message"], "    (pre-flight " + found["message"] + ")"]
    return (["  - " + _preflight.explain_failed_check(name, check["state"], found)]
            + _preflight.fix_lines(found, "      "))


def validation_failures(desired, estate, plan, timeout, interval, preflight=None, waited=True):
    """The message of each prefix whose validation failed, or did not finish within the budget (when waited).

    preflight: the pre-flight check's evidence per prefix; it explains each failed check in the words the
    pre-flight check used, and says what a prefix that timed out still lacks.
    """
    estate = new_estate(estate)
    preflight = preflight or {}
    stopped = plan["validation"]["failed"] + (plan["validation"]["pending"] if waited else [])
    failures = []
    for prefix in desired:
        cidr = prefix["cidr"]
        if cidr not in stopped:
            continue
        diagnosis = diagnose(estate["prefixes"].get(cidr) or {})
        failed = [check for check in diagnosis if check["failed"]]
        if failed:
            lines = ["Validation of %s failed (%s); Cloudflare does not approve it until every check passes."
                     % (cidr, ", ".join(check["check"] for check in failed))]
        else:
            lines = ["Timed out in step 2 (wait for validation): %s is still not approved after "
                     "byoip_onboard_validation_timeout=%s s (polled every %s s)." % (cidr, timeout, interval)]
        for check in diagnosis:
            lines.extend(_check_lines(check, preflight.get(cidr)))
        if failed:
            lines.append("Fix what failed, then run the role again with byoip_onboard_revalidate=true so that "
                         "Cloudflare re-runs the failed checks.")
        else:
            found = problem_lines(preflight[cidr], "  - ") if cidr in preflight else []
            if found:
                lines.append("The pre-flight check finds:")
                lines.extend(found)
            lines.append("Make sure the ownership token is published (see step 1), then run the role again; it "
                         "continues where it stopped. Raise byoip_onboard_validation_timeout to wait longer.")
        failures.append(dict(cidr=cidr, lines=lines))
    return failures


# --- offboarding -------------------------------------------------------------------------------------------

def offboard_report(desired, estate, plan, options=None):
    """One entry per prefix of the vars: what this run changed (or would), and what is left to do."""
    options = options or {}
    estate = new_estate(estate)
    report = []
    for prefix in desired:
        cidr = prefix["cidr"]
        if cidr not in plan["found"]:
            entry = dict(cidr=cidr, found=False, approved=None, changed=[], remaining=[], prefix_deleted=False)
            entry["lines"] = ["%s: not in the account, nothing to do." % cidr]
            report.append(entry)
            continue
        changed = _changes(estate, cidr, options.get("check_mode"))
        deleted = any(action["cidr"] == cidr for action in plan["remove"]["actions"]) and (
            options.get("check_mode") or cidr not in estate["prefixes"])
        remaining = []
        if plan["found"][cidr]:
            remaining.append("the prefix is approved, and Cloudflare deletes only unapproved prefixes: ask your "
                             "Cloudflare account team to remove %s" % cidr)
        elif not deleted and not options.get("delete_prefix", True):
            remaining.append("the prefix stays in the account (byoip_offboard_delete_prefix=false)")
        remaining.extend((plan.get("left_alone") or {}).get(cidr) or [])
        entry = dict(cidr=cidr, found=True, approved=plan["found"][cidr], changed=changed, remaining=remaining,
                     prefix_deleted=bool(deleted))
        state = "dry run" if options.get("check_mode") else "offboarded"
        lines = ["%s: %s%s" % (cidr, state, ", prefix deleted" if deleted and not options.get("check_mode") else "")]
        lines.extend(_section("Changed", changed) or
                     ["Changed: nothing (no advertisement, binding or delegation left)"])
        lines.extend(_section("Left to do", remaining))
        entry["lines"] = lines
        report.append(entry)
    return report


# --- status ------------------------------------------------------------------------------------------------

def _status_state(live, bindings):
    if not approved(live):
        return "validation failed" if any(check["failed"] for check in diagnose(live)) else "validating"
    if not bindings:
        return "approved, no service binding"
    if any(binding["state"] == ROUTE_MISSING for binding in bindings):
        return "Magic Transit route missing"
    if any(binding["state"] != ACTIVE for binding in bindings):
        return "deploying bindings"
    if _whole_advertised(live, canonical(live["cidr"])):
        return "advertised"
    return "ready, withdrawn"


def _status_entry(live, maps=None):
    cidr = canonical(live["cidr"])
    bindings = _bindings(live)
    problems = [check["message"] for check in diagnose(live) if check["failed"]]
    problems.extend("binding %s: Cloudflare has no Magic Transit route for these addresses; add a static route or "
                    "tunnel that covers them." % binding["cidr"] for binding in bindings
                    if binding["state"] == ROUTE_MISSING)
    bgp_prefixes = [dict(cidr=bgp["cidr"], advertised=bool((bgp.get("on_demand") or {}).get("advertised")),
                         advertised_modified_at=(bgp.get("on_demand") or {}).get("advertised_modified_at"),
                         created_at=bgp.get("created_at"))
                    for bgp in sorted(live.get("bgp_prefixes") or [], key=lambda bgp: bgp["cidr"])]
    delegations = [dict(cidr=delegation["cidr"], account_id=delegation.get("delegated_account_id"))
                   for delegation in sorted(live.get("delegations") or [], key=lambda item: item["cidr"])]
    return dict(cidr=cidr, id=live.get("id"), asn=live.get("asn"), description=live.get("description") or "",
                state=_status_state(live, bindings), approved=approved(live), validation=check_states(live),
                problems=problems, advertised=_whole_advertised(live, cidr), delegations=delegations,
                bindings=bindings, bgp_prefixes=bgp_prefixes, regional_bindings=_regional(live),
                address_maps=_prefix_maps(cidr, [], maps))


def _bgp_line(bgp):
    since = " since " + bgp["advertised_modified_at"] if bgp["advertised_modified_at"] else ""
    return "  BGP prefix: %s %s%s" % (bgp["cidr"], "advertised" if bgp["advertised"] else "withdrawn", since)


def status_summary(entry):
    lines = ["%s (AS%s%s): %s" % (entry["cidr"], entry["asn"], ", " + entry["description"] if entry["description"]
                                  else "", entry["state"]),
             "  validation: IRR %(irr)s, RPKI %(rpki)s, ownership %(ownership)s" % entry["validation"]
             + (" (approved)" if entry["approved"] else "")]
    lines.extend("  problem: " + problem for problem in entry["problems"])
    lines.extend("  delegated: %(cidr)s to account %(account_id)s" % item for item in entry["delegations"])
    lines.extend(["  binding: %(cidr)s %(service)s (%(state)s)" % item for item in entry["bindings"]]
                 or ["  binding: none"])
    lines.extend([_bgp_line(bgp) for bgp in entry["bgp_prefixes"]]
                 or ["  BGP prefix: none (created with the default binding)"])
    lines.extend("  regional binding: " + _regional_text(item) for item in entry.get("regional_bindings") or [])
    lines.extend("  address map: " + _map_text(item) for item in entry.get("address_maps") or [])
    if entry.get("drift"):
        lines.append("  vars: %s%s" % (entry["drift"]["state"].replace("_", " "), "".join(
            "; " + detail for detail in entry["drift"]["details"])))
    return lines


def status_report(estate, drift=None):
    """Every prefix of the account in a flat, stable shape, with its drift from the vars when they were given."""
    estate = new_estate(estate)
    drift = dict((entry["cidr"], entry) for entry in drift or [])
    prefixes = []
    for cidr in sorted(estate["prefixes"], key=lambda text: (":" in text, text)):
        entry = _status_entry(estate["prefixes"][cidr], estate.get("address_maps"))
        if drift:
            entry["drift"] = drift.get(cidr, dict(state="unmanaged", details=["in the account, not in the vars"]))
        entry["lines"] = status_summary(entry)
        prefixes.append(entry)
    missing = [entry for cidr, entry in sorted(drift.items()) if entry["state"] == "missing"]
    generated = parse_time(estate.get("time")) or datetime.datetime.now(datetime.timezone.utc)
    report = dict(generated_at=format_time(generated), prefixes=prefixes, missing=[entry["cidr"] for entry in missing])
    report.update(_account_wide(estate))
    return report


def _account_wide(estate):
    """The address maps and leases of the account, when they were read, with the lines that show them."""
    maps = [dict(id=item.get("id"), description=item.get("description"), enabled=bool(item.get("enabled")),
                 ips=describe_addresses(map_ips(item)),
                 memberships=["%s %s" % (member.get("kind"), member.get("identifier"))
                              for member in item.get("memberships") or []])
            for item in estate.get("address_maps") or []]
    leases = [dict(id=item.get("id"), cidrs=list(item.get("cidrs") or []), purpose=item.get("purpose"),
                   active_from=item.get("active_from")) for item in estate.get("leases") or []]
    lines = ["Address map '%s' (%s): %s; members: %s" % (
        item["description"], "enabled" if item["enabled"] else "disabled", item["ips"] or "no IPs",
        ", ".join(item["memberships"]) or "none") for item in maps]
    lines.extend("Lease %s: %s (%s)" % (item["id"], ", ".join(item["cidrs"]), item["purpose"] or "no purpose")
                 for item in leases)
    if estate.get("leases") is not None and not leases:
        lines.append("Leases: none")
    return dict(address_maps=maps if estate.get("address_maps") is not None else None,
                leases=leases if estate.get("leases") is not None else None, lines=lines)
