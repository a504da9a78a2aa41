"""The request log tests read through GET /__sim/requests (API requests only, never control requests)."""

import collections
import threading

MAX_ENTRIES = 200000


class RequestLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=MAX_ENTRIES)
        self._seq = 0

    def record(self, entry):
        with self._lock:
            self._seq += 1
            entry = dict(seq=self._seq, **entry)
            self._entries.append(entry)
        return entry

    def since(self, seq):
        with self._lock:
            # Entries are in seq order, so walk back from the newest until reaching seq.
            found = []
            for entry in reversed(self._entries):
                if entry["seq"] <= seq:
                    break
                found.append(dict(entry))
            found.reverse()
            # With nothing newer, `next` is the newest seq, so a caller that asked beyond the end still gets a
            # mark from which later requests are found.
            return {"requests": found, "next": found[-1]["seq"] if found else min(max(seq, 0), self._seq)}

    def clear(self, restart=False):
        """Forget the entries; keep counting (so `since` stays valid) unless restart is asked for (reset)."""
        with self._lock:
            self._entries.clear()
            if restart:
                self._seq = 0
