# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the pre-flight checks decide from the evidence, how they say it, and the fix for each problem.

For internal collection use only: this is not a public interface and may change without notice.

Pure functions, no I/O: the module gathers the evidence (whois, RPKI validator, DNS) and these turn it into one
result per check:

    {"status": "ok" | "problem" | "unknown", "reason": ..., "message": "IRR: ...", "predicted_state": ...,
     "evidence": {...}, "fix": {...} (problems only)}

``message`` is the sentence a person reads, the same one the roles print after a failed validation
(diagnosis_lines). ``predicted_state`` is the state Cloudflare is expected to report for that check
(irr_/rpki_/ownership_validation_state), or None when nothing can be predicted.
"""

import ipaddress
import re
from urllib.parse import urlparse

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import shown
from ansible_collections.cloudflare.addressing.plugins.module_utils._reverse_dns import (
    VALIDATION_LABEL,
    validation_record_name,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils._whois import attribute_value, parse_server

CHECKS = ("irr", "rpki", "ownership")
# Cloudflare checks the route object at an IRR run by a Regional Internet Registry: its get-started guide requires
# the prefix to be registered at one of these five and its IRR guide recommends exactly their IRRs. Mirrors such as
# RADB or NTTCOM accept objects from anyone, and source RPKI objects are generated from ROAs by IRRd (they say
# nothing the RPKI check does not already see), so neither counts.
RIR_IRR_SOURCES = ("AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE")
RPKI_PSEUDO_SOURCE = "RPKI"
TOKEN_PATTERN = re.compile(r"%s\s*:\s*(\S+)" % re.escape(VALIDATION_LABEL), re.IGNORECASE)
SEVERITY = {"skipped": 0, "ok": 0, "unknown": 1, "problem": 2}
RPSL_WIDTH = 16  # the value column of RPSL as the registries print it


def result(status, message, reason=None, predicted_state=None, evidence=None, fix=None):
    return {"status": status, "reason": reason, "message": message, "predicted_state": predicted_state,
            "evidence": evidence or {}, "fix": fix}


def unknown(check, reason, detail, evidence=None):
    """A check that could not be decided: the source did not answer (reason: unreachable, timeout, ...)."""
    return result("unknown", "%s: unknown, %s." % (LABELS[check], detail.rstrip(".")), reason=reason,
                  evidence=evidence)


LABELS = {"irr": "IRR", "rpki": "RPKI", "ownership": "ownership"}


def overall_status(checks):
    """problem beats unknown beats ok; a skipped check counts as ok."""
    worst = max((check["status"] for check in checks.values()), key=SEVERITY.get, default="ok")
    return "ok" if worst == "skipped" else worst


# --- the sources' settings ---------------------------------------------------------------------------------------

def source_problems(settings, name=lambda option: option):
    """Every problem with the sources' settings, keyed as the module's options; name(option) says the option as the
    user wrote it (the module's own names, or the onboarding role's variables)."""
    problems = []
    for text in settings.get("whois_servers") or []:
        try:
            parse_server(text)
        except ValueError as error:
            problems.append("%s: %s." % (name("whois_servers"), shown(str(error), quoted=False)))
    for text in settings.get("dns_servers") or []:
        try:
            ipaddress.ip_address(str(text))
        except ValueError:
            problems.append("%s: %s is not an IP address." % (name("dns_servers"), shown(text)))
    if not 0 < settings["dns_port"] < 65536:
        problems.append("%s must be between 1 and 65535, got %s." % (name("dns_port"), shown(settings["dns_port"])))
    if settings["source_timeout"] <= 0:
        problems.append("%s must be a positive number of seconds, got %s."
                        % (name("source_timeout"), shown(settings["source_timeout"])))
    url = urlparse(str(settings["rpki_validator_url"]).strip())
    if url.scheme not in ("http", "https") or not url.netloc:
        problems.append("%s must be an http:// or https:// URL, got %s."
                        % (name("rpki_validator_url"), shown(settings["rpki_validator_url"])))
    return problems


# --- route objects -----------------------------------------------------------------------------------------------

def route_objects(rpsl_objects, network):
    """The route/route6 objects for exactly this network, as plain dicts; other objects are dropped."""
    found = []
    for attributes in rpsl_objects:
        object_class, key = attributes[0]
        if object_class not in ("route", "route6"):
            continue
        try:
            prefix = ipaddress.ip_network(attribute_value(key), strict=False)
        except ValueError:
            continue
        if prefix != network:
            continue
        values = {}
        for name, value in attributes[1:]:
            values.setdefault(name, []).append(value)
        origin = attribute_value((values.get("origin") or [""])[0]).upper()
        found.append({
            "class": object_class,
            "prefix": str(prefix),
            "origin": int(origin[2:]) if origin.startswith("AS") and origin[2:].isdigit() else None,
            "source": attribute_value((values.get("source") or [""])[0]).upper(),
            "descr": values.get("descr", []),
            "remarks": values.get("remarks", []),
            "mnt_by": [attribute_value(value) for value in values.get("mnt-by", [])],
        })
    return found


def merge_objects(*object_lists):
    """The objects of several servers without repeats (a route object is keyed by prefix, origin and source)."""
    merged, seen = [], set()
    for objects in object_lists:
        for item in objects:
            key = (item["prefix"], item["origin"], item["source"])
            if key not in seen:
                seen.add(key)
                merged.append(item)
    return merged


def _origin(asn):
    return "AS%s" % asn if asn is not None else "no origin"


def _sources_phrase(sources):
    return ", ".join(sources)


def _onboarding(asn, added):
    return "the prefix was added with ASN %d" % asn if added else "the prefix is to be added with ASN %d" % asn


def _have_phrase(objects):
    """'RADB has a route object with origin AS64500' / 'RIPE has route objects with origin AS1 and AS2'."""
    by_source = {}
    for item in objects:
        by_source.setdefault(item["source"] or "an unnamed source", []).append(_origin(item["origin"]))
    phrases = []
    for source, origins in by_source.items():
        noun = "a route object" if len(origins) == 1 else "route objects"
        phrases.append("%s has %s with origin %s" % (source, noun, " and ".join(origins)))
    return "; ".join(phrases)


def irr_check(network, asn, objects, counted_sources=RIR_IRR_SOURCES, token=None, added=False):
    counted = [item for item in objects if item["source"] in counted_sources]
    evidence = {"objects": [dict(item, counted=item["source"] in counted_sources) for item in objects],
                "counted_sources": list(counted_sources)}
    matching = [item for item in counted if item["origin"] == asn]
    if matching:
        message = "IRR: %s has a route object for %s with origin AS%d." % (matching[0]["source"], network, asn)
        return result("ok", message, predicted_state="valid", evidence=evidence)
    registered = [item for item in objects if item["source"] != RPKI_PSEUDO_SOURCE]
    fix = route_object_fix(network, asn, token, counted or registered)
    if counted:
        message = "IRR: %s; %s." % (_have_phrase(counted), _onboarding(asn, added))
        return result("problem", message, reason="mismatch_asn", predicted_state="mismatch_asn", evidence=evidence,
                      fix=fix)
    message = "IRR: no route object for %s at an RIR-operated IRR (%s)." % (network, _sources_phrase(counted_sources))
    others = [item for item in objects if item["source"] not in counted_sources]
    if others:
        message += " %s, which Cloudflare does not count." % _uncounted_phrase(others)
    return result("problem", message, reason="missing", predicted_state="missing", evidence=evidence, fix=fix)


def _uncounted_phrase(objects):
    generated = [item for item in objects if item["source"] == RPKI_PSEUDO_SOURCE]
    registered = [item for item in objects if item["source"] != RPKI_PSEUDO_SOURCE]
    parts = []
    if registered:
        parts.append(_have_phrase(registered))
    if generated:
        parts.append("source RPKI has %s generated from ROAs" % (
            "one" if len(generated) == 1 else "%d" % len(generated)))
    return "; ".join(parts)[0].upper() + "; ".join(parts)[1:]


def _rpsl(pairs):
    return "".join("%s%s\n" % ((name + ":").ljust(RPSL_WIDTH), value) for name, value in pairs)


def route_object_fix(network, asn, token, similar):
    """The route/route6 object to register, reusing maintainer and source of an object the owner already has."""
    template = similar[0] if similar else {}
    object_class = "route" if network.version == 4 else "route6"
    source = template.get("source") if template.get("source") in RIR_IRR_SOURCES else None
    maintainers = template.get("mnt_by") or ["<YOUR-MNT>"]
    pairs = [(object_class, str(network)),
             ("descr", (template.get("descr") or ["Prefix onboarded to Cloudflare (BYOIP)"])[0].split("\n")[0]),
             ("origin", "AS%d" % asn)]
    if token:
        pairs.append(("remarks", "%s: %s" % (VALIDATION_LABEL, token)))
    pairs.extend(("mnt-by", maintainer) for maintainer in maintainers)
    pairs.append(("source", source or "<your RIR's IRR: %s>" % "|".join(RIR_IRR_SOURCES)))
    return {"kind": "route_object", "object_class": object_class, "prefix": str(network), "origin": asn,
            "source": source, "rpsl": _rpsl(pairs),
            "text": "Register this %s object at the IRR of the RIR that holds %s:\n%s" % (object_class, network,
                                                                                          _rpsl(pairs))}


# --- RPKI --------------------------------------------------------------------------------------------------------

def _vrp_phrase(vrp):
    return "%s max length %s for AS%s" % (vrp["prefix"], vrp["max_length"], vrp["asn"])


def rpki_check(network, asn, validity):
    """Decide from a validator's answer (see _preflight_sources.parse_validity)."""
    vrps = validity["vrps"]
    evidence = {"state": validity["state"], "reason": validity.get("reason"), "vrps": vrps}
    if validity["state"] == "valid":
        return result("ok", "RPKI: valid, the ROA %s covers it." % _vrp_phrase(vrps["matched"][0])
                      if vrps["matched"] else "RPKI: valid.", predicted_state="valid", evidence=evidence)
    fix = roa_fix(network, asn)
    if validity["state"] == "not-found":
        return result("problem", "RPKI: no ROA covers %s." % network, reason="not_found",
                      predicted_state="invalid", evidence=evidence, fix=fix)
    if vrps["unmatched_as"]:
        others = sorted(set("AS%s" % vrp["asn"] for vrp in vrps["unmatched_as"]))
        message = "RPKI: the ROAs covering %s authorise %s (%s), not AS%d." % (
            network, " and ".join(others), "; ".join(_vrp_phrase(vrp) for vrp in vrps["unmatched_as"]), asn)
        reason = "as"
    else:
        message = "RPKI: the ROA %s does not allow a /%d." % (
            "; ".join(_vrp_phrase(vrp) for vrp in vrps["unmatched_length"]) or "covering %s" % network,
            network.prefixlen)
        reason = "length"
    return result("problem", message, reason=reason, predicted_state="invalid", evidence=evidence, fix=fix)


def roa_fix(network, asn):
    return {"kind": "roa", "prefix": str(network), "max_length": network.prefixlen, "asn": asn,
            "text": "Create a ROA at your RIR: prefix %s, max length %d, origin AS%d."
                    % (network, network.prefixlen, asn)}


# --- ownership ---------------------------------------------------------------------------------------------------

def tokens_in(values):
    """The cf-validation tokens written in descr/remarks values or TXT strings."""
    found = []
    for value in values:
        found.extend(match.group(1) for match in TOKEN_PATTERN.finditer(value))
    return found


def _same_token(a, b):
    return a.strip().strip('"').lower() == b.strip().strip('"').lower()


def ownership_check(network, token, objects, txt, counted_sources=RIR_IRR_SOURCES):
    """Decide ownership from the route objects and the TXT answers.

    objects: the route objects (a list), {"reason", "detail"} when whois gave no answer, or None when the IRR
    remark is not looked at. txt: each reverse zone mapped to its TXT strings or to {"reason", "detail"} when DNS
    gave no answer, or None when reverse DNS is not looked at.
    """
    evidence = {"token": token, "route_objects": None, "txt": None}
    irr_verdict, irr_note, wrong = _irr_ownership(token, objects, counted_sources, evidence)
    txt_verdict, txt_notes, wrong_txt, missing_zones = _txt_ownership(token, txt, evidence)
    if irr_verdict == "ok":
        return result("ok", "ownership: %s." % irr_note, predicted_state="valid", evidence=evidence)
    if txt_verdict == "ok":
        return result("ok", "ownership: the token is published as TXT in every reverse zone of %s (%s)."
                      % (network, ", ".join(validation_record_name(zone) for zone in txt)),
                      predicted_state="valid", evidence=evidence)
    notes = txt_notes + ([irr_note] if irr_note else [])
    if "unknown" in (irr_verdict, txt_verdict):
        reasons = [answer["reason"] for answer in list((txt or {}).values()) + [objects] if isinstance(answer, dict)]
        return result("unknown", "ownership: unknown, %s." % "; ".join(notes), reason=reasons[0], evidence=evidence)
    reason = "invalid" if wrong or wrong_txt else "missing"
    return result("problem", "ownership: %s." % "; ".join(notes), reason=reason, predicted_state=reason,
                  evidence=evidence, fix=ownership_fix(network, token, missing_zones, objects is not None))


def _irr_ownership(token, objects, counted_sources, evidence):
    """(verdict ok/problem/unknown/None, note, wrong token seen) of the cf-validation remark."""
    if objects is None:
        return None, None, False
    if isinstance(objects, dict):
        return "unknown", "the route objects could not be read (%s)" % objects["detail"], False
    counted = [item for item in objects if item["source"] in counted_sources]
    evidence["route_objects"] = [{"source": item["source"], "origin": item["origin"],
                                  "tokens": tokens_in(item["descr"] + item["remarks"])} for item in counted]
    for item in counted:
        if any(_same_token(found, token) for found in tokens_in(item["descr"] + item["remarks"])):
            return "ok", "the route object at %s has %s: %s" % (item["source"], VALIDATION_LABEL, token), False
    others = [found for item in counted for found in tokens_in(item["descr"] + item["remarks"])]
    if others:
        return "problem", "the route object has %s: %s, not the prefix's token" % (VALIDATION_LABEL, others[0]), True
    return "problem", "no route object's descr or remarks has %s: %s" % (VALIDATION_LABEL, token), False


def _txt_ownership(token, txt, evidence):
    """(verdict, notes, wrong value seen, zones without the token) of the reverse DNS TXT records."""
    if txt is None:
        return None, [], False, []
    evidence["txt"] = dict((validation_record_name(zone), answer) for zone, answer in txt.items())
    notes, missing, absent, wrong, undecided = [], [], [], False, False
    for zone, answer in txt.items():
        name = validation_record_name(zone)
        if isinstance(answer, dict):
            undecided = True
            notes.append("%s could not be read (%s)" % (name, answer["detail"]))
        elif not answer:
            missing.append(zone)
            absent.append(name)
        elif not any(_same_token(value, token) for value in answer):
            missing.append(zone)
            wrong = True
            notes.append("TXT at %s is %s, not the prefix's token" % (name, ", ".join(repr(v) for v in answer)))
    if absent:
        notes.insert(0, "no TXT at %s" % ", ".join(absent))
    if missing:
        return "problem", notes, wrong, missing
    return ("unknown" if undecided else "ok"), notes, wrong, missing


def ownership_fix(network, token, zones, remark_helps):
    """The TXT records still to publish, and the route object remark that proves ownership just as well."""
    remark = "%s: %s" % (VALIDATION_LABEL, token)
    records = [{"name": validation_record_name(zone), "type": "TXT", "value": token} for zone in zones]
    lines = []
    if records:
        lines.append("Publish these TXT records (every reverse zone of %s needs one):" % network)
        lines.extend('%s. IN TXT "%s"' % (record["name"], token) for record in records)
    if remark_helps:
        verb = "Or add" if records else "Add"
        lines.append("%s this line to the descr or remarks of the route object: %s" % (verb, remark))
    return {"kind": "ownership", "token": token, "txt_records": records, "irr_remark": "remarks: " + remark,
            "text": "\n".join(lines)}


def no_token():
    """Before the prefix is added there is no token to look for: the check is skipped, not failed or unknown."""
    return result("skipped", "ownership: not checked, the prefix has no ownership token until it is added to the "
                  "account (give ownership_token, or run again after adding the prefix).", reason="no_token")


# --- reports -----------------------------------------------------------------------------------------------------

def ordered_checks(prefix_result, include_ok=False):
    """(name, check) of a prefix's checks, problems first, then unknown; ok and skipped ones only if asked."""
    checks = prefix_result.get("checks") or {}
    ordered = sorted(checks.items(), key=lambda item: (-SEVERITY.get(item[1]["status"], 0), CHECKS.index(item[0])))
    return [(name, check) for name, check in ordered if include_ok or check["status"] not in ("ok", "skipped")]


def diagnosis_lines(prefix_result, include_ok=False):
    """The sentences for a prefix's checks, problems first: what the roles print before and after validation."""
    return ["%s %s" % (prefix_result.get("cidr"), check["message"])
            for _name, check in ordered_checks(prefix_result, include_ok)]


def fix_lines(check, indent="    "):
    """The fix of a problem, one printable line each (an RPSL object keeps its lines), indented."""
    text = (check.get("fix") or {}).get("text") or ""
    return [indent + line for line in text.splitlines() if line.strip()]


# Cloudflare's prefix fields -> the pre-flight check that looks at the same data.
STATE_FIELDS = {"irr_validation_state": "irr", "rpki_validation_state": "rpki",
                "ownership_validation_state": "ownership"}
FAILED_STATES = ("missing", "invalid", "mismatch_asn")


def explain_failed_validation(prefix, prefix_result):
    """For a prefix whose validation failed: per failed check, the pre-flight evidence in the same words.

    prefix is the prefix as Cloudflare returns it; prefix_result the module's entry for it. A failed check that the
    pre-flight now finds ok was fixed since Cloudflare looked: it needs a new validation run.
    """
    checks = prefix_result.get("checks") or {}
    return [explain_failed_check(name, prefix[field], checks.get(name)) for field, name in STATE_FIELDS.items()
            if prefix.get(field) in FAILED_STATES]


def explain_failed_check(name, state, check):
    """The sentence for one check Cloudflare reports as failed (state), from the pre-flight check's result."""
    if check is None or check["status"] == "skipped":
        return "%s: Cloudflare reports %s; the pre-flight check did not look at it." % (LABELS[name], state)
    if check["status"] == "ok":
        return "%s Cloudflare reported %s before this was fixed: validate the prefix again." % (check["message"], state)
    return check["message"]


def summary(prefixes, status):
    """Every check of every prefix with this status, flat: [{cidr, check, reason, message, fix}]."""
    return [{"cidr": prefix["cidr"], "check": name, "reason": check["reason"], "message": check["message"],
             "predicted_state": check["predicted_state"], "fix": check["fix"]}
            for prefix in prefixes for name, check in prefix["checks"].items() if check["status"] == status]
