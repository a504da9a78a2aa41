"""The routing registry world: whois (IRRd's RIPE-style answers), Routinator's validity JSON, reverse DNS, and the
validation states Cloudflare's checks resolve to from it."""

import json
import shutil
import socket
import urllib.request

import dns.message
import dns.query
import dns.rcode
import pytest

from cfsim_runner import ControlError, start_cfsim

TOKEN_FREE_WORLD = {
    "route_objects": [
        {"prefix": "203.0.113.0/24", "origin": 13335, "source": "RIPE", "descr": ["Edge"], "mnt_by": ["EDGE-MNT"]},
        {"prefix": "203.0.113.0/24", "origin": "AS64500", "source": "RADB"},
        {"prefix": "198.51.100.0/24", "origin": 64500, "source": "ARIN"},
        {"prefix": "2001:db8::/46", "origin": 13335, "source": "APNIC"},
    ],
    "roas": [{"prefix": "203.0.112.0/22", "max_length": 24, "asn": 13335, "ta": "ripe"},
             {"prefix": "2001:db8::/46", "asn": 13335}],
    "txt_records": [],
}
DNS_SERVERS = ["builtin"] + (["dnsmasq"] if shutil.which("dnsmasq") or shutil.which("/usr/sbin/dnsmasq") else [])


@pytest.fixture(scope="module", params=DNS_SERVERS)
def world_sim(request, tmp_path_factory):
    world_file = tmp_path_factory.mktemp("world") / "world.json"
    world_file.write_text(json.dumps(TOKEN_FREE_WORLD), encoding="utf-8")
    process = start_cfsim("--quiet", "--registry-world", str(world_file), "--whois-port", "0", "--dns-port", "0",
                          "--dns-server", request.param)
    process.servers = process.control("GET", "/registry")["servers"]
    yield process
    assert process.stop() == 0, "\n".join(process.output)


@pytest.fixture(autouse=True)
def fresh_world(request):
    if "world_sim" in request.fixturenames:
        request.getfixturevalue("world_sim").reset()


def whois(sim, *queries):
    """Send the queries on one connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", sim.servers["whois"]["port"]), timeout=10) as connection:
        connection.sendall("".join(query + "\r\n" for query in queries).encode())
        chunks = []
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                return b"".join(chunks).decode()
            chunks.append(chunk)


def txt(sim, name):
    query = dns.message.make_query(name, "TXT")
    response = dns.query.udp(query, "127.0.0.1", port=sim.servers["dns"]["port"], timeout=5)
    # An RRset has no order: compare the strings sorted.
    return dns.rcode.to_text(response.rcode()), sorted(b"".join(r.strings).decode() for rrset in response.answer
                                                       for r in rrset)


def validity(sim, path):
    with urllib.request.urlopen(sim.root_url + path, timeout=10) as response:
        return response.status, json.loads(response.read())


def call(sim, method, path, body=None):
    """An addressing API call to the simulator; its result."""
    request = urllib.request.Request(
        sim.base_url + "/accounts/%s/addressing%s" % (sim.account_id, path), method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Bearer " + sim.api_token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["result"]


@pytest.fixture
def api_call(world_sim):
    return lambda method, path, body=None: call(world_sim, method, path, body)


# --- whois --------------------------------------------------------------------------------------------------------

def test_exact_query_answers_rpsl_with_rpki_objects_and_irrd_ending(world_sim):
    answer = whois(world_sim, "-r -T route -x 203.0.113.0/24")
    objects = answer.rstrip("\n").split("\n\n")
    assert objects[0] == ("route:          203.0.113.0/24\ndescr:          Edge\norigin:         AS13335\n"
                          "mnt-by:         EDGE-MNT\nsource:         RIPE")
    assert "source:         RADB" in objects[1]
    assert answer.endswith("\n\n\n") and len(objects) == 2, "the /22 ROA's pseudo object is not an exact match"


def test_less_specific_query_finds_the_rpki_object_of_the_covering_roa(world_sim):
    answer = whois(world_sim, "-L 203.0.113.0/24")
    assert ("descr:          RPKI ROA for 203.0.112.0/22 / AS13335\nremarks:        This AS13335 route object "
            "represents routing data retrieved\n") in answer
    assert "source:         RPKI  # Trust Anchor: ripe" in answer


def test_sources_types_and_no_entries(world_sim):
    assert whois(world_sim, "-s RADB -x 203.0.113.0/24").count("route:") == 1
    assert whois(world_sim, "-T route6 -x 203.0.113.0/24") == "%  No entries found for the selected source(s).\n\n\n"
    assert whois(world_sim, "-x 2001:db8::/46").startswith("route6:         2001:db8::/46\n")


def test_keepalive_answers_several_queries_on_one_connection(world_sim):
    with socket.create_connection(("127.0.0.1", world_sim.servers["whois"]["port"]), timeout=10) as connection:
        connection.sendall(b"-k\n-x 198.51.100.0/24\n-k\n")
        answer = b""
        while not answer.endswith(b"\n\n\n"):
            answer += connection.recv(65536)
        assert b"origin:         AS64500" in answer


@pytest.mark.parametrize("query, answer", [
    ("-Z 203.0.113.0/24", "%% ERROR: Unrecognised flag/search: -Z\n\n\n"),
    ("-s NOPE -x 203.0.113.0/24", "%% ERROR: One or more selected sources are unavailable.\n\n\n"),
    ("-x not-a-prefix", "%% ERROR: Invalid input for IP lookup: not-a-prefix\n\n\n"),
    ("!r203.0.113.0/24", "F cfsim serves RIPE-style queries only, not !r\n"),
])
def test_bad_queries_get_irrd_errors(world_sim, query, answer):
    assert whois(world_sim, query) == answer


# --- RPKI validity -----------------------------------------------------------------------------------------------

def test_validity_valid_under_a_covering_roa(world_sim):
    status, document = validity(world_sim, "/api/v1/validity/AS13335/203.0.113.0/24")
    assert status == 200 and document["validated_route"]["route"] == {"origin_asn": "AS13335",
                                                                      "prefix": "203.0.113.0/24"}
    result = document["validated_route"]["validity"]
    assert result["state"] == "valid" and "reason" not in result
    assert result["VRPs"] == {"matched": [{"asn": "AS13335", "prefix": "203.0.112.0/22", "max_length": "24"}],
                              "unmatched_as": [], "unmatched_length": []}
    assert document["generatedTime"].endswith("Z")


@pytest.mark.parametrize("path, state, reason", [
    ("/api/v1/validity/64500/203.0.113.0/24", "invalid", "as"),
    ("/api/v1/validity/AS13335/203.0.112.0/25", "invalid", "length"),
    ("/validity?asn=AS13335&prefix=198.51.100.0/24", "not-found", None),
])
def test_validity_invalid_and_not_found(world_sim, path, state, reason):
    result = validity(world_sim, path)[1]["validated_route"]["validity"]
    assert result["state"] == state and result.get("reason") == reason


def test_validity_bad_input(world_sim):
    with pytest.raises(urllib.error.HTTPError) as raised:
        validity(world_sim, "/api/v1/validity/AS13335/203.0.113.1/24")
    assert raised.value.code == 400


# --- DNS -----------------------------------------------------------------------------------------------------------

def test_dns_serves_txt_records_and_follows_the_world(world_sim):
    name = "cf-validation.113.0.203.in-addr.arpa"
    assert txt(world_sim, name) == ("NXDOMAIN", [])
    world_sim.control("POST", "/registry", {"txt_records": [{"name": name, "values": ["abc", "def"]}]})
    assert txt(world_sim, name) == ("NOERROR", ["abc", "def"])
    world_sim.control("DELETE", "/registry", {"txt_records": [{"name": name, "values": ["abc"]}]})
    assert txt(world_sim, name) == ("NOERROR", ["def"])
    assert txt(world_sim, "example.com")[0] == "REFUSED"


def test_dns_answers_over_tcp(world_sim):
    name = "cf-validation.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
    world_sim.control("POST", "/registry", {"txt_records": [{"name": name, "values": ["v6"]}]})
    response = dns.query.tcp(dns.message.make_query(name, "TXT"), "127.0.0.1",
                             port=world_sim.servers["dns"]["port"], timeout=5)
    assert [b"".join(r.strings) for rrset in response.answer for r in rrset] == [b"v6"]


# --- the world through the control API ----------------------------------------------------------------------------

def test_reset_returns_to_the_world_file(world_sim):
    world_sim.control("DELETE", "/registry")
    assert world_sim.control("GET", "/registry")["route_objects"] == []
    world_sim.reset()
    document = world_sim.control("GET", "/registry")
    assert document["configured"] and len(document["route_objects"]) == 4
    assert document["servers"]["dns"]["server"] in ("built-in", "dnsmasq")


@pytest.mark.parametrize("body", [
    {"route_objects": [{"prefix": "203.0.113.1/24", "origin": 1, "source": "RIPE"}]},
    {"route_objects": [{"prefix": "203.0.113.0/24", "origin": "ASX", "source": "RIPE"}]},
    {"roas": [{"prefix": "203.0.113.0/24", "max_length": 23, "asn": 1}]},
    {"txt_records": [{"name": "", "values": ["x"]}]},
    {"routes": []},
])
def test_bad_world_documents_are_refused_whole(world_sim, body):
    with pytest.raises(ControlError) as raised:
        world_sim.control("PUT", "/registry", body)
    assert raised.value.status == 400
    assert len(world_sim.control("GET", "/registry")["route_objects"]) == 4


# --- Cloudflare's validation from the world ------------------------------------------------------------------------

def resolve(sim, api_call, cidr, asn=13335):
    created = api_call("POST", "/prefixes", {"cidr": cidr, "asn": asn})
    sim.advance(60)
    return created, api_call("GET", "/prefixes/%s" % created["id"])


def states(result):
    return (result["irr_validation_state"], result["rpki_validation_state"], result["ownership_validation_state"],
            result["approved"])


def test_no_roa_is_invalid_and_another_origin_is_mismatch_asn(world_sim, api_call):
    assert states(resolve(world_sim, api_call, "198.51.100.0/24")[1]) == ("mismatch_asn", "invalid", "missing", "P")


def test_the_token_published_as_txt_in_every_zone_lets_a_slash_23_pass(world_sim, api_call):
    world_sim.control("POST", "/registry", {"route_objects": [
        {"prefix": "203.0.112.0/23", "origin": 13335, "source": "RIPE"}]})
    created, result = resolve(world_sim, api_call, "203.0.112.0/23")
    assert states(result) == ("valid", "valid", "missing", "P")
    published = world_sim.control("POST", "/ownership-tokens", {"cidr": "203.0.112.0/23", "via": "txt"})
    assert published["txt_records"] == ["cf-validation.112.0.203.in-addr.arpa", "cf-validation.113.0.203.in-addr.arpa"]
    assert txt(world_sim, published["txt_records"][1]) == ("NOERROR", [created["ownership_validation_token"]])
    api_call("POST", "/prefixes/%s/validate" % created["id"])
    world_sim.advance(60)
    assert states(api_call("GET", "/prefixes/%s" % created["id"])) == ("valid", "valid", "valid", "V")


def test_a_wrong_txt_value_is_invalid_and_one_zone_is_not_enough(world_sim, api_call):
    world_sim.control("POST", "/registry", {"txt_records": [
        {"name": "cf-validation.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "values": ["stale"]}]})
    assert states(resolve(world_sim, api_call, "2001:db8::/46")[1])[2] == "invalid"


def test_the_token_as_irr_remark_passes_and_needs_a_route_object(world_sim, api_call):
    created, result = resolve(world_sim, api_call, "203.0.113.0/24")
    assert states(result) == ("valid", "valid", "missing", "P")
    world_sim.control("POST", "/ownership-tokens", {"prefix_id": created["id"], "via": "irr"})
    assert "remarks:        cf-validation: %s" % created["ownership_validation_token"] in \
        whois(world_sim, "-s RIPE -x 203.0.113.0/24")
    api_call("POST", "/prefixes/%s/validate" % created["id"])
    world_sim.advance(60)
    assert states(api_call("GET", "/prefixes/%s" % created["id"]))[3] == "V"
    api_call("POST", "/prefixes", {"cidr": "192.0.2.0/24", "asn": 13335})
    with pytest.raises(ControlError) as raised:
        world_sim.control("POST", "/ownership-tokens", {"cidr": "192.0.2.0/24", "via": "irr"})
    assert raised.value.status == 409


def test_validation_outcome_overrides_the_world(world_sim, api_call):
    world_sim.control("POST", "/validation-outcomes", {"cidr": "198.51.100.0/24", "outcome": "valid"})
    assert states(resolve(world_sim, api_call, "198.51.100.0/24")[1])[3] == "V"
    assert world_sim.control("GET", "/config")["validation_outcome"] == "world"
    world_sim.control("PATCH", "/config", {"validation_outcome": "invalid"})
    assert states(resolve(world_sim, api_call, "2001:db8::/46")[1])[1] == "invalid"


def test_world_changes_do_not_rewrite_checks_already_due(world_sim, api_call):
    created = api_call("POST", "/prefixes", {"cidr": "198.51.100.0/24", "asn": 13335})
    world_sim.advance(60)
    world_sim.control("PUT", "/registry", {"route_objects": [
        {"prefix": "198.51.100.0/24", "origin": 13335, "source": "ARIN"}]})
    assert api_call("GET", "/prefixes/%s" % created["id"])["irr_validation_state"] == "mismatch_asn"


# --- without a world file ---------------------------------------------------------------------------------------------

def test_a_world_set_through_the_control_api_becomes_the_default_outcome(sim, api):
    assert sim.control("GET", "/validation-outcomes")["default"] == "valid"
    assert sim.control("GET", "/registry")["servers"]["whois"] is None
    sim.control("PUT", "/registry", {"roas": [{"prefix": "192.0.2.0/24", "asn": 13335}]})
    assert sim.control("GET", "/validation-outcomes")["default"] == "world"
    created = api.prefix()
    sim.advance(60)
    assert api.ok("GET", "/prefixes/%s" % created["id"])["irr_validation_state"] == "missing"
    sim.reset()
    assert sim.control("GET", "/registry")["configured"] is False
    assert sim.control("GET", "/validation-outcomes")["default"] == "valid"


def test_a_bad_world_file_stops_cfsim_at_start(tmp_path):
    world_file = tmp_path / "world.json"
    world_file.write_text(json.dumps({"roas": [{"prefix": "203.0.113.0/33", "asn": 1}]}), encoding="utf-8")
    with pytest.raises(RuntimeError) as raised:
        start_cfsim("--registry-world", str(world_file))
    assert "cannot load registry world" in str(raised.value) and "roas[0] prefix" in str(raised.value)


# --- tokens published at once (make demo) ---------------------------------------------------------------------------

@pytest.mark.parametrize("via", ["txt", "irr"])
def test_publish_ownership_tokens_lets_a_new_prefix_pass_from_the_world_file_alone(tmp_path, via):
    world_file = tmp_path / "world.json"
    world_file.write_text(json.dumps({
        "route_objects": [{"prefix": "203.0.112.0/23", "origin": 13335, "source": "RIPE"}],
        "roas": [{"prefix": "203.0.112.0/23", "asn": 13335}]}), encoding="utf-8")
    process = start_cfsim("--quiet", "--registry-world", str(world_file), "--whois-port", "0", "--dns-port", "0",
                          "--dns-server", "builtin", "--publish-ownership-tokens", via)
    try:
        process.servers = process.control("GET", "/registry")["servers"]
        assert "cfsim: new ownership tokens are published at once" in "\n".join(process.output)
        token = call(process, "POST", "/prefixes", {"cidr": "203.0.112.0/23", "asn": 13335})[
            "ownership_validation_token"]
        world = process.control("GET", "/registry")
        if via == "txt":
            assert [record["name"] for record in world["txt_records"]] == [
                "cf-validation.112.0.203.in-addr.arpa", "cf-validation.113.0.203.in-addr.arpa"]
            assert txt(process, "cf-validation.113.0.203.in-addr.arpa") == ("NOERROR", [token])
        else:
            assert world["route_objects"][0]["remarks"] == ["cf-validation: %s" % token]
            # A prefix with no route object to carry the remark is added all the same, with nothing published.
            call(process, "POST", "/prefixes", {"cidr": "192.0.2.0/24", "asn": 13335})
            assert process.control("GET", "/registry")["route_objects"] == world["route_objects"]
        process.advance(60)
        states = dict((prefix["cidr"], prefix["approved"]) for prefix in call(process, "GET", "/prefixes"))
        assert states["203.0.112.0/23"] == "V"
    finally:
        assert process.stop() == 0, "\n".join(process.output)
