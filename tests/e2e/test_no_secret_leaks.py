"""Credentials never appear in what Ansible prints, even at -vvv with --diff, in success or in failure."""

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "helpers"))

from cfsim_runner import start_cfsim  # noqa: E402  pylint: disable=wrong-import-position
from conftest import collections_path  # noqa: E402  pylint: disable=wrong-import-position

TOKEN = "s3cr3t-t0ken-that-must-never-be-printed-0"
API_KEY = "s3cr3tglobalkey0000000000000000000000"
READ_ONLY = "s3cr3t-read-only-token-never-printed-00"

PLAYBOOK = textwrap.dedent("""\
    - name: Exercise every credential path at high verbosity
      hosts: localhost
      connection: local
      gather_facts: false
      tasks:
        - name: Create a prefix with the token given as a module option
          cloudflare.addressing.byoip_prefix:
            base_url: "{{ base_url }}"
            account_id: "{{ account_id }}"
            api_token: "{{ token }}"
            cidr: 203.0.113.0/24
            asn: 13335
            description: leak check

        - name: Change it with the Global API key from the environment
          cloudflare.addressing.byoip_prefix:
            base_url: "{{ base_url }}"
            account_id: "{{ account_id }}"
            cidr: 203.0.113.0/24
            asn: 13335
            description: leak check, changed

        - name: Fail with a read-only token
          cloudflare.addressing.byoip_prefix:
            base_url: "{{ base_url }}"
            account_id: "{{ account_id }}"
            api_token: "{{ read_only }}"
            cidr: 198.51.100.0/24
            asn: 13335
          ignore_errors: true

        - name: Fail with a token that Cloudflare does not know
          cloudflare.addressing.byoip_prefix:
            base_url: "{{ base_url }}"
            account_id: "{{ account_id }}"
            api_token: "{{ token }}-revoked"
            cidr: 198.51.100.0/24
            asn: 13335
          ignore_errors: true
    """)


@pytest.fixture(scope="module")
def sim():
    process = start_cfsim("--quiet", "--api-token", TOKEN, "--api-key", API_KEY, "--read-only-token", READ_ONLY)
    yield process
    assert process.stop() == 0


def test_no_credential_in_vvv_output_or_diffs(sim, tmp_path):
    playbook = tmp_path / "leak.yml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    # INJECT_INVOCATION makes every result echo its module arguments, as ansible-core before 2.19 always did,
    # so a credential option that lost no_log would show up at -vvv.
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), CLOUDFLARE_EMAIL=sim.email,
               CLOUDFLARE_API_KEY=API_KEY, ANSIBLE_NOCOLOR="1", ANSIBLE_INJECT_INVOCATION="true",
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    env.pop("CLOUDFLARE_API_TOKEN", None)
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    run = subprocess.run(
        [ansible_playbook, "-vvv", "--diff", str(playbook), "-e", "base_url=" + sim.base_url,
         "-e", "account_id=" + sim.account_id, "-e", "token=" + TOKEN, "-e", "read_only=" + READ_ONLY],
        env=env, capture_output=True, text=True, timeout=300, check=False)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output

    # The run really used every credential: a token create, a key update, two refusals.
    calls = [(entry["method"], entry["auth"], entry["status"]) for entry in sim.requests()]
    assert ("POST", "token", 201) in calls
    assert ("PATCH", "email_key", 200) in calls
    assert ("POST", "read_only_token", 403) in calls
    assert ("GET", "invalid", 403) in calls
    assert "leak check, changed" in output, "the diff was printed"
    assert '"api_token": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' in output, "module arguments were echoed"

    for secret in (TOKEN, API_KEY, READ_ONLY):
        assert secret not in output
    # Even fragments long enough to identify a credential stay hidden.
    for secret in (TOKEN, API_KEY, READ_ONLY):
        assert secret[:20] not in output
