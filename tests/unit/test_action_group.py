"""The `byoip` action group holds exactly the collection's modules.

`module_defaults: group/cloudflare.addressing.byoip` is how a play (and an AWX job template) sets credentials once.
A module missing from the group silently receives none of those defaults; a name in the group without a module
behind it is a typo that ansible-core accepts without complaint. Both are caught here.
"""

import ast
import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULES = ROOT / "plugins" / "modules"
GROUP = "byoip"
FRAGMENT = "cloudflare.addressing.attributes.ACTIONGROUP_BYOIP"


def module_names():
    return sorted(path.stem for path in MODULES.glob("*.py") if path.stem != "__init__")


def group_entries():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    return runtime["action_groups"][GROUP]


def short_name(entry):
    """ansible-core accepts a group entry as a short name or as the fully qualified name."""
    prefix = "cloudflare.addressing."
    return entry[len(prefix):] if entry.startswith(prefix) else entry


def module_documentation(name):
    """The parsed DOCUMENTATION string of a module, read without importing it."""
    tree = ast.parse((MODULES / (name + ".py")).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DOCUMENTATION" for t in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no DOCUMENTATION" % name)


def test_collection_has_modules():
    assert module_names(), "no modules found under plugins/modules"


def test_every_module_is_in_the_group():
    grouped = {short_name(entry) for entry in group_entries()}
    missing = [name for name in module_names() if name not in grouped]
    assert not missing, "add to action_groups.%s in meta/runtime.yml: %s" % (GROUP, ", ".join(missing))


def test_group_names_only_existing_modules():
    unknown = [entry for entry in group_entries() if short_name(entry) not in module_names()]
    assert not unknown, "action_groups.%s names modules that do not exist: %s" % (GROUP, ", ".join(unknown))


def test_group_lists_each_module_once():
    names = [short_name(entry) for entry in group_entries()]
    assert len(names) == len(set(names))


def test_every_module_documents_its_group_membership():
    # The attribute is what ansible-doc and the docs site show users under "action_group".
    undocumented = [name for name in module_names()
                    if FRAGMENT not in (module_documentation(name).get("extends_documentation_fragment") or [])]
    assert not undocumented, "extend %s in: %s" % (FRAGMENT, ", ".join(undocumented))


def test_documented_membership_names_the_runtime_group():
    source = (ROOT / "plugins" / "doc_fragments" / "attributes.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    fragment_class = next(node for node in tree.body if isinstance(node, ast.ClassDef))
    text = next(node.value.value for node in fragment_class.body
                if isinstance(node, ast.Assign) and node.targets[0].id == "ACTIONGROUP_BYOIP")
    membership = yaml.safe_load(text)["attributes"]["action_group"]["membership"]
    assert membership == ["cloudflare.addressing.%s" % GROUP]
