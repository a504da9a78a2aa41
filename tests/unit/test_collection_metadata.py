"""The collection's metadata files agree with each other and with what Galaxy and automation hubs require."""

import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load(relative):
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


def test_galaxy_identity_and_semver():
    galaxy = load("galaxy.yml")
    assert (galaxy["namespace"], galaxy["name"]) == ("cloudflare", "addressing")
    assert re.fullmatch(r"\d+\.\d+\.\d+", galaxy["version"])
    assert galaxy["license"] == ["GPL-3.0-or-later"]
    for key in ("repository", "issues", "documentation"):
        assert galaxy[key].startswith("https://")
    assert not galaxy["dependencies"], "Ansible Galaxy is unreachable for our users' CI: no collection dependencies"


def test_build_ignores_generated_paths():
    ignored = set(load("galaxy.yml")["build_ignore"])
    assert {".venv", ".build", "tests/output", "dist"} <= ignored


def test_requires_ansible():
    assert load("meta/runtime.yml")["requires_ansible"] == ">=2.16.0"
