"""Execution environments: what ansible-builder learns from the collection, and the sample EE the docs show.

No container engine is needed: `ansible-builder introspect` and `ansible-builder create` stop before any image
build, and the galaxy stage of the build (installing the collection from the tarball) is replayed with
ansible-galaxy on the generated build context.
"""

import re
import shutil

import pytest
import yaml

from conftest import ROOT, galaxy_version, load_yaml, run_tool

SAMPLE = ROOT / "docs" / "examples" / "execution-environment.yml"
GUIDE = ROOT / "docs" / "onboarding-guide.md"


def introspected_python_requirements(collections_dir):
    output = run_tool("ansible-builder", "introspect", "--sanitize", str(collections_dir)).stdout
    document = yaml.safe_load(output[output.index("---"):])
    return document["python"], document["system"]


def requirement_names(lines):
    return {re.split(r"[\s<>=!~;\[#]", line.strip(), maxsplit=1)[0].lower() for line in lines}


def test_collection_declares_its_python_requirements():
    metadata = load_yaml(ROOT / "meta" / "execution-environment.yml")
    assert metadata["version"] == 3
    assert metadata["dependencies"] == {"python": "requirements.txt"}, "no system packages are needed"
    lines = [line for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert requirement_names(lines) == {"requests", "dnspython"}


def test_introspect_reports_requests_for_the_staged_collection():
    python, system = introspected_python_requirements(ROOT.parents[2])
    assert requirement_names(python) == {"requests", "dnspython"}
    assert any("cloudflare.addressing" in line for line in python)
    assert system == []


def test_sample_ee_installs_this_release():
    sample = load_yaml(SAMPLE)
    tarball = "cloudflare-addressing-%s.tar.gz" % galaxy_version()
    assert sample["version"] == 3
    assert sample["dependencies"]["galaxy"]["collections"] == [
        {"name": "collections/" + tarball, "type": "file"}]
    assert sample["additional_build_files"] == [{"src": tarball, "dest": "collections"}]


def test_guide_shows_the_sample_ee_verbatim():
    guide = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", guide, flags=re.DOTALL)
    assert SAMPLE.read_text(encoding="utf-8") in blocks


@pytest.fixture(scope="module")
def build_context(tmp_path_factory, tarball):
    """ansible-builder create on the sample EE, next to the built tarball, as the docs tell users to do."""
    workdir = tmp_path_factory.mktemp("ee")
    shutil.copy(SAMPLE, workdir / "execution-environment.yml")
    shutil.copy(tarball, workdir / tarball.name)
    run_tool("ansible-builder", "create", "--file", "execution-environment.yml", "--context", "context",
             "--output-filename", "Containerfile", cwd=str(workdir))
    return workdir / "context"


def test_create_writes_a_build_context(build_context, tarball):
    containerfile = (build_context / "Containerfile").read_text(encoding="utf-8")
    assert "ansible-galaxy collection install" in containerfile
    assert "introspect" in containerfile, "the build installs the collections' Python requirements"
    assert (build_context / "_build" / "collections" / tarball.name).read_bytes() == tarball.read_bytes()
    assert load_yaml(build_context / "_build" / "requirements.yml") == {
        "collections": [{"name": "collections/" + tarball.name, "type": "file"}]}
    assert (build_context / "_build" / "scripts" / "introspect.py").is_file()


def test_galaxy_stage_of_the_build_installs_the_collection_and_finds_its_requirements(build_context, tmp_path):
    # The image build runs `ansible-galaxy collection install -r requirements.yml` in _build, then introspects.
    installed = tmp_path / "collections"
    # Installing into an empty collections path, as in the image: otherwise ansible-galaxy sees the staged copy
    # and reports the collection as already installed.
    run_tool("ansible-galaxy", "collection", "install", "-r", "requirements.yml", "-p", str(installed),
             cwd=str(build_context / "_build"), collections_path=installed)
    assert (installed / "ansible_collections" / "cloudflare" / "addressing" / "meta" / "runtime.yml").is_file()
    python, _system = introspected_python_requirements(installed)
    assert requirement_names(python) == {"requests", "dnspython"}
