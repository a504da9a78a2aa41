"""Per-credential request quota over fixed windows of the simulated clock (real API: 1200 per 5 minutes).

Every answer carries the quota as Cloudflare has sent it since September 2025, in the IETF draft's fields:
'Ratelimit: "default";r=<requests left>;t=<seconds until the window resets>' and
'Ratelimit-Policy: "default";q=<quota>;w=<window seconds>'; a 429 adds Retry-After.
"""

import math
import threading

from . import errors

MAX_RETRY_AFTER = 60
POLICY = "default"


class RateLimiter:
    def __init__(self, config, clock):
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._windows = {}

    def reset(self):
        with self._lock:
            self._windows.clear()

    def _window(self, key, now):
        """[start, used] of the key's current window (a new one once the last has ended); call under the lock."""
        seconds = self._config.rate_limit[1]
        window = self._windows.get(key)
        if window is None or now >= window[0] + seconds:
            window = [now, 0]
            self._windows[key] = window
        return window

    def _headers(self, window, now):
        limit, seconds = self._config.rate_limit
        left = max(0, limit - window[1])
        return {"Ratelimit": '"%s";r=%d;t=%d' % (POLICY, left, _seconds_left(window, seconds, now)),
                "Ratelimit-Policy": '"%s";q=%d;w=%d' % (POLICY, limit, int(math.ceil(seconds)))}

    def headers(self, key):
        """The quota headers as they stand, without counting a request."""
        now = self._clock.now()
        with self._lock:
            return self._headers(self._window(key, now), now)

    def hit(self, key):
        """Count one request; return the quota headers, or raise the 429 once the window's quota is used."""
        limit, seconds = self._config.rate_limit
        now = self._clock.now()
        with self._lock:
            window = self._window(key, now)
            if window[1] >= limit:
                headers = self._headers(window, now)
                # Capped like the reference's simulator rule (section 9): clients such as the Cloudflare
                # Python SDK only honour 0 < Retry-After <= 60 and fall back to short backoffs otherwise.
                headers["Retry-After"] = str(min(MAX_RETRY_AFTER, max(1, _seconds_left(window, seconds, now))))
                raise errors.ApiError(429, errors.RATE_LIMITED, errors.RATE_LIMIT_MESSAGE, headers=headers)
            window[1] += 1
            return self._headers(window, now)


def _seconds_left(window, seconds, now):
    """Whole seconds until the window ends, rounded up as Cloudflare rounds them."""
    return max(0, int(math.ceil(window[0] + seconds - now)))
