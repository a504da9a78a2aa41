"""The AWX material under extensions/awx agrees with what the modules, playbooks and roles really read.

The credential type must inject exactly the environment variables the modules fall back to, in a way the modules
accept after AWX has rendered it (blank optional fields included). The job templates must name playbooks and
variables that exist, and their surveys must feed those variables.
"""

import pathlib
import sys

import pytest
import yaml

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import DEFAULT_BASE_URL
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import api_argument_spec
from ansible_collections.cloudflare.addressing.plugins.module_utils._inputs import check_prefixes
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_prefix

ROOT = pathlib.Path(__file__).resolve().parents[2]
AWX = ROOT / "extensions" / "awx"
sys.path.insert(0, str(ROOT / "tests" / "helpers"))

from awx_credential import (  # noqa: E402  pylint: disable=wrong-import-position
    check_inputs,
    fields,
    injected_env,
    load_credential_type,
    template_variables,
)

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN_CREDENTIAL = dict(api_token="token-value", account_id=ACCOUNT_ID)
KEY_CREDENTIAL = dict(api_email="admin@example.com", api_key="key-value", account_id=ACCOUNT_ID)


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def env_options():
    """{environment variable: module option} for every connection option with an environment fallback."""
    found = {}
    for option, spec in api_argument_spec().items():
        if "fallback" in spec:
            for variable in spec["fallback"][1]:
                found[variable] = option
    return found


@pytest.fixture(scope="module")
def credential_type():
    return load_credential_type()


# --- credential type -------------------------------------------------------------------------------------------

def test_credential_type_has_the_api_shape(credential_type):
    assert set(credential_type) == {"name", "description", "kind", "inputs", "injectors"}
    assert credential_type["kind"] == "cloud"
    for field in credential_type["inputs"]["fields"]:
        assert {"id", "label", "type"} <= set(field) and field["type"] == "string"
    assert set(credential_type["inputs"]["required"]) <= set(fields(credential_type))


def test_credentials_reach_jobs_only_through_the_environment(credential_type):
    assert set(credential_type["injectors"]) == {"env"}


def test_injects_exactly_the_variables_the_modules_read(credential_type):
    assert set(credential_type["injectors"]["env"]) == set(env_options())
    assert {"CLOUDFLARE_API_TOKEN", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY", "CLOUDFLARE_ACCOUNT_ID"} <= set(
        credential_type["injectors"]["env"])


def test_each_variable_carries_the_field_named_like_its_option(credential_type):
    for variable, template in credential_type["injectors"]["env"].items():
        assert template_variables(template, ansible_filters=()) == {env_options()[variable]}, variable


def test_secret_fields_are_the_no_log_options(credential_type):
    spec = api_argument_spec()
    for name, field in fields(credential_type).items():
        assert field.get("secret", False) is bool(spec[name].get("no_log")), name


def test_account_id_is_required(credential_type):
    assert credential_type["inputs"]["required"] == ["account_id"]
    with pytest.raises(ValueError, match="account_id"):
        check_inputs(credential_type, dict(api_token="token-value"))


def test_unknown_fields_are_refused(credential_type):
    with pytest.raises(ValueError, match="region"):
        check_inputs(credential_type, dict(TOKEN_CREDENTIAL, region="eu"))


def test_token_credential_renders_blank_key_fields_and_the_default_url(credential_type):
    assert injected_env(credential_type, TOKEN_CREDENTIAL) == {
        "CLOUDFLARE_API_TOKEN": "token-value",
        "CLOUDFLARE_EMAIL": "",
        "CLOUDFLARE_API_KEY": "",
        "CLOUDFLARE_ACCOUNT_ID": ACCOUNT_ID,
        "CLOUDFLARE_BASE_URL": DEFAULT_BASE_URL,
    }


def test_key_credential_renders_a_blank_token(credential_type):
    env = injected_env(credential_type, KEY_CREDENTIAL)
    assert env["CLOUDFLARE_API_TOKEN"] == ""
    assert (env["CLOUDFLARE_EMAIL"], env["CLOUDFLARE_API_KEY"]) == ("admin@example.com", "key-value")


def test_base_url_field_overrides_the_default(credential_type):
    env = injected_env(credential_type, dict(TOKEN_CREDENTIAL, base_url="http://127.0.0.1:8787/client/v4"))
    assert env["CLOUDFLARE_BASE_URL"] == "http://127.0.0.1:8787/client/v4"


@pytest.mark.parametrize("inputs,auth", [
    (TOKEN_CREDENTIAL, ("Bearer token-value", None, None)),
    (KEY_CREDENTIAL, (None, "admin@example.com", "key-value")),
])
def test_modules_use_what_awx_injects(monkeypatch, run_module, sent_requests, credential_type, inputs, auth):
    for variable in env_options():
        monkeypatch.delenv(variable, raising=False)
    for variable, value in injected_env(credential_type, inputs).items():
        monkeypatch.setenv(variable, value)
    # No connection option on the task, as in the AWX project playbooks.
    run_module(byoip_prefix, dict(cidr="203.0.113.0/24", asn=13335, api_token=None, account_id=None,
                                  base_url=None))
    (_method, url), headers = sent_requests[0], sent_requests.headers[0]
    assert url == "%s/accounts/%s/addressing/prefixes" % (DEFAULT_BASE_URL, ACCOUNT_ID)
    assert (headers.get("Authorization"), headers.get("X-Auth-Email"), headers.get("X-Auth-Key")) == auth


# --- job templates ---------------------------------------------------------------------------------------------

def job_templates():
    return load(AWX / "job_templates.yml")["job_templates"]


def survey_variables(template):
    return [question["variable"] for question in (template.get("survey_spec") or {}).get("spec", [])]


def jinja_variables(value):
    """Every name read by the Jinja expressions inside a nested extra_vars value."""
    if isinstance(value, dict):
        return set().union(set(), *(jinja_variables(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(set(), *(jinja_variables(item) for item in value))
    if isinstance(value, str) and "{{" in value:
        return set(template_variables(value))
    return set()


def role_options(role):
    specs = load(ROOT / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"]["main"]
    return specs["options"]


def test_template_names_are_unique():
    names = [template["name"] for template in job_templates()]
    assert len(names) == len(set(names))


def test_onboard_dry_run_and_status_templates_exist():
    by_playbook = {}
    for template in job_templates():
        by_playbook.setdefault(template["playbook"], set()).add(template["job_type"])
    assert by_playbook["byoip_onboard.yml"] == {"run", "check"}
    assert by_playbook["byoip_status.yml"] == {"run"}


@pytest.mark.parametrize("template", job_templates(), ids=lambda t: t["name"])
def test_template_uses_the_credential_type_and_a_project_playbook(credential_type, template):
    assert template["job_type"] in ("run", "check")
    assert template["credentials"] == [credential_type["name"]]
    assert (AWX / "project" / template["playbook"]).is_file()


@pytest.mark.parametrize("playbook", sorted((AWX / "project").glob("*.yml")), ids=lambda p: p.name)
def test_project_playbooks_run_a_collection_role_without_connection_variables(playbook):
    # Full plays rather than import_playbook of cloudflare.addressing.<playbook>: galaxy-importer's ansible-lint
    # cannot resolve collection playbooks, and a project playbook that maps no connection variables leaves the
    # credential as the only source of credentials.
    plays = load(playbook)
    assert len(plays) == 1
    play = plays[0]
    assert play["hosts"] == "localhost" and play["gather_facts"] is False
    assert len(play["roles"]) == 1
    role = play["roles"][0]["role"]
    namespace, name, role_name = role.split(".")
    assert (namespace, name) == ("cloudflare", "addressing")
    options = role_options(role_name)
    passed = play["roles"][0].get("vars", {})
    assert set(passed) <= set(options), set(passed) - set(options)
    connection_suffixes = ("_account_id", "_api_token", "_api_email", "_api_key", "_base_url")
    connection = {option for option in options if option.endswith(connection_suffixes)}
    assert connection and not connection & set(passed)
    required = {option for option, spec in options.items() if spec.get("required")}
    assert required <= set(passed), "%s leaves required role variables unset" % playbook.name


def test_project_playbooks_map_the_vars_file_like_the_collection_playbooks():
    for name in ("onboard", "offboard"):
        collection_play = load(ROOT / "playbooks" / (name + ".yml"))[0]
        project_play = load(AWX / "project" / ("byoip_%s.yml" % name))[0]
        collection_role = collection_play["roles"][0]
        project_role = project_play["roles"][0]
        assert project_role["role"] == collection_role["role"]
        for variable, value in project_role["vars"].items():
            assert collection_role["vars"][variable] == value


@pytest.mark.parametrize("template", [t for t in job_templates() if t.get("survey_enabled")], ids=lambda t: t["name"])
def test_survey_feeds_the_extra_vars_and_nothing_else(template):
    variables = survey_variables(template)
    assert len(variables) == len(set(variables))
    assert jinja_variables(template["extra_vars"]) == set(variables)


@pytest.mark.parametrize("template", [t for t in job_templates() if t.get("survey_enabled")], ids=lambda t: t["name"])
def test_survey_questions_are_well_formed(template):
    for question in template["survey_spec"]["spec"]:
        assert question["type"] in ("text", "multiplechoice")
        assert question["question_name"] and question["required"] is True
        if question["type"] == "multiplechoice":
            assert question["default"] in question["choices"], question["variable"]


def test_onboard_extra_vars_are_what_the_playbook_and_role_read():
    playbook_text = (ROOT / "playbooks" / "onboard.yml").read_text(encoding="utf-8")
    options = role_options("byoip_onboard")
    for template in job_templates():
        if template["playbook"] != "byoip_onboard.yml":
            continue
        for name, value in template["extra_vars"].items():
            if name == "byoip_prefixes":
                assert "byoip_prefixes" in playbook_text
                # The role's own input check: every key known, every value as the role takes it.
                unknown = [problem for problem in check_prefixes(value)[1] if "unknown key" in problem]
                assert unknown == [], unknown
            else:
                assert name in options, "%s is not a byoip_onboard role variable" % name


def test_default_service_choices_are_cloudflare_services():
    # The names the List Services endpoint returns; a typo would fail only at bind time, hours into a job.
    for template in job_templates():
        for question in (template.get("survey_spec") or {}).get("spec", []):
            if question["variable"] == "byoip_survey_default_service":
                assert set(question["choices"]) <= {"CDN", "Spectrum", "Magic Transit"}


def test_project_requires_this_collection_version():
    version = load(ROOT / "galaxy.yml")["version"]
    requirements = load(AWX / "project" / "collections" / "requirements.yml")["collections"]
    # Galaxy does not publish the collection: the project installs the tarball it holds next to the file.
    assert requirements == [{"name": "collections/cloudflare-addressing.tar.gz", "type": "file",
                             "version": ">=%s" % version}]
