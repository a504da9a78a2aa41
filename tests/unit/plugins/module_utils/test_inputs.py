"""Unit tests of the roles' input check: every problem at once, in the user's variable names, nothing widened."""

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._inputs import (
    check_prefixes,
    shown,
    unknown_services,
)

OWNER = "023e105f4ecef8ad9ca31a8372d0c353"
OTHER = "0123456789abcdef0123456789abcdef"
SERVICES = [dict(id="5f1c8183909793e08987250f7174a868", name="CDN"),
            dict(id="da179b4ab40d8d4f706092f587bc06b9", name="Spectrum"),
            dict(id="a27bad1df961240cf0ad7125b68d1cb0", name="Magic Transit")]


def edge(**overrides):
    prefix = dict(cidr="203.0.113.0/24", asn=13335, description="Anycast edge",
                  delegations=[dict(cidr="203.0.113.128/25", account_id=OTHER)], default_service="Spectrum",
                  bindings=[dict(service="CDN", cidrs=["203.0.113.%d" % host for host in range(16, 24)])],
                  advertise=True)
    prefix.update(overrides)
    return prefix


def check(prefixes, **kwargs):
    kwargs.setdefault("owner_account_id", OWNER)
    return check_prefixes(prefixes, **kwargs)


def only_problem(prefixes, **kwargs):
    desired, problems = check(prefixes, **kwargs)
    assert len(problems) == 1, problems
    return problems[0]


def test_the_get_started_example_becomes_the_desired_state():
    desired, problems = check([edge()])
    assert problems == []
    assert desired == [dict(cidr="203.0.113.0/24", name="byoip_prefixes[0]", asn=13335, description="Anycast edge",
                            loa_document_id=None, delegate_loa_creation=None,
                            delegations=[dict(cidr="203.0.113.128/25", account_id=OTHER)],
                            default_service="Spectrum", bindings=[dict(service="CDN", cidr="203.0.113.16/29")],
                            advertise=True)]


def test_defaults_asn_whole_prefix_delegation_and_not_advertised():
    desired, problems = check([dict(cidr="198.51.100.0/24", default_service="CDN",
                                    delegations=[dict(account_id=OTHER)])])
    assert problems == []
    assert desired[0]["asn"] == 13335 and desired[0]["advertise"] is False
    assert desired[0]["delegations"] == [dict(cidr="198.51.100.0/24", account_id=OTHER)]


def test_cidrs_are_canonical_and_ipv6_is_compressed():
    desired, problems = check([edge(cidr=" 2001:DB8:0000::/48 ", bindings=[], delegations=[])])
    assert problems == []
    assert desired[0]["cidr"] == "2001:db8::/48"


@pytest.mark.parametrize("entry, expected", [
    (None, "byoip_prefixes[1]: is empty; remove the line"),
    (dict(cidr=None, default_service="CDN"), "byoip_prefixes[1].cidr: is empty"),
    (dict(cidr="", default_service="CDN"), "byoip_prefixes[1].cidr: is empty"),
    (dict(cidr=["198.51.100.0/24", "192.0.2.0/24"], default_service="CDN"),
     "byoip_prefixes[1].cidr: must be a CIDR such as 203.0.113.0/24, got ['198.51.100.0/24'"),
    (dict(default_service="CDN"), "byoip_prefixes[1]: cidr is missing"),
    ("198.51.100.0/24", "byoip_prefixes[1]: must be a mapping such as"),
])
def test_a_damaged_entry_is_refused_and_never_widened(entry, expected):
    """Issue 9: `- cidr:` used to mean "every prefix of the account" to the offboarding role."""
    for cidr_only in (False, True):
        desired, problems = check([edge(), entry], cidr_only=cidr_only)
        assert [prefix["cidr"] for prefix in desired] == ["203.0.113.0/24"]
        assert any(problem.startswith(expected) for problem in problems), problems


def test_the_offboarding_check_ignores_values_it_does_not_use_but_not_typos():
    desired, problems = check([dict(cidr="203.0.113.0/24", default_service="", bindings="x")], cidr_only=True)
    assert problems == [] and desired == [dict(cidr="203.0.113.0/24", name="byoip_prefixes[0]")]
    assert only_problem([dict(cidr="203.0.113.0/24", cdir="x")], cidr_only=True) \
        == "byoip_prefixes[0]: unknown key 'cdir' (did you mean 'cidr'?)"


def test_unknown_keys_are_named_with_a_suggestion_in_the_users_variable():
    problem = only_problem([edge(cdir="203.0.113.0/24")], name="byoip_prefixes")
    assert problem == "byoip_prefixes[0]: unknown key 'cdir' (did you mean 'cidr'?)"
    _desired, problems = check([edge(delegations=[dict(cidr="203.0.113.128/25", acount_id=OTHER)])])
    assert problems == ["byoip_prefixes[0].delegations[0]: unknown key 'acount_id' (did you mean 'account_id'?)",
                        "byoip_prefixes[0].delegations[0]: account_id is missing"]


def test_every_problem_is_reported_at_once():
    prefixes = [
        dict(cidr="198.51.100.0/24", asn=0, default_service="CDN",
             delegations=[dict(account_id="ABC"), dict(cidr="192.0.2.0/25", account_id=OTHER)]),
        edge(bindings=[dict(service="CDN", cidrs=["203.0.113.16", "198.51.100.5", "2001:db8::1", "203.0.113.0/24"]),
                       dict(service="Magic Transit", cidrs=["203.0.113.9"])]),
        dict(cidr="203.0.113.0/24", default_service="CDN"),
    ]
    _desired, problems = check(prefixes)
    expected = [
        "byoip_prefixes[0].asn: 0 is not an AS number (1 to 4294967295)",
        "byoip_prefixes[0].delegations[0].account_id: 'ABC' is not a Cloudflare account id",
        "byoip_prefixes[0].delegations[1].cidr: the delegation 192.0.2.0/25 is not inside the prefix 198.51.100.0/24",
        "byoip_prefixes[1].bindings[0].cidrs[1]: the address 198.51.100.5/32 is not inside the prefix",
        "byoip_prefixes[1].bindings[0].cidrs[2]: the address 2001:db8::1/128 is not inside the prefix",
        "byoip_prefixes[1].bindings[0].cidrs[3]: 203.0.113.0/24 is the whole prefix; set default_service",
        "byoip_prefixes[1].bindings[1].service: Magic Transit can only be the default binding",
        "byoip_prefixes[2]: 203.0.113.0/24 is listed more than once (also byoip_prefixes[1])",
    ]
    for text in expected:
        assert any(problem.startswith(text) for problem in problems), (text, problems)
    assert len(problems) == len(expected), problems


@pytest.mark.parametrize("cidr, expected", [
    ("203.0.113.1/24", "byoip_prefixes[0].cidr: '203.0.113.1/24' has host bits set; the network is 203.0.113.0/24"),
    ("203.0.113.0/25", "byoip_prefixes[0].cidr: 203.0.113.0/25 is too small"),
    ("2001:db8::/64", "byoip_prefixes[0].cidr: 2001:db8::/64 is too small"),
    ("203.0.113.0", "byoip_prefixes[0].cidr: '203.0.113.0' has no prefix length"),
    ("203.0.113.300/24", "byoip_prefixes[0].cidr: '203.0.113.300/24' is not an IP address or a CIDR"),
    ("0.0.0.0/0", "byoip_prefixes[0].cidr: 0.0.0.0/0 is a default route"),
    ("::/0", "byoip_prefixes[0].cidr: ::/0 is a default route"),
    ("10.0.0.0/8", "byoip_prefixes[0].cidr: 10.0.0.0/8 is private-use space (RFC 1918); it can never be announced"),
    ("127.0.0.0/24", "byoip_prefixes[0].cidr: 127.0.0.0/24 is loopback space"),
    ("224.0.0.0/24", "byoip_prefixes[0].cidr: 224.0.0.0/24 is multicast space"),
    ("fe80::/48", "byoip_prefixes[0].cidr: fe80::/48 is link-local space"),
    ("100.64.0.0/24", "byoip_prefixes[0].cidr: 100.64.0.0/24 is shared address space"),
    ("fd00::/48", "byoip_prefixes[0].cidr: fd00::/48 is unique-local space"),
    ("240.0.0.0/24", "byoip_prefixes[0].cidr: 240.0.0.0/24 is reserved for future use"),
])
def test_a_prefix_cloudflare_could_never_onboard_is_refused(cidr, expected):
    assert only_problem([dict(cidr=cidr, default_service="CDN")]).startswith(expected)


@pytest.mark.parametrize("cidr", ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32",
                                  "2001:db8:1::/48", "1.1.1.0/24", "2606:4700::/32"])
def test_documentation_and_public_space_is_accepted(cidr):
    assert check([dict(cidr=cidr, default_service="CDN")])[1] == []


def test_overlapping_prefixes_are_refused_before_the_first_is_added():
    problem = only_problem([dict(cidr="203.0.112.0/23", default_service="CDN"),
                            dict(cidr="203.0.113.0/24", default_service="CDN")])
    assert problem == ("byoip_prefixes[1]: 203.0.113.0/24 overlaps 203.0.112.0/23 of byoip_prefixes[0]; Cloudflare "
                       "holds no overlapping prefixes")


def test_cdn_and_spectrum_on_the_same_addresses_are_refused():
    problem = only_problem([edge(bindings=[dict(service="CDN", cidrs=["203.0.113.16/29"]),
                                           dict(service="Spectrum", cidrs=["203.0.113.20"])])])
    assert problem.startswith("byoip_prefixes[0].bindings: 203.0.113.16/29 (CDN) and 203.0.113.20/32 (Spectrum) "
                              "overlap")


def test_a_delegation_to_the_owner_account_is_refused():
    assert only_problem([edge(delegations=[dict(account_id=OWNER)])]).startswith(
        "byoip_prefixes[0].delegations[0].account_id: %s is the account that owns the prefix" % OWNER)


def test_loa_rules():
    assert only_problem([edge(loa_document_id="nope")]).startswith(
        "byoip_prefixes[0].loa_document_id: 'nope' is not a Cloudflare identifier")
    assert only_problem([edge(loa_document_id="a" * 32, delegate_loa_creation=True)]).startswith(
        "byoip_prefixes[0]: loa_document_id and delegate_loa_creation: true exclude each other")
    assert check([edge(loa_document_id="a" * 32, delegate_loa_creation=False)])[1] == []


def test_a_description_over_cloudflares_limit_is_refused():
    assert only_problem([edge(description="x" * 1001)]) == \
        "byoip_prefixes[0].description: has 1001 characters; Cloudflare accepts at most 1000"


@pytest.mark.parametrize("bindings, expected", [
    ([dict(service="CDN", cidrs="203.0.113.16/29")], "byoip_prefixes[0].bindings[0].cidrs: must be a list"),
    ([dict(service="CDN", cidrs=["203.0.113.17/29"])],
     "byoip_prefixes[0].bindings[0].cidrs[0]: '203.0.113.17/29' has host bits set; the network is 203.0.113.16/29"),
    ([dict(service="CDN", cidrs=[])], "byoip_prefixes[0].bindings[0].cidrs: is empty"),
    ([dict(service="", cidrs=["203.0.113.16"])], "byoip_prefixes[0].bindings[0].service: is empty"),
    ([dict(cidrs=["203.0.113.16"])], "byoip_prefixes[0].bindings[0]: service is missing"),
    ([None], "byoip_prefixes[0].bindings[0]: is empty"),
])
def test_binding_mistakes_are_refused_in_the_users_words(bindings, expected):
    assert only_problem([edge(bindings=bindings)]).startswith(expected)


def test_host_bits_in_a_delegation_are_a_problem_not_a_crash():
    assert only_problem([edge(delegations=[dict(cidr="203.0.113.129/25", account_id=OTHER)])]).startswith(
        "byoip_prefixes[0].delegations[0].cidr: '203.0.113.129/25' has host bits set")


def test_an_explicitly_empty_delegation_cidr_is_refused_not_widened_to_the_prefix():
    assert only_problem([edge(delegations=[dict(cidr=None, account_id=OTHER)])]).startswith(
        "byoip_prefixes[0].delegations[0].cidr: must be a CIDR")


@pytest.mark.parametrize("value, expected", [
    (None, "byoip_prefixes: is empty"), ("", "byoip_prefixes: is empty"), ([], "byoip_prefixes: lists no prefix"),
    ({"cidr": "203.0.113.0/24"}, "byoip_prefixes: must be a list of prefixes"),
])
def test_the_whole_variable_must_be_a_non_empty_list(value, expected):
    assert only_problem(value).startswith(expected)


def test_the_variable_name_is_the_users():
    assert only_problem([None], name="my_prefixes").startswith("my_prefixes[0]: is empty")


def test_echoed_input_is_truncated():
    problem = only_problem([dict(cidr="1" * 10000, default_service="CDN")])
    assert len(problem) < 300 and "(10000 characters)" in problem
    assert shown("x") == "'x'"


def test_bindings_of_one_service_are_merged_and_aggregated():
    desired, problems = check([edge(bindings=[dict(service="CDN", cidrs=["203.0.113.16/30"]),
                                              dict(service="cdn", cidrs=["203.0.113.20/30", "203.0.113.64"])])])
    assert problems == []
    assert desired[0]["bindings"] == [dict(service="CDN", cidr="203.0.113.16/29"),
                                      dict(service="CDN", cidr="203.0.113.64/32")]


def test_unknown_services_are_named_with_the_accounts_services():
    desired, _problems = check([edge(default_service="Spektrum", bindings=[dict(service=" cdn", cidrs=["203.0.113.16"])])])
    problems = unknown_services(desired, SERVICES)
    assert problems == ["byoip_prefixes[0].default_service: 'Spektrum' is not a service of the account",
                        "The account's services: CDN, Magic Transit, Spectrum (by name, any case, or by id)."]
    desired, _problems = check([edge(default_service="a27bad1df961240cf0ad7125b68d1cb0")])
    assert unknown_services(desired, SERVICES) == []
