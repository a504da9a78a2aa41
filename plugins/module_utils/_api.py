# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP client for the Cloudflare addressing API.

For internal collection use only: this is not a public interface and may change without notice.

It authenticates, unwraps the Cloudflare response envelope, paces itself by the rate-limit headers, retries what
is safe to retry within bounded budgets, and turns failures into CloudflareAPIError. One client may be shared by
several threads: each thread gets its own requests.Session; the budgets, the request count and the pacing are
shared under locks.
"""

import collections
import random
import re
import socket
import ssl
import threading
import time
from datetime import timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlparse

try:
    import requests
    from urllib3.exceptions import NewConnectionError
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as import_error:  # pragma: no cover - exercised by the sanity import test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = import_error

COLLECTION_VERSION = "0.2.0"
DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"
DEFAULT_REQUEST_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0

# Statuses after which repeating the same request is safe and useful.
RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
# A POST answered with one of these may have been applied before the error: its outcome is unknown.
OUTCOME_UNKNOWN_STATUSES = frozenset((500, 502, 503, 504))
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 30.0

IDEMPOTENT_METHODS = frozenset(("GET", "PUT", "PATCH", "DELETE"))

# A call that gets no answer at all is retried once, then only while its next attempt would end within this many
# connect timeouts of its first: with the defaults an unreachable API fails within 30 s, however many retries
# the budget for answers from a live API (429, 5xx) would allow.
UNANSWERED_BUDGET_CONNECT_TIMEOUTS = 3

# Transport failures (no HTTP answer), by what they prove. The first three are not retried: a retry cannot make
# a URL valid, a certificate trusted or a closed port open.
INVALID_URL = "invalid_url"
TLS_FAILED = "tls"
REFUSED = "refused"
UNREACHABLE = "unreachable"  # no connection (timed out connecting, name not resolved): the request was not sent
NO_ANSWER = "no_answer"  # sent, then no answer in time or the connection broke: a write may have been applied
PERMANENT_TRANSPORT_FAILURES = frozenset((INVALID_URL, TLS_FAILED, REFUSED))

# Pacing: Cloudflare allows 1200 requests per 5 minutes per user and blocks every call for the rest of the window
# once they are used. Below this share of the quota left, requests are spread over the rest of the window.
PACE_BELOW_SHARE = 0.2
PACE_BELOW_REQUESTS = 100  # when the headers do not announce the quota
MAX_PACING_WAIT = 300.0  # Cloudflare's window: a longer reset time in a header is not believed

RateLimit = collections.namedtuple("RateLimit", "remaining reset_seconds quota")


class CloudflareAPIError(Exception):
    """A failed API call: what was asked, what Cloudflare answered. Never carries headers or credentials."""

    def __init__(self, message, status=None, method=None, path=None, errors=None, messages=None, transport=None):
        super(CloudflareAPIError, self).__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.errors = errors or []
        self.messages = messages or []
        self.transport = transport  # for a call without HTTP answer: INVALID_URL, TLS_FAILED, REFUSED, ...
        self.notes = []  # what the client did about it, e.g. how long it retried
        self.retry_after = None  # seconds Cloudflare asked to wait (Retry-After), when it said so
        self.server_time = None  # the answer's Date header (aware datetime): Retry-After counts from it

    @property
    def codes(self):
        """Every Cloudflare error code in the response, including those of each error_chain."""
        found = []
        for error in self.errors:
            for item in [error] + list(error.get("error_chain") or []):
                if isinstance(item, dict) and item.get("code") is not None:
                    found.append(item["code"])
        return found

    def cloudflare_errors(self):
        """'1234 message' sentences for every error and chained error, in order."""
        parts = []
        for error in self.errors:
            text = _format_error(error)
            chain = [_format_error(item) for item in error.get("error_chain") or [] if isinstance(item, dict)]
            if chain:
                text += " (" + "; ".join(chain) + ")"
            parts.append(text)
        return parts

    def describe(self):
        """One sentence: the request, the HTTP status and Cloudflare's own codes and messages."""
        where = "%s %s" % (self.method, self.path) if self.method else "the request"
        status = " with HTTP %s" % self.status if self.status else ""
        details = self.cloudflare_errors() or [self.message]
        return "Cloudflare API %s failed%s: %s." % (where, status, "; ".join(details + self.notes).rstrip("."))

    def as_dict(self):
        """The error's fields for a module result (fail_json keyword arguments)."""
        return dict(status=self.status, method=self.method, path=self.path, errors=self.errors, codes=self.codes)

    def __str__(self):
        return self.describe()


class OutcomeUnknownError(CloudflareAPIError):
    """A write whose fate is unknown: the connection dropped or the server failed after the request was sent.

    Such a request must not be repeated blindly; read the resource first and decide (see create_resource).
    """

    @classmethod
    def of(cls, failure):
        unknown = cls(failure.message, status=failure.status, method=failure.method, path=failure.path,
                      errors=failure.errors, messages=failure.messages, transport=failure.transport)
        unknown.retry_after, unknown.server_time = failure.retry_after, failure.server_time
        return unknown


def _format_error(error):
    if not isinstance(error, dict):
        return str(error)
    code = error.get("code")
    message = (error.get("message") or "").strip()
    return ("%s %s" % (code, message)).strip() if code is not None else message


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None when absent/invalid."""
    if value is None:
        return None
    value = str(value).strip()
    if re.match(r"^\d+(\.\d+)?$", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def parse_http_date(value):
    """An aware datetime from an HTTP date header, or None when absent or invalid."""
    try:
        when = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    return when if when is not None and when.tzinfo is not None else None


def backoff_delay(attempt, rng=random.random):
    """Exponential backoff with equal jitter: half the step is fixed, half random, so retries spread out."""
    step = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * (2 ** attempt))
    return step / 2.0 + rng() * step / 2.0


# --- rate limit ------------------------------------------------------------------------------------------------

def _list_items(value):
    """(name, {key: number}) for each item of a header list such as '"default";r=50;t=30, "burst";r=9'."""
    items = []
    for member in str(value or "").split(","):
        parts = [part.strip() for part in member.split(";")]
        if not parts[0]:
            continue
        params = {}
        for part in parts[1:]:
            key, _sep, raw = part.partition("=")
            number = _number(raw)
            if number is not None:
                params[key.strip().lower()] = number
        items.append((parts[0].strip('"'), params))
    return items


def _number(value):
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def parse_rate_limits(headers, now=None):
    """The quotas an answer announces, as RateLimit(remaining, reset_seconds, quota); None where unknown.

    Cloudflare sends the IETF draft's fields since September 2025: 'Ratelimit: "default";r=50;t=30' (requests
    left, seconds until the window resets) and 'Ratelimit-Policy: "default";q=1200;w=300' (quota, window). The
    x-ratelimit-limit / -remaining / -reset headers it documented before are read when those are absent.
    """
    fields = dict((str(name).lower(), value) for name, value in headers.items())
    policies = dict(_list_items(fields.get("ratelimit-policy")))
    limits = []
    for name, params in _list_items(fields.get("ratelimit")):
        if "r" not in params:
            continue
        policy = policies.get(name) or (list(policies.values())[0] if len(policies) == 1 else {})
        limits.append(RateLimit(params["r"], params.get("t", policy.get("w")), policy.get("q")))
    if limits or _number(fields.get("x-ratelimit-remaining")) is None:
        return limits
    return [RateLimit(_number(fields["x-ratelimit-remaining"]), _reset_seconds(fields, now),
                      _number(fields.get("x-ratelimit-limit")))]


def _reset_seconds(fields, now):
    """Seconds until x-ratelimit-reset (an HTTP date, counted from the answer's Date header), or None."""
    reset = parse_http_date(fields.get("x-ratelimit-reset"))
    if reset is None:
        return None
    server_now = parse_http_date(fields.get("date"))
    base = server_now.timestamp() if server_now is not None else (time.time() if now is None else now)
    return max(0.0, reset.timestamp() - base)


def pacing_delays(limit):
    """(hold, interval) for one quota: seconds before the next request may start, and between request starts.

    Plenty left: no pacing. Little left: spread what is left evenly over the rest of the window. Nothing left:
    hold every request until the window resets.
    """
    remaining, reset = limit.remaining, limit.reset_seconds
    if remaining is None or reset is None:
        return 0.0, 0.0
    reset = min(max(reset, 0.0), MAX_PACING_WAIT)
    if remaining <= 0:
        return reset, 0.0
    threshold = limit.quota * PACE_BELOW_SHARE if limit.quota else PACE_BELOW_REQUESTS
    if remaining > threshold:
        return 0.0, 0.0
    return 0.0, reset / remaining


class Pacer:
    """When requests may start, from the rate-limit headers of the answers; shared by a client's threads.

    Besides spacing and holding by the headers, it counts down what the last answer said is left in the window, one
    per request it lets start, so that requests of several threads in flight at once do not overshoot the quota.
    Every method takes the current time, so that the decisions are tested without a clock and without sleeping.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._last_start = None
        self._interval = 0.0  # between request starts
        self._hold_until = None  # no request starts before this time (a used-up quota)
        self._left = None  # requests this client may still start in the window, when an answer told
        self._window_end = None
        self._in_flight = 0
        self.paced_seconds = 0.0  # the sum of the waits asked for
        self.paced_requests = 0

    def _earliest(self, now):
        earliest = now
        if self._last_start is not None:
            earliest = max(earliest, self._last_start + self._interval)
        if self._hold_until is not None:
            earliest = max(earliest, self._hold_until)
        return earliest

    def reserve(self, now):
        """Seconds the caller waits before it starts a request; reserves its slot so other threads queue behind."""
        with self._lock:
            start = self._earliest(now)
            if self._left is not None and self._window_end is not None and start >= self._window_end:
                self._left = None  # a new window: what is left is known again from the next answer
            if self._left is not None and self._left <= 0:
                start = max(start, self._window_end)
                self._left = None
            if self._left is not None:
                self._left -= 1
            self._last_start = start
            self._in_flight += 1
            wait = start - now
            if wait > 0:
                self.paced_seconds += wait
                self.paced_requests += 1
            return wait

    def abandon(self):
        """A request that got no answer is no longer in flight."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)

    def observe(self, now, headers):
        """Take the rate-limit headers of an answer received at now into account."""
        limits = list(parse_rate_limits(headers))
        delays = [pacing_delays(limit) for limit in limits]
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if not delays:
                return
            self._interval = max(delay[1] for delay in delays)
            hold = max(delay[0] for delay in delays)
            if hold > 0:
                self._hold_until = max(self._hold_until or now, now + hold)
            counted = [limit for limit in limits if limit.remaining is not None and limit.reset_seconds is not None]
            if counted:
                tightest = min(counted, key=lambda limit: limit.remaining)
                # The answer counted this request, not the ones still in flight.
                left = tightest.remaining - self._in_flight
                window_end = now + min(max(tightest.reset_seconds, 0.0), MAX_PACING_WAIT)
                fresh = self._left is None or self._window_end is None or now >= self._window_end
                self._left = left if fresh else min(self._left, left)
                self._window_end = window_end

    def wait_before_next(self, now):
        """Seconds until a request may start (0 when it may start now)."""
        with self._lock:
            earliest = self._earliest(now)
            if self._left is not None and self._left <= 0 and self._window_end is not None:
                earliest = max(earliest, self._window_end)
            return earliest - now


# --- transport failures ----------------------------------------------------------------------------------------

def _error_chain(error):
    """The error and its causes, outermost first: requests wraps urllib3, which wraps the socket's or ssl's error."""
    chain = []
    current = error
    while isinstance(current, BaseException) and all(current is not item for item in chain) and len(chain) < 12:
        chain.append(current)
        reason = getattr(current, "reason", None)
        if not isinstance(reason, BaseException):
            reason = next((arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException)),
                          current.__cause__ or current.__context__)
        current = reason
    return chain


def _first(chain, kinds):
    return next((item for item in chain if isinstance(item, kinds)), None)


def _tls_reason(error):
    # '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1000)'
    text = re.sub(r"\s*\(_ssl\.c:\d+\)", "", str(error))
    return re.sub(r"^\[SSL(: [A-Z0-9_]+)?\]\s*", "", text).strip() or type(error).__name__


def classify_transport_error(error, connect_timeout, read_timeout):
    """(kind, reason) of a request that got no HTTP answer: what it proves and a reason a user can act on."""
    chain = _error_chain(error)
    if _first(chain, (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
                      requests.exceptions.InvalidURL)):
        return INVALID_URL, _snippet(str(error), 120)
    tls = _first(chain, ssl.SSLError)
    if tls is not None or isinstance(error, requests.exceptions.SSLError):
        return TLS_FAILED, "TLS failed: %s" % _tls_reason(tls if tls is not None else error)
    if _first(chain, ConnectionRefusedError):
        return REFUSED, "connection refused"
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return UNREACHABLE, "timed out after %g s (connect_timeout)" % connect_timeout
    unresolved = _first(chain, socket.gaierror)
    if unresolved is not None:
        return UNREACHABLE, "the host name does not resolve (%s)" % (unresolved.strerror or unresolved)
    if isinstance(error, requests.exceptions.ReadTimeout):
        return NO_ANSWER, "timed out after %g s (request_timeout)" % read_timeout
    unsent = _first(chain, NewConnectionError)
    if unsent is not None:
        cause = _first(chain, OSError)
        return UNREACHABLE, _short_exception(cause if cause is not None else unsent)
    return NO_ANSWER, "the connection broke (%s)" % _short_exception(chain[-1])


def may_retry_unanswered(first_started, now, delay, failures, connect_timeout):
    """Whether a call that got no answer failures times in a row may try again.

    Always once; then only while its next attempt, waiting delay and then up to connect_timeout, ends within
    UNANSWERED_BUDGET_CONNECT_TIMEOUTS connect timeouts of the start of its first failed attempt.
    """
    budget = UNANSWERED_BUDGET_CONNECT_TIMEOUTS * connect_timeout
    return failures <= 1 or (now - first_started) + delay + connect_timeout <= budget


class CloudflareClient:
    """One authenticated client of one account's addressing API, safe to share between threads."""

    def __init__(self, base_url, account_id, api_token=None, api_email=None, api_key=None,
                 timeout=DEFAULT_REQUEST_TIMEOUT, retries=10, retry_max_wait=120.0, validate_certs=True,
                 user_agent=None, sleep=time.sleep, session=None, connect_timeout=None, ca_path=None,
                 session_factory=None, clock=time.monotonic):
        self.base_url = base_url.rstrip("/")
        self.account_id = account_id
        self.timeout = timeout
        self.connect_timeout = min(timeout, DEFAULT_CONNECT_TIMEOUT) if connect_timeout is None else connect_timeout
        self.retries = retries
        self.retry_max_wait = retry_max_wait
        # Passed with every request: a session's own verify loses to REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE.
        self.verify = (ca_path or True) if validate_certs else False
        self.waited = 0.0  # seconds spent sleeping before retries, over every request of this client (one run)
        self.request_count = 0
        self.server_time = None  # Cloudflare's clock at the last answer (RFC 3339), from its Date header
        self.pacer = Pacer()
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._local = threading.local()
        self._session_factory = session_factory or requests.Session
        self._headers = {"Accept": "application/json", "User-Agent": user_agent or default_user_agent()}
        if api_token:
            self._headers["Authorization"] = "Bearer %s" % api_token
        else:
            self._headers["X-Auth-Email"] = api_email or ""
            self._headers["X-Auth-Key"] = api_key or ""
        if session is not None:  # the constructing thread's own session (tests script one)
            self._local.session = self._configured(session)

    @property
    def session(self):
        """The calling thread's requests.Session (a Session is not safe to share between threads)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self._configured(self._session_factory())
        return session

    def _configured(self, session):
        session.verify = self.verify
        session.headers.update(self._headers)
        return session

    def account_path(self, *parts):
        """Path of an addressing resource of this account, e.g. account_path('prefixes', prefix_id)."""
        return "/".join(["/accounts", self.account_id, "addressing"] + [str(part) for part in parts])

    # --- the four verbs --------------------------------------------------------------------------------------

    def get(self, path):
        return self.request("GET", path).get("result")

    def post(self, path, body=None, files=None, idempotent=False):
        """idempotent: repeating the POST does no harm (as POST .../validate), so it is retried like a GET."""
        return self.request("POST", path, body=body, files=files, idempotent=idempotent).get("result")

    def patch(self, path, body):
        return self.request("PATCH", path, body=body).get("result")

    def delete(self, path):
        return self.request("DELETE", path).get("result")

    def download(self, path, accept="application/pdf"):
        """The raw bytes of a file endpoint (such as an LOA download); its errors are JSON envelopes as usual."""
        return self.request("GET", path, accept=accept)

    def create_resource(self, collection_path, body, find_existing):
        """POST a new object; when the outcome is unknown or the POST conflicts, read before deciding.

        find_existing() must return the object that matches what body asks for on the resource's whole natural
        key, else None. A POST whose answer was lost may have created the object, and a blind retry could
        create a duplicate. A 409 may mean that an earlier attempt of ours was applied after all, or that a
        concurrent run created the same object: both are adopted. Only a conflict with something else fails.
        """
        attempt = 0
        while True:
            try:
                return self.post(collection_path, body)
            except OutcomeUnknownError as failure:
                existing = find_existing()
                if existing is not None:
                    return existing
                delay = failure.retry_after if failure.retry_after is not None else backoff_delay(attempt)
                self._wait_before_retry(failure, attempt, delay)
            except CloudflareAPIError as failure:
                if failure.status != 409:
                    raise
                existing = find_existing()
                if existing is not None:
                    return existing
                failure.notes.append("read again after the conflict: no object matches what was asked")
                raise
            attempt += 1

    # --- transport -------------------------------------------------------------------------------------------

    def request(self, method, path, body=None, files=None, idempotent=None, accept=None):
        """Send one API call with bounded retries and return the decoded envelope (success is guaranteed).

        With accept (a media type other than JSON), return the raw bytes of the successful answer instead.
        """
        url = self.base_url + path
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        attempt = 0
        unanswered = []  # start times of the attempts of this call that got no answer
        while True:
            self._pace()
            started = self._clock()
            with self._lock:
                self.request_count += 1
            try:
                response = self.session.request(method, url, json=body if files is None else None, files=files,
                                                timeout=(self.connect_timeout, self.timeout), verify=self.verify,
                                                headers={"Accept": accept} if accept else None)
            except requests.exceptions.RequestException as error:
                self.pacer.abandon()
                failure = self._transport_failure(error, method, path, url)
                if failure.transport in PERMANENT_TRANSPORT_FAILURES:
                    raise failure
                if failure.transport == NO_ANSWER and not idempotent:
                    raise OutcomeUnknownError.of(failure)
                unanswered.append(started)
                delay = backoff_delay(attempt)
                if not may_retry_unanswered(unanswered[0], self._clock(), delay, len(unanswered),
                                            self.connect_timeout):
                    failure.notes.append("gave up after %d attempts in %.0f s" % (
                        len(unanswered), self._clock() - unanswered[0]))
                    raise failure
            else:
                self._note_server_time(response)
                self.pacer.observe(self._clock(), response.headers)
                if response.status_code < 400:
                    return response.content if accept else self._decode(response, method, path)
                failure = self._error(response, method, path)
                failure.retry_after = parse_retry_after(response.headers.get("Retry-After"))
                failure.server_time = parse_http_date(response.headers.get("Date"))
                if not idempotent and response.status_code in OUTCOME_UNKNOWN_STATUSES:
                    raise OutcomeUnknownError.of(failure)
                if response.status_code not in RETRYABLE_STATUSES:
                    raise failure
                delay = failure.retry_after if failure.retry_after is not None else backoff_delay(attempt)
                # A used-up quota holds every request until its window resets; retrying earlier is useless.
                delay = max(delay, self.pacer.wait_before_next(self._clock()))
            self._wait_before_retry(failure, attempt, delay)
            attempt += 1

    def _note_server_time(self, response):
        when = parse_http_date(response.headers.get("Date"))
        if when is not None:
            self.server_time = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _pace(self):
        wait = self.pacer.reserve(self._clock())
        if wait > 0:
            self._sleep(wait)

    def _wait_before_retry(self, failure, attempt, delay):
        """Sleep before retry number attempt + 1, or raise failure when the count or the run's wait budget is spent."""
        if attempt >= self.retries:
            failure.notes.append("gave up after %d retries" % attempt)
            raise failure
        with self._lock:  # reserve the wait, so that threads together stay within the budget
            left = self.retry_max_wait - self.waited
            if delay > left:
                failure.notes.append("the next retry is due in %.0f s, more than the %.0f s left of the retry "
                                     "budget (retry_max_wait)" % (delay, max(0.0, left)))
                raise failure
            self.waited += delay
        self._sleep(delay)

    def _transport_failure(self, error, method, path, url):
        kind, reason = classify_transport_error(error, self.connect_timeout, self.timeout)
        target = urlparse(self.base_url)
        port = target.port or (443 if target.scheme == "https" else 80)
        where = "%s:%s" % (target.hostname, port) if target.hostname else self.base_url
        proxy = self._proxy_for(url)
        if proxy:
            where += " through the proxy %s" % proxy
        if kind == INVALID_URL:
            message = "base_url %s is not a usable URL: %s" % (self.base_url, reason)
        else:
            attempt = "no answer from" if kind == NO_ANSWER else "could not connect to"
            message = "%s %s (base_url %s): %s" % (attempt, where, self.base_url, reason)
        return CloudflareAPIError(message, method=method, path=path, transport=kind)

    def _proxy_for(self, url):
        """The proxy requests uses for url (from the session or HTTPS_PROXY and friends), without credentials."""
        try:
            settings = self.session.merge_environment_settings(url, {}, None, None, None)
            proxy = requests.utils.select_proxy(url, settings.get("proxies") or {})
        except Exception:  # pylint: disable=broad-except  # the proxy only decorates a message
            return None
        if not proxy:
            return None
        parts = urlparse(proxy if "://" in proxy else "http://" + proxy)
        return "%s://%s%s" % (parts.scheme, parts.hostname, ":%s" % parts.port if parts.port else "")

    @staticmethod
    def _decode(response, method, path):
        if not response.content:
            return {"success": True, "errors": [], "messages": [], "result": None}
        try:
            envelope = response.json()
        except ValueError:
            raise CloudflareAPIError("the response is not JSON: %s" % _snippet(response.text),
                                     status=response.status_code, method=method, path=path)
        if not isinstance(envelope, dict) or envelope.get("success") is not True:
            errors = envelope.get("errors") if isinstance(envelope, dict) else None
            raise CloudflareAPIError("the response does not report success", status=response.status_code,
                                     method=method, path=path, errors=errors)
        return envelope

    @staticmethod
    def _error(response, method, path):
        try:
            envelope = response.json()
        except ValueError:
            envelope = None
        if isinstance(envelope, dict):
            return CloudflareAPIError(response.reason or "error", status=response.status_code, method=method,
                                      path=path, errors=envelope.get("errors"), messages=envelope.get("messages"))
        return CloudflareAPIError(("%s %s" % (response.reason or "error", _snippet(response.text))).strip(),
                                  status=response.status_code, method=method, path=path)


def _snippet(text, limit=200):
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "..."


def _short_exception(error):
    """'ClassName: message' with the message cut short (requests' messages repeat the URL and nest causes)."""
    return "%s: %s" % (type(error).__name__, _snippet(str(error), 120))


def default_user_agent(ansible_version=None):
    agent = "cloudflare.addressing/%s (+https://github.com/cloudflare-addressing/ansible-collection)" % COLLECTION_VERSION
    if ansible_version:
        agent += " ansible-core/%s" % ansible_version
    return agent + " python-requests/%s" % requests.__version__
