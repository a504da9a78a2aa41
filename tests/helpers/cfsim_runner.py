"""Start and drive a cfsim process from any test suite; standard library only.

    sim = start_cfsim("--validation-seconds", "5")
    sim.base_url      # http://127.0.0.1:PORT/client/v4
    sim.control("POST", "/clock", {"advance_seconds": 60})
    sim.stop()        # SIGTERM; returns the exit code (0 when cfsim shut down cleanly)

cfsim runs in conformance mode against the API definition pinned in tests/openapi: it checks every request it
receives and every answer it gives. stop() raises ConformanceError when it recorded a violation, so a suite that
sends a request the definition does not allow, or meets an answer it does not describe, fails.
"""

import collections
import http.client
import json as jsonlib
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import urllib.parse

URL_PATTERN = re.compile(r"(https?://\S+?)/client/v4")
OPENAPI_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "openapi",
                            "cloudflare-addressing-openapi-2026.json")
DEFAULTS = {
    "--account-id": "023e105f4ecef8ad9ca31a8372d0c353",
    "--api-token": "cfsim-token-0123456789abcdef0123456789ab",
    "--read-only-token": "cfsim-ro-token-0123456789abcdef012345678",
    "--api-email": "admin@example.com",
    "--api-key": "cfsim0key0123456789abcdef0123456789abc",
    "--user-service-key": "v1.0-cfsim-user-service-key",
}
START_TIMEOUT = 30


class ConformanceError(AssertionError):
    """cfsim recorded requests or answers that the API definition does not allow."""


def describe_violations(violations, limit=20):
    lines = ["%s of %s %s (status %s, operation %s): %s" % (
        violation["direction"], violation["method"], violation["path"], violation["status"], violation["operation"],
        "; ".join(violation["problems"])) for violation in violations[:limit]]
    if len(violations) > limit:
        lines.append("... and %d more" % (len(violations) - limit))
    return "\n".join(lines)


class ControlError(Exception):
    """A control API call answered with a status other than 2xx."""

    def __init__(self, status, document):
        super().__init__("control API answered %s: %s" % (status, document))
        self.status = status
        self.document = document


def cfsim_executable():
    beside = os.path.join(os.path.dirname(sys.executable), "cfsim")
    if os.path.exists(beside):
        return beside
    found = shutil.which("cfsim")
    if not found:
        raise RuntimeError("cfsim is not installed next to %s nor on PATH (run make venv)" % sys.executable)
    return found


def unverified_tls():
    """A client TLS context that accepts any certificate: for the control API of a test's own simulator only."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _option(args, name):
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return DEFAULTS[name]


class SimProcess:
    def __init__(self, process, first_line, args):
        self.process = process
        self.first_line = first_line
        root = URL_PATTERN.search(first_line).group(1)
        self.root_url = root
        self.base_url = root + "/client/v4"
        self.control_url = root + "/__sim"
        self.account_id = _option(args, "--account-id")
        self.api_token = _option(args, "--api-token")
        self.read_only_token = _option(args, "--read-only-token")
        self.email = _option(args, "--api-email")
        self.api_key = _option(args, "--api-key")
        self.user_service_key = _option(args, "--user-service-key")
        self.conforming = any(arg == "--openapi" or arg.startswith("--openapi=") for arg in args)
        # cfsim logs every request on stdout; keep draining it so the pipe never fills and blocks the server.
        self.output = collections.deque([first_line.rstrip("\n")], maxlen=2000)
        self._drain = threading.Thread(target=self._read_output, daemon=True)
        self._drain.start()

    def _read_output(self):
        for line in self.process.stdout:
            self.output.append(line.rstrip("\n"))

    def control(self, method, path, json=None):
        """Call /__sim<path>; return the decoded answer or raise ControlError for a non-2xx status."""
        split = urllib.parse.urlsplit(self.control_url)
        if path.startswith("/__sim"):
            path = path[len("/__sim"):]
        if split.scheme == "https":  # cfsim --tls-cert: the test's own simulator, whatever its certificate
            connection = http.client.HTTPSConnection(split.hostname, split.port, timeout=30,
                                                     context=unverified_tls())
        else:
            connection = http.client.HTTPConnection(split.hostname, split.port, timeout=30)
        try:
            body = None if json is None else jsonlib.dumps(json)
            headers = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, split.path + path, body=body, headers=headers)
            response = connection.getresponse()
            document = jsonlib.loads(response.read() or b"null")
        finally:
            connection.close()
        if not 200 <= response.status < 300:
            raise ControlError(response.status, document)
        return document

    def requests(self, since=0):
        return self.control("GET", "/requests?since=%d" % since)["requests"]

    def reset(self):
        return self.control("POST", "/reset")

    def advance(self, seconds):
        return self.control("POST", "/clock", {"advance_seconds": seconds})

    def preflight_sources(self, timeout=5):
        """The onboarding role's pre-flight variables, pointing at this simulator's registry world (this machine
        only), or the check turned off when cfsim serves no whois or DNS (--whois-port, --dns-port)."""
        servers = self.control("GET", "/registry")["servers"]
        if not servers.get("whois") or not servers.get("dns"):
            return {"byoip_onboard_preflight": "off"}
        whois = servers["whois"]
        host = "[%s]" % whois["host"] if ":" in whois["host"] else whois["host"]
        return {
            "byoip_onboard_preflight_whois_servers": ["%s:%d" % (host, whois["port"])],
            "byoip_onboard_preflight_rpki_validator_url": servers["rpki_validator_url"],
            "byoip_onboard_preflight_dns_servers": [servers["dns"]["host"]],
            "byoip_onboard_preflight_dns_port": servers["dns"]["port"],
            "byoip_onboard_preflight_timeout": timeout,
        }

    def conformance(self):
        """What conformance mode found so far: {checked, tolerated, violations, ...} (GET /__sim/conformance)."""
        return self.control("GET", "/conformance")

    def take_violations(self):
        """The violations recorded so far, which are then forgotten."""
        violations = self.conformance()["violations"]
        self.control("DELETE", "/conformance")
        return violations

    def stop(self, sig=signal.SIGTERM, timeout=30, check_conformance=True):
        """Signal cfsim and return its exit code; raise ConformanceError if it recorded violations."""
        violations = []
        if check_conformance and self.conforming and self.process.poll() is None:
            try:
                violations = self.conformance()["violations"]
            except OSError:  # killed a moment ago: there is nobody left to ask
                violations = []
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._drain.join(timeout=5)
        if violations:
            raise ConformanceError("cfsim found %d exchange(s) that the API definition %s does not allow:\n%s"
                                   % (len(violations), OPENAPI_FILE, describe_violations(violations)))
        return self.process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def start_cfsim(*extra_args, conformance=True):
    """Launch cfsim --port 0 with extra_args and wait for its first line (the base URL).

    With conformance (the default), cfsim checks every exchange against the pinned API definition.
    """
    args = list(extra_args)
    if conformance and not any(arg == "--openapi" or arg.startswith("--openapi=") for arg in args):
        args = ["--openapi", OPENAPI_FILE] + args
    process = subprocess.Popen([cfsim_executable(), "--port", "0"] + args, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    first = lines[0] if lines else ""
    if not URL_PATTERN.search(first):
        rest = ""
        if not reader.is_alive():
            try:
                rest = process.communicate(timeout=5)[0]
            except subprocess.TimeoutExpired:
                pass
        process.kill()
        process.wait()
        raise RuntimeError("cfsim did not announce its URL; it printed: %r" % (first + rest))
    return SimProcess(process, first, args)
