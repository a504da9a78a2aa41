"""Unit tests of byoip_prefix_info's filters and request plan; the API side is in the integration target."""

import threading

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._batch import Problems
from ansible_collections.cloudflare.addressing.plugins.module_utils._estate import COLLECTIONS
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_prefix_info

PREFIXES = [{"id": "a" * 32, "cidr": "203.0.113.0/24"}, {"id": "b" * 32, "cidr": "2001:db8::/48"},
            {"id": "c" * 32, "cidr": "198.51.100.0/24"}]


class FakeClient:
    """Answers GETs from a dict of path -> result and remembers every path it was asked for (from any thread)."""

    def __init__(self, answers):
        self.answers = answers
        self.paths = []
        self.threads = set()
        self._lock = threading.Lock()

    @staticmethod
    def account_path(*parts):
        return "/".join(["/accounts", "0" * 32, "addressing"] + list(parts))

    def get(self, path):
        with self._lock:
            self.paths.append(path)
            self.threads.add(threading.current_thread().name)
        return self.answers[path]


def params(**overrides):
    base = dict(cidr=None, cidrs=None, id=None, include=[], concurrency=4)
    base.update(overrides)
    return base


def checked(raw=None, **overrides):
    """check_input on params(**overrides) as given by a task whose raw options are raw (default: the same)."""
    problems = Problems()
    given = params(**overrides)
    networks = byoip_prefix_info.check_input(given, overrides if raw is None else raw, problems)
    return networks, problems.messages


def test_cidr_filter_matches_any_spelling_of_the_network():
    networks, messages = checked(cidr="2001:DB8:0::/48")
    assert messages == []
    assert byoip_prefix_info.matching(PREFIXES, networks[0]) == [PREFIXES[1]]
    assert byoip_prefix_info.matching(PREFIXES, None) == PREFIXES


def test_included_collections_are_unique_and_in_a_stable_order():
    names = byoip_prefix_info.included(["bgp_prefixes", "delegations", "bgp_prefixes"])
    assert names == ["delegations", "bgp_prefixes"]
    assert byoip_prefix_info.included([]) == []


def collection_answers(prefixes, names):
    answers = {}
    for prefix in prefixes:
        base = FakeClient.account_path("prefixes", prefix["id"])
        for name in names:
            answers[base + "/" + "/".join(COLLECTIONS[name])] = [{"of": prefix["id"], "is": name}]
    return answers


def test_one_request_per_included_collection_and_prefix():
    base = FakeClient.account_path("prefixes", "a" * 32)
    client = FakeClient({base + "/bindings": [{"id": "c" * 32}], base + "/bgp/prefixes": None})
    expanded = byoip_prefix_info.with_collections(client, PREFIXES[:1], ["bindings", "bgp_prefixes"])
    assert expanded[0]["bindings"] == [{"id": "c" * 32}]
    assert expanded[0]["bgp_prefixes"] == []
    assert "delegations" not in expanded[0]
    assert client.paths == [base + "/bindings", base + "/bgp/prefixes"]
    assert "bindings" not in PREFIXES[0]


def test_collections_of_many_prefixes_are_read_side_by_side_and_land_on_their_own_prefix():
    names = ["delegations", "bindings", "bgp_prefixes"]
    client = FakeClient(collection_answers(PREFIXES, names))
    expanded = byoip_prefix_info.with_collections(client, PREFIXES, names, concurrency=3)
    assert [prefix["cidr"] for prefix in expanded] == [prefix["cidr"] for prefix in PREFIXES]
    for prefix in expanded:
        assert [prefix[name] for name in names] == [[{"of": prefix["id"], "is": name}] for name in names]
    assert len(client.paths) == len(set(client.paths)) == 9


def test_the_first_failed_read_is_raised():
    client = FakeClient({})  # every path is unknown: KeyError
    with pytest.raises(KeyError):
        byoip_prefix_info.with_collections(client, PREFIXES, ["bindings"], concurrency=2)


def test_reading_by_cidr_is_one_list_request():
    client = FakeClient({FakeClient.account_path("prefixes"): PREFIXES})
    networks, _messages = checked(cidr="203.0.113.0/24")
    # The account's other prefixes come with the same list, for the roles to report and leave alone.
    assert byoip_prefix_info.read_prefixes(client, None, networks) == (
        [PREFIXES[0]], [], ["2001:db8::/48", "198.51.100.0/24"])
    assert len(client.paths) == 1


def test_cidrs_read_exactly_the_named_prefixes_in_order_and_name_the_missing_ones():
    client = FakeClient({FakeClient.account_path("prefixes"): PREFIXES})
    networks, messages = checked(cidrs=["198.51.100.0/24", "192.0.2.0/24", "2001:DB8::/48"])
    assert messages == []
    found, missing, others = byoip_prefix_info.read_prefixes(client, None, networks)
    assert found == [PREFIXES[2], PREFIXES[1]]
    assert missing == ["192.0.2.0/24"]
    assert others == ["203.0.113.0/24"]
    assert len(client.paths) == 1


def test_cidrs_cost_one_list_request_plus_one_per_included_collection_and_found_prefix():
    names = ["bindings", "bgp_prefixes"]
    answers = collection_answers(PREFIXES, names)
    answers[FakeClient.account_path("prefixes")] = PREFIXES
    client = FakeClient(answers)
    networks, _messages = checked(cidrs=["203.0.113.0/24", "192.0.2.0/24", "198.51.100.0/24"])
    found, _missing, _others = byoip_prefix_info.read_prefixes(client, None, networks)
    byoip_prefix_info.with_collections(client, found, names, concurrency=4)
    assert len(client.paths) == 1 + len(names) * 2
    assert not any(PREFIXES[1]["id"] in path for path in client.paths)


@pytest.mark.parametrize("raw,fragment", [
    (dict(cidr=None), "cidr is null (set, but empty), which is refused rather than read as 'all': name a "
                      "prefix, or leave cidr out to read every prefix."),
    (dict(id=None), "leave id out to read every prefix"),
    (dict(cidrs=None), "leave cidrs out to read every prefix"),
    (dict(cidrs=[]), "cidrs is empty"),
    (dict(cidrs=["203.0.113.0/24", None]), "cidrs[1] is null"),
    (dict(cidrs=["203.0.113.0/24", "203.0.113.0/24 "]), "cidrs[1] names the same prefix as cidrs[0]"),
    (dict(cidrs=["203.0.113.1/24"]), "cidrs[0] '203.0.113.1/24' has host bits set"),
])
def test_null_empty_or_repeated_selectors_are_refused(raw, fragment):
    given = dict(raw)
    if given.get("cidrs"):
        given["cidrs"] = ["" if cidr is None else cidr for cidr in given["cidrs"]]  # what Ansible makes of null
    _networks, messages = checked(raw=raw, **given)
    assert any(fragment in message for message in messages), messages


def test_no_selector_reads_every_prefix():
    assert checked() == (None, [])


@pytest.mark.parametrize("args,fragment", [
    (dict(cidr="203.0.113.7/24"), "host bits set"),
    (dict(cidr="nonsense"), "cidr must be a CIDR"),
    (dict(id="ABC"), "id must be a Cloudflare identifier"),
    (dict(cidr="203.0.113.0/24", id="a" * 32), "mutually exclusive"),
    (dict(cidr="203.0.113.0/24", cidrs=["203.0.113.0/24"]), "mutually exclusive"),
    (dict(include=["leases"]), "include must be one or more of"),
    (dict(cidr=""), "cidr must be a CIDR"),
    (dict(id=""), "id must be a Cloudflare identifier"),
    (dict(cidr=None), "leave cidr out to read every prefix"),
    (dict(cidrs=[]), "cidrs is empty"),
    (dict(cidrs=[None]), "cidrs[0] is null"),
    (dict(concurrency=0), "concurrency must be between 1 and 8"),
    (dict(cidr=["203.0.113.0/24", "198.51.100.0/24"]), "cidr is not a valid CIDR"),  # a list in place of a CIDR
])
def test_bad_input_fails_before_any_request(run_module, sent_requests, args, fragment):
    result, failed = run_module(byoip_prefix_info, args, keep_nulls=True)
    assert failed
    assert fragment in result["msg"]
    assert sent_requests == []
