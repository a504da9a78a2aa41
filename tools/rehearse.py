"""`make rehearse VARS=byoip.yml`: your own vars file, end to end against the bundled simulator, in about a minute.

Usage: rehearse.py VARS_FILE [REPORT_FILE] [-- ANSIBLE-PLAYBOOK OPTION ...]

1. cfsim starts on a free port of this machine, with the demo's timings (validation, binding deployment and the
   advertisement toggle hold take 5 seconds), for the account id of the vars file (a plain cloudflare_account_id)
   or cfsim's own.
2. ansible-playbook cloudflare.addressing.onboard runs the vars file as it is, then playbooks/vars/rehearsal.yml
   (the roles' waits scaled down to those seconds), then the simulator's connection and the pre-flight check off, which wins over every
   connection variable the vars file may set (cloudflare_* and the roles' own), as the CLOUDFLARE_* environment
   variables do over yours. Credentials in the vars file, vault-encrypted or not, are never read or sent: vault
   values are decrypted only when used, and these never are.
3. ansible-playbook cloudflare.addressing.status reports the account and writes the report (Markdown, or HTML for a
   .html REPORT_FILE; default .build/rehearse/<vars file name>-status.md).

Both runs go through the offline guard (tests/helpers/offline_guard): a connection to anything but this machine is
refused and named, so the rehearsal can never reach Cloudflare. Options after `--` go to both runs (for example
--vault-password-file when the whole vars file is vault-encrypted). The exit status is the first failing run's.
"""

import json
import os
import re
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "helpers"))

from cfsim_runner import start_cfsim  # noqa: E402  pylint: disable=wrong-import-position
from demo import READABLE_OUTPUT, ansible_playbook, heading, run, say  # noqa: E402  pylint: disable=wrong-import-position

WAITS_FILE = os.path.join(ROOT, "playbooks", "vars", "rehearsal.yml")
GUARD = os.path.join(ROOT, "tests", "helpers", "offline_guard")
SIM_TIMINGS = ("--validation-seconds", "5", "--provisioning-seconds", "5", "--advertisement-hold-seconds", "5")
ACCOUNT_ID = re.compile(r"^[0-9a-f]{32}$")
# Every connection variable of the playbooks and of the roles, so that none of the vars file's reaches a run.
CONNECTION = ("account_id", "api_token", "api_email", "api_key", "base_url", "validate_certs", "ca_path",
              "connect_timeout")
PREFIXES = ("cloudflare_", "byoip_onboard_", "byoip_offboard_", "byoip_status_")


class VarsLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """Reads a vars file without its secrets: Ansible's tags (!vault, !unsafe) load as nothing."""


VarsLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def account_of(vars_file):
    """The vars file's cloudflare_account_id when it is a plain account id, else None (cfsim's own is used)."""
    with open(vars_file, encoding="utf-8") as handle:
        try:
            variables = yaml.load(handle, Loader=VarsLoader)  # nosec - a safe loader that drops Ansible's tags
        except yaml.YAMLError:
            return None
    account = variables.get("cloudflare_account_id") if isinstance(variables, dict) else None
    return account if isinstance(account, str) and ACCOUNT_ID.match(account) else None


def connection_vars(sim):
    """The simulator as every connection variable says it; the others are left out of every module call."""
    # validate_certs and connect_timeout get the modules' defaults: ansible-core 2.16 hands a role an omit as a string.
    values = dict(account_id=sim.account_id, api_token=sim.api_token, base_url=sim.base_url, validate_certs=True,
                  connect_timeout=10)
    return dict((prefix + name, values.get(name, "{{ omit }}")) for prefix in PREFIXES for name in CONNECTION)


def playbook_environment(sim, guard_log):
    env = dict((name, value) for name, value in os.environ.items() if not name.startswith("CLOUDFLARE_"))
    env.update(READABLE_OUTPUT)
    env.update(CLOUDFLARE_ACCOUNT_ID=sim.account_id, CLOUDFLARE_API_TOKEN=sim.api_token,
               CLOUDFLARE_BASE_URL=sim.base_url, OFFLINE_GUARD_LOG=guard_log,
               PYTHONPATH=os.pathsep.join(filter(None, [GUARD, os.environ.get("PYTHONPATH")])))
    return env


def refused(guard_log):
    if not os.path.exists(guard_log):
        return []
    with open(guard_log, encoding="utf-8") as handle:
        return [line.split(" ", 1)[1].strip() for line in handle if line.strip()]


def summary_table(report_file):
    """The first table of a Markdown report: one row per prefix with its state and advertisement."""
    if not report_file.endswith(".md") or not os.path.exists(report_file):
        return ""
    with open(report_file, encoding="utf-8") as handle:
        return "\n".join(line.rstrip() for line in handle.read().split("\n## ")[0].splitlines()
                         if line.startswith("|"))


def rehearse(vars_file, report_file, extra_args, workdir):
    account = account_of(vars_file)
    sim = start_cfsim("--quiet", *(SIM_TIMINGS + (("--account-id", account) if account else ())),
                      conformance=False)
    try:
        connection_file = os.path.join(workdir, "simulator.json")
        with open(connection_file, "w", encoding="utf-8") as handle:
            # The pre-flight check asks the public IRR, RPKI and DNS, which a rehearsal never reaches: off.
            json.dump(dict(connection_vars(sim), **sim.preflight_sources()), handle, indent=2)
        guard_log = os.path.join(workdir, "refused.log")
        env = playbook_environment(sim, guard_log)
        heading("Rehearsal of %s against the simulator" % vars_file)
        say("""
            cfsim serves account %s at %s on this machine: validation, binding deployment and the advertisement
            hold take 5 seconds. Your vars file runs as it is, with the waits of %s and the simulator's connection
            (%s) on top; its credentials are never used. The pre-flight check is off: it asks the public IRR,
            RPKI and DNS, which a rehearsal never reaches (run it with cloudflare.addressing.byoip_preflight_info).
            """ % (sim.account_id, sim.base_url, os.path.relpath(WAITS_FILE), os.path.basename(connection_file)))
        onboard = [ansible_playbook(), "cloudflare.addressing.onboard", "-e", "@" + vars_file, "-e",
                   "@" + WAITS_FILE, "-e", "@" + connection_file] + extra_args
        status = [ansible_playbook(), "cloudflare.addressing.status", "-e", "@" + vars_file, "-e",
                  "@" + connection_file, "-e", "byoip_status_report_path=" + report_file] + extra_args
        for name, command in (("Onboarding", onboard), ("Status", status)):
            heading(name)
            code = run(command, env)
            if refused(guard_log):
                say("The rehearsal refused connections to %s: only this machine may be reached. Nothing else was "
                    "sent." % ", ".join(sorted(set(refused(guard_log)))))
                return code or 1
            if code != 0:
                say("%s failed (exit status %d); see the messages above. Fix the vars file and run the rehearsal "
                    "again." % (name, code))
                return code
    finally:
        sim.stop()
    return 0


def main(argv):
    extra_args = []
    if "--" in argv:
        split = argv.index("--")
        argv, extra_args = argv[:split], argv[split + 1:]
    if len(argv) not in (1, 2):
        sys.exit(__doc__)
    vars_file = os.path.abspath(argv[0])
    if not os.path.isfile(vars_file):
        sys.exit("rehearse: no vars file %s (give VARS=path/to/byoip.yml)" % vars_file)
    stem = os.path.splitext(os.path.basename(vars_file))[0]
    report_file = os.path.abspath(argv[1] if len(argv) == 2 else
                                  os.path.join(ROOT, ".build", "rehearse", stem + "-status.md"))
    os.makedirs(os.path.dirname(report_file), exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rehearse-") as workdir:
        code = rehearse(vars_file, report_file, extra_args, workdir)
    if code != 0:
        return code
    heading("Rehearsed %s in %d seconds" % (os.path.basename(vars_file), round(time.monotonic() - started)))
    table = summary_table(report_file)
    if table:
        print(table + "\n")
    print("The status report is in %s\n" % report_file)  # whole, never wrapped: a path to copy
    say("""
        Nothing left this machine. Next, against your account: ansible-playbook cloudflare.addressing.onboard -e
        @%s --check --diff (the plan; it sends no write).
        """ % shown_path(vars_file))
    return 0


def shown_path(path):
    """The path relative to the current directory when it lies below it, else as it is."""
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
