"""The guided tour of `make demo`: onboard a prefix against the simulator, then report the account.

Run under tools/with_sim.py, which starts cfsim and exports its URL and credentials (CFSIM_*). The playbooks get
them the way an AWX credential would pass them, as CLOUDFLARE_* environment variables, and run from the staged
collection (ANSIBLE_COLLECTIONS_PATH, exported by the Makefile).

Usage: demo.py STAGED_COLLECTION_DIR
"""

import os
import shutil
import subprocess
import sys
import textwrap
import time

VARS_FILE = "playbooks/vars/demo.yml"
WAITS_FILE = "playbooks/vars/rehearsal.yml"  # the roles' waits scaled down to the simulator's 5-second timings
REPORT_FILE = os.path.join(".build", "demo-status.md")
WIDTH = 100


def say(text=""):
    """A paragraph of the tour, wrapped, in bold when the terminal supports it."""
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
    for paragraph in textwrap.dedent(text).strip("\n").split("\n\n"):
        print(bold + textwrap.fill(" ".join(paragraph.split()), WIDTH) + plain)
        print()
    sys.stdout.flush()


def heading(text):
    rule = "=" * WIDTH
    say("%s\n\n%s\n\n%s" % (rule, text, rule))


def ansible_playbook():
    beside = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    return beside if os.path.exists(beside) else shutil.which("ansible-playbook")


# A tour reads better with YAML results, without skipped tasks and without the warnings that no inventory was
# given (the playbooks run on the implicit localhost on purpose): docs/examples/ansible.cfg, as environment variables.
READABLE_OUTPUT = dict(
    ANSIBLE_CALLBACK_RESULT_FORMAT="yaml",
    ANSIBLE_DISPLAY_SKIPPED_HOSTS="false",
    ANSIBLE_LOCALHOST_WARNING="false",
    ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
)


def playbook_environment():
    env = dict(os.environ)
    env.update(
        CLOUDFLARE_ACCOUNT_ID=os.environ["CFSIM_ACCOUNT_ID"],
        CLOUDFLARE_API_TOKEN=os.environ["CFSIM_API_TOKEN"],
        CLOUDFLARE_BASE_URL=os.environ["CFSIM_URL"],
        **READABLE_OUTPUT
    )
    return env


def run(command, env):
    print("$ " + " ".join(command) + "\n")
    sys.stdout.flush()
    return subprocess.call(command, env=env)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    stage = sys.argv[1]
    vars_file = os.path.join(stage, VARS_FILE)
    env = playbook_environment()
    started = time.monotonic()

    heading("cloudflare.addressing demo: onboard 203.0.113.0/24 to Cloudflare BYOIP, end to end")
    say("""
        A local simulator of Cloudflare's addressing API (cfsim) is serving at %s for account %s. It follows
        Cloudflare's rules, but its clock is fast: validation and the deployment of a binding take 5 seconds
        instead of hours. It also serves a routing registry world on this machine (tools/demo-world.json): the
        prefix's IRR route object over whois, its RPKI ROA through a Routinator-style validator, and reverse DNS,
        where it publishes the ownership token as soon as Cloudflare issues it, as your DNS automation would. The
        role's pre-flight check asks these sources before anything is written, and again once the token exists;
        Cloudflare's validation reads the same world.

        The playbook reads one vars file (%s): the prefix, AS13335, a delegation of 203.0.113.128/25 to another
        account, Spectrum as the default service, eight CDN addresses from Cloudflare's guide, and advertise: true.
        A second one (%s) scales the roles' waits down to the simulator's seconds. The credentials come from
        CLOUDFLARE_* environment variables, as an AWX credential would inject them.
        """ % (env["CFSIM_URL"], env["CFSIM_ACCOUNT_ID"], VARS_FILE, WAITS_FILE))
    heading("1/2  Onboarding: pre-flight check, add, validate, delegate, bind, wait for deployment, advertise")
    status = run([ansible_playbook(), "cloudflare.addressing.onboard", "-e", "@" + vars_file,
                  "-e", "@" + os.path.join(stage, WAITS_FILE)], env)
    if status != 0:
        say("The onboarding failed (exit status %d); see the messages above." % status)
        return status

    heading("2/2  Status: what the account looks like now")
    status = run([ansible_playbook(), "cloudflare.addressing.status", "-e",
                  "byoip_status_report_path=" + os.path.abspath(REPORT_FILE)], env)
    if status != 0:
        say("The status report failed (exit status %d); see the messages above." % status)
        return status

    heading("Done in %d seconds" % round(time.monotonic() - started))
    say("""
        The status report is also in %s (Markdown; a .html path gives HTML).

        Run the onboarding again and it changes nothing and sends no write. Write your own vars file like %s and
        rehearse it the same way, in about a minute: make rehearse VARS=byoip.yml. Against your account, set
        CLOUDFLARE_API_TOKEN and start with a dry run: ansible-playbook cloudflare.addressing.onboard -e @byoip.yml
        --check --diff. The reverse is cloudflare.addressing.offboard (try it with --check --diff first).
        """ % (REPORT_FILE, VARS_FILE))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        # The reader went away (`make demo | head`): stop quietly; with_sim.py still stops the simulator.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
