"""Unit tests of batch mode: input checked whole, results and failures per element, grouping by parent."""

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils import _batch, _children
from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import InputError
from ansible_collections.cloudflare.addressing.plugins.modules import (
    byoip_bgp_prefix,
    byoip_binding,
    byoip_delegation,
    byoip_prefix,
)

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"  # the account of the unit tests' connection options
OTHER = "9a7806061c88ada191ed06f989cc3dac"
PARENT_A = {"id": "a" * 32, "cidr": "203.0.113.0/24", "approved": "V"}
PARENT_B = {"id": "b" * 32, "cidr": "198.51.100.0/24", "approved": "V"}


def delegation(prefix_cidr, **options):
    return dict(options, prefix_cidr=prefix_cidr, delegated_account_id=options.get("delegated_account_id", OTHER))


# --- pieces ----------------------------------------------------------------------------------------------------

def refuse():
    raise InputError("Set one, not both.")


def test_problems_name_options_as_the_user_wrote_them():
    problems = _batch.Problems("bindings[3]")
    assert problems.name("cidr") == "bindings[3].cidr"
    problems.add("bindings[3].cidr is wrong")
    problems.add("missing required arguments: service")
    assert problems.check(refuse) is None
    assert problems.messages == ["bindings[3].cidr is wrong.", "bindings[3]: missing required arguments: service.",
                                 "bindings[3]: Set one, not both."]
    single = _batch.Problems()
    single.add("cidr is wrong.")
    assert single.name("cidr") == "cidr" and single.messages == ["cidr is wrong."]


def test_only_selectors_set_to_null_are_refused():
    problems = _batch.Problems("x[0]")
    nulls = _batch.refuse_nulls({"cidr": None, "service": "CDN", "description": None}, {"cidr": "leave it out"},
                                problems)
    assert nulls == ["cidr"]
    assert problems.messages == ["x[0].cidr is null (set, but empty), which is refused rather than read as 'all': "
                                 "leave it out."]


def test_unknown_options_get_a_suggestion_and_ansible_checks_the_rest():
    problems = _batch.Problems("prefixes[1]")
    spec = byoip_prefix.SPEC
    assert _batch.validate_options({"cdir": "203.0.113.0/24", "asn": "many"}, spec, {}, problems) is None
    assert problems.messages[0].startswith("prefixes[1]: unknown option 'cdir' (did you mean 'cidr'?)")
    assert any("asn" in message and "int" in message for message in problems.messages[1:])
    validated = _batch.validate_options({"cidr": "203.0.113.0/24", "asn": "13335"}, spec, {}, _batch.Problems())
    assert validated["asn"] == 13335 and validated["state"] == "present" and validated["description"] is None


def test_the_list_replaces_the_single_object_options_at_the_top_level():
    resource = byoip_binding.RESOURCE
    assert "required" not in str(resource.single_spec())
    rules = resource.top_level_rules()
    assert ("bindings", "service") in rules["mutually_exclusive"]
    assert ("prefix_cidr", "prefix_id", "bindings") in rules["required_one_of"]
    assert resource.list_spec()["required_if"] == [("state", "present", ("service",))]


# --- input of a whole batch, before any request ----------------------------------------------------------------

def test_every_problem_of_every_element_is_reported_at_once(run_module, sent_requests):
    result, failed = run_module(byoip_binding, dict(bindings=[
        dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.17/28", service="CDN"),
        dict(prefix_cidr="203.0.113.0/24", cdir="203.0.113.16/28", service="CDN"),
        dict(prefix_cidr="203.0.113.0/24", cidr=None, service="CDN"),
        dict(prefix_cidr="203.0.113.0/24", service="CDN", state="gone"),
        "203.0.113.0/24",
        dict(prefix_cidr="203.0.113.0/24", service="CDN"),
        dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.0/24", service="Spectrum"),
        dict(prefix_cidr="203.0.113.0/24", cidr="198.51.100.0/28", service=" "),
        dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.0/25", service="Magic Transit"),
        dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.64/26", service="CDN"),
    ]))
    assert failed and sent_requests == []
    message = result["msg"]
    assert message.startswith("Nothing was sent to Cloudflare: the input has 9 problems.")
    for fragment in ("bindings[0].cidr '203.0.113.17/28' has host bits set; the network is 203.0.113.16/28.",
                     "bindings[1]: unknown option 'cdir' (did you mean 'cidr'?)",
                     "bindings[2].cidr is null (set, but empty)",
                     "bindings[3]: value of state must be one of: present, absent, got: gone",
                     "bindings[4]: must be a dict of options",
                     "bindings[6] (the whole prefix 203.0.113.0/24 to Spectrum) names the same object as "
                     "bindings[5]; give each object once.",
                     "bindings[7].service must name a service",
                     "bindings[7].cidr 198.51.100.0/28 is not inside the prefix 203.0.113.0/24 "
                     "(bindings[7].prefix_cidr)",
                     "bindings[8]: Magic Transit can only be the default binding"):
        assert fragment in message
    assert "bindings[9]" not in message


@pytest.mark.parametrize("module,args,fragment", [
    (byoip_prefix, dict(prefixes=None), "prefixes must be a list of objects (an empty list changes nothing), got null"),
    (byoip_prefix, dict(prefixes=[dict(cidr=None, asn=13335)]), "prefixes[0].cidr is null"),
    (byoip_prefix, dict(prefixes=[dict(cidr="203.0.113.0/24")]),
     "prefixes[0]: state is present but all of the following are missing: asn"),
    (byoip_prefix, dict(prefixes=[dict(cidr="203.0.113.0/24", asn=13335),
                                  dict(cidr="203.0.113.0/24", asn=13335, state="absent")]),
     "prefixes[1] (203.0.113.0/24) names the same object as prefixes[0]"),
    (byoip_prefix, dict(cidr="203.0.113.0/24", prefixes=[]), "parameters are mutually exclusive: prefixes|cidr"),
    (byoip_prefix, dict(state="absent", prefixes=[]), "parameters are mutually exclusive: prefixes|state"),
    (byoip_prefix, dict(concurrency=9, prefixes=[]), "concurrency must be between 1 and 8"),
    (byoip_delegation, dict(delegations=[delegation("203.0.113.0/24"), delegation("203.0.113.0/24",
                                                                                  cidr="203.0.113.0/24")]),
     "delegations[1] (the whole prefix 203.0.113.0/24 to account %s) names the same object as delegations[0]"
     % OTHER),
    (byoip_delegation, dict(delegations=[dict(prefix_cidr="203.0.113.0/24", delegated_account_id=None)]),
     "delegations[0].delegated_account_id is null"),
    (byoip_delegation, dict(delegations=[delegation("203.0.113.0/24", delegated_account_id=ACCOUNT_ID)]),
     "delegations[0].delegated_account_id %s is the account that owns the prefix" % ACCOUNT_ID),
    (byoip_delegation, dict(delegations=[dict(delegated_account_id=OTHER)]),
     "delegations[0]: one of the following is required: prefix_cidr, prefix_id"),
    (byoip_delegation, dict(delegations=[delegation(None, prefix_id="a" * 32)]),
     "delegations[0].prefix_cidr is null"),
    (byoip_bgp_prefix, dict(bgp_prefixes=[dict(prefix_cidr="203.0.113.0/24", asn_prepend_count=4)]),
     "bgp_prefixes[0].asn_prepend_count must be between 0 and 3"),
    (byoip_bgp_prefix, dict(bgp_prefixes=[dict(prefix_cidr="198.51.100.0/23", cidr="198.51.100.0/25")]),
     "bgp_prefixes[0].cidr 198.51.100.0/25 is too small"),
])
def test_bad_batches_fail_before_any_request(run_module, sent_requests, module, args, fragment):
    result, failed = run_module(module, args, keep_nulls=True)
    assert failed and sent_requests == []
    assert fragment in result["msg"]


def test_an_empty_batch_changes_nothing_and_sends_nothing(run_module, sent_requests):
    result, failed = run_module(byoip_binding, dict(bindings=[]))
    assert not failed and sent_requests == []
    assert result["changed"] is False and result["results"] == []


@pytest.mark.parametrize("module,args,fragment", [
    (byoip_delegation, dict(prefix_cidr="203.0.113.0/24", cidr=None, delegated_account_id=OTHER),
     "cidr is null (set, but empty), which is refused rather than read as 'all': leave cidr out to mean the whole "
     "prefix."),
    (byoip_binding, dict(prefix_cidr="203.0.113.0/24", cidr=None, service="CDN"), "leave cidr out"),
    (byoip_binding, dict(prefix_cidr="203.0.113.0/24", service=None, state="absent"),
     "leave service out to remove the binding whatever its service"),
    (byoip_bgp_prefix, dict(prefix_cidr="203.0.113.0/24", cidr=None), "leave cidr out"),
    (byoip_bgp_prefix, dict(prefix_id=None, prefix_cidr="203.0.113.0/24"), "prefix_id"),
    (byoip_prefix, dict(cidr=None, asn=13335), "cidr is null (set, but empty)"),
])
def test_a_single_object_with_a_null_selector_fails_before_any_request(
        run_module, sent_requests, module, args, fragment):
    result, failed = run_module(module, args, keep_nulls=True)
    assert failed and sent_requests == []
    assert fragment in result["msg"]


# --- running a batch -------------------------------------------------------------------------------------------

def build_delegations(build_module, elements, **options):
    return build_module(lambda: _batch.BatchModule(byoip_delegation.RESOURCE),
                        dict(options, delegations=elements))


FOUR = [delegation("203.0.113.0/24"), delegation("203.0.113.0/24", cidr="203.0.113.0/25"),
        delegation("198.51.100.0/24"), delegation("198.51.100.0/24", cidr="198.51.100.0/25")]


def created(element):
    return True, None, {"id": "%032d" % element.index, "cidr": element.item["cidr"] or element.item["prefix_cidr"],
                        "delegated_account_id": OTHER}, {}


def capture_warnings(module, monkeypatch):
    warnings = []
    monkeypatch.setattr(module, "warn", warnings.append)
    return warnings


def test_results_follow_the_elements_with_canonical_items_and_a_diff_per_change(build_module, module_exit,
                                                                                monkeypatch):
    module = build_delegations(build_module, [delegation("2001:DB8::/48"), delegation("203.0.113.0/24")],
                               _ansible_diff=True)
    warnings = capture_warnings(module, monkeypatch)

    def apply(element):
        if element.index == 1:
            return False, {"id": "1" * 32}, {"id": "1" * 32}, {}
        element.warn("careful")
        return created(element)

    result, failed = module_exit(module.apply_in_groups, [[module.elements[1]], [module.elements[0]]], apply)
    assert not failed and result["changed"] is True
    assert [entry["changed"] for entry in result["results"]] == [True, False]
    assert result["results"][0]["item"]["prefix_cidr"] == "2001:db8::/48"
    assert result["results"][0]["delegation"]["id"] == "0" * 32
    assert result["diff"] == [dict(before={}, after={"cidr": "2001:db8::/48", "delegated_account_id": OTHER},
                                   before_header="delegations[0] (the whole prefix 2001:db8::/48 to account %s)" % OTHER,
                                   after_header="delegations[0] (the whole prefix 2001:db8::/48 to account %s)" % OTHER)]
    assert warnings == ["delegations[0] (the whole prefix 2001:db8::/48 to account %s): careful" % OTHER]


def test_a_failure_stops_new_elements_and_says_what_was_done(build_module, module_exit):
    module = build_delegations(build_module, FOUR, concurrency=1)
    conflict = CloudflareAPIError("conflict", status=409, method="POST", path="/x/delegations",
                                  errors=[{"code": 1000, "message": "the delegation conflicts"}])

    def apply(element):
        if element.index == 2:
            raise conflict
        return created(element)

    groups = [module.elements[:2], module.elements[2:]]
    result, failed = module_exit(module.apply_in_groups, groups, apply)
    assert failed and result["changed"] is True
    entries = result["results"]
    assert [entry.get("failed", False) for entry in entries] == [False, False, True, False]
    assert [entry.get("skipped", False) for entry in entries] == [False, False, False, True]
    assert entries[2]["codes"] == [1000] and entries[2]["delegation"] == {}
    assert entries[3]["msg"] == "Not started: an earlier object failed."
    message = result["msg"]
    assert message.startswith("delegations[2] (the whole prefix 198.51.100.0/24 to account %s) failed: Could not "
                              "complete the request. Cloudflare API POST /x/delegations failed with HTTP 409: 1000 "
                              "the delegation conflicts." % OTHER)
    assert "Resolve the conflict, then re-run." in message
    assert ("Changed: delegations[0] (the whole prefix 203.0.113.0/24 to account %s), "
            "delegations[1] (203.0.113.0/25 of prefix 203.0.113.0/24 to account %s)." % (OTHER, OTHER)) in message
    assert "Not started: delegations[3]." in message
    assert message.endswith("Fix the cause and run the task again: what is done is found in place and costs no "
                            "write.")


def test_an_element_that_fails_without_the_api_keeps_its_fields(build_module, module_exit):
    module = build_delegations(build_module, FOUR[:1])

    def apply(element):
        element.fail_json(msg="No way.", delegation={"id": "9" * 32})

    result, failed = module_exit(module.apply_in_groups, [module.elements], apply)
    assert failed and result["changed"] is False
    assert result["results"][0]["delegation"] == {"id": "9" * 32}
    assert "Nothing was changed." in result["msg"]


def test_a_long_list_of_done_elements_is_cut_short(build_module, module_exit):
    elements = [delegation("203.0.113.0/24", cidr="203.0.113.%d/32" % index) for index in range(14)]
    module = build_delegations(build_module, elements + [delegation("198.51.100.0/24")], concurrency=1)

    def apply(element):
        if element.index == 14:
            raise InputError("Nope.")
        return created(element)

    result, _failed = module_exit(module.apply_in_groups, [module.elements], apply)
    assert "delegations[9] (203.0.113.9/32 of prefix 203.0.113.0/24 to account %s) and 4 more (see results)." \
        % OTHER in result["msg"]


def test_preflight_reports_every_refused_element_before_any_write(build_module, module_exit):
    module = build_delegations(build_module, FOUR)

    def prepare(element):
        if element.index in (1, 3):
            element.fail_json(msg="Refused %d." % element.index)

    result, failed = module_exit(module.preflight, prepare)
    assert failed and result["changed"] is False
    assert result["msg"].startswith("Nothing was changed: delegations[1] (")
    assert "Refused 1. delegations[3] (" in result["msg"]
    assert [entry.get("failed", False) for entry in result["results"]] == [False, True, False, True]
    assert [entry.get("skipped", False) for entry in result["results"]] == [True, False, True, False]


# --- child objects: parents found once, grouped, and their children kept current ---------------------------------

@pytest.fixture
def account(monkeypatch):
    """The account's prefixes, as the one list read of a batch returns them; counts the reads."""
    reads = []

    def list_prefixes(_client):
        reads.append(1)
        return [PARENT_A, PARENT_B]

    monkeypatch.setattr(_children, "list_prefixes", list_prefixes)
    return reads


def test_objects_are_grouped_by_parent_however_it_is_named_and_keep_their_order(
        build_module, account, monkeypatch):
    module = build_delegations(build_module, [
        delegation("203.0.113.0/24"), delegation("198.51.100.0/24"),
        dict(prefix_id="a" * 32, cidr="203.0.113.128/25", delegated_account_id=OTHER),
        delegation("203.0.113.0/24", cidr="203.0.113.0/25")])
    captured = []
    monkeypatch.setattr(module, "apply_in_groups", lambda groups, apply: captured.extend(groups))
    _children.run_child_module(module, "the delegation", byoip_delegation.delegations_path, byoip_delegation.apply)
    assert [[element.index for element in group] for group in captured] == [[0, 2, 3], [1]]
    assert len(account) == 1
    first, second = captured
    assert first[0].context["target"].children is first[2].context["target"].children
    assert str(first[1].context["target"].network) == "203.0.113.128/25"
    assert second[0].context["target"].parent is PARENT_B


def test_missing_parents_fail_the_batch_before_any_write(build_module, module_exit, account):
    module = build_delegations(build_module, [delegation("203.0.113.0/24"), delegation("192.0.2.0/24"),
                                              dict(prefix_id="c" * 32, delegated_account_id=OTHER)])
    result, failed = module_exit(_children.run_child_module, module, "the delegation",
                                 byoip_delegation.delegations_path, byoip_delegation.apply)
    assert failed
    assert result["msg"].startswith("Nothing was changed: delegations[1] (the whole prefix 192.0.2.0/24 to account")
    assert "The prefix 192.0.2.0/24 does not exist in account" in result["msg"]
    assert "The prefix id %s does not exist" % ("c" * 32) in result["msg"]
    assert result["results"][0]["skipped"] is True


@pytest.mark.parametrize("planned,warned", [(False, True), (True, False)])
def test_a_dry_run_predicts_a_missing_parent_and_warns_unless_it_is_planned(
        build_module, module_exit, account, monkeypatch, planned, warned):
    module = build_delegations(build_module, [delegation("192.0.2.0/24", parent_planned=planned),
                                              delegation("192.0.2.0/24", cidr="192.0.2.0/25",
                                                         parent_planned=planned)],
                               _ansible_check_mode=True)
    warnings = capture_warnings(module, monkeypatch)
    result, failed = module_exit(_children.run_child_module, module, "the delegation",
                                 byoip_delegation.delegations_path, byoip_delegation.apply)
    assert not failed and result["changed"] is True
    assert [entry["delegation"]["cidr"] for entry in result["results"]] == ["192.0.2.0/24", "192.0.2.0/25"]
    assert [entry["delegation"]["parent_prefix_id"] for entry in result["results"]] == [None, None]
    assert len(warnings) == (2 if warned else 0)
    assert all("A real run fails unless the prefix exists by then" in warning for warning in warnings)


class ChildClient:
    def __init__(self, answer):
        self.answer = answer
        self.reads = 0

    def get(self, _path):
        self.reads += 1
        return [dict(item) for item in self.answer]


def test_children_are_read_once_and_kept_as_the_run_leaves_them():
    client = ChildClient([{"id": "1" * 32, "cidr": "203.0.113.0/24"}])
    children = _children.Children(client, "/bindings")
    assert client.reads == 0
    predicted = children.add({"id": None, "cidr": "203.0.113.16/29"})
    assert [item["cidr"] for item in children.items()] == ["203.0.113.0/24", "203.0.113.16/29"]
    children.add({"id": "1" * 32, "cidr": "203.0.113.0/24"})  # an adopted object is not listed twice
    children.remove(predicted)
    children.replace({"id": "1" * 32}, {"id": "1" * 32, "cidr": "203.0.113.0/24", "changed": True})
    assert children.items() == [{"id": "1" * 32, "cidr": "203.0.113.0/24", "changed": True}]
    assert client.reads == 1
    assert len(children.reload()) == 1 and client.reads == 2


def test_a_parent_that_does_not_exist_yet_has_no_children_and_costs_no_request():
    children = _children.Children(None, None)
    assert children.items() == []
    children.add({"id": None, "cidr": "192.0.2.0/24"})
    assert len(children.items()) == 1
