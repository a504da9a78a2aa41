"""The simulated clock: wall time plus an offset that tests move forward instead of sleeping."""

import email.utils
import functools
import threading
import time


class Clock:
    def __init__(self, offset=0.0):
        self._lock = threading.Lock()
        self._offset = float(offset)

    @property
    def offset(self):
        return self._offset

    def set_offset(self, offset):
        with self._lock:
            self._offset = float(offset)

    def advance(self, seconds):
        with self._lock:
            self._offset += float(seconds)
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
