"""Per-credential request quota over fixed windows of the simulated clock (real API: 1200 per 5 minutes)."""

import math
import threading

from . import errors
from .clock import rfc1123

MAX_RETRY_AFTER = 60


class RateLimiter:
    def __init__(self, config, clock):
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._windows = {}

    def reset(self):
        with self._lock:
            self._windows.clear()

    def hit(self, key):
        """Count one request; return the x-ratelimit headers, or raise the 429 once the window's quota is used."""
        limit, seconds = self._config.rate_limit
        now = self._clock.now()
        with self._lock:
            window = self._windows.get(key)
            if window is None or now >= window[0] + seconds:
                window = [now, 0]
                self._windows[key] = window
            if window[1] >= limit:
                ends = window[0] + seconds
                headers = {
                    # Capped like the reference's simulator rule (section 9): clients such as the Cloudflare
                    # Python SDK only honour 0 < Retry-After <= 60 and fall back to short backoffs otherwise.
                    "Retry-After": str(min(MAX_RETRY_AFTER, max(1, int(math.ceil(ends - now))))),
                    "x-ratelimit-limit": str(limit),
                    "x-ratelimit-remaining": "0",
                    "x-ratelimit-reset": rfc1123(ends),
                }
                raise errors.ApiError(429, errors.RATE_LIMITED, errors.RATE_LIMIT_MESSAGE, headers=headers)
            window[1] += 1
            return {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(limit - window[1])}
