"""The example AWX job templates, run the way AWX runs them, against the bundled simulator (`make awx-jobs`).

Usage: awx_jobs.py project DEST
       awx_jobs.py run WORKDIR [--template NAME ...] [--answer VARIABLE=VALUE ...]

`project DEST` writes the AWX project to push to your Git repository (`make awx-project`): the playbooks of
extensions/awx/project, and the collection built into collections/, where collections/requirements.yml installs it
from when AWX syncs the project (Galaxy does not publish cloudflare.addressing).

`run WORKDIR` is an AWX rehearsal on this machine, in WORKDIR:
1. the project, as `project` writes it;
2. the project sync, as AWX runs it: ansible-galaxy collection install -r collections/requirements.yml
   --collections-path WORKDIR/requirements_collections, from the project directory;
3. cfsim with the demo's timings (validation, deployment and the advertisement hold take 5 seconds);
4. each job template of extensions/awx/job_templates.yml (default: the dry run, the onboarding, the status),
   through ansible-runner, the engine AWX runs jobs with: a private data directory with the project and an inventory
   with localhost; env/extravars with the template's saved extra variables, playbooks/vars/rehearsal.yml (the waits
   scaled down to the simulator's seconds), the pre-flight check turned off (it would ask the public IRR, RPKI and
   DNS) and the survey answers, tagged !unsafe as AWX writes them; the
   environment that the credential type's injectors render for a credential of the simulator (AWX's rendering, blank
   fields included: tests/helpers/awx_credential.py), and no other CLOUDFLARE_* variable; --check for a job of type
   check, --diff for "Show changes". The installed collection is the only one the jobs see.
The exit status is 0 when every job succeeded.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "helpers"))

from awx_credential import injected_env, load_credential_type  # noqa: E402  pylint: disable=wrong-import-position
from cfsim_runner import start_cfsim  # noqa: E402  pylint: disable=wrong-import-position

AWX = os.path.join(ROOT, "extensions", "awx")
WAITS_FILE = os.path.join(ROOT, "playbooks", "vars", "rehearsal.yml")
TARBALL = os.path.join("collections", "cloudflare-addressing.tar.gz")  # where requirements.yml expects it
SIM_TIMINGS = ("--validation-seconds", "5", "--provisioning-seconds", "5", "--advertisement-hold-seconds", "5")
TEMPLATES = ("BYOIP onboard (dry run)", "BYOIP onboard", "BYOIP status")
ANSWERS = dict(byoip_survey_prefix="203.0.113.0/24", byoip_survey_default_service="Spectrum",
               byoip_survey_advertise="yes", byoip_survey_wait="yes")


class Unsafe(str):
    """A survey answer: AWX writes it with the !unsafe tag, so Ansible never templates what a user typed."""


class ExtraVarsDumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
    pass


ExtraVarsDumper.add_representer(Unsafe, lambda dumper, value: dumper.represent_scalar("!unsafe", str(value)))


def tool(name):
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return beside if os.path.exists(beside) else shutil.which(name)


def job_template(name):
    with open(os.path.join(AWX, "job_templates.yml"), encoding="utf-8") as handle:
        templates = yaml.safe_load(handle)["job_templates"]
    for template in templates:
        if template["name"] == name:
            return template
    raise ValueError("no job template %r in extensions/awx/job_templates.yml; there are: %s"
                     % (name, ", ".join(template["name"] for template in templates)))


def survey_answers(template, answers):
    """The survey's defaults overridden by the answers, for the questions the survey asks; AWX refuses others."""
    questions = dict((question["variable"], question) for question in template["survey_spec"]["spec"])
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise ValueError("the survey of %s does not ask %s" % (template["name"], ", ".join(unknown)))
    values = dict((variable, question.get("default", "")) for variable, question in questions.items())
    values.update(answers)
    missing = [variable for variable, question in questions.items() if question.get("required") and
               values[variable] == ""]
    if missing:
        raise ValueError("the survey of %s needs an answer for %s" % (template["name"], ", ".join(missing)))
    return dict((variable, Unsafe(value)) for variable, value in values.items())


def asked(template, answers):
    """The answers to the questions of the template's survey (none when it has no survey)."""
    questions = [question["variable"] for question in (template.get("survey_spec") or {}).get("spec", [])]
    return dict((variable, value) for variable, value in answers.items() if variable in questions)


def write_project(dest):
    """The AWX project: the playbooks and the collection built to where collections/requirements.yml finds it."""
    shutil.copytree(os.path.join(AWX, "project"), dest, dirs_exist_ok=True)
    with tempfile.TemporaryDirectory() as built:
        subprocess.run([tool("ansible-galaxy"), "collection", "build", "--force", "--output-path", built, ROOT],
                       check=True, stdout=subprocess.DEVNULL)
        (tarball,) = os.listdir(built)
        shutil.copyfile(os.path.join(built, tarball), os.path.join(dest, TARBALL))
    return dest


def sync_project(project, collections_dir):
    """What AWX's project update does with collections/requirements.yml (awx/playbooks/project_update.yml), with
    the destination as the only collections path: a collection installed elsewhere is no excuse to skip it."""
    subprocess.run([tool("ansible-galaxy"), "collection", "install", "-r", os.path.join("collections",
                    "requirements.yml"), "--collections-path", collections_dir],
                   cwd=project, check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_dir))
    return collections_dir


def prepare_job(job_dir, project, template, answers=None, saved_vars=None):
    """A private data directory as AWX writes it for a launch of the template."""
    shutil.copytree(project, os.path.join(job_dir, "project"))
    os.makedirs(os.path.join(job_dir, "inventory"))
    with open(os.path.join(job_dir, "inventory", "hosts"), "w", encoding="utf-8") as handle:
        handle.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    extra_vars = dict(template["extra_vars"], **(saved_vars or {}))
    if template.get("survey_enabled"):
        extra_vars.update(survey_answers(template, answers or {}))
    os.makedirs(os.path.join(job_dir, "env"))
    with open(os.path.join(job_dir, "env", "extravars"), "w", encoding="utf-8") as handle:
        yaml.dump(extra_vars, handle, Dumper=ExtraVarsDumper)
    return job_dir


def launch(job_dir, template, credential, collections_dir, quiet=True):
    """Run a prepared job with ansible-runner; credential: the inputs of a credential of the type, or None."""
    import ansible_runner  # pylint: disable=import-outside-toplevel  # a development requirement only
    envvars = injected_env(load_credential_type(os.path.join(AWX, "credential_type.yml")), credential) \
        if credential is not None else {}
    envvars["ANSIBLE_COLLECTIONS_PATH"] = collections_dir
    cmdline = (["--check"] if template["job_type"] == "check" else []) + (["--diff"] if template.get("diff_mode")
                                                                          else [])
    return ansible_runner.run(private_data_dir=job_dir, playbook=template["playbook"], envvars=envvars,
                              cmdline=" ".join(cmdline) or None, quiet=quiet)


def without_ambient_credentials():
    """Only the credential may give the jobs credentials, and ansible-runner finds this Python's ansible-playbook."""
    for name in [name for name in os.environ if name.startswith("CLOUDFLARE_")]:
        del os.environ[name]
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")


def rehearse(workdir, names, answers):
    shutil.rmtree(workdir, ignore_errors=True)
    project = write_project(os.path.join(workdir, "project"))
    collections_dir = sync_project(project, os.path.join(workdir, "requirements_collections"))
    print("Project synced: %s installed cloudflare.addressing into %s" % (
        os.path.join("collections", "requirements.yml"), collections_dir))
    with open(WAITS_FILE, encoding="utf-8") as handle:
        waits = yaml.safe_load(handle)
    without_ambient_credentials()
    sim = start_cfsim("--quiet", *SIM_TIMINGS, conformance=False)
    outcomes = []
    try:
        credential = dict(api_token=sim.api_token, account_id=sim.account_id, base_url=sim.base_url)
        for number, name in enumerate(names, 1):
            template = job_template(name)
            print("\n=== Job %d: %s (%s, playbook %s) ===\n" % (number, name, template["job_type"], template["playbook"]),
                  flush=True)
            job_dir = prepare_job(os.path.join(workdir, "job%d" % number), project, template,
                                  asked(template, answers), dict(waits, **sim.preflight_sources()))
            runner = launch(job_dir, template, credential, collections_dir, quiet=False)
            outcomes.append((name, runner.status, runner.rc))
    finally:
        sim.stop()
    print()
    for name, status, code in outcomes:
        print("%s: %s (exit status %s)" % (name, status, code))
    return 0 if all(status == "successful" and code == 0 for _name, status, code in outcomes) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    project = commands.add_parser("project", help="write the AWX project, with the collection, to DEST")
    project.add_argument("dest")
    run = commands.add_parser("run", help="run the job templates through ansible-runner against cfsim")
    run.add_argument("workdir")
    run.add_argument("--template", action="append", dest="templates", help="a job template's name (repeatable)")
    run.add_argument("--answer", action="append", default=[], help="a survey answer, VARIABLE=VALUE (repeatable)")
    args = parser.parse_args()
    if args.command == "project":
        os.makedirs(args.dest, exist_ok=True)
        print("Wrote the AWX project to %s; push it to the Git repository of your AWX project."
              % write_project(os.path.abspath(args.dest)))
        return 0
    names = args.templates or list(TEMPLATES)
    given = dict(answer.split("=", 1) for answer in args.answer)
    unknown = set(given) - set(variable for name in names for variable in asked(job_template(name), given))
    if unknown:
        parser.error("no survey of %s asks %s" % (", ".join(names), ", ".join(sorted(unknown))))
    return rehearse(os.path.abspath(args.workdir), names, dict(ANSWERS, **given))


if __name__ == "__main__":
    sys.exit(main())
