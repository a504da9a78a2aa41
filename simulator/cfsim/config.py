"""Run-time configuration: the CLI defaults and the knobs the control API may change while serving."""

import math
import threading

DEFAULT_ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
DEFAULT_API_TOKEN = "cfsim-token-0123456789abcdef0123456789ab"
DEFAULT_READ_ONLY_TOKEN = "cfsim-ro-token-0123456789abcdef012345678"
DEFAULT_API_EMAIL = "admin@example.com"
DEFAULT_API_KEY = "cfsim0key0123456789abcdef0123456789abc"
DEFAULT_USER_SERVICE_KEY = "v1.0-cfsim-user-service-key"
DEFAULT_VALIDATION_SECONDS = 60.0
DEFAULT_PROVISIONING_SECONDS = 120.0
DEFAULT_ADVERTISEMENT_HOLD_SECONDS = 900.0
DEFAULT_RATE_LIMIT = (1200, 300.0)
DEFAULT_LATENCY_MS = 0.0
# Added to every API answer, to benchmark as over a real network; ten seconds is far beyond any real round trip.
MAX_LATENCY_MS = 10000.0

# The 429's x-ratelimit-reset names the window's end, which must stay a date the API can write.
MAX_RATE_LIMIT_WINDOW = 86400

# "world": resolve the checks from the routing registry world (registry.py).
OUTCOMES = ("valid", "invalid", "missing", "mismatch_asn", "manual", "world")
CHECK_STATES = ("valid", "invalid", "missing", "mismatch_asn")


def parse_rate_limit(text):
    """'1200/300' -> (1200, 300.0); raises ValueError with a readable message."""
    count, _sep, seconds = str(text).partition("/")
    try:
        requests, window = int(count), float(seconds)
    except ValueError:
        raise ValueError("rate limit must look like REQUESTS/SECONDS, for example 1200/300")
    if requests < 1 or not 0 < window <= MAX_RATE_LIMIT_WINDOW:
        raise ValueError("rate limit needs at least 1 request and a window longer than 0 seconds and at most %d "
                         "(a day)" % MAX_RATE_LIMIT_WINDOW)
    return requests, window


def non_negative_number(value, name, unit="seconds", maximum=None):
    """value as a float; ValueError unless it is a finite number >= 0 (and <= maximum when given)."""
    # Control-API callers template their bodies, and older Ansible renders "{{ n }}" as the string "n".
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0 \
            or (maximum is not None and value > maximum):
        raise ValueError("%s must be a finite number of %s >= 0%s" % (
            name, unit, "" if maximum is None else " and <= %g" % maximum))
    return float(value)


def latency_ms(value):
    return non_negative_number(value, "latency_ms", "milliseconds", MAX_LATENCY_MS)


class Config:
    """Credentials and account are fixed at start; timings, outcome, rate limit and latency may change later."""

    def __init__(self, account_id=DEFAULT_ACCOUNT_ID, api_token=DEFAULT_API_TOKEN,
                 read_only_token=DEFAULT_READ_ONLY_TOKEN, api_email=DEFAULT_API_EMAIL, api_key=DEFAULT_API_KEY,
                 user_service_key=DEFAULT_USER_SERVICE_KEY, validation_seconds=DEFAULT_VALIDATION_SECONDS,
                 provisioning_seconds=DEFAULT_PROVISIONING_SECONDS,
                 advertisement_hold_seconds=DEFAULT_ADVERTISEMENT_HOLD_SECONDS, validation_outcome=None,
                 rate_limit=DEFAULT_RATE_LIMIT, latency_ms=DEFAULT_LATENCY_MS):
        self._lock = threading.Lock()
        self.account_id = account_id
        self.api_token = api_token
        self.read_only_token = read_only_token
        self.api_email = api_email
        self.api_key = api_key
        self.user_service_key = user_service_key
        self.validation_seconds = float(validation_seconds)
        self.provisioning_seconds = float(provisioning_seconds)
        self.advertisement_hold_seconds = float(advertisement_hold_seconds)
        # None: "world" once a registry world is configured, else "valid" (auto_outcome decides).
        self.validation_outcome = validation_outcome
        self.auto_outcome = lambda: "valid"
        self.rate_limit = (int(rate_limit[0]), float(rate_limit[1]))
        self.latency_ms = float(latency_ms)

    def tunables(self):
        return {
            "validation_seconds": self.validation_seconds,
            "provisioning_seconds": self.provisioning_seconds,
            "advertisement_hold_seconds": self.advertisement_hold_seconds,
            "validation_outcome": self.validation_outcome,
            "rate_limit": {"requests": self.rate_limit[0], "seconds": self.rate_limit[1]},
            "latency_ms": self.latency_ms,
        }

    def effective_outcome(self):
        return self.validation_outcome or self.auto_outcome()

    def describe(self):
        described = dict(self.tunables(), validation_outcome=self.effective_outcome())
        described.update(account_id=self.account_id, api_token=self.api_token,
                         read_only_token=self.read_only_token, api_email=self.api_email, api_key=self.api_key,
                         user_service_key=self.user_service_key)
        return described

    def update(self, changes):
        """Apply a PATCH /__sim/config document after validating all of it; raises ValueError."""
        if not isinstance(changes, dict):
            raise ValueError("body must be a JSON object")
        known = set(self.tunables())
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError("unknown setting(s): %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(known))))
        staged = {}
        for name in ("validation_seconds", "provisioning_seconds", "advertisement_hold_seconds"):
            if name in changes:
                staged[name] = non_negative_number(changes[name], name)
        if "latency_ms" in changes:
            staged["latency_ms"] = latency_ms(changes["latency_ms"])
        if "validation_outcome" in changes:
            # null returns to the automatic default: "world" while a registry world is configured, else "valid".
            if changes["validation_outcome"] is not None and changes["validation_outcome"] not in OUTCOMES:
                raise ValueError("validation_outcome must be one of %s, or null" % ", ".join(OUTCOMES))
            staged["validation_outcome"] = changes["validation_outcome"]
        if "rate_limit" in changes:
            limit = changes["rate_limit"]
            if not isinstance(limit, dict) or set(limit) - {"requests", "seconds"}:
                raise ValueError('rate_limit must be {"requests": N, "seconds": S}')
            requests = limit.get("requests", self.rate_limit[0])
            seconds = limit.get("seconds", self.rate_limit[1])
            staged["rate_limit"] = parse_rate_limit("%s/%s" % (requests, seconds))
        with self._lock:
            for name, value in staged.items():
                setattr(self, name, value)
        return dict(self.tunables(), validation_outcome=self.effective_outcome())
