"""Release hygiene: the versions users read in the docs, the changelog and the samples agree with galaxy.yml.

version_added tells users since when they can rely on a module, filter or role, and antsibull-changelog lists a
plugin as new in the release whose version equals its version_added. A version_added that names no release (and
is not the version being prepared) would drop the plugin from every changelog and point users at a release that
never existed.
"""

import ast
import pathlib

import pytest
import yaml

from ansible.module_utils.compat.version import LooseVersion

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def galaxy_version():
    return load(ROOT / "galaxy.yml")["version"]


def known_versions():
    """Every released version plus the version being prepared."""
    releases = load(ROOT / "changelogs" / "changelog.yaml").get("releases") or {}
    return set(str(version) for version in releases) | {galaxy_version()}


def module_documentation(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DOCUMENTATION" for t in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no DOCUMENTATION" % path)


def documented_content():
    """(name, version_added) of every module, filter plugin and role entry point."""
    found = []
    for path in sorted((ROOT / "plugins" / "modules").glob("*.py")):
        if path.stem != "__init__":
            found.append(("module " + path.stem, str(module_documentation(path)["version_added"])))
    for path in sorted((ROOT / "plugins" / "filter").glob("*.yml")):
        found.append(("filter " + path.stem, str(load(path)["DOCUMENTATION"]["version_added"])))
    for path in sorted((ROOT / "roles").glob("*/meta/argument_specs.yml")):
        for entry_point, spec in load(path)["argument_specs"].items():
            found.append(("role %s (%s)" % (path.parents[1].name, entry_point), str(spec["version_added"])))
    return found


def test_there_is_documented_content():
    kinds = {name.split()[0] for name, _version in documented_content()}
    assert kinds == {"module", "filter", "role"}


@pytest.mark.parametrize("name,version_added", documented_content())
def test_version_added_names_a_release(name, version_added):
    assert version_added in known_versions(), (
        "%s says version_added %s, which is neither released (changelogs/changelog.yaml) nor the version in "
        "galaxy.yml (%s)" % (name, version_added, galaxy_version()))
    assert LooseVersion(version_added) <= LooseVersion(galaxy_version())


def test_awx_project_and_sample_ee_name_this_version():
    version = galaxy_version()
    requirements = load(ROOT / "extensions" / "awx" / "project" / "collections" / "requirements.yml")
    assert requirements["collections"][0]["version"] == ">=%s" % version
    sample = (ROOT / "docs" / "examples" / "execution-environment.yml").read_text(encoding="utf-8")
    assert "cloudflare-addressing-%s.tar.gz" % version in sample
    assert "cloudflare-addressing-ee:%s" % version in sample
