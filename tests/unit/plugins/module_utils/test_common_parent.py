"""Unit tests of parent_or_dry_run, the missing-parent rule of the child-resource modules."""

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils import _common

PARENT = {"id": "f" * 32, "cidr": "203.0.113.0/24"}


class Failed(Exception):
    pass


class FakeModule:
    def __init__(self, check_mode=False, **params):
        self.check_mode = check_mode
        self.params = dict(account_id="0" * 32, prefix_cidr=None, prefix_id=None, state="present")
        self.params.update(params)
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)

    def fail_json(self, msg, **_result):
        raise Failed(msg)


@pytest.fixture
def parent(monkeypatch):
    """Make the parent lookup return what the test sets in found[0]."""
    found = [None]
    monkeypatch.setattr(_common, "lookup_parent_prefix", lambda module: found[0])
    return found


def test_an_existing_parent_is_returned_without_warning(parent):
    parent[0] = PARENT
    module = FakeModule(prefix_cidr="203.0.113.0/24")
    assert _common.parent_or_dry_run(module, "the binding") is PARENT
    assert module.warnings == []


@pytest.mark.parametrize("params", [dict(prefix_cidr="203.0.113.0/24"), dict(prefix_id="f" * 32)])
def test_absent_with_a_missing_parent_has_nothing_to_delete(parent, params):
    module = FakeModule(state="absent", **params)
    assert _common.parent_or_dry_run(module, "the binding") is None
    assert module.warnings == []


def test_a_dry_run_predicts_a_parent_named_by_cidr(parent):
    module = FakeModule(check_mode=True, prefix_cidr="203.0.113.0/24")
    assert _common.parent_or_dry_run(module, "the binding") is None
    assert len(module.warnings) == 1
    assert "prefix 203.0.113.0/24 does not exist" in module.warnings[0]
    assert "predicts the binding" in module.warnings[0]


def test_a_dry_run_predicts_a_planned_parent_quietly(parent):
    module = FakeModule(check_mode=True, prefix_cidr="203.0.113.0/24", parent_planned=True)
    assert _common.parent_or_dry_run(module, "the binding") is None
    assert module.warnings == []


def test_a_real_run_fails_even_when_the_parent_was_planned(parent):
    module = FakeModule(prefix_cidr="203.0.113.0/24", parent_planned=True)
    with pytest.raises(Failed, match="The prefix 203.0.113.0/24 does not exist"):
        _common.parent_or_dry_run(module, "the binding")


def test_the_parent_can_be_looked_up_by_the_caller(parent):
    module = FakeModule(prefix_cidr="203.0.113.0/24")
    assert _common.parent_or_dry_run(module, "the binding", lookup=lambda _module: PARENT) is PARENT


@pytest.mark.parametrize("check_mode,params,fragment", [
    (False, dict(prefix_cidr="203.0.113.0/24"), "The prefix 203.0.113.0/24 does not exist"),
    (True, dict(prefix_id="f" * 32), "The prefix id %s does not exist" % ("f" * 32)),
    (False, dict(prefix_id="f" * 32), "The prefix id %s does not exist" % ("f" * 32)),
])
def test_a_real_run_or_an_unknown_id_fails(parent, check_mode, params, fragment):
    module = FakeModule(check_mode=check_mode, **params)
    with pytest.raises(Failed, match=fragment):
        _common.parent_or_dry_run(module, "the binding")
