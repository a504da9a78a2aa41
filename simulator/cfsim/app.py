"""One request in, one response out: faults, rate limit, routing, auth and the handlers, in the API's order.

The HTTP layer (server.py) only reads and writes bytes; everything the simulator decides is decided here.
"""

import http
import json
import time
import urllib.parse

from . import api, auth, errors
from .clock import Clock, rfc3339
from .control import Control, ControlError
from .faults import Faults
from .ratelimit import RateLimiter
from .registry import World
from .registry_control import validity_response
from .requestlog import RequestLog
from .store import Store

API_ROOT = "/client/v4"
CONTROL_ROOT = "/__sim"


def _not_json(constant):
    """NaN and Infinity are Python's extensions, not JSON."""
    raise ValueError("%s is not JSON" % constant)


class Request:
    def __init__(self, method, target, headers, body, client_address):
        self.method = method
        split = urllib.parse.urlsplit(target)
        self.path = split.path
        self.query_string = split.query
        self.query = urllib.parse.parse_qs(split.query)
        self.headers = headers
        self.body = body
        self.client_address = client_address
        self.json = None

    def parse_json(self):
        if not self.body.strip():
            self.json = None
            return
        try:
            self.json = json.loads(self.body.decode("utf-8"), parse_constant=_not_json)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser can follow
            raise errors.ApiError(400, errors.MALFORMED_JSON, "Malformed JSON in request body")


class Response:
    def __init__(self, status, body=b"", content_type="application/json", headers=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = dict(headers or {})
        self.drop = False


def json_response(status, document, headers=None):
    return Response(status, errors.dumps(document), headers=headers)


class App:
    def __init__(self, config, clock=None, log=None):
        self.config = config
        self.clock = clock or Clock()
        self.world = World()
        self.store = Store(config, self.clock, self.world)
        config.auto_outcome = lambda: "world" if self.world.configured else "valid"
        self.registry_urls = {}
        self.rate_limiter = RateLimiter(config, self.clock)
        self.faults = Faults()
        self.request_log = RequestLog()
        self.control = Control(self)
        self.log = log
        self.sleep = time.sleep  # the latency's wait; a test may watch it
        self.base_url = None
        # Set by --openapi: checks every API exchange against the API definition (conformance.py).
        self.conformance = None
        self._initial_tunables = config.tunables()

    def reset(self):
        """Back to a fresh start; the configuration returns to what the command line said."""
        self.faults.clear()
        self.request_log.clear(restart=True)
        self.rate_limiter.reset()
        self.clock.set_offset(0.0)
        self.config.update(self._initial_tunables)
        self.store.reset()
        self.world.reset()

    def store_changed(self):
        """The clock offset is part of the saved state, so moving it is a change to save."""
        self.store.mark_changed()

    def registry_servers(self):
        """Where the registry world is served: {"rpki_validator_url", "whois", "dns"} (None when not served)."""
        servers = {"rpki_validator_url": self.base_url.replace("/client/v4", "") if self.base_url else None,
                   "whois": None, "dns": None}
        servers.update(self.registry_urls)
        return servers

    def clock_document(self):
        return {"now": rfc3339(self.clock.now()), "offset_seconds": self.clock.offset}

    # --- dispatch ------------------------------------------------------------------------------------------------

    def handle(self, request):
        path = request.path
        if path == CONTROL_ROOT or path.startswith(CONTROL_ROOT + "/"):
            response = self._control(request)
            self._access_log(request, response, "control")
            return response
        if path.startswith("/api/v1/validity/") or path == "/validity":
            # The RPKI validator of the registry world, in Routinator's format; not part of the Cloudflare API.
            status, content_type, body = validity_response(self, path, request.query)
            response = Response(status, body, content_type)
            self._access_log(request, response, "rpki")
            return response
        return self._api(request)

    def _control(self, request):
        segments = [urllib.parse.unquote(s) for s in request.path[len(CONTROL_ROOT):].split("/") if s]
        try:
            try:
                request.parse_json()
            except errors.ApiError:
                raise ControlError(400, "malformed JSON in request body")
            status, document = self.control.handle(request.method, segments, request.query, request.json)
        except ControlError as exc:
            status, document = exc.status, {"error": exc.message}
        return json_response(status, document)

    def _api(self, request):
        if self.config.latency_ms:
            # Before anything is decided, as a request crossing the network arrives later.
            self.sleep(self.config.latency_ms / 1000.0)
        credential = auth.identify(request.headers, self.config, request.client_address)
        fault = self.faults.take(request.method, request.path)
        if fault is not None and fault.action == "delay":
            self.faults.wait(fault)
        if fault is not None and fault.action == "status":
            response = self._fault_response(fault, credential)
        else:
            response = self._serve(request, credential)
            response.drop = fault is not None and fault.action == "drop"
            if fault is not None and fault.action == "applied_status":  # the work is done; the answer is lost
                response = self._fault_response(fault, credential)
        entry = self.request_log.record({
            "time": rfc3339(self.clock.now()),
            "method": request.method,
            "path": request.path,
            "query": request.query_string,
            "status": response.status,
            "auth": credential.scheme,
            "user_agent": request.headers.get("User-Agent"),
            "fault": fault.action if fault is not None else None,
        })
        if self.conformance is not None:
            self.conformance.check(request, response, entry)
        self._access_log(request, response, credential.scheme, fault)
        return response

    def _serve(self, request, credential):
        quota = {}
        try:
            quota = self.rate_limiter.hit(credential.key)
            if request.path != API_ROOT and not request.path.startswith(API_ROOT + "/"):
                raise errors.ApiError(404, errors.NO_ROUTE, "No route for the URI")
            segments = [urllib.parse.unquote(s) for s in request.path[len(API_ROOT):].split("/")[1:]]
            handler, params = api.route(request.method, request.path, segments)
            auth.authorize(credential, request.method, params.get("account_id"), self.config)
            if handler is not api.upload_loa:
                request.parse_json()
            reply = handler(self.store, request, **params)
        except errors.ApiError as exc:
            headers = dict(quota)
            headers.update(exc.headers)
            return json_response(exc.status, exc.envelope(), headers)
        headers = dict(quota)
        headers.update(reply.headers)
        if reply.raw is not None:
            return Response(reply.status, reply.raw, reply.content_type, headers)
        return json_response(reply.status, reply.envelope(), headers)

    def _fault_response(self, fault, credential):
        # The quota as it stands: an injected fault is not a request the rate limit counted.
        headers = self.rate_limiter.headers(credential.key)
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        if fault.body is not None:
            document = fault.body
        elif fault.status == 429:
            document = errors.rate_limited_body()
        else:
            try:
                phrase = http.HTTPStatus(fault.status).phrase
            except ValueError:
                phrase = "Error"
            document = errors.failure([{"code": errors.INJECTED_FAULT, "message": phrase}])
        return json_response(fault.status, document, headers)

    def _access_log(self, request, response, scheme, fault=None):
        if self.log is None:
            return
        target = request.path + ("?" + request.query_string if request.query_string else "")
        note = " fault=%s" % fault.action if fault is not None else ""
        if response.drop:
            note += " (connection dropped)"
        self.log('cfsim: %s %s "%s %s" %d %s%s' % (
            rfc3339(self.clock.now()), request.client_address, request.method, target, response.status, scheme,
            note))
