"""Unit tests of byoip_prefix_info's filters and request plan; the API side is in the integration target."""

import pytest

from ansible_collections.cloudflare.addressing.plugins.modules import byoip_prefix_info

PREFIXES = [{"id": "a" * 32, "cidr": "203.0.113.0/24"}, {"id": "b" * 32, "cidr": "2001:db8::/48"}]


class FakeClient:
    """Answers GETs from a dict of path -> result and remembers every path it was asked for."""

    def __init__(self, answers):
        self.answers = answers
        self.paths = []

    @staticmethod
    def account_path(*parts):
        return "/".join(["/accounts", "0" * 32, "addressing"] + list(parts))

    def get(self, path):
        self.paths.append(path)
        return self.answers[path]


def test_cidr_filter_matches_any_spelling_of_the_network():
    network = byoip_prefix_info.check_input(dict(id=None, cidr="2001:DB8:0::/48"))
    assert byoip_prefix_info.matching(PREFIXES, network) == [PREFIXES[1]]
    assert byoip_prefix_info.matching(PREFIXES, None) == PREFIXES


def test_included_collections_are_unique_and_in_a_stable_order():
    names = byoip_prefix_info.included(["bgp_prefixes", "delegations", "bgp_prefixes"])
    assert names == ["delegations", "bgp_prefixes"]
    assert byoip_prefix_info.included([]) == []


def test_one_request_per_included_collection_and_prefix():
    base = FakeClient.account_path("prefixes", "a" * 32)
    client = FakeClient({base + "/bindings": [{"id": "c" * 32}], base + "/bgp/prefixes": None})
    expanded = byoip_prefix_info.with_collections(client, PREFIXES[0], ["bindings", "bgp_prefixes"])
    assert expanded["bindings"] == [{"id": "c" * 32}]
    assert expanded["bgp_prefixes"] == []
    assert "delegations" not in expanded
    assert client.paths == [base + "/bindings", base + "/bgp/prefixes"]
    assert "bindings" not in PREFIXES[0]


def test_reading_by_cidr_is_one_list_request():
    client = FakeClient({FakeClient.account_path("prefixes"): PREFIXES})
    network = byoip_prefix_info.check_input(dict(id=None, cidr="203.0.113.0/24"))
    assert byoip_prefix_info.read_prefixes(client, None, network) == [PREFIXES[0]]
    assert len(client.paths) == 1


@pytest.mark.parametrize("args,fragment", [
    (dict(cidr="203.0.113.7/24"), "host bits set"),
    (dict(cidr="nonsense"), "cidr must be a CIDR"),
    (dict(id="ABC"), "id must be a Cloudflare identifier"),
    (dict(cidr="203.0.113.0/24", id="a" * 32), "mutually exclusive"),
    (dict(include=["leases"]), "include must be one or more of"),
    (dict(cidr=""), "cidr must be a CIDR"),
])
def test_bad_input_fails_before_any_request(run_module, sent_requests, args, fragment):
    result, failed = run_module(byoip_prefix_info, args)
    assert failed
    assert fragment in result["msg"]
    assert sent_requests == []
