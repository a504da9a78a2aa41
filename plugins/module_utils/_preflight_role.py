# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pre-flight check in the onboarding role: what it asks, what it keeps, what it prints and when it stops.

For internal collection use only: this is not a public interface and may change without notice.

The role runs byoip_preflight_info at three stages:

* ``before`` step 1, for every prefix of the vars that is not approved: IRR, RPKI, and ownership where the prefix
  already has a token. ``fail`` mode stops here on a problem, before anything is written.
* ``token``, after step 1, for the prefixes whose token was not looked for yet (the ones step 1 added): IRR (the
  route object to register now carries the token line) and ownership. It never stops the run: nobody can have
  published a token that did not exist a moment ago.
* ``diagnosis``, after the wait for validation, for the prefixes that did not pass: the evidence the failure
  report explains Cloudflare's states with (_report.validation_failures).

An approved prefix is never checked, so a converged re-run asks nothing. A check that is ``unknown`` (a source did
not answer) never stops the run.
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils import _preflight
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import shown
from ansible_collections.cloudflare.addressing.plugins.module_utils._plan import approved, as_read, new_estate

MODES = ("off", "warn", "fail")
STAGES = ("before", "token", "diagnosis")
VARIABLE = "byoip_onboard_preflight"
# The module's source options -> the role's variables.
SETTINGS = dict(whois_servers="whois_servers", rpki_validator_url="rpki_validator_url", dns_servers="dns_servers",
                dns_port="dns_port", source_timeout="timeout")
# YAML 1.1 reads a bare off as false: both mean off.
FALSE_WORDS = ("off", "false", "no", "0")
MAX_MESSAGE = 200  # characters of a failed check's message shown


def variable(option):
    return "%s_%s" % (VARIABLE, SETTINGS[option])


def mode(value):
    """off, warn or fail from the variable's value (false, as YAML reads a bare off, is off); ValueError otherwise."""
    text = str(value).strip().lower()
    if value is False or text in FALSE_WORDS:
        return "off"
    if text in MODES:
        return text
    raise ValueError("%s must be off, warn or fail, got %s." % (VARIABLE, shown(value)))


def _as_list(value):
    """A list option as Ansible reads one: a list, or a comma-separated string."""
    if isinstance(value, (list, tuple)):
        return list(value)
    return [item.strip() for item in str(value or "").split(",") if item.strip()]


def _as_number(value, option, problems):
    try:
        return float(value)
    except (TypeError, ValueError):
        problems.append("%s must be a number, got %s." % (variable(option), shown(value)))
        return 1.0


def settings_problems(settings):
    """Every problem with the role's pre-flight settings (mode, and the sources keyed as the module's options), in
    the role's variable names. With the mode off, the sources are not looked at."""
    try:
        if mode(settings.get("mode")) == "off":
            return []
    except ValueError as error:
        return [str(error)]
    problems = []
    sources = dict(whois_servers=_as_list(settings.get("whois_servers")),
                   dns_servers=_as_list(settings.get("dns_servers")),
                   dns_port=_as_number(settings.get("dns_port"), "dns_port", problems),
                   source_timeout=_as_number(settings.get("source_timeout"), "source_timeout", problems),
                   rpki_validator_url=settings.get("rpki_validator_url"))
    problems.extend(_preflight.source_problems(sources, variable))
    if not sources["whois_servers"]:
        problems.append("%s is empty, so the IRR check has nobody to ask (set %s=off to skip the pre-flight check)."
                        % (variable("whois_servers"), VARIABLE))
    return problems


# --- what to ask ------------------------------------------------------------------------------------------------

def _token(live):
    return (live or {}).get("ownership_validation_token") or None


def _looked_for_token(entry, token):
    ownership = ((entry or {}).get("checks") or {}).get("ownership")
    return bool(ownership) and ownership["status"] != "skipped" and (entry or {}).get("ownership_token") == token


def _complete(entry, token):
    checks = (entry or {}).get("checks") or {}
    return all(name in checks for name in _preflight.CHECKS) and _looked_for_token(entry, token)


def request(desired, estate, plan, evidence, stage, options):
    """{prefixes: [{cidr, asn, ownership_token}], checks: [...]} for byoip_preflight_info; no prefixes: no call.

    evidence: what earlier stages found ({cidr: entry}); options: mode, and recheck (diagnosis: the wait for
    validation ran since the evidence was gathered, so it may be stale).
    """
    if stage not in STAGES:
        raise ValueError("stage must be one of %s, got %r" % (", ".join(STAGES), stage))
    if mode(options.get("mode")) == "off":
        return dict(prefixes=[], checks=[])
    estate = new_estate(estate)
    evidence = evidence or {}
    chosen = []
    for prefix in desired:
        cidr = prefix["cidr"]
        live = as_read(estate, cidr)  # in a dry run, what Cloudflare answered: a predicted prefix has no token
        if approved(live):
            continue
        token = _token(live)
        if stage == "token" and (token is None or _looked_for_token(evidence.get(cidr), token)):
            continue
        if stage == "diagnosis":
            stopped = cidr in plan["validation"]["failed"] or cidr in plan["validation"]["pending"]
            if not stopped or (_complete(evidence.get(cidr), token) and not options.get("recheck")):
                continue
        chosen.append(dict(cidr=cidr, asn=int((live or {}).get("asn") or prefix["asn"]), ownership_token=token))
    checks = ["irr", "ownership"] if stage == "token" else list(_preflight.CHECKS)
    return dict(prefixes=chosen, checks=checks if chosen else [])


# --- what it found ----------------------------------------------------------------------------------------------

def merge(evidence, prefixes):
    """The evidence so far with the module's newer answers: per prefix, each check's latest result."""
    merged = dict(evidence or {})
    for entry in prefixes:
        checks = dict((merged.get(entry["cidr"]) or {}).get("checks") or {})
        checks.update(entry.get("checks") or {})
        merged[entry["cidr"]] = dict(cidr=entry["cidr"], asn=entry.get("asn"),
                                     ownership_token=entry.get("ownership_token"), checks=checks)
    return merged


def _status_phrase(name, check):
    if check["status"] == "skipped":
        return "%s not checked yet (no token before the prefix is added)" % _preflight.LABELS[name]
    return "%s %s" % (_preflight.LABELS[name], check["status"])


def problem_lines(entry, bullet="  "):
    """Each check of a prefix that is not ok, in the pre-flight's words, with the fix of each problem under it."""
    lines = []
    for _name, check in _preflight.ordered_checks(entry):
        lines.append("%s%s %s" % (bullet, entry["cidr"], check["message"]))
        lines.extend(_preflight.fix_lines(check, " " * (len(bullet) + 4)))
    return lines


HEADERS = dict(
    before="Pre-flight check of %d prefix(es) not approved yet, before anything is written: what Cloudflare's "
           "validation will find in the IRR, in RPKI and, for a prefix that has its token, the ownership proof.",
    token="Pre-flight check of the ownership token of %d prefix(es) that step 1 added, before the wait for "
          "validation:",
)


def _closing(counts, run_mode, stage, wait):
    """What the run does about what was found."""
    lines = []
    if counts["problem"] and stage == "before" and run_mode == "fail":
        lines.append("%s=fail: the role stops here and nothing was written. Fix each problem above, then run it "
                     "again (%s=warn goes on regardless)." % (VARIABLE, VARIABLE))
    elif counts["problem"] and stage == "before":
        lines.append("%s=warn: the role goes on, but Cloudflare's validation fails on each problem above until it "
                     "is fixed." % VARIABLE)
    elif counts["problem"]:
        lines.append("Publish what is missing now%s; this check never stops the run, since the token did not exist "
                     "before step 1." % (": the role waits for Cloudflare's validation" if wait
                                         else ", then run the role again"))
    if counts["unknown"]:
        lines.append("%d check(s) are unknown because a source did not answer (%s_*); an unknown check never stops "
                     "the run, not even with %s=fail." % (counts["unknown"], VARIABLE, VARIABLE))
    if not counts["problem"] and not counts["unknown"]:
        lines.append("Every check passed.")
    return lines


def _could_not_run(found, stage):
    """A failed module (bad settings, no dnspython): the failure, and what the user can do."""
    if stage == "diagnosis":
        return [], False
    lines = ["The pre-flight check could not run: %s" % shown(found.get("msg") or "no answer", limit=MAX_MESSAGE, quoted=False),
             "Its settings are %s (the module's whois_servers, rpki_validator_url, dns_servers, dns_port and "
             "source_timeout); set %s=off to skip it." % (", ".join(map(variable, SETTINGS)), VARIABLE)]
    return lines, True


def outcome(found, previous, options):
    """What the role keeps and does after byoip_preflight_info: {prefixes: evidence, lines, stop}.

    found: the module's registered result (skipped when there was nothing to ask); previous: the outcome of the
    earlier stages; options: mode, stage, wait.
    """
    stage = options["stage"]
    # A run starts its evidence afresh, also when the role ran before in the same play.
    evidence = {} if stage == "before" else dict((previous or {}).get("prefixes") or {})
    if found is None or found.get("skipped"):
        return dict(prefixes=evidence, lines=[], stop=False)
    if found.get("prefixes") is None:
        lines, stop = _could_not_run(found, stage)
        return dict(prefixes=evidence, lines=lines, stop=stop)
    evidence = merge(evidence, found["prefixes"])
    if stage == "diagnosis":  # the failure report prints it
        return dict(prefixes=evidence, lines=[], stop=False)
    run_mode = mode(options.get("mode"))
    counts = dict(problem=len(found.get("problems") or []), unknown=len(found.get("unknown") or []))
    lines = [HEADERS[stage] % len(found["prefixes"])]
    for entry in found["prefixes"]:
        checks = entry.get("checks") or {}
        lines.append("  %s: %s" % (entry["cidr"], ", ".join(
            _status_phrase(name, checks[name]) for name in _preflight.CHECKS if name in checks)))
    for entry in found["prefixes"]:
        lines.extend(problem_lines(entry))
    lines.extend(_closing(counts, run_mode, stage, options.get("wait", True)))
    return dict(prefixes=evidence, lines=lines,
                stop=bool(counts["problem"]) and stage == "before" and run_mode == "fail")
