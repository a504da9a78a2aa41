"""The simulated clock: wall time plus an offset that tests move forward instead of sleeping."""

import datetime
import email.utils
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


def rfc3339(timestamp):
    """RFC 3339 with microseconds and a Z, the form the API documents (2025-02-25T00:34:11.423722Z)."""
    if timestamp is None:
        return None
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def rfc1123(timestamp):
    return email.utils.formatdate(timestamp, usegmt=True)
