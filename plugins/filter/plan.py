# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that carry the roles' decisions: check the vars, keep the estate, plan the steps, report.

The logic lives in module_utils (_inputs, _plan, _report), where it is unit-tested; these filters only expose it to
the roles and turn bad arguments into filter errors.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudflare.addressing.plugins.module_utils import _inputs, _plan, _preflight_role, _report


def _status_report(desired, estate, plan, options):  # pylint: disable=unused-argument
    return _report.status_report(estate, (plan or {}).get("drift"))


def _ownership(desired, estate, plan, options):  # pylint: disable=unused-argument
    return _report.ownership_instructions(desired, estate)


def _wait(kind):
    def explain(desired, estate, plan, options):  # pylint: disable=unused-argument
        return _report.wait_explanation(plan, estate, kind, options["timeout"], options["interval"])
    return explain


def _advertise_wait(desired, estate, plan, options):  # pylint: disable=unused-argument
    return _report.advertise_explanation(plan)


def _withdraw_wait(desired, estate, plan, options):  # pylint: disable=unused-argument
    return _report.withdraw_explanation(plan)


REPORTS = {
    "onboard": _report.onboard_report,
    "offboard": _report.offboard_report,
    "status": _status_report,
}

MESSAGES = {
    "ownership": _ownership,
    "validation_wait": _wait("validation"),
    "deployment_wait": _wait("deployment"),
    "advertise_wait": _advertise_wait,
    "withdraw_wait": _withdraw_wait,
    "failures": _report.failures,
    "plan": _report.plan_summary,
}


NEEDED_OPTIONS = dict(
    validation_wait=("timeout", "interval"),
    deployment_wait=("timeout", "interval"),
    failures=("validation_timeout", "validation_interval", "provisioning_timeout", "provisioning_interval"),
)


def _desired_list(desired, name):
    if isinstance(desired, dict) and "prefixes" in desired:
        desired = desired["prefixes"]
    if not isinstance(desired, list):
        raise AnsibleFilterError("%s expects the prefixes of byoip_desired, got %r" % (name, type(desired).__name__))
    return desired


def _owner(account_id):
    """The first real account id of a value or list of candidates (a role variable, then the environment's)."""
    candidates = account_id if isinstance(account_id, (list, tuple)) else [account_id]
    for candidate in candidates:
        # A role variable set to omit arrives as Ansible's placeholder string.
        if isinstance(candidate, str) and candidate.strip() and not candidate.startswith("__omit_place_holder__"):
            return candidate.strip()
    return None


def byoip_desired(prefixes, name="byoip_prefixes", account_id=None, cidr_only=False):
    """The desired state of the vars' prefixes, and every problem with them, in the user's variable names."""
    desired, errors = _inputs.check_prefixes(prefixes, name=name, owner_account_id=_owner(account_id),
                                             cidr_only=bool(cidr_only))
    return dict(prefixes=desired, errors=errors, **_inputs.reads(desired))


def byoip_unknown_services(desired, services):
    """Problems for the service names of the vars that are not services of the account."""
    if isinstance(services, dict):
        services = services.get("services")
    return _inputs.unknown_services(_desired_list(desired, "byoip_unknown_services"), services or [])


def byoip_unknown_regions(desired, regions):
    """Problems for the region keys of the vars that are not regions of the account."""
    if isinstance(regions, dict):
        regions = regions.get("regions")
    return _inputs.unknown_regions(_desired_list(desired, "byoip_unknown_regions"), regions or [])


def byoip_estate(found, result=None, step=None, predicted=False):
    """The estate from an info module result; with result, the estate after that module result."""
    if not isinstance(found, (dict, list)):
        raise AnsibleFilterError("byoip_estate expects a byoip_prefix_info result or an estate, got %r"
                                 % type(found).__name__)
    estate = _plan.new_estate(found)
    return estate if result is None else _plan.merge(estate, result, step, _plan.normalised_options(
        dict(check_mode=predicted))["check_mode"])


def byoip_plan(desired, estate, options=None, direction="onboard"):
    """What each step must do, per prefix of the vars, as batch items for the resource modules, with the gates."""
    try:
        return _plan.plan(_desired_list(desired, "byoip_plan"), estate, options, direction)
    except ValueError as error:
        raise AnsibleFilterError("byoip_plan: %s" % error)


def _pick(table, kind, name):
    if kind not in table:
        raise AnsibleFilterError("%s: kind must be one of %s, got %r" % (name, ", ".join(sorted(table)), kind))
    return table[kind]


def byoip_report(desired, estate, plan, kind, options=None):
    """The report of a role run: onboard or offboard entries per prefix of the vars, or the status of the account."""
    build = _pick(REPORTS, kind, "byoip_report")
    return build(_desired_list(desired or [], "byoip_report"), estate, plan, dict(options or {}))


def byoip_messages(desired, estate, plan, kind, options=None):
    """The lines a role prints: the plan, what to publish, why and until when it waits, why a prefix stopped."""
    build = _pick(MESSAGES, kind, "byoip_messages")
    options = dict(options or {})
    needed = NEEDED_OPTIONS.get(kind, ())
    if any(name not in options for name in needed):
        raise AnsibleFilterError("byoip_messages: kind %s needs the options %s" % (kind, ", ".join(needed)))
    return build(_desired_list(desired or [], "byoip_messages"), estate, plan, options)


def byoip_preflight_settings(settings):
    """Every problem with the onboarding role's pre-flight settings, in its variable names."""
    if not isinstance(settings, dict):
        raise AnsibleFilterError("byoip_preflight_settings expects a dict, got %r" % type(settings).__name__)
    return _preflight_role.settings_problems(settings)


def byoip_preflight_request(desired, estate, plan, evidence, stage, options=None):
    """The prefixes and checks the onboarding role asks byoip_preflight_info at a stage; no prefixes: no call."""
    try:
        return _preflight_role.request(_desired_list(desired, "byoip_preflight_request"), estate, plan,
                                       (evidence or {}).get("prefixes"), stage, dict(options or {}))
    except ValueError as error:
        raise AnsibleFilterError("byoip_preflight_request: %s" % error)


def byoip_preflight_outcome(found, previous, options):
    """The evidence so far, the lines to print and whether to stop, after byoip_preflight_info ran (or was skipped)."""
    try:
        return _preflight_role.outcome(found, previous, dict(options or {}))
    except (KeyError, ValueError) as error:
        raise AnsibleFilterError("byoip_preflight_outcome: %s" % error)


class FilterModule:
    """The roles' decision filters."""

    def filters(self):
        return {
            "byoip_desired": byoip_desired,
            "byoip_unknown_services": byoip_unknown_services,
            "byoip_unknown_regions": byoip_unknown_regions,
            "byoip_estate": byoip_estate,
            "byoip_plan": byoip_plan,
            "byoip_report": byoip_report,
            "byoip_messages": byoip_messages,
            "byoip_preflight_settings": byoip_preflight_settings,
            "byoip_preflight_request": byoip_preflight_request,
            "byoip_preflight_outcome": byoip_preflight_outcome,
        }
