"""The simulated clock: wall time plus an offset that tests move forward instead of sleeping."""

import email.utils
import functools
import math
import threading
import time

# The API writes timestamps with four-digit years. The simulated clock stops a year short of 9999, so that every
# time derived from it (a rate-limit window's end, a check that is due) can still be written.
LATEST = 253370764800.0
LATEST_TEXT = "9999-01-01T00:00:00Z"


def _seconds(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError("%s must be a finite number of seconds >= 0 (the clock only moves forward), got %r"
                         % (name, value))
    return float(value)


def _not_past_latest(offset, name, value):
    if time.time() + offset > LATEST:
        raise ValueError("%s %r would put the simulated clock past %s, the latest time the API's timestamps can "
                         "show" % (name, value, LATEST_TEXT))
    return offset


def check_offset(offset, name="clock_offset"):
    """The offset as a float; ValueError unless it is finite, >= 0 and keeps the clock at or before LATEST."""
    offset = _seconds(offset, name)
    return _not_past_latest(offset, name, offset)


class Clock:
    def __init__(self, offset=0.0):
        self._lock = threading.Lock()
        self._offset = check_offset(offset)

    @property
    def offset(self):
        return self._offset

    def set_offset(self, offset):
        """Raises ValueError for an offset the clock cannot take (see check_offset)."""
        offset = check_offset(offset)
        with self._lock:
            self._offset = offset

    def advance(self, seconds):
        """Move forward; raises ValueError for a negative or non-finite step, or one that passes LATEST."""
        seconds = _seconds(seconds, "advance_seconds")
        with self._lock:
            self._offset = _not_past_latest(self._offset + seconds, "advance_seconds", seconds)
            return self._offset

    def now(self):
        return time.time() + self._offset


@functools.lru_cache(maxsize=1 << 16)
def _format(timestamp):
    seconds, micros = divmod(int(round(timestamp * 1000000)), 1000000)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (time.gmtime(seconds)[:6] + (micros,))


def rfc3339(timestamp):
    """RFC 3339 with microseconds and a Z, the form the API documents (2025-02-25T00:34:11.423722Z).

    Cached: listing 10,000 prefixes formats the same stored timestamps again and again.
    """
    return None if timestamp is None else _format(timestamp)


def rfc1123(timestamp):
    return email.utils.formatdate(timestamp, usegmt=True)
