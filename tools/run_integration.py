"""Run the ansible-test integration targets of a staged collection against a running simulator.

Called by `make integration` under tools/with_sim.py, which exports the simulator's connection details.
They reach the targets the way ansible-test intends: through tests/integration/integration_config.yml.
"""

import json
import os
import subprocess
import sys


def main():
    stage = sys.argv[1]
    config = {
        "cf_base_url": os.environ["CFSIM_URL"],
        "cf_control_url": os.environ["CFSIM_CONTROL_URL"],
        "cf_account_id": os.environ["CFSIM_ACCOUNT_ID"],
        "cf_api_token": os.environ["CFSIM_API_TOKEN"],
        "cf_read_only_token": os.environ["CFSIM_READ_ONLY_TOKEN"],
        "cf_api_email": os.environ["CFSIM_API_EMAIL"],
        "cf_api_key": os.environ["CFSIM_API_KEY"],
        # The routing registry world (null when the simulator does not serve it).
        "cf_rpki_url": os.environ.get("CFSIM_RPKI_URL"),
        "cf_whois_port": int(os.environ["CFSIM_WHOIS_PORT"]) if os.environ.get("CFSIM_WHOIS_PORT") else None,
        "cf_dns_port": int(os.environ["CFSIM_DNS_PORT"]) if os.environ.get("CFSIM_DNS_PORT") else None,
    }
    config_path = os.path.join(stage, "tests", "integration", "integration_config.yml")
    with open(config_path, "w", encoding="utf-8") as handle:
        # JSON is YAML; one key per line keeps it readable in failure output.
        json.dump(config, handle, indent=2)
        handle.write("\n")
    ansible_test = os.path.join(os.path.dirname(sys.executable), "ansible-test")
    try:
        status = subprocess.call([ansible_test, "integration", "--local", "--color", "no"] + sys.argv[2:], cwd=stage)
    finally:
        # The simulator is gone after this run; leave no stale connection details for the next tool.
        os.remove(config_path)
    sys.exit(status)


if __name__ == "__main__":
    main()
