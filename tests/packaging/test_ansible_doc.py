"""ansible-doc renders every module, role and filter of the collection, with the parts users rely on.

ansible-doc is what `ansible-navigator doc`, IDEs and automation hubs show; a broken DOCUMENTATION string, an
unresolvable doc fragment or a role without argument specs shows up here as an error or an empty page.
"""

import re

import pytest

from conftest import FQCN, ansible_doc_json, filter_names, module_names, role_names, run_tool


# ansible-core 2.21's own internal collection has no version; `ansible-doc -t role` warns about it on every run.
CORE_NOISE = r"ansible/_internal/ansible_collections/ansible/_protomatter' does not have a MANIFEST\.json"


def listed(plugin_type):
    output = run_tool("ansible-doc", "-t", plugin_type, "-l", FQCN).stdout
    # Plugins are listed as "fqcn  description", roles as "fqcn:" followed by their entry points.
    return sorted(line.split()[0].rstrip(":")[len(FQCN) + 1:] for line in output.splitlines()
                  if line.startswith(FQCN + "."))


@pytest.mark.parametrize("plugin_type,expected", [
    ("module", module_names),
    ("filter", filter_names),
    ("role", role_names),
])
def test_ansible_doc_lists_everything_in_the_tree(plugin_type, expected):
    assert expected(), "no %s found in the tree" % plugin_type
    assert listed(plugin_type) == expected()


@pytest.mark.parametrize("plugin_type,names", [
    ("module", module_names()),
    ("filter", filter_names()),
    ("role", role_names()),
], ids=["module", "filter", "role"])
def test_text_rendering_succeeds_without_warnings(plugin_type, names):
    proc = run_tool("ansible-doc", "-t", plugin_type, *["%s.%s" % (FQCN, name) for name in names])
    problems = [line for line in proc.stderr.splitlines() if ("WARNING" in line or "ERROR" in line)
                and not re.search(CORE_NOISE, line)]
    assert not problems, proc.stderr
    for name in names:
        assert "%s.%s" % (FQCN, name) in proc.stdout


def test_modules_are_fully_documented():
    docs = ansible_doc_json("module", module_names())
    for name in module_names():
        entry = docs["%s.%s" % (FQCN, name)]
        doc = entry["doc"]
        assert doc["short_description"] and doc["description"], name
        assert {"api_token", "account_id"} <= set(doc["options"]), "%s lacks the connection options" % name
        for option, spec in doc["options"].items():
            assert spec.get("description"), "%s: option %s has no description" % (name, option)
        assert set(doc["attributes"]) >= {"check_mode", "diff_mode", "action_group"}, name
        assert entry["examples"] and "cloudflare.addressing.%s:" % name in entry["examples"], name
        assert entry["return"], "%s documents no return values" % name


def test_filters_are_fully_documented():
    docs = ansible_doc_json("filter", filter_names())
    for name in filter_names():
        entry = docs["%s.%s" % (FQCN, name)]
        assert entry["doc"]["short_description"] and entry["doc"]["options"], name
        assert entry["examples"] and entry["return"], name


def test_roles_document_their_variables():
    docs = ansible_doc_json("role", role_names())
    for name in role_names():
        main = docs["%s.%s" % (FQCN, name)]["entry_points"]["main"]
        assert main["short_description"], name
        assert main["options"], "%s documents no variables" % name
        for option, spec in main["options"].items():
            assert option.startswith(name + "_"), "%s: variable %s lacks the role prefix" % (name, option)
            assert spec.get("description"), "%s: variable %s has no description" % (name, option)
