"""One module_defaults block for group/cloudflare.addressing.byoip gives every module its connection.

A play sets the account, token and API URL once, for the group, and calls every module of the group in check mode
on an account with one prefix (whose LOA the download module reads), with no CLOUDFLARE_* variable in the
environment. A module missing from the group in meta/runtime.yml gets no credentials and fails; the test also fails
when a module of the collection has no task.
"""

import json
import os
import pathlib
import subprocess
import sys
import urllib.request

import yaml

from conftest import read_records

ROOT = pathlib.Path(__file__).resolve().parents[2]
PREFIX = "192.0.2.0/24"
LOA_PREFIX = "198.51.100.0/24"  # the one prefix the account has, so that its LOA can be downloaded
# The smallest useful arguments of each module; the connection comes only from module_defaults.
TASKS = {
    "byoip_prefix": dict(cidr=PREFIX, asn=13335),
    "byoip_prefix_info": dict(cidr=PREFIX),
    "byoip_service_info": {},
    "byoip_progress_info": dict(cidrs=[PREFIX], stage="validation"),
    "byoip_delegation": dict(prefix_cidr=PREFIX, delegated_account_id="0123456789abcdef0123456789abcdef"),
    "byoip_binding": dict(prefix_cidr=PREFIX, service="CDN"),
    "byoip_bgp_prefix": dict(prefix_cidr=PREFIX),
    "byoip_address_map": dict(description="CDN edge", ips=["192.0.2.16/29"]),
    "byoip_address_map_info": {},
    "byoip_regional_binding": dict(prefix_cidr=PREFIX, cidr="192.0.2.0/25", region="eu"),
    "byoip_region_info": {},
    "byoip_lease_info": {},
    # Only the ownership check, whose token comes from the account: the IRR and RPKI sources are public servers.
    "byoip_preflight_info": dict(prefixes=[dict(cidr=PREFIX, asn=13335)], checks=["ownership"]),
}


def file_tasks(tmp_path):
    """The tasks of the modules that read or write files on the control node."""
    pdf = tmp_path / "loa.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    return {"byoip_loa_document": dict(path=str(pdf), prefix_cidr=PREFIX),
            "byoip_loa_download": dict(prefix_cidr=LOA_PREFIX, dest=str(tmp_path / "downloaded.pdf"))}


def add_prefix_with_loa(sim):
    url = "/".join([sim.base_url, "accounts", sim.account_id, "addressing", "prefixes"])
    body = json.dumps(dict(cidr=LOA_PREFIX, asn=13335, delegate_loa_creation=True)).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Authorization": "Bearer " + sim.api_token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30):  # nosec - the local simulator
        pass


def collection_modules():
    return sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")


def test_module_defaults_for_the_group_reach_every_module(sim, tmp_path):
    tasks = dict(TASKS, **file_tasks(tmp_path))
    assert sorted(tasks) == collection_modules(), "give every module of the collection a task in this test"
    add_prefix_with_loa(sim)
    play = [{
        "name": "Every module of the group, connection set once",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/cloudflare.addressing.byoip": {
            "account_id": sim.account_id, "api_token": sim.api_token, "base_url": sim.base_url}},
        "tasks": [{"name": "Run %s" % name, "cloudflare.addressing.%s" % name: args, "check_mode": True}
                  for name, args in sorted(tasks.items())],
    }]
    playbook = tmp_path / "group.yml"
    playbook.write_text(yaml.safe_dump(play), encoding="utf-8")
    records = tmp_path / "records.jsonl"
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLOUDFLARE_")}
    env.update(ANSIBLE_COLLECTIONS_PATH=os.environ.get("ANSIBLE_COLLECTIONS_PATH") or str(ROOT.parents[2]),
               ANSIBLE_CALLBACK_PLUGINS=str(pathlib.Path(__file__).parent / "plugins" / "callback"),
               ANSIBLE_CALLBACKS_ENABLED="e2e_record", E2E_RECORD_FILE=str(records), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    mark = sim.mark()

    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook)],
                          env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=240, check=False)

    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    results = read_records(records)
    assert [record["task"] for record in results] == ["Run %s" % name for name in sorted(tasks)]
    assert [record["status"] for record in results if record["status"] == "failed"] == []
    requests = sim.requests_since(mark)
    assert requests, "no module reached the simulator"
    assert {request["auth"] for request in requests} == {"token"}
    assert sim.writes_since(mark) == [], "check mode sent a write"
