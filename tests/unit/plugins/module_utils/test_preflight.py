"""Unit tests of the pre-flight parsers (on recorded answers of real servers) and decisions."""

import ipaddress
import pathlib
import socket
import threading

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils import _preflight, _preflight_sources, _whois
from ansible_collections.cloudflare.addressing.plugins.module_utils._preflight_sources import SourceUnavailable

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "preflight"
NET = ipaddress.ip_network
TOKEN = "1234a5b6-1234-1abc-12a3-1234a5b6789c"


def fixture(name):
    return (FIXTURES / name).read_text(encoding="utf-8")


def objects_of(name, cidr):
    return _preflight.route_objects(_whois.parse_rpsl(fixture(name)), NET(cidr))


def route(source="RIPE", origin=13335, cidr="203.0.113.0/24", descr=(), remarks=(), mnt_by=("EXAMPLE-MNT",)):
    return {"class": "route", "prefix": cidr, "origin": origin, "source": source, "descr": list(descr),
            "remarks": list(remarks), "mnt_by": list(mnt_by)}


# --- RPSL answers of real servers --------------------------------------------------------------------------------

def test_ntt_answer_has_an_rpki_object_and_the_apnic_object_with_its_continuation_line():
    found = objects_of("irrd-ntt-1.1.1.0_24.txt", "1.1.1.0/24")
    assert [(item["source"], item["origin"]) for item in found] == [("RPKI", 13335), ("APNIC", 13335)]
    assert found[1]["descr"] == ["APNIC Research and Development\n6 Cordelia St"]
    assert found[1]["mnt_by"] == ["MAINT-AU-APNIC-GM85-AP"]


def test_radb_rpki_objects_of_both_families_keep_only_the_asked_prefix():
    assert [item["class"] for item in objects_of("irrd-radb-rpki.txt", "2001:470:2a2::/48")] == ["route6"]
    only_v4 = objects_of("irrd-radb-rpki.txt", "1.1.1.0/24")
    assert [(item["source"], item["prefix"]) for item in only_v4] == [("RPKI", "1.1.1.0/24")]


def test_ripe_answer_skips_its_comments_and_strips_the_filtered_marker():
    found = objects_of("ripe-213.177.0.0_21.txt", "213.177.0.0/21")
    assert found == [{"class": "route", "prefix": "213.177.0.0/21", "origin": 31313, "source": "RIPE",
                      "descr": ["STS infrastructure and customers"], "remarks": [], "mnt_by": ["ROSTS-MNT"]}]


@pytest.mark.parametrize("name", ["ripe-no-entries.txt", "irrd-no-entries.txt"])
def test_no_entries_is_an_answer_with_no_objects(name):
    _whois.check_answer(fixture(name), "server")
    assert _whois.parse_rpsl(fixture(name)) == []


@pytest.mark.parametrize("name, reason", [("irrd-error.txt", "error"), ("irrd-access-denied.txt", "refused")])
def test_errors_and_refusals_are_not_answers(name, reason):
    with pytest.raises(SourceUnavailable) as raised:
        _whois.check_answer(fixture(name), "rr.example")
    assert raised.value.reason == reason and "rr.example answered" in raised.value.detail


def test_ripe_access_denied_and_an_empty_answer_are_refusals():
    for text in ("%ERROR:201: access denied for 192.0.2.1\n", ""):
        with pytest.raises(SourceUnavailable) as raised:
            _whois.check_answer(text, "whois.example")
        assert raised.value.reason == "refused"


def test_routinator_http_answer():
    validity = _preflight_sources.parse_validity(fixture("routinator-validity-invalid-as.json"))
    assert validity["state"] == "invalid" and validity["reason"] == "as"
    assert validity["vrps"]["unmatched_as"] == [{"asn": 196615, "prefix": "93.175.147.0/24", "max_length": 24}]
    assert validity["vrps"]["matched"] == [] and validity["vrps"]["unmatched_length"] == []


def test_routinator_cli_answer_reads_the_first_route():
    assert _preflight_sources.parse_validity(fixture("routinator-validate-cli.json").encode())["state"] == "invalid"


@pytest.mark.parametrize("content", ["<html>", "{}", '{"validated_route": {"validity": {"state": "maybe"}}}'])
def test_a_validator_answer_of_another_format_is_unknown_not_a_problem(content):
    with pytest.raises(SourceUnavailable) as raised:
        _preflight_sources.parse_validity(content, "http://validator.example")
    assert raised.value.reason == "error"


def test_validity_url_follows_routinator():
    assert _preflight_sources.validity_url("http://127.0.0.1:8323/", 13335, NET("2001:db8::/48")) == \
        "http://127.0.0.1:8323/api/v1/validity/AS13335/2001:db8::/48"


# --- the whois client ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("rr.ntt.net", ("rr.ntt.net", 43)), ("127.0.0.1:4343", ("127.0.0.1", 4343)), ("[::1]:4343", ("::1", 4343)),
    ("::1", ("::1", 43)), ("[::1]", ("::1", 43)),
])
def test_server_names(text, expected):
    assert _whois.parse_server(text) == expected


@pytest.mark.parametrize("text", ["", "host:", "host:http", "host:70000", "[::1", "[::1]x"])
def test_bad_server_names(text):
    with pytest.raises(ValueError):
        _whois.parse_server(text)


def test_route_query_is_ripe_style_exact_with_the_family_class():
    assert _whois.route_query(NET("203.0.113.0/24")) == "-r -T route -x 203.0.113.0/24"
    assert _whois.route_query(NET("2001:db8::/48")) == "-r -T route6 -x 2001:db8::/48"


@pytest.fixture
def listener():
    """A local TCP server that runs the test's handler once."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    state = {"handler": None, "received": b""}

    def serve():
        connection, _address = sock.accept()
        with connection:
            state["received"] = connection.recv(1024)
            if state["handler"]:
                state["handler"](connection)

    thread = threading.Thread(target=serve, daemon=True)
    yield sock.getsockname()[1], state, thread
    sock.close()


def test_ask_sends_the_query_with_crlf_and_reads_until_the_server_closes(listener):
    port, state, thread = listener
    state["handler"] = lambda connection: connection.sendall(fixture("irrd-no-entries.txt").encode())
    thread.start()
    assert _whois.ask("127.0.0.1", port, "-r -T route -x 203.0.113.0/24", 5) == fixture("irrd-no-entries.txt")
    assert state["received"] == b"-r -T route -x 203.0.113.0/24\r\n"


def test_a_server_that_never_finishes_is_a_timeout(listener):
    port, state, thread = listener
    release = threading.Event()
    state["handler"] = lambda connection: (connection.sendall(b"route: 203.0.113.0/24\n"), release.wait(10))
    thread.start()
    try:
        with pytest.raises(SourceUnavailable) as raised:
            _whois.ask("127.0.0.1", port, "-x 203.0.113.0/24", 0.3)
    finally:
        release.set()
    assert raised.value.reason == "timeout"


def test_a_closed_port_is_refused():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(SourceUnavailable) as raised:
        _whois.ask("127.0.0.1", port, "-x 203.0.113.0/24", 2)
    assert raised.value.reason == "refused"


def test_an_endless_answer_is_cut_off(listener, monkeypatch):
    monkeypatch.setattr(_whois, "MAX_ANSWER_BYTES", 1000)
    port, state, thread = listener
    state["handler"] = lambda connection: connection.sendall(b"remarks: x\n" * 500)
    thread.start()
    with pytest.raises(SourceUnavailable) as raised:
        _whois.ask("127.0.0.1", port, "-x 203.0.113.0/24", 5)
    assert raised.value.reason == "error" and "more than 1000 bytes" in raised.value.detail


def test_rpsl_continuation_lines_and_plus_lines():
    text = "route: 203.0.113.0/24\ndescr: first\n second\n+\n+ third\norigin: AS1\nsource: RIPE\n"
    (item,) = _whois.parse_rpsl(text)
    assert ("descr", "first\nsecond\n\nthird") in item


# --- decisions: IRR --------------------------------------------------------------------------------------------------

def test_irr_ok_needs_an_rir_object_with_the_onboarding_origin():
    checked = _preflight.irr_check(NET("1.1.1.0/24"), 13335, objects_of("irrd-ntt-1.1.1.0_24.txt", "1.1.1.0/24"))
    assert checked["status"] == "ok" and checked["predicted_state"] == "valid"
    assert checked["message"] == "IRR: APNIC has a route object for 1.1.1.0/24 with origin AS13335."


def test_rpki_generated_objects_do_not_count():
    checked = _preflight.irr_check(NET("1.1.1.0/24"), 13335, objects_of("irrd-radb-rpki.txt", "1.1.1.0/24"))
    assert checked["status"] == "problem" and checked["reason"] == "missing"
    assert "Source RPKI has one generated from ROAs, which Cloudflare does not count" in checked["message"]
    assert [item["counted"] for item in checked["evidence"]["objects"]] == [False]
    # The RPKI object's maintainer is no template for the owner's object.
    assert "MAINT-NTTCOM-RPKI" not in checked["fix"]["rpsl"]


def test_another_origin_is_a_mismatch_with_the_issue_wording():
    checked = _preflight.irr_check(NET("203.0.113.0/24"), 13335, [route("RADB", 64500)], ("RADB",), added=True)
    assert checked["message"] == "IRR: RADB has a route object with origin AS64500; the prefix was added with " \
                                 "ASN 13335."
    assert checked["reason"] == checked["predicted_state"] == "mismatch_asn"


def test_mismatch_fix_reuses_maintainer_and_source_and_carries_the_token():
    checked = _preflight.irr_check(NET("203.0.113.0/24"), 13335, [route("RIPE", 64500, descr=["Edge"])],
                                   token=TOKEN)
    assert checked["fix"]["rpsl"] == (
        "route:          203.0.113.0/24\n"
        "descr:          Edge\n"
        "origin:         AS13335\n"
        "remarks:        cf-validation: %s\n"
        "mnt-by:         EXAMPLE-MNT\n"
        "source:         RIPE\n" % TOKEN)
    assert "the prefix is to be added with ASN 13335" in checked["message"]


def test_non_rir_objects_are_evidence_but_not_enough():
    checked = _preflight.irr_check(NET("203.0.113.0/24"), 13335, [route("RADB", 13335)])
    assert checked["status"] == "problem" and checked["reason"] == "missing"
    assert "RADB has a route object with origin AS13335, which Cloudflare does not count." in checked["message"]
    assert checked["fix"]["source"] is None and "route6" not in checked["fix"]["rpsl"]


def test_ipv6_fix_is_a_route6_object():
    fix = _preflight.irr_check(NET("2001:db8::/46"), 13335, [])["fix"]
    assert fix["object_class"] == "route6" and fix["rpsl"].startswith("route6:         2001:db8::/46\n")


def test_merge_keeps_one_object_per_prefix_origin_and_source():
    merged = _preflight.merge_objects([route("RIPE"), route("RADB")], [route("RIPE"), route("RIPE", 64500)])
    assert [(item["source"], item["origin"]) for item in merged] == [("RIPE", 13335), ("RADB", 13335),
                                                                     ("RIPE", 64500)]


# --- decisions: RPKI ---------------------------------------------------------------------------------------------

def validity(state, reason=None, matched=(), unmatched_as=(), unmatched_length=()):
    return {"state": state, "reason": reason, "vrps": {"matched": list(matched), "unmatched_as": list(unmatched_as),
                                                       "unmatched_length": list(unmatched_length)}}


def vrp(prefix="203.0.113.0/24", max_length=24, asn=13335):
    return {"prefix": prefix, "max_length": max_length, "asn": asn}


def test_rpki_valid():
    checked = _preflight.rpki_check(NET("203.0.113.0/24"), 13335, validity("valid", matched=[vrp()]))
    assert checked["status"] == "ok" and "203.0.113.0/24 max length 24 for AS13335" in checked["message"]


def test_no_roa_is_a_problem_that_cloudflare_reports_as_invalid():
    checked = _preflight.rpki_check(NET("203.0.113.0/24"), 13335, validity("not-found"))
    assert (checked["status"], checked["reason"], checked["predicted_state"]) == ("problem", "not_found", "invalid")
    assert checked["message"] == "RPKI: no ROA covers 203.0.113.0/24."
    assert checked["fix"] == {"kind": "roa", "prefix": "203.0.113.0/24", "max_length": 24, "asn": 13335,
                              "text": "Create a ROA at your RIR: prefix 203.0.113.0/24, max length 24, origin AS13335."}


def test_roa_for_another_as():
    validity_answer = _preflight_sources.parse_validity(fixture("routinator-validity-invalid-as.json"))
    checked = _preflight.rpki_check(NET("93.175.147.0/24"), 12654, validity_answer)
    assert checked["reason"] == "as" and checked["message"] == (
        "RPKI: the ROAs covering 93.175.147.0/24 authorise AS196615 (93.175.147.0/24 max length 24 for AS196615), "
        "not AS12654.")


def test_roa_too_short():
    checked = _preflight.rpki_check(NET("203.0.113.0/24"), 13335,
                                    validity("invalid", "length", unmatched_length=[vrp("203.0.112.0/22", 22)]))
    assert checked["reason"] == "length"
    assert checked["message"] == "RPKI: the ROA 203.0.112.0/22 max length 22 for AS13335 does not allow a /24."


# --- decisions: ownership ----------------------------------------------------------------------------------------

def test_ownership_by_route_object_remark():
    objects = [route(remarks=["cf-validation: %s" % TOKEN])]
    checked = _preflight.ownership_check(NET("203.0.113.0/24"), TOKEN, objects, None)
    assert checked["status"] == "ok"
    assert checked["message"] == "ownership: the route object at RIPE has cf-validation: %s." % TOKEN


def test_a_remark_at_a_source_that_does_not_count_is_not_ownership():
    checked = _preflight.ownership_check(NET("203.0.113.0/24"), TOKEN,
                                         [route("RADB", descr=["cf-validation: %s" % TOKEN])], None)
    assert checked["status"] == "problem" and checked["fix"]["txt_records"] == []


def test_ownership_by_txt_needs_every_zone_of_a_slash_23():
    zones = {"112.0.203.in-addr.arpa": [TOKEN], "113.0.203.in-addr.arpa": []}
    checked = _preflight.ownership_check(NET("203.0.112.0/23"), TOKEN, [], zones)
    assert checked["status"] == "problem" and checked["reason"] == "missing"
    assert checked["message"] == ("ownership: no TXT at cf-validation.113.0.203.in-addr.arpa; no route object's "
                                  "descr or remarks has cf-validation: %s." % TOKEN)
    assert checked["fix"]["txt_records"] == [{"name": "cf-validation.113.0.203.in-addr.arpa", "type": "TXT",
                                              "value": TOKEN}]
    zones["113.0.203.in-addr.arpa"] = ['"%s"' % TOKEN.upper()]
    assert _preflight.ownership_check(NET("203.0.112.0/23"), TOKEN, [], zones)["status"] == "ok"


def test_another_token_is_invalid():
    checked = _preflight.ownership_check(NET("203.0.113.0/24"), TOKEN, None,
                                         {"113.0.203.in-addr.arpa": ["old-token"]})
    assert checked["reason"] == checked["predicted_state"] == "invalid"
    assert "TXT at cf-validation.113.0.203.in-addr.arpa is 'old-token'" in checked["message"]


def test_dns_that_did_not_answer_is_unknown_never_a_problem():
    down = {"reason": "timeout", "detail": "127.0.0.1 port 53 did not answer within 1 s"}
    checked = _preflight.ownership_check(NET("203.0.113.0/24"), TOKEN, [], {"113.0.203.in-addr.arpa": down})
    assert checked["status"] == "unknown" and checked["reason"] == "timeout"


def test_whois_that_did_not_answer_is_unknown_unless_dns_proves_it():
    down = {"reason": "refused", "detail": "127.0.0.1 port 43 refused the connection"}
    checked = _preflight.ownership_check(NET("203.0.113.0/24"), TOKEN, down, {"113.0.203.in-addr.arpa": []})
    assert checked["status"] == "unknown" and checked["reason"] == "refused"
    proved = _preflight.ownership_check(NET("203.0.113.0/24"), TOKEN, down, {"113.0.203.in-addr.arpa": [TOKEN]})
    assert proved["status"] == "ok"


def test_one_zone_missing_is_a_problem_even_when_another_did_not_answer():
    down = {"reason": "timeout", "detail": "no answer"}
    checked = _preflight.ownership_check(NET("203.0.112.0/23"), TOKEN, [],
                                         {"112.0.203.in-addr.arpa": down, "113.0.203.in-addr.arpa": []})
    assert checked["status"] == "problem"


def test_no_token_skips_the_check():
    skipped = _preflight.no_token()
    assert skipped["status"] == "skipped" and _preflight.overall_status({"ownership": skipped}) == "ok"


# --- reports -------------------------------------------------------------------------------------------------------

def test_diagnosis_lines_put_problems_first_and_leave_out_ok_and_skipped():
    prefix = {"cidr": "203.0.113.0/24", "checks": {
        "irr": _preflight.unknown("irr", "timeout", "rr.ntt.net port 43 did not answer within 10 s"),
        "rpki": _preflight.rpki_check(NET("203.0.113.0/24"), 13335, validity("not-found")),
        "ownership": _preflight.no_token()}}
    assert _preflight.diagnosis_lines(prefix) == [
        "203.0.113.0/24 RPKI: no ROA covers 203.0.113.0/24.",
        "203.0.113.0/24 IRR: unknown, rr.ntt.net port 43 did not answer within 10 s."]
    assert _preflight.overall_status(prefix["checks"]) == "problem"
    assert [item["check"] for item in _preflight.summary([prefix], "problem")] == ["rpki"]


def test_a_failed_validation_is_explained_with_the_pre_flight_evidence():
    checks = {"irr": _preflight.irr_check(NET("203.0.113.0/24"), 13335, [route("RADB", 64500)], ("RADB",),
                                          added=True),
              "rpki": _preflight.rpki_check(NET("203.0.113.0/24"), 13335, validity("valid", matched=[vrp()])),
              "ownership": _preflight.no_token()}
    prefix = {"cidr": "203.0.113.0/24", "irr_validation_state": "mismatch_asn", "rpki_validation_state": "invalid",
              "ownership_validation_state": "missing"}
    assert _preflight.explain_failed_validation(prefix, {"checks": checks}) == [
        "IRR: RADB has a route object with origin AS64500; the prefix was added with ASN 13335.",
        "RPKI: valid, the ROA 203.0.113.0/24 max length 24 for AS13335 covers it. Cloudflare reported invalid before "
        "this was fixed: validate the prefix again.",
        "ownership: Cloudflare reports missing; the pre-flight check did not look at it."]
