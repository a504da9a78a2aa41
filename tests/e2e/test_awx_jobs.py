"""The example AWX job templates, run the way AWX runs them: through ansible-runner, against the simulator.

The tests launch templates of extensions/awx/job_templates.yml with the recipe of `make awx-jobs`
(tools/awx_jobs.py), which does what AWX does:

- the project is extensions/awx/project with the collection built next to collections/requirements.yml, and a
  project sync installs the collection from that file (`ansible-galaxy collection install -r ...` in the project
  directory); the jobs see only the collection installed so;
- the private data directory holds the project playbooks, an inventory with localhost, and env/extravars written as
  AWX writes it: the template's saved extra variables as they are, the survey answers tagged !unsafe (AWX's default
  ALLOW_JINJA_IN_EXTRA_VARS=template never evaluates what a user typed);
- the job's environment gets exactly what the credential type's injectors render for the credential
  (tests/helpers/awx_credential.py mirrors AWX's rendering, blank fields included), and nothing else carries a
  credential: the test process's own CLOUDFLARE_* variables are removed;
- job type "check" adds --check and "Show changes" adds --diff.

The simulator's clock makes the hours of a real onboarding pass in seconds; the templates' wait budgets are
shortened through extra variables, as `make demo` does.
"""

import itertools
import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("ansible_runner")

# ansible-runner starts ansible-playbook with pexpect (forkpty) while the simulator's output-draining thread runs;
# the child execs at once, so Python's generic warning about forking a multi-threaded process does not apply.
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of forkpty:DeprecationWarning")

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "helpers"))
sys.path.insert(0, str(ROOT / "tools"))

from awx_jobs import job_template, launch as launch_job, prepare_job, sync_project, write_project  # noqa: E402  pylint: disable=wrong-import-position
from cfsim_runner import start_cfsim  # noqa: E402  pylint: disable=wrong-import-position

PREFIX = "203.0.113.0/24"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# What a template's extra variables would say to run against the simulator instead of production waits.
SIMULATOR_BUDGETS = {
    "byoip_onboard_validation_timeout": 60,
    "byoip_onboard_validation_poll_interval": 1,
    "byoip_onboard_provisioning_timeout": 60,
    "byoip_onboard_provisioning_poll_interval": 1,
    "byoip_onboard_advertise_after": 3,
    "byoip_onboard_advertise_hold": 5,
}


@pytest.fixture(scope="module")
def sim():
    process = start_cfsim("--quiet", "--validation-seconds", "2", "--provisioning-seconds", "2",
                          "--advertisement-hold-seconds", "1", "--whois-port", "0", "--dns-port", "0")
    yield process
    assert process.stop() == 0, "\n".join(process.output)


@pytest.fixture(autouse=True)
def fresh_account(sim):
    sim.reset()


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch):
    """Only the credential type may provide credentials; the runner's own PATH finds ansible-playbook."""
    for name in list(os.environ):
        if name.startswith("CLOUDFLARE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))


@pytest.fixture
def token_credential(sim):
    return dict(api_token=sim.api_token, account_id=sim.account_id, base_url=sim.base_url)


@pytest.fixture
def key_credential(sim):
    return dict(api_email=sim.email, api_key=sim.api_key, account_id=sim.account_id, base_url=sim.base_url)


@pytest.fixture(scope="module")
def synced_project(tmp_path_factory):
    """The project as `make awx-project` writes it, synced as AWX syncs it: (project, collections path)."""
    work = tmp_path_factory.mktemp("awx")
    project = write_project(str(work / "project"))
    return project, sync_project(project, str(work / "requirements_collections"))


@pytest.fixture
def launch(tmp_path, synced_project, sim):
    """launch(template name, credential inputs, survey answers, extra saved variables) -> (runner, job dir)."""
    project, collections = synced_project
    numbers = itertools.count(1)

    def run(name, credential, answers=None, saved_vars=None):
        template = job_template(name)
        # The onboarding's pre-flight check asks the simulator's registry world, never its default public sources.
        job_dir = prepare_job(str(tmp_path / ("job%d" % next(numbers))), project, template, answers,
                              dict(sim.preflight_sources(), **(saved_vars or {})))
        return launch_job(job_dir, template, credential, collections), job_dir

    return run


def events(runner, kind):
    return [event for event in runner.events if event["event"] == kind]


def role_tasks(runner, kind, role):
    return [event for event in events(runner, kind) if event.get("event_data", {}).get("role") == role]


def job_output(runner):
    return "\n".join(event.get("stdout", "") for event in runner.events)


def writes(requests):
    return [(request["method"], request["path"]) for request in requests if request["method"] in WRITE_METHODS]


def assert_job_succeeded(runner):
    failed = [(event["event_data"].get("task"), event["event_data"].get("res", {}).get("msg"))
              for event in events(runner, "runner_on_failed") if not event["event_data"].get("ignore_errors")]
    assert runner.status == "successful" and runner.rc == 0, failed or job_output(runner)[-4000:]
    assert not failed
    assert events(runner, "playbook_on_stats"), "the job did not finish its play"


def api_get(sim, credential, path):
    """Read the simulator's state as Cloudflare's API would show it (an independent verifier)."""
    import json  # pylint: disable=import-outside-toplevel
    import urllib.request  # pylint: disable=import-outside-toplevel
    request = urllib.request.Request("%s/accounts/%s%s" % (sim.base_url, sim.account_id, path),
                                     headers={"Authorization": "Bearer %s" % credential["api_token"]})
    with urllib.request.urlopen(request, timeout=30) as response:  # nosec - the local simulator
        return json.loads(response.read())["result"]


def onboarded_state(sim, credential):
    prefixes = api_get(sim, credential, "/addressing/prefixes")
    assert [prefix["cidr"] for prefix in prefixes] == [PREFIX]
    prefix = prefixes[0]
    bindings = api_get(sim, credential, "/addressing/prefixes/%s/bindings" % prefix["id"])
    bgp_prefixes = api_get(sim, credential, "/addressing/prefixes/%s/bgp/prefixes" % prefix["id"])
    return prefix, bindings, bgp_prefixes


def test_onboard_then_rerun_then_status_jobs(sim, launch, token_credential):
    """An operator's sequence: onboard from the survey, launch it again (nothing to do), check the status."""
    answers = dict(byoip_survey_prefix=PREFIX, byoip_survey_default_service="Spectrum",
                   byoip_survey_advertise="yes", byoip_survey_wait="yes")
    onboard, _job = launch("BYOIP onboard", token_credential, answers, SIMULATOR_BUDGETS)

    assert_job_succeeded(onboard)
    changed = [event["event_data"]["task"] for event in role_tasks(onboard, "runner_on_ok", "byoip_onboard")
               if event["event_data"]["res"].get("changed")]
    assert len(changed) >= 3, "expected the prefix, the default binding and the advertisement: %s" % changed
    requests = sim.requests()
    assert {request["auth"] for request in requests} == {"token"}
    assert all(request["user_agent"].startswith("cloudflare.addressing/") for request in requests)
    assert token_credential["api_token"] not in job_output(onboard), "the job output shows the API token"
    since = requests[-1]["seq"]

    prefix, bindings, bgp_prefixes = onboarded_state(sim, token_credential)
    assert prefix["approved"] == "V" and prefix["asn"] == 13335
    assert [(b["cidr"], b["service_name"], b["provisioning"]["state"]) for b in bindings] == [
        (PREFIX, "Spectrum", "active")]
    assert [(b["cidr"], b["on_demand"]["advertised"]) for b in bgp_prefixes] == [(PREFIX, True)]
    since = sim.requests(since)[-1]["seq"]  # past the verifier's own reads

    again, _job = launch("BYOIP onboard", token_credential, answers, SIMULATOR_BUDGETS)
    assert_job_succeeded(again)
    assert again.stats["changed"] == {}
    assert writes(sim.requests(since)) == []

    status, _job = launch("BYOIP status", token_credential)
    assert_job_succeeded(status)
    assert role_tasks(status, "runner_on_ok", "byoip_status")
    assert status.stats["changed"] == {}
    output = job_output(status)
    assert PREFIX in output and "Spectrum" in output and "active" in output
    assert writes(sim.requests(since)) == []


def test_dry_run_job_plans_the_onboarding_and_writes_nothing(sim, launch, token_credential):
    answers = dict(byoip_survey_prefix=PREFIX, byoip_survey_default_service="CDN", byoip_survey_advertise="yes")
    runner, _job = launch("BYOIP onboard (dry run)", token_credential, answers)

    assert_job_succeeded(runner)
    predicted = [event for event in role_tasks(runner, "runner_on_ok", "byoip_onboard")
                 if event["event_data"]["res"].get("changed")]
    assert predicted, "the dry run predicted no change on an empty account"
    # "Show changes": the plan appears as diffs of the objects the run would create.
    diffs = [event.get("stdout", "") for event in role_tasks(runner, "runner_on_file_diff", "byoip_onboard")]
    assert any(PREFIX in diff and "+++ after" in diff for diff in diffs), diffs
    assert writes(sim.requests()) == []
    assert api_get(sim, token_credential, "/addressing/prefixes") == []


def test_global_api_key_credential_works_with_its_blank_token(sim, launch, key_credential):
    runner, _job = launch("BYOIP status", key_credential)

    assert_job_succeeded(runner)
    requests = sim.requests()
    assert requests and {request["auth"] for request in requests} == {"email_key"}
    assert key_credential["api_key"] not in job_output(runner), "the job output shows the Global API key"


def test_without_the_credential_the_job_fails_before_any_request(sim, launch):
    runner, _job = launch("BYOIP status", None)

    assert runner.status == "failed"
    messages = " ".join(str(event["event_data"].get("res", {}).get("msg"))
                        for event in events(runner, "runner_on_failed"))
    assert "account_id" in messages
    assert sim.requests() == []


def test_the_recipe_syncs_the_project_and_runs_the_job_templates_end_to_end(tmp_path):
    """`make awx-jobs`: the collection from collections/requirements.yml, then the dry run, onboarding and status
    jobs against the recipe's own simulator, with the credential type's injectors."""
    env = dict((name, value) for name, value in os.environ.items() if not name.startswith("CLOUDFLARE_"))
    workdir = tmp_path / "awx"
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "awx_jobs.py"), "run", str(workdir)], cwd=str(ROOT),
                            env=env, capture_output=True, text=True, timeout=600, check=False)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    for name in ("BYOIP onboard (dry run)", "BYOIP onboard", "BYOIP status"):
        assert "%s: successful (exit status 0)" % name in output, output[-4000:]
    installed = workdir / "requirements_collections" / "ansible_collections" / "cloudflare" / "addressing"
    assert (installed / "MANIFEST.json").is_file(), "the project sync did not install the collection"
    [onboarding] = list((workdir / "job2" / "artifacts").glob("*/stdout"))
    assert "%s: onboarded, approved, advertised" % PREFIX in onboarding.read_text(encoding="utf-8")
    [status] = list((workdir / "job3" / "artifacts").glob("*/stdout"))
    assert "%s (AS13335): advertised" % PREFIX in status.read_text(encoding="utf-8")
