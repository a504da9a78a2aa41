"""The Markdown guides point at things that exist: role variables, collection content, files and headings.

A guide that names a variable the role does not read, or links to a heading that was renamed, misleads exactly the
user who follows it step by step.
"""

import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
GUIDES = [ROOT / "docs" / "onboarding-guide.md", ROOT / "extensions" / "awx" / "README.md"]
ROLE_VARIABLE = re.compile(r"\b(byoip_(?:onboard|offboard|status)_[a-z_]+)\b")
COLLECTION_NAME = re.compile(r"\bcloudflare\.addressing\.([a-z_]+)\b")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def role_options():
    options = set()
    for spec_file in (ROOT / "roles").glob("*/meta/argument_specs.yml"):
        specs = yaml.safe_load(spec_file.read_text(encoding="utf-8"))["argument_specs"]
        for entry_point in specs.values():
            options.update(entry_point.get("options", {}))
    return options


def collection_content():
    names = {path.stem for path in (ROOT / "plugins" / "modules").glob("*.py")}
    names.update(path.stem for path in (ROOT / "plugins" / "filter").glob("*.yml"))
    names.update(path.parent.parent.name for path in (ROOT / "roles").glob("*/meta/main.yml"))
    names.update(path.stem for path in (ROOT / "playbooks").glob("*.yml"))
    names.add("byoip")  # the action group
    return names


def github_anchor(heading):
    """The anchor GitHub (and most Markdown renderers) give a heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return {github_anchor(match) for match in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_role_variables_named_in_the_guide_exist(guide):
    named = set(ROLE_VARIABLE.findall(guide.read_text(encoding="utf-8")))
    unknown = sorted(named - role_options())
    assert not unknown, "%s names role variables that no role reads: %s" % (guide.name, ", ".join(unknown))


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_collection_content_named_in_the_guide_exists(guide):
    named = set(COLLECTION_NAME.findall(guide.read_text(encoding="utf-8")))
    unknown = sorted(named - collection_content())
    assert not unknown, "%s names content the collection lacks: %s" % (guide.name, ", ".join(unknown))


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_relative_links_and_anchors_resolve(guide):
    for target in LINK.findall(guide.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+://", target):
            continue
        path_part, _sep, anchor = target.partition("#")
        linked = (guide.parent / path_part).resolve() if path_part else guide
        assert linked.exists(), "%s links to missing %s" % (guide.name, target)
        if anchor:
            assert anchor in anchors(linked), "%s links to missing heading %s" % (guide.name, target)


def role_defaults():
    defaults = {}
    for spec_file in (ROOT / "roles").glob("*/meta/argument_specs.yml"):
        specs = yaml.safe_load(spec_file.read_text(encoding="utf-8"))["argument_specs"]
        for entry_point in specs.values():
            for name, option in entry_point.get("options", {}).items():
                defaults[name] = option.get("default")
    return defaults


def test_wait_budgets_quoted_in_the_guide_are_the_role_defaults():
    # The guide's table quotes each budget as "`variable` (N s)"; a changed default must change the guide too.
    text = (ROOT / "docs" / "onboarding-guide.md").read_text(encoding="utf-8")
    quoted = re.findall(r"`(byoip_onboard_[a-z_]+)` \((\d+) s\)", text)
    assert len(quoted) >= 6
    defaults = role_defaults()
    for name, seconds in quoted:
        assert defaults[name] == int(seconds), "%s: the guide says %s s, the role's default is %s" % (
            name, seconds, defaults[name])
