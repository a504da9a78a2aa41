"""Credentials, the rate limit, routing errors and the envelope on every kind of failure."""

import datetime
import email.utils
import http.client
import json
import re
import socket
import urllib.parse

import pytest

from simapi import Api

AUTH_ERROR = {"code": 10000, "message": "Authentication error"}
UNKNOWN_EMAIL_KEY = {"code": 9103, "message": "Unknown X-Auth-Key or X-Auth-Email"}


def failure(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["result"] is None and body["messages"] == []
    assert response.headers["Content-Type"] == "application/json"
    return body["errors"]


@pytest.fixture
def raw(sim):
    """A client with no credentials of its own."""
    client = Api(sim, headers={})
    yield client
    client.session.close()


def test_every_scheme_works_and_is_logged(raw, sim):
    schemes = [
        ({"Authorization": "Bearer %s" % sim.api_token}, "token"),
        ({"Authorization": "Bearer %s" % sim.read_only_token}, "read_only_token"),
        ({"X-Auth-Email": sim.email.upper(), "X-Auth-Key": sim.api_key}, "email_key"),
        ({"X-Auth-User-Service-Key": sim.user_service_key}, "user_service_key"),
    ]
    for headers, _scheme in schemes:
        response = raw.call("GET", "/prefixes", headers=dict(headers, **{"api-version": "2026-01-01",
                                                                         "X-Stainless-Lang": "python"}))
        assert response.status_code == 200 and response.json()["success"] is True
    assert [entry["auth"] for entry in sim.requests()] == [scheme for _headers, scheme in schemes]


@pytest.mark.parametrize("headers, status, error", [
    ({}, 400, {"code": 9106, "message": "Missing X-Auth-Key, X-Auth-Email or Authorization headers"}),
    ({"Authorization": ""}, 400, {"code": 9106, "message": "Missing X-Auth-Key, X-Auth-Email or Authorization "
                                                           "headers"}),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, 400, {"code": 6003, "message": "Invalid request headers",
                                                    "error_chain": [{"code": 6111, "message":
                                                                     "Invalid format for Authorization header"}]}),
    ({"Authorization": "Bearer"}, 400, {"code": 6003, "message": "Invalid request headers",
                                        "error_chain": [{"code": 6111, "message":
                                                         "Invalid format for Authorization header"}]}),
    ({"X-Auth-Email": "admin@example.com", "X-Auth-Key": "bad key!"}, 400,
     {"code": 6003, "message": "Invalid request headers",
      "error_chain": [{"code": 6103, "message": "Invalid format for X-Auth-Key header"}]}),
    ({"X-Auth-Email": "admin@example.com"}, 400,
     {"code": 6003, "message": "Invalid request headers",
      "error_chain": [{"code": 6103, "message": "Invalid format for X-Auth-Key header"}]}),
    ({"X-Auth-Email": "not-an-email", "X-Auth-Key": "cfsim0key0123456789abcdef0123456789abc"}, 400,
     {"code": 6003, "message": "Invalid request headers",
      "error_chain": [{"code": 6102, "message": "Invalid format for X-Auth-Email header"}]}),
    # Both headers bad: the real API names both in one chain.
    ({"X-Auth-Email": "not-an-email", "X-Auth-Key": "bad key!"}, 400,
     {"code": 6003, "message": "Invalid request headers",
      "error_chain": [{"code": 6102, "message": "Invalid format for X-Auth-Email header"},
                      {"code": 6103, "message": "Invalid format for X-Auth-Key header"}]}),
    ({"X-Auth-Key": "an-api-token-is-not-a-global-key"}, 400,
     {"code": 6003, "message": "Invalid request headers",
      "error_chain": [{"code": 6102, "message": "Invalid format for X-Auth-Email header"},
                      {"code": 6103, "message": "Invalid format for X-Auth-Key header"}]}),
    ({"Authorization": "Bearer unknown-token-0123456789abcdef0123456"}, 403, AUTH_ERROR),
    ({"X-Auth-Email": "someone@example.com", "X-Auth-Key": "cfsim0key0123456789abcdef0123456789abc"}, 403,
     UNKNOWN_EMAIL_KEY),
    ({"X-Auth-Email": "admin@example.com", "X-Auth-Key": "0123456789abcdef0123456789abcdef01234"}, 403,
     UNKNOWN_EMAIL_KEY),
    ({"X-Auth-User-Service-Key": "v1.0-someone-else"}, 403, AUTH_ERROR),
])
def test_bad_credentials(raw, sim, headers, status, error):
    assert failure(raw.call("GET", "/prefixes", headers=headers), status) == [error]
    assert sim.requests()[-1]["auth"] == ("none" if status == 400 and error["code"] == 9106 else "invalid")


def test_credentials_for_another_account_are_refused(api, sim):
    response = api.call("GET", "%s/accounts/%s/addressing/prefixes" % (sim.base_url, "f" * 32))
    assert failure(response, 403) == [AUTH_ERROR]


def test_read_only_token_reads_but_cannot_write(raw, sim, api):
    prefix = api.prefix()
    headers = {"Authorization": "Bearer %s" % sim.read_only_token}
    assert raw.call("GET", "/prefixes/%s" % prefix["id"], headers=headers).status_code == 200
    for method, path, body in (("POST", "/prefixes", {"cidr": "192.0.2.0/24", "asn": 13335}),
                               ("PATCH", "/prefixes/%s" % prefix["id"], {"description": "x"}),
                               ("DELETE", "/prefixes/%s" % prefix["id"], None),
                               ("PUT", "/address_maps/%s/ips/203.0.113.1" % ("a" * 32), None)):
        assert failure(raw.call(method, path, body, headers=headers), 403) == [AUTH_ERROR]
    assert api.ok("GET", "/prefixes") == [prefix], "nothing was written"


@pytest.mark.sends_invalid_requests
def test_routing_errors(api, sim):
    assert failure(api.call("GET", "/nothing-here"), 404) == [{"code": 7003, "message": "No route for the URI"}]
    assert failure(api.call("GET", sim.root_url + "/"), 404)[0]["code"] == 7003
    assert failure(api.call("PUT", "/prefixes"), 404)[0]["code"] == 7003, "wrong method"
    bad_id = "/prefixes/ABCDEF0123456789abcdef0123456789"
    message = "Could not route to %s/accounts/%s/addressing%s, perhaps your object identifier is invalid?" % (
        "/client/v4", sim.account_id, bad_id)
    assert failure(api.call("GET", bad_id), 404) == [{"code": 7003, "message": message}]
    assert failure(api.call("GET", "%s/accounts/not-an-account/addressing/prefixes" % sim.base_url), 404)[0][
        "code"] == 7003


@pytest.mark.sends_invalid_requests
def test_other_methods_get_json_404s(api):
    assert failure(api.call("OPTIONS", "/prefixes"), 404)[0]["code"] == 7003
    head = api.call("HEAD", "/prefixes")
    assert head.status_code == 404 and head.content == b"" and int(head.headers["Content-Length"]) > 0
    assert api.call("GET", "/services").status_code == 200, "the connection still works after HEAD"


@pytest.mark.sends_invalid_requests
def test_routing_comes_before_authentication(raw):
    assert failure(raw.call("GET", "/nothing-here"), 404)[0]["code"] == 7003


@pytest.mark.sends_invalid_requests
def test_malformed_json(api):
    errors = failure(api.call("POST", "/prefixes", data=b"{not json", headers={"Content-Type": "application/json"}),
                     400)
    assert errors == [{"code": 6007, "message": "Malformed JSON in request body"}]
    assert failure(api.call("PATCH", "/prefixes/%s" % ("a" * 32), data=b"\xff\xfe"), 400)[0]["code"] == 6007


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("body", [b"[" * 100000 + b"]" * 100000, b'{"cidr": "192.0.2.0/24", "asn": NaN}',
                                  b'{"cidr": "192.0.2.0/24", "asn": Infinity}'])
def test_json_the_parser_cannot_follow_or_that_is_not_json_is_a_400(api, body):
    """Nesting deeper than the parser's recursion once dropped the connection; NaN and Infinity are not JSON."""
    response = api.call("POST", "/prefixes", data=body, headers={"Content-Type": "application/json"})
    assert failure(response, 400) == [{"code": 6007, "message": "Malformed JSON in request body"}]
    assert api.ok("GET", "/prefixes") == [], "the same keep-alive connection still serves"


def raw_exchange(sim, request_bytes):
    split = urllib.parse.urlsplit(sim.base_url)
    with socket.create_connection((split.hostname, split.port), timeout=10) as connection:
        connection.sendall(request_bytes)
        received = b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                return received
            received += chunk


def test_oversized_body_is_refused_and_the_connection_closed(sim):
    head = ("POST /client/v4/accounts/%s/addressing/prefixes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n")
    head %= (sim.account_id, sim.api_token, 17 * 1024 * 1024)
    answer = raw_exchange(sim, head.encode() + b"{")
    assert answer.startswith(b"HTTP/1.1 413 ") and b"Connection: close" in answer
    assert b'"code":1116' in answer


def test_chunked_request_bodies_are_read(sim):
    body = json.dumps({"cidr": "192.0.2.0/24", "asn": 13335}).encode()
    request = ("POST /client/v4/accounts/%s/addressing/prefixes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
               % (sim.account_id, sim.api_token))
    chunks = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (10, body[:10], len(body) - 10, body[10:])
    answer = raw_exchange(sim, request.encode() + chunks)
    assert answer.startswith(b"HTTP/1.1 201 ") and b'"cidr":"192.0.2.0/24"' in answer


def quota(response):
    """(requests left, seconds to the reset) from 'Ratelimit: "default";r=N;t=S', as Cloudflare sends it."""
    match = re.fullmatch(r'"default";r=(\d+);t=(\d+)', response.headers["Ratelimit"])
    return int(match.group(1)), int(match.group(2))


def test_rate_limit_per_credential(api, raw, sim):
    sim.control("PATCH", "/config", {"rate_limit": {"requests": 3, "seconds": 60}})
    answers = [api.call("GET", "/prefixes") for _call in range(3)]
    assert [quota(answer)[0] for answer in answers] == [2, 1, 0]
    assert {answer.headers["Ratelimit-Policy"] for answer in answers} == {'"default";q=3;w=60'}
    limited = api.call("GET", "/prefixes")
    assert failure(limited, 429) == [{"code": 971, "message": "Please wait and consider throttling your request speed"}]
    assert limited.headers["Retry-After"] == "60" and limited.headers["Ratelimit-Policy"] == '"default";q=3;w=60'
    left, reset = quota(limited)
    assert left == 0 and 0 < reset <= 60
    other = raw.call("GET", "/prefixes", headers={"X-Auth-Email": sim.email, "X-Auth-Key": sim.api_key})
    assert other.status_code == 200, "another credential has its own quota"
    sim.advance(30)
    assert api.call("GET", "/prefixes").headers["Retry-After"] == "30"
    sim.advance(30)
    assert api.call("GET", "/prefixes").status_code == 200, "a new window"


def test_the_date_header_follows_the_simulated_clock(api, sim):
    sim.advance(7200)
    answered = email.utils.parsedate_to_datetime(api.call("GET", "/prefixes").headers["Date"])
    now = datetime.datetime.fromisoformat(sim.control("GET", "/clock")["now"].replace("Z", "+00:00"))
    assert abs((answered - now).total_seconds()) < 5


def test_rate_limit_retry_after_is_at_most_60_seconds(api, sim):
    sim.control("PATCH", "/config", {"rate_limit": {"requests": 1, "seconds": 300}})
    api.call("GET", "/prefixes")
    limited = api.call("GET", "/prefixes")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "60"
    assert 299 <= quota(limited)[1] <= 300, "the window itself still lasts five minutes"


@pytest.mark.sends_invalid_requests
def test_rate_limit_headers_on_every_api_response(api, raw):
    for response in (api.call("GET", "/prefixes"), api.call("GET", "/nope"), raw.call("GET", "/prefixes"),
                     api.call("POST", "/prefixes", {})):
        assert response.headers["Ratelimit-Policy"] == '"default";q=1200;w=300'
        left, reset = quota(response)
        assert left < 1200 and 0 < reset <= 300
        assert "x-ratelimit-remaining" not in response.headers, "replaced by Ratelimit in September 2025"


def test_keep_alive_connection_is_reused(sim):
    split = urllib.parse.urlsplit(sim.base_url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
    path = "%s/accounts/%s/addressing/services" % (split.path, sim.account_id)
    sockets = []
    for _call in range(3):
        connection.request("GET", path, headers={"Authorization": "Bearer %s" % sim.api_token})
        response = connection.getresponse()
        assert response.status == 200 and response.will_close is False
        response.read()
        sockets.append(connection.sock)
    connection.close()
    assert sockets[0] is not None and sockets[0] is sockets[1] is sockets[2]
