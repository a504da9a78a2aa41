"""Shared helpers for the packaging tests: the staged collection, the tools of the running venv, a built tarball.

These tests look at the collection the way its users and automation hubs do: through ansible-doc, the HTML docs
site, ansible-builder and a built tarball. They run on the staged copy (make packaging), whose path ends in
ansible_collections/cloudflare/addressing.
"""

import functools
import json
import os
import pathlib
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT.parents[2]
BIN = pathlib.Path(sys.executable).parent
FQCN = "cloudflare.addressing"


def tool(name):
    return str(BIN / name)


def tool_env(collections_path=COLLECTIONS):
    """Ansible finds this collection (and only the staged copy of it) first."""
    return dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_NOCOLOR="1",
                PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""))


def run_tool(*command, cwd=None, collections_path=COLLECTIONS):
    proc = subprocess.run([tool(command[0])] + list(command[1:]), cwd=cwd, env=tool_env(collections_path),
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, "%s failed (%d):\n%s\n%s" % (" ".join(command), proc.returncode, proc.stdout,
                                                              proc.stderr)
    return proc


def load_yaml(path):
    return yaml.safe_load(pathlib.Path(path).read_text(encoding="utf-8"))


def galaxy_version():
    return load_yaml(ROOT / "galaxy.yml")["version"]


def module_names():
    return sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")


def role_names():
    return sorted(path.parent.parent.name for path in (ROOT / "roles").glob("*/meta/argument_specs.yml"))


def filter_names():
    names = []
    for path in (ROOT / "plugins" / "filter").glob("*.yml"):
        names.append(load_yaml(path)["DOCUMENTATION"]["name"])
    return sorted(names)


def ansible_doc_json(plugin_type, names):
    """ansible-doc --json for several plugins of one type at once: {fqcn: doc}."""
    return _ansible_doc_json(plugin_type, tuple(names))


@functools.lru_cache(maxsize=None)
def _ansible_doc_json(plugin_type, names):
    proc = run_tool("ansible-doc", "-t", plugin_type, "--json", *["%s.%s" % (FQCN, name) for name in names])
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def tarball(tmp_path_factory):
    """The collection as `ansible-galaxy collection build` packs it (build_ignore applied)."""
    dist = tmp_path_factory.mktemp("dist")
    run_tool("ansible-galaxy", "collection", "build", "--output-path", str(dist), str(ROOT))
    built = dist / ("cloudflare-addressing-%s.tar.gz" % galaxy_version())
    assert built.is_file()
    return built
