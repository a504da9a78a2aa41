"""What AWX does with a custom credential type before it starts a job, for tests that stand in for AWX.

`injected_env(credential_type, inputs)` mirrors CredentialType.inject_credential in AWX
(awx/main/models/credential/__init__.py): the template namespace holds only the inputs that were given and are not
empty (booleans always, a missing boolean field as False), every `injectors.env` template is rendered in a Jinja2
ImmutableSandboxedEnvironment with the default Undefined, and every variable is set, so an optional field left
blank arrives as an empty string. `check_inputs` applies the credential type's `required` list and rejects fields
the type does not define, as AWX does when a credential is saved.
"""

import pathlib

import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

CREDENTIAL_TYPE_FILE = pathlib.Path(__file__).resolve().parents[2] / "extensions" / "awx" / "credential_type.yml"


def load_credential_type(path=CREDENTIAL_TYPE_FILE):
    return yaml.safe_load(pathlib.Path(path).read_text(encoding="utf-8"))


def fields(credential_type):
    return {field["id"]: field for field in credential_type["inputs"]["fields"]}


def check_inputs(credential_type, inputs):
    """Raise ValueError for what AWX refuses when a credential of this type is saved."""
    defined = fields(credential_type)
    unknown = sorted(set(inputs) - set(defined))
    if unknown:
        raise ValueError("fields not defined by the credential type: %s" % ", ".join(unknown))
    missing = [name for name in credential_type["inputs"].get("required", []) if not inputs.get(name)]
    if missing:
        raise ValueError("required fields left blank: %s" % ", ".join(missing))


def _namespace(credential_type, inputs):
    namespace = {}
    for name, value in inputs.items():
        if isinstance(value, bool) or len(value):
            namespace[name] = value
    for name, field in fields(credential_type).items():
        if field["type"] == "boolean" and name not in inputs:
            namespace[name] = False
    return namespace


def injected_env(credential_type, inputs):
    """The environment variables AWX adds to a job that uses a credential with these inputs."""
    check_inputs(credential_type, inputs)
    sandbox = ImmutableSandboxedEnvironment()
    namespace = _namespace(credential_type, inputs)
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in credential_type["injectors"].get("env", {}).items()}


def template_variables(template, ansible_filters=("bool",)):
    """The names a Jinja2 template reads; ansible_filters lists the Ansible filters it may use (job templates)."""
    environment = ImmutableSandboxedEnvironment()
    for name in ansible_filters:
        environment.filters.setdefault(name, lambda value: value)
    return meta.find_undeclared_variables(environment.parse(template))
