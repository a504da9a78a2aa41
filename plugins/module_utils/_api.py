# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP client for the Cloudflare addressing API.

For internal collection use only: this is not a public interface and may change without notice.

It does four things and nothing else: authenticates, unwraps the Cloudflare response envelope, retries what is
safe to retry within a bounded budget, and turns failures into CloudflareAPIError.
"""

import random
import re
import time
from email.utils import parsedate_to_datetime

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as import_error:  # pragma: no cover - exercised by the sanity import test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = import_error

COLLECTION_VERSION = "0.2.0"
DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"

# Statuses after which repeating the same request is safe and useful.
RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
# A POST answered with one of these may have been applied before the error: its outcome is unknown.
OUTCOME_UNKNOWN_STATUSES = frozenset((500, 502, 504))
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 30.0

IDEMPOTENT_METHODS = frozenset(("GET", "PUT", "PATCH", "DELETE"))

# Request errors that repeating cannot cure: a malformed base_url, or a TLS certificate that does not verify.
PERMANENT_REQUEST_ERRORS = (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
                            requests.exceptions.InvalidURL, requests.exceptions.SSLError) if HAS_REQUESTS else ()


class CloudflareAPIError(Exception):
    """A failed API call: what was asked, what Cloudflare answered. Never carries headers or credentials."""

    def __init__(self, message, status=None, method=None, path=None, errors=None, messages=None):
        super(CloudflareAPIError, self).__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.errors = errors or []
        self.messages = messages or []
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


def _connection_error_is_unsent(error):
    """True when a connection error proves the request never reached the server (safe to repeat any method)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    text = repr(error)
    unsent_markers = ("NewConnectionError", "Connection refused", "Name or service not known", "Failed to resolve",
                      "NameResolutionError")
    return any(marker in text for marker in unsent_markers)


class CloudflareClient:
    """One authenticated session against one account's addressing API."""

    def __init__(self, base_url, account_id, api_token=None, api_email=None, api_key=None, timeout=30.0,
                 retries=10, retry_max_wait=120.0, validate_certs=True, user_agent=None,
                 sleep=time.sleep, session=None):
        self.base_url = base_url.rstrip("/")
        self.account_id = account_id
        self.timeout = timeout
        self.retries = retries
        self.retry_max_wait = retry_max_wait
        self.waited = 0.0  # seconds spent sleeping before retries, over every request of this client (one run)
        self._sleep = sleep
        self.session = session if session is not None else requests.Session()
        self.session.verify = validate_certs
        headers = {"Accept": "application/json", "User-Agent": user_agent or default_user_agent()}
        if api_token:
            headers["Authorization"] = "Bearer %s" % api_token
        else:
            headers["X-Auth-Email"] = api_email or ""
            headers["X-Auth-Key"] = api_key or ""
        self.session.headers.update(headers)
        self.request_count = 0

    def account_path(self, *parts):
        """Path of an addressing resource of this account, e.g. account_path('prefixes', prefix_id)."""
        return "/".join(["/accounts", self.account_id, "addressing"] + [str(part) for part in parts])

    # --- the four verbs --------------------------------------------------------------------------------------

    def get(self, path):
        return self.request("GET", path).get("result")

    def post(self, path, body=None, files=None):
        return self.request("POST", path, body=body, files=files).get("result")

    def patch(self, path, body):
        return self.request("PATCH", path, body=body).get("result")

    def delete(self, path):
        return self.request("DELETE", path).get("result")

    def download(self, path, accept="application/pdf"):
        """The raw bytes of a file endpoint (such as an LOA download); its errors are JSON envelopes as usual."""
        return self.request("GET", path, accept=accept)

    def create_resource(self, collection_path, body, find_existing):
        """POST a new object; when the outcome is unknown, read before deciding to POST again.

        find_existing() must return the object if the earlier POST created it, else None. A dropped connection
        after a POST may or may not have created the object, and a blind retry could create a duplicate.
        """
        attempt = 0
        while True:
            try:
                return self.post(collection_path, body)
            except OutcomeUnknownError as failure:
                existing = find_existing()
                if existing is not None:
                    return existing
                self._wait_before_retry(failure, attempt, backoff_delay(attempt))
            attempt += 1

    # --- transport -------------------------------------------------------------------------------------------

    def request(self, method, path, body=None, files=None, accept=None):
        """Send one API call with bounded retries and return the decoded envelope (success is guaranteed).

        With accept (a media type other than JSON), return the raw bytes of the successful answer instead.
        """
        url = self.base_url + path
        attempt = 0
        while True:
            self.request_count += 1
            try:
                response = self.session.request(method, url, json=body if files is None else None, files=files,
                                                timeout=self.timeout, headers={"Accept": accept} if accept else None)
            except requests.exceptions.RequestException as error:
                unsent = _connection_error_is_unsent(error)
                failure_class = CloudflareAPIError if unsent or method in IDEMPOTENT_METHODS else OutcomeUnknownError
                failure = failure_class(
                    "no response from %s (%s)" % (self.base_url, _short_exception(error)), method=method, path=path)
                if failure_class is OutcomeUnknownError or isinstance(error, PERMANENT_REQUEST_ERRORS):
                    raise failure
                delay = backoff_delay(attempt)
            else:
                if response.status_code < 400:
                    return response.content if accept else self._decode(response, method, path)
                failure = self._error(response, method, path)
                if method not in IDEMPOTENT_METHODS and response.status_code in OUTCOME_UNKNOWN_STATUSES:
                    raise OutcomeUnknownError(failure.message, status=failure.status, method=method, path=path,
                                              errors=failure.errors, messages=failure.messages)
                if response.status_code not in RETRYABLE_STATUSES:
                    raise failure
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                failure.retry_after = retry_after
                failure.server_time = parse_http_date(response.headers.get("Date"))
                delay = retry_after if retry_after is not None else backoff_delay(attempt)
            self._wait_before_retry(failure, attempt, delay)
            attempt += 1

    def _wait_before_retry(self, failure, attempt, delay):
        """Sleep before retry number attempt + 1, or raise failure when the count or the run's wait budget is spent."""
        if attempt >= self.retries:
            failure.notes.append("gave up after %d retries" % attempt)
            raise failure
        if self.waited + delay > self.retry_max_wait:
            failure.notes.append("the next retry is due in %.0f s, more than the %.0f s left of the retry budget "
                                 "(retry_max_wait)" % (delay, max(0.0, self.retry_max_wait - self.waited)))
            raise failure
        self._sleep(delay)
        self.waited += delay

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
    # requests' messages repeat the URL and nest causes; the class name and the innermost reason are enough.
    reason = str(error)
    match = re.search(r"\(Caused by ([A-Za-z]+)\(.*?'?([^'()]+)'?\)\)?", reason)
    if match:
        return "%s: %s" % (match.group(1), match.group(2).strip(": "))
    return "%s: %s" % (type(error).__name__, _snippet(reason, 120))


def default_user_agent(ansible_version=None):
    agent = "cloudflare.addressing/%s (+https://github.com/cloudflare-addressing/ansible-collection)" % COLLECTION_VERSION
    if ansible_version:
        agent += " ansible-core/%s" % ansible_version
    return agent + " python-requests/%s" % requests.__version__
