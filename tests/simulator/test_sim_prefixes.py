"""Prefixes: create, list, get, edit, delete, validate, and the validation lifecycle on the simulated clock."""

import re
import uuid

import pytest

from simapi import HEX32, RFC3339, PDF

PREFIX_FIELDS = ["id", "created_at", "modified_at", "cidr", "account_id", "description", "approved",
                 "on_demand_enabled", "on_demand_locked", "advertised", "advertised_modified_at", "loa_document_id",
                 "asn", "ownership_validation_token", "delegate_loa_creation", "irr_validation_state",
                 "rpki_validation_state", "ownership_validation_state"]


def states(prefix):
    return (prefix["irr_validation_state"], prefix["rpki_validation_state"], prefix["ownership_validation_state"])


def test_create_returns_the_documented_pending_prefix(api, sim):
    prefix = api.prefix("203.0.113.0/24", delegate_loa_creation=True)
    assert list(prefix) == PREFIX_FIELDS, "fields as in the get-started example response"
    assert re.match(HEX32, prefix["id"]) and re.match(HEX32, prefix["loa_document_id"])
    assert re.match(RFC3339, prefix["created_at"]) and prefix["created_at"] == prefix["modified_at"]
    assert prefix["account_id"] == sim.account_id
    assert prefix["cidr"] == "203.0.113.0/24" and prefix["asn"] == 13335
    assert prefix["description"] == "" and prefix["approved"] == "P"
    assert prefix["on_demand_enabled"] is False and prefix["on_demand_locked"] is False
    assert prefix["advertised"] is None and prefix["advertised_modified_at"] is None
    assert prefix["delegate_loa_creation"] is True
    assert states(prefix) == ("pending", "pending", "pending")
    assert str(uuid.UUID(prefix["ownership_validation_token"])) == prefix["ownership_validation_token"]


def test_create_without_loa_delegation_has_no_loa(api):
    prefix = api.prefix("198.51.100.0/24", description="lab")
    assert prefix["loa_document_id"] is None and prefix["delegate_loa_creation"] is False
    assert prefix["description"] == "lab"


def test_create_with_an_uploaded_loa(api):
    loa = api.ok("POST", "/loa_documents", files={"loa_document": ("loa.pdf", PDF, "application/pdf")},
                 status=201)
    prefix = api.prefix("198.51.100.0/24", loa_document_id=loa["id"], delegate_loa_creation=True)
    assert prefix["loa_document_id"] == loa["id"], "an explicit LOA wins over generating one"


def test_create_with_an_unknown_loa_is_rejected(api):
    api.fails("POST", "/prefixes", {"cidr": "198.51.100.0/24", "asn": 13335, "loa_document_id": "0" * 32},
              code=1109)


@pytest.mark.parametrize("given, stored", [
    ("2001:DB8:0000::/48", "2001:db8::/48"),
    ("2001:db8:0:0::/32", "2001:db8::/32"),
    (" 192.0.2.0/24", "192.0.2.0/24"),
    ("45.0.0.0/8", "45.0.0.0/8"),
])
def test_cidrs_are_stored_canonical(api, given, stored):
    assert api.prefix(given)["cidr"] == stored


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("body, code", [
    ({"asn": 13335}, 1102),
    ({"cidr": "192.0.2.0/24"}, 1102),
    ({"cidr": "192.0.2.1/24", "asn": 13335}, 1104),
    ({"cidr": "192.0.2.0", "asn": 13335}, 1104),
    ({"cidr": "not-a-cidr/24", "asn": 13335}, 1104),
    ({"cidr": 3232235520, "asn": 13335}, 1104),
    ({"cidr": "192.0.2.0/25", "asn": 13335}, 1105),
    ({"cidr": "2001:db8::/56", "asn": 13335}, 1105),
    ({"cidr": "192.0.2.0/24", "asn": 0}, 1103),
    ({"cidr": "192.0.2.0/24", "asn": 4294967296}, 1103),
    ({"cidr": "192.0.2.0/24", "asn": "13335"}, 1103),
    ({"cidr": "192.0.2.0/24", "asn": True}, 1103),
    ({"cidr": "192.0.2.0/24", "asn": 13335, "description": "x" * 1001}, 1103),
    ({"cidr": "192.0.2.0/24", "asn": 13335, "description": 5}, 1103),
    ({"cidr": "192.0.2.0/24", "asn": 13335, "delegate_loa_creation": "yes"}, 1103),
    ({"cidr": "192.0.2.0/24", "asn": 13335, "loa_document_id": 7}, 1103),
])
def test_create_rejects_bad_bodies(api, body, code):
    api.fails("POST", "/prefixes", body, code=code)
    assert api.ok("GET", "/prefixes") == [], "a rejected create leaves nothing behind"


@pytest.mark.parametrize("cidr, reason", [
    ("0.0.0.0/0", "is a default route, which covers the whole IPv4 Internet"),
    ("::/0", "is a default route, which covers the whole IPv6 Internet"),
    ("127.0.0.0/24", "is loopback space (RFC 1122)"),
    ("fe80::/48", "is link-local space (RFC 4291)"),
    ("224.0.0.0/24", "is multicast space (RFC 5771)"),
    ("240.0.0.0/24", "is reserved for future use (RFC 1112), which includes the broadcast address"),
    ("10.0.0.0/8", "is private-use space (RFC 1918)"),
    ("fd12:3456::/48", "is unique-local space (RFC 4193)"),
    ("100.64.0.0/24", "is shared address space for carrier-grade NAT (RFC 6598)"),
    ("8.0.0.0/6", "overlaps 10.0.0.0/8, private-use space (RFC 1918)"),
])
def test_space_that_can_never_be_announced_is_refused(api, cidr, reason):
    error = api.fails("POST", "/prefixes", {"cidr": cidr, "asn": 13335}, code=1117)
    assert error["message"] == ("Prefix %s %s; it can never be announced on the Internet, so it cannot be a BYOIP "
                                "prefix" % (cidr, reason))
    assert api.ok("GET", "/prefixes") == []


@pytest.mark.parametrize("cidr", ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32",
                                  "198.51.100.0/23", "45.0.0.0/24"])
def test_documentation_ranges_and_public_space_are_accepted(api, cidr):
    assert api.prefix(cidr)["cidr"] == cidr


def test_create_accepts_the_extremes(api):
    assert api.prefix("192.0.2.0/24", asn=4294967295, description="x" * 1000)["asn"] == 4294967295
    assert api.prefix("2001:db8::/48", asn=1)["asn"] == 1


@pytest.mark.sends_invalid_requests
def test_create_needs_a_json_object(api):
    api.fails("POST", "/prefixes", ["192.0.2.0/24"], code=1101)
    api.fails("POST", "/prefixes", data=b"", code=1101)


@pytest.mark.parametrize("existing, new, code", [
    ("192.0.2.0/24", "192.0.2.0/24", 1301),
    ("45.0.0.0/16", "45.0.5.0/24", 1302),
    ("45.0.5.0/24", "45.0.0.0/16", 1302),
    ("2001:db8::/32", "2001:db8:1::/48", 1302),
])
def test_duplicates_and_overlaps_conflict(api, existing, new, code):
    api.prefix(existing)
    error = api.fails("POST", "/prefixes", {"cidr": new, "asn": 13335}, status=409, code=code)
    assert existing in error["message"]


def test_neighbours_do_not_overlap(api):
    for cidr in ("45.0.1.0/24", "45.0.3.0/24", "45.0.2.0/24", "45.0.0.0/24", "2001:db8::/48"):
        api.prefix(cidr)
    assert sorted(p["cidr"] for p in api.ok("GET", "/prefixes")) == [
        "2001:db8::/48", "45.0.0.0/24", "45.0.1.0/24", "45.0.2.0/24", "45.0.3.0/24"]


@pytest.mark.sends_invalid_requests
def test_list_get_and_result_info(api):
    first, second = api.prefix("192.0.2.0/24"), api.prefix("198.51.100.0/24")
    response = api.call("GET", "/prefixes", params={"page": 2, "per_page": 1})
    body = response.json()
    assert [p["id"] for p in body["result"]] == [first["id"], second["id"]], "no pagination: everything, in order"
    assert "result_info" not in body, "the 2026 definition gives the prefix list no result_info"
    assert api.ok("GET", "/prefixes/%s" % second["id"]) == second


@pytest.mark.sends_invalid_requests
def test_unknown_prefix_is_404(api):
    for method in ("GET", "PATCH", "DELETE"):
        api.fails(method, "/prefixes/%s" % ("a" * 32), {"description": "x"}, status=404, code=1201)
    api.fails("POST", "/prefixes/%s/validate" % ("a" * 32), status=404, code=1201)


def test_edit_changes_only_the_description(api, sim):
    prefix = api.prefix()
    sim.advance(1)
    edited = api.ok("PATCH", "/prefixes/%s" % prefix["id"], {"description": "production"})
    assert edited["description"] == "production" and edited["modified_at"] > prefix["modified_at"]
    assert {k: v for k, v in edited.items() if k not in ("description", "modified_at")} == \
        {k: v for k, v in prefix.items() if k not in ("description", "modified_at")}
    assert api.ok("GET", "/prefixes/%s" % prefix["id"])["description"] == "production"


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("body, code", [
    ({}, 1102),
    ({"description": None}, 1103),
    ({"description": "x" * 1001}, 1103),
    ({"description": "x", "asn": 64512}, 1103),
    ({"loa_document_id": "0" * 32}, 1103),
])
def test_edit_rejects_other_fields_and_bad_descriptions(api, body, code):
    prefix = api.prefix()
    api.fails("PATCH", "/prefixes/%s" % prefix["id"], body, code=code)
    assert api.ok("GET", "/prefixes/%s" % prefix["id"]) == prefix


def test_delete_only_while_unapproved(api, sim):
    pending = api.prefix("192.0.2.0/24")
    assert "result" not in api.call("DELETE", "/prefixes/%s" % pending["id"]).json(), "envelope without result"
    api.fails("GET", "/prefixes/%s" % pending["id"], status=404, code=1201)
    approved = api.approved_prefix("198.51.100.0/24")
    api.fails("DELETE", "/prefixes/%s" % approved["id"], status=409, code=1303)
    assert api.ok("GET", "/prefixes/%s" % approved["id"])["approved"] == "V"


def test_deleted_cidr_can_be_added_again(api):
    prefix = api.prefix("192.0.2.0/24")
    api.ok("DELETE", "/prefixes/%s" % prefix["id"])
    api.prefix("192.0.2.0/24")
    api.prefix("192.0.1.0/24")


def test_validation_resolves_after_validation_seconds(api, sim):
    prefix = api.prefix()
    sim.advance(59)
    assert states(api.ok("GET", "/prefixes/%s" % prefix["id"])) == ("pending",) * 3
    sim.advance(1)
    resolved = api.ok("GET", "/prefixes/%s" % prefix["id"])
    assert states(resolved) == ("valid",) * 3 and resolved["approved"] == "V"
    assert resolved["modified_at"] > prefix["modified_at"]
    assert api.ok("GET", "/prefixes")[0] == resolved, "list and get agree"


@pytest.mark.parametrize("outcome, expected", [
    ("invalid", ("valid", "invalid", "valid")),
    ("missing", ("missing", "valid", "valid")),
    ("mismatch_asn", ("mismatch_asn", "valid", "valid")),
    ("manual", ("valid", "valid", "pending")),
])
def test_failing_outcomes_keep_the_prefix_pending(api, sim, outcome, expected):
    sim.control("PATCH", "/config", {"validation_outcome": outcome})
    prefix = api.prefix()
    sim.advance(60)
    resolved = api.ok("GET", "/prefixes/%s" % prefix["id"])
    assert states(resolved) == expected and resolved["approved"] == "P"


def test_outcome_per_cidr_overrides_the_default(api, sim):
    sim.control("POST", "/validation-outcomes", {"cidr": "192.0.2.0/24", "outcome": "missing"})
    sim.control("POST", "/validation-outcomes", {"cidr": "2001:DB8::/48", "irr": "valid", "rpki": "invalid"})
    a, b, c = api.prefix("192.0.2.0/24"), api.prefix("198.51.100.0/24"), api.prefix("2001:db8::/48")
    sim.advance(60)
    assert states(api.ok("GET", "/prefixes/%s" % a["id"])) == ("missing", "valid", "valid")
    assert states(api.ok("GET", "/prefixes/%s" % b["id"])) == ("valid", "valid", "valid")
    assert states(api.ok("GET", "/prefixes/%s" % c["id"])) == ("valid", "invalid", "valid")
    listed = sim.control("GET", "/validation-outcomes")
    assert listed["cidrs"]["2001:db8::/48"] == {"irr": "valid", "rpki": "invalid"}


def test_validate_reruns_the_checks_and_fixes_a_failure(api, sim):
    sim.control("POST", "/validation-outcomes", {"cidr": "203.0.113.0/24", "outcome": "invalid"})
    prefix = api.prefix()
    sim.advance(60)
    assert api.ok("GET", "/prefixes/%s" % prefix["id"])["rpki_validation_state"] == "invalid"
    sim.control("POST", "/validation-outcomes", {"cidr": "203.0.113.0/24", "outcome": None})
    rerun = api.ok("POST", "/prefixes/%s/validate" % prefix["id"], status=202)
    assert states(rerun) == ("pending",) * 3 and rerun["approved"] == "P"
    sim.advance(60)
    assert api.ok("GET", "/prefixes/%s" % prefix["id"])["approved"] == "V"


def test_manual_outcome_waits_for_the_published_token(api, sim):
    sim.control("PATCH", "/config", {"validation_outcome": "manual"})
    early, late = api.prefix("192.0.2.0/24"), api.prefix("198.51.100.0/24")
    published = sim.control("POST", "/ownership-tokens", {"cidr": "192.0.2.0/24"})
    assert published["ownership_validation_token"] == early["ownership_validation_token"]
    sim.advance(60)
    assert api.ok("GET", "/prefixes/%s" % early["id"])["approved"] == "V"
    waiting = api.ok("GET", "/prefixes/%s" % late["id"])
    assert states(waiting) == ("valid", "valid", "pending") and waiting["approved"] == "P"
    sim.advance(3600)
    assert api.ok("GET", "/prefixes/%s" % late["id"])["ownership_validation_state"] == "pending"
    # Publishing the token (the IRR remark or the TXT records) completes the waiting run: no re-validation needed.
    sim.control("POST", "/ownership-tokens", {"prefix_id": late["id"]})
    approved = api.ok("GET", "/prefixes/%s" % late["id"])
    assert states(approved) == ("valid",) * 3 and approved["approved"] == "V"
    assert approved["modified_at"] > waiting["modified_at"]


def test_approval_is_not_taken_back_by_a_failed_revalidation(api, sim):
    prefix = api.prefix()
    sim.advance(60)
    sim.control("POST", "/validation-outcomes", {"cidr": prefix["cidr"], "outcome": "missing"})
    api.ok("POST", "/prefixes/%s/validate" % prefix["id"], status=202)
    sim.advance(60)
    again = api.ok("GET", "/prefixes/%s" % prefix["id"])
    assert again["irr_validation_state"] == "missing" and again["approved"] == "V"


def test_validation_seconds_can_change_at_run_time(api, sim):
    sim.control("PATCH", "/config", {"validation_seconds": 5})
    prefix = api.prefix()
    sim.advance(5)
    assert api.ok("GET", "/prefixes/%s" % prefix["id"])["approved"] == "V"
