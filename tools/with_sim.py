"""Run a command while a bundled simulator (cfsim) serves on a free port.

Usage: with_sim.py [CFSIM OPTION ...] -- COMMAND [ARG ...]

cfsim is started with ``--port 0`` and the given options; its first output line names the base URL, which is
exported to the command as CFSIM_URL (for example http://127.0.0.1:40123/client/v4), together with
CLOUDFLARE_BASE_URL, CFSIM_CONTROL_URL, CFSIM_ACCOUNT_ID and the simulator's credentials (CFSIM_API_TOKEN,
CFSIM_READ_ONLY_TOKEN, CFSIM_API_EMAIL, CFSIM_API_KEY), and where its registry world is served: CFSIM_RPKI_URL,
and CFSIM_WHOIS_PORT / CFSIM_DNS_PORT when started with --whois-port / --dns-port. The simulator is stopped with
SIGTERM when the command ends; the exit status is the command's, or 1 when the simulator did not exit cleanly.
The simulator's log goes to the file named by CFSIM_LOG (default .build/cfsim.log).

cfsim runs in conformance mode against the API definition pinned in tests/openapi (unless the options name another
with --openapi): when the command succeeds but cfsim recorded a request or an answer that the definition does not
allow, the violations are printed and the exit status is 1.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "helpers"))

from cfsim_runner import OPENAPI_FILE, describe_violations  # noqa: E402  pylint: disable=wrong-import-position

URL_PATTERN = re.compile(r"(https?://\S+?)/client/v4")
DEFAULT_ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
DEFAULT_API_TOKEN = "cfsim-token-0123456789abcdef0123456789ab"
DEFAULT_READ_ONLY_TOKEN = "cfsim-ro-token-0123456789abcdef012345678"
DEFAULT_EMAIL = "admin@example.com"
DEFAULT_API_KEY = "cfsim0key0123456789abcdef0123456789abc"


def option_value(options, name, default):
    for index, option in enumerate(options):
        if option == name and index + 1 < len(options):
            return options[index + 1]
        if option.startswith(name + "="):
            return option.split("=", 1)[1]
    return default


def registry_environment(root):
    """CFSIM_RPKI_URL, CFSIM_WHOIS_PORT and CFSIM_DNS_PORT from the control API (ports may have been picked)."""
    with urllib.request.urlopen(root + "/__sim/registry", timeout=30) as response:
        servers = json.loads(response.read())["servers"]
    env = {"CFSIM_RPKI_URL": servers["rpki_validator_url"]}
    for name in ("whois", "dns"):
        if servers.get(name):
            env["CFSIM_%s_PORT" % name.upper()] = str(servers[name]["port"])
    return env


def conformance_verdict(control_url):
    """(ok, message) from cfsim's conformance report."""
    try:
        with urllib.request.urlopen(control_url + "/conformance", timeout=30) as answer:
            report = json.load(answer)
    except (OSError, ValueError) as exc:
        return False, "with_sim: cannot read cfsim's conformance report: %s" % exc
    violations, checked = report["violations"], report["checked"]
    if violations:
        return False, "with_sim: cfsim found %d exchange(s) that the API definition %s does not allow:\n%s" % (
            len(violations) + report["violations_not_kept"], report["definition"]["file"],
            describe_violations(violations))
    return True, "with_sim: conformance: %d requests and %d answers checked against %s, no violations" % (
        checked["requests"], checked["responses"], os.path.relpath(report["definition"]["file"]))


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit(__doc__)
    split = argv.index("--")
    sim_options, command = argv[:split], argv[split + 1:]
    if not command:
        sys.exit(__doc__)
    if not any(option == "--openapi" or option.startswith("--openapi=") for option in sim_options):
        sim_options = ["--openapi", OPENAPI_FILE] + sim_options
    cfsim = shutil.which("cfsim") or os.path.join(os.path.dirname(sys.executable), "cfsim")
    log_path = os.environ.get("CFSIM_LOG", os.path.join(".build", "cfsim.log"))
    os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
    sim = subprocess.Popen([cfsim, "--port", "0"] + sim_options, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    first = sim.stdout.readline()
    match = URL_PATTERN.search(first)
    if not match:
        sim.kill()
        sys.exit("with_sim: cfsim did not announce its URL; it printed: %r" % first)
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(first)
        drain = threading.Thread(target=lambda: log.writelines(sim.stdout), daemon=True)
        drain.start()
        root = match.group(1)
        env = dict(os.environ)
        env.update(
            CFSIM_URL=root + "/client/v4",
            CLOUDFLARE_BASE_URL=root + "/client/v4",
            CFSIM_CONTROL_URL=root + "/__sim",
            CFSIM_ACCOUNT_ID=option_value(sim_options, "--account-id", DEFAULT_ACCOUNT_ID),
            CFSIM_API_TOKEN=option_value(sim_options, "--api-token", DEFAULT_API_TOKEN),
            CFSIM_READ_ONLY_TOKEN=option_value(sim_options, "--read-only-token", DEFAULT_READ_ONLY_TOKEN),
            CFSIM_API_EMAIL=option_value(sim_options, "--api-email", DEFAULT_EMAIL),
            CFSIM_API_KEY=option_value(sim_options, "--api-key", DEFAULT_API_KEY),
        )
        env.update(registry_environment(root))
        try:
            status = subprocess.call(command, env=env)
            conforming, verdict = conformance_verdict(root + "/__sim")
            print(verdict, file=sys.stderr)
            if status == 0 and not conforming:
                status = 1
        finally:
            sim.send_signal(signal.SIGTERM)
            try:
                sim_status = sim.wait(timeout=30)
            except subprocess.TimeoutExpired:
                sim.kill()
                sim_status = -1
            drain.join(timeout=5)
    if status == 0 and sim_status != 0:
        print("with_sim: cfsim exited with status %s (see %s)" % (sim_status, log_path), file=sys.stderr)
        status = 1
    sys.exit(status)


if __name__ == "__main__":
    main()
