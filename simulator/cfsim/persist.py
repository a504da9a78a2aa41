"""--state-file: load at start, write atomically (temp file + rename) shortly after changes and at shutdown."""

import json
import os
import sys
import tempfile
import threading
import time

DEBOUNCE_SECONDS = 0.2


def load(path):
    """Return the saved document, or None when the file does not exist yet."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None
    except RecursionError:
        raise ValueError("the JSON is nested too deeply")


class StateWriter:
    """A background thread that saves the state once a burst of changes has settled."""

    def __init__(self, path, snapshot):
        self.path = os.path.abspath(path)
        self._snapshot = snapshot
        self._dirty = threading.Event()
        self._write_lock = threading.Lock()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="cfsim-state-writer", daemon=True)
        self._thread.start()

    def mark_dirty(self):
        self._dirty.set()

    def _run(self):
        while not self._stopping:
            self._dirty.wait()
            if self._stopping:
                return
            time.sleep(DEBOUNCE_SECONDS)
            self._dirty.clear()
            self.write()

    def write(self):
        document = self._snapshot()
        directory = os.path.dirname(self.path)
        with self._write_lock:
            temporary = None
            try:
                handle, temporary = tempfile.mkstemp(prefix=".cfsim-state-", suffix=".tmp", dir=directory)
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(document, out, separators=(",", ":"))
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.path)
                temporary = None
            except OSError as exc:
                print("cfsim: could not write state file %s: %s" % (self.path, exc), file=sys.stderr, flush=True)
            finally:
                if temporary is not None and os.path.exists(temporary):
                    os.unlink(temporary)

    def close(self):
        """Stop the thread and write the final state."""
        self._stopping = True
        self._dirty.set()
        self._thread.join(timeout=5)
        self.write()
