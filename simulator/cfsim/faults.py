"""Injected faults: the next N requests matching a method and a path pattern misbehave in a chosen way.

status: answer without doing the work; applied_status: do the work, then answer the status instead of the real
answer; drop: do the work, then close the connection unanswered; delay: wait, then serve normally.
"""

import re
import threading
import uuid

ACTIONS = ("status", "applied_status", "drop", "delay")
STATUS_ACTIONS = ("status", "applied_status")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class Fault:
    def __init__(self, method, path, count, action, status=None, retry_after=None, delay_seconds=None,
                 body=None):
        self.id = uuid.uuid4().hex
        self.method = method
        self.path = path
        self.pattern = re.compile(path)
        self.remaining = count
        self.action = action
        self.status = status
        self.retry_after = retry_after
        self.delay_seconds = delay_seconds
        self.body = body

    def describe(self):
        return {"id": self.id, "method": self.method, "path": self.path, "remaining": self.remaining,
                "action": self.action, "status": self.status, "retry_after": self.retry_after,
                "delay_seconds": self.delay_seconds, "body": self.body}


def _number(document, name, minimum, default=None, integer=False):
    value = document.get(name, default)
    if value is None:
        return None
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < minimum:
        raise ValueError("%s must be a number >= %s" % (name, minimum))
    return value


def parse(document):
    """Build a Fault from a POST /__sim/faults body; raises ValueError with a readable message."""
    if not isinstance(document, dict):
        raise ValueError("body must be a JSON object")
    method = document.get("method")
    if method is not None:
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise ValueError("method must be one of %s (or omitted for any)" % ", ".join(METHODS))
        method = method.upper()
    path = document.get("path", "")
    if not isinstance(path, str):
        raise ValueError("path must be a regular expression string")
    try:
        re.compile(path)
    except re.error as exc:
        raise ValueError("path is not a valid regular expression: %s" % exc)
    action = document.get("action", "status")
    if action not in ACTIONS:
        raise ValueError("action must be one of %s" % ", ".join(ACTIONS))
    count = _number(document, "count", 1, default=1, integer=True)
    status = _number(document, "status", 100, default=500 if action in STATUS_ACTIONS else None, integer=True)
    if status is not None and status > 599:
        raise ValueError("status must be an HTTP status code")
    delay = _number(document, "delay_seconds", 0, default=1 if action == "delay" else None)
    body = document.get("body")
    if body is not None and not isinstance(body, (dict, list)):
        raise ValueError("body must be a JSON object or array")
    return Fault(method, path, count, action, status=status,
                 retry_after=_number(document, "retry_after", 0, integer=True), delay_seconds=delay, body=body)


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []
        self._release = threading.Event()  # set by clear(): delayed requests go on at once

    def add(self, fault):
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        """Remove every pending fault and let requests that a delay fault holds go on now."""
        with self._lock:
            self._faults = []
            self._release.set()
            self._release = threading.Event()

    def wait(self, fault):
        """Hold a request for the fault's delay_seconds, or until clear() releases it."""
        with self._lock:
            release = self._release
        release.wait(fault.delay_seconds)

    def describe(self):
        with self._lock:
            return [fault.describe() for fault in self._faults]

    def take(self, method, path):
        """Return the first fault that matches and use up one of its requests; None when nothing matches."""
        with self._lock:
            for fault in self._faults:
                if (fault.method is None or fault.method == method) and fault.pattern.search(path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None
