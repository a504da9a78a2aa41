"""A scripted transport for unit tests of the API client: no socket is opened and no test sleeps."""

import collections
import ssl

import requests
import urllib3

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareClient

TOKEN = "secret-token-that-must-never-leak-000000"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"


def response(status, body=None, headers=None, raw=None):
    resp = requests.models.Response()
    resp.status_code = status
    resp.reason = {200: "OK", 201: "Created", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
                   409: "Conflict", 429: "Too Many Requests", 502: "Bad Gateway", 503: "Service Unavailable"}.get(
                       status, "Status")
    if raw is not None:
        resp._content = raw.encode()
    elif body is not None:
        resp._content = requests.compat.json.dumps(body).encode()
    else:
        resp._content = b""
    resp.headers.update(headers or {})
    return resp


def ok(result, status=200):
    return response(status, {"success": True, "errors": [], "messages": [], "result": result})


def failure(status, code, message, chain=None):
    error = {"code": code, "message": message}
    if chain:
        error["error_chain"] = chain
    return response(status, {"success": False, "errors": [error], "messages": [], "result": None})


class FakeClock:
    """Time that passes only when the client sleeps or a scripted attempt takes time: tests never wait."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class ScriptedSession(requests.Session):
    """A requests session that answers from a script and records what was sent.

    A script item is a response, an exception to raise, or (seconds, item): the attempt takes that long.
    """

    def __init__(self, script, clock=None):
        super().__init__()
        self.script = list(script)
        self.sent = []
        self.kwargs = []
        self.clock = clock

    def request(self, method, url, **kwargs):  # pylint: disable=arguments-differ
        self.sent.append((method, url, kwargs.get("json")))
        self.kwargs.append(kwargs)
        outcome = self.script.pop(0)
        if isinstance(outcome, tuple):
            self.clock.now += outcome[0]
            outcome = outcome[1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


Harness = collections.namedtuple("Harness", "api session sleeps clock")


def client(script, **kwargs):
    """A client whose transport answers from script and whose sleeps advance a fake clock instead of waiting."""
    clock = FakeClock()
    session = ScriptedSession(script, clock)
    options = dict(base_url="http://sim/client/v4", account_id=ACCOUNT, api_token=TOKEN, sleep=clock.sleep,
                   clock=clock, session=session)
    options.update(kwargs)
    return Harness(CloudflareClient(**options), session, clock.sleeps, clock)


def dropped():
    return requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed "
                                               "connection without response'))")


def chained(outer, *causes):
    """A requests error wrapping urllib3's, wrapping the socket's or ssl's, the way requests raises them."""
    inner = causes[-1]
    for cause in reversed(causes[:-1]):
        cause.__cause__ = inner
        inner = cause
    return outer(urllib3.exceptions.MaxRetryError(None, "/x", reason=inner))


def refused():
    return chained(requests.exceptions.ConnectionError,
                   urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: [Errno 111] "
                                                               "Connection refused"),
                   ConnectionRefusedError(111, "Connection refused"))


def connect_timeout():
    return chained(requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError(None, "timed out"))


def self_signed():
    return chained(requests.exceptions.SSLError, urllib3.exceptions.SSLError(ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1000)")))


def rate_limited(retry_after=None, remaining=None, reset=None):
    limited = failure(429, 971, "Please wait and consider throttling your request speed")
    if retry_after is not None:
        limited.headers["Retry-After"] = str(retry_after)
    if remaining is not None:
        limited.headers["Ratelimit"] = '"default";r=%d;t=%d' % (remaining, reset)
        limited.headers["Ratelimit-Policy"] = '"default";q=1200;w=300'
    return limited
