# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Why a prefix is not approved: shared by the validation_diagnosis filter and the roles' reports.

For internal collection use only: this is not a public interface and may change without notice.
"""

# What each failed or pending validation state means and what fixes it. Cloudflare documents the state list as
# open-ended ("for example missing, invalid, mismatch_asn"), so unknown states get a generic explanation.
CHECKS = {
    "irr_validation_state": "IRR route object",
    "rpki_validation_state": "RPKI ROA",
    "ownership_validation_state": "prefix ownership",
}
STATE_ADVICE = {
    ("irr_validation_state", "missing"): "no route/route6 object for exactly this prefix was found in the IRR. "
                                         "Create one at your RIR's IRR with origin set to the onboarding ASN.",
    ("irr_validation_state", "invalid"): "the IRR route object does not match the prefix exactly. Fix the "
                                         "route/route6 object so that it covers exactly this prefix.",
    ("irr_validation_state", "mismatch_asn"): "the IRR route object has a different origin ASN. Set its origin "
                                              "to the ASN the prefix is onboarded with.",
    ("rpki_validation_state", "missing"): "no RPKI ROA covers the prefix. Create a ROA for the onboarding ASN "
                                          "with a max length of at least the prefix length.",
    ("rpki_validation_state", "invalid"): "the RPKI ROA does not authorise the onboarding ASN for this prefix "
                                          "length. Fix the ROA's ASN and max length.",
    ("rpki_validation_state", "mismatch_asn"): "the RPKI ROA names a different ASN. Issue a ROA for the "
                                               "onboarding ASN.",
    ("ownership_validation_state", "missing"): "the ownership token was not found. Publish "
                                               "'cf-validation: <token>' in the IRR object's remarks or descr, or "
                                               "the TXT records in every reverse DNS zone of the prefix.",
    ("ownership_validation_state", "invalid"): "the published ownership token does not match. Publish the current "
                                               "ownership_validation_token of the prefix.",
}
FAILED = frozenset(("missing", "invalid", "mismatch_asn"))


def diagnose(prefix):
    """One entry per validation check of a prefix: its state, whether it failed, and what to do about it."""
    report = []
    for field, check in CHECKS.items():
        state = prefix.get(field) or "unknown"
        if state == "valid":
            advice = "passed."
        elif state == "pending":
            advice = "still running; Cloudflare checks asynchronously."
        else:
            advice = STATE_ADVICE.get((field, state), "failed with state '%s'. See Cloudflare's prefix validation "
                                                      "troubleshooting guide." % state)
        report.append(dict(check=check, field=field, state=state, failed=state in FAILED,
                           message="%s: %s" % (check, advice)))
    return report
