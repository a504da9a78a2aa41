"""Unit tests of the roles' input check: every problem at once, in the user's variable names, nothing widened."""

import ipaddress

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._inputs import (
    check_prefixes,
    reads,
    region_cover,
    shown,
    unknown_regions,
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
                            loa_document_id=None, delegate_loa_creation=None, loa_path=None, loa_unusable=None,
                            delegations=[dict(cidr="203.0.113.128/25", account_id=OTHER)],
                            default_service="Spectrum", bindings=[dict(service="CDN", cidr="203.0.113.16/29")],
                            advertise=True, regions=[], regional=False, address_maps=[])]


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
    assert problems == []
    assert desired == [dict(cidr="203.0.113.0/24", name="byoip_prefixes[0]", address_maps=[], regional=False)]
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


# --- Regional Services, address maps, LOA documents (issue 11) ---------------------------------------------------

ZONE = "0d8e1f6a2b3c4d5e6f708192a3b4c5d6"
REGIONS = [dict(region_key="eu", name="Europe"), dict(region_key="us", name="United States")]


def test_a_region_for_the_whole_prefix_is_its_two_halves():
    desired, problems = check([edge(bindings=[], region="eu")])
    assert problems == []
    assert desired[0]["regions"] == [dict(cidr="203.0.113.0/25", region="eu"),
                                     dict(cidr="203.0.113.128/25", region="eu")]
    assert desired[0]["regional"] is True


def test_the_cover_splits_a_half_that_a_service_binding_takes_and_leaves_explicit_parts_alone():
    network = ipaddress.ip_network("203.0.113.0/24")
    taken = {ipaddress.ip_network("203.0.113.0/25")}
    explicit = {ipaddress.ip_network("203.0.113.128/25"): "de"}
    assert region_cover(network, "eu", explicit, taken) == [dict(cidr="203.0.113.0/26", region="eu"),
                                                            dict(cidr="203.0.113.64/26", region="eu")]
    v6 = region_cover(ipaddress.ip_network("2001:db8::/48"), "eu", {}, set())
    assert [item["cidr"] for item in v6] == ["2001:db8::/49", "2001:db8:0:8000::/49"]


def test_a_region_per_cidr_goes_with_the_whole_prefix_region_and_wins_where_it_is_more_specific():
    desired, problems = check([edge(region="eu", regions=[dict(cidr="203.0.113.128/25", region="de"),
                                                          dict(cidr="203.0.113.64", region="us")])])
    assert problems == []
    assert desired[0]["regions"] == [dict(cidr="203.0.113.0/25", region="eu"),
                                     dict(cidr="203.0.113.128/25", region="de"),
                                     dict(cidr="203.0.113.64/32", region="us")]


@pytest.mark.parametrize("entry, expected", [
    (dict(region=""), "byoip_prefixes[0].region: is empty; give a region key such as eu or us"),
    (dict(region=["eu"]), "byoip_prefixes[0].region: must be a region key such as eu or us"),
    (dict(regions="eu"), "byoip_prefixes[0].regions: must be a list, for example [{cidr: 203.0.113.0/25, region: eu}]"),
    (dict(regions=[dict(cidr="203.0.113.0/24", region="eu")]),
     "byoip_prefixes[0].regions[0].cidr: 203.0.113.0/24 is the whole prefix; set region: for that"),
    (dict(regions=[dict(cidr="203.0.113.16/29", region="eu")]),
     "byoip_prefixes[0].regions[0].cidr: 203.0.113.16/29 is also a service binding of the prefix, and Cloudflare "
     "takes one binding per CIDR; bind 203.0.113.16/30 and 203.0.113.20/30 instead"),
    (dict(regions=[dict(cidr="192.0.2.0/25", region="eu")]),
     "byoip_prefixes[0].regions[0].cidr: the CIDR 192.0.2.0/25 is not inside the prefix"),
    (dict(regions=[dict(region="eu")]), "byoip_prefixes[0].regions[0]: cidr is missing"),
    (dict(regions=[dict(cidr="203.0.113.0/25", region="eu", regoin="us")]),
     "byoip_prefixes[0].regions[0]: unknown key 'regoin' (did you mean 'region'?)"),
])
def test_region_mistakes_are_refused_in_the_users_words(entry, expected):
    assert only_problem([edge(**entry)]).startswith(expected)


def test_the_same_cidr_twice_is_refused():
    regions = [dict(cidr="203.0.113.0/25", region="eu"), dict(cidr="203.0.113.0/25", region="us")]
    assert only_problem([edge(regions=regions)]) == \
        "byoip_prefixes[0].regions[1].cidr: 203.0.113.0/25 is listed twice; give each CIDR one region"


def test_unknown_regions_are_named_with_the_accounts_regions():
    desired, _problems = check([edge(region="mars"), edge(cidr="198.51.100.0/24", region="eu", delegations=[], bindings=[])])
    assert unknown_regions(desired, REGIONS) == [
        "byoip_prefixes[0]: region 'mars' is not a region of the account",
        "The account's regions: eu (Europe), us (United States)."]
    assert unknown_regions(desired[1:], REGIONS) == []
    assert unknown_regions(desired, [])[-1] == \
        "The account's regions: none (are Regional Services enabled for the account?)."


def test_an_address_map_gets_the_cdn_addresses_of_the_prefix_by_default():
    desired, problems = check([edge(address_maps=[dict(description="CDN edge",
                                                       memberships=[dict(kind="Zone", identifier=ZONE.upper())])])])
    assert problems == []
    assert desired[0]["address_maps"] == [dict(
        description="CDN edge", name="byoip_prefixes[0].address_maps[0]",
        ips=["203.0.113.%d" % host for host in range(16, 24)],
        memberships=[dict(kind="zone", identifier=ZONE)], enabled=True, default_sni=None)]


def test_an_address_map_with_its_own_ips_settings_and_a_cdn_default_service():
    entry = dict(cidr="198.51.100.0/24", default_service="CDN",
                 address_maps=[dict(description="Edge", ips=["198.51.100.5", "198.51.100.8/31"], enabled=False,
                                    default_sni="*.example.com")])
    desired, problems = check([entry])
    assert problems == []
    assert desired[0]["address_maps"][0]["ips"] == ["198.51.100.5", "198.51.100.8", "198.51.100.9"]
    assert desired[0]["address_maps"][0]["enabled"] is False
    assert desired[0]["address_maps"][0]["default_sni"] == "*.example.com"


@pytest.mark.parametrize("maps, expected", [
    ([dict(description="X", ips=["203.0.113.5"])],
     "byoip_prefixes[0].address_maps[0].ips: 203.0.113.5 is bound to Spectrum, not to the CDN; an address map hands "
     "out CDN addresses"),
    ([dict(description="X", ips=["192.0.2.1"])],
     "byoip_prefixes[0].address_maps[0].ips[0]: the address 192.0.2.1/32 is not inside the prefix"),
    ([dict(description="X", ips=[])], "byoip_prefixes[0].address_maps[0].ips: is empty"),
    ([dict(ips=["203.0.113.16"])], "byoip_prefixes[0].address_maps[0]: description is missing"),
    ([dict(description="X", memberships=[dict(kind="team", identifier=ZONE)])],
     "byoip_prefixes[0].address_maps[0].memberships[0].kind: must be account or zone, got 'team'"),
    ([dict(description="X", memberships=[dict(kind="zone", identifier="nope")])],
     "byoip_prefixes[0].address_maps[0].memberships[0].identifier: 'nope' is not a Cloudflare account or zone id"),
    ([dict(description="X", enable=True)],
     "byoip_prefixes[0].address_maps[0]: unknown key 'enable' (did you mean 'enabled'?)"),
    ([dict(description="X", default_sni=5)], "byoip_prefixes[0].address_maps[0].default_sni: must be a hostname"),
    ("CDN edge", "byoip_prefixes[0].address_maps: must be a list"),
])
def test_address_map_mistakes_are_refused_in_the_users_words(maps, expected):
    assert only_problem([edge(address_maps=maps)]).startswith(expected)


def test_an_address_map_needs_ips_when_the_prefix_binds_nothing_to_the_cdn():
    assert only_problem([edge(bindings=[], address_maps=[dict(description="X")])]).startswith(
        "byoip_prefixes[0].address_maps[0]: ips is missing, and the prefix binds no addresses to the CDN")


def test_a_map_named_in_two_prefixes_takes_the_settings_either_gives_and_refuses_two_different_ones():
    first = edge(address_maps=[dict(description="Edge", enabled=False)])
    second = dict(cidr="198.51.100.0/24", default_service="CDN", address_maps=[dict(description="Edge",
                                                                                    ips=["198.51.100.5"])])
    desired, problems = check([first, second])
    assert problems == [] and desired[1]["address_maps"][0]["enabled"] is False
    second["address_maps"][0]["enabled"] = True
    assert only_problem([first, second]).startswith(
        "byoip_prefixes[1].address_maps[0].enabled: True differs from byoip_prefixes[0].address_maps[0].enabled "
        "(False) for the same map 'Edge'")


def test_a_loa_path_is_checked_and_refused_only_where_it_matters(tmp_path):
    pdf = tmp_path / "loa.pdf"
    pdf.write_bytes(b"%PDF-1.7 signed")
    desired, problems = check([edge(loa_path=str(pdf))])
    assert problems == []
    assert (desired[0]["loa_path"], desired[0]["loa_unusable"], desired[0]["delegate_loa_creation"]) == \
        (str(pdf), None, False)
    text = tmp_path / "loa.txt"
    text.write_text("no")
    desired, problems = check([edge(loa_path=str(text)),
                               edge(cidr="198.51.100.0/24", delegations=[], bindings=[],
                                    loa_path=str(tmp_path / "none.pdf"))])
    assert problems == []  # the file matters only for a prefix still to be added: the plan decides
    assert desired[0]["loa_unusable"] == "byoip_prefixes[0].loa_path %s is not a PDF (it does not start with " \
                                         "%%PDF-); Cloudflare accepts LOA documents as PDF only." % text
    assert desired[1]["loa_unusable"].endswith("is not a file on this host.")


def test_a_loa_path_excludes_the_other_ways_to_give_a_loa(tmp_path):
    assert only_problem([edge(loa_path="x.pdf", loa_document_id="a" * 32)]).startswith(
        "byoip_prefixes[0]: loa_path excludes loa_document_id")
    assert only_problem([edge(loa_path="x.pdf", delegate_loa_creation=True)]).startswith(
        "byoip_prefixes[0]: loa_path excludes delegate_loa_creation: true")


def test_the_reads_cost_requests_only_for_what_the_vars_use():
    plain, _problems = check([edge()])
    assert reads(plain) == dict(include=["delegations", "bindings", "bgp_prefixes"], address_maps=False, extras=[])
    both, _problems = check([edge(region="eu", address_maps=[dict(description="X")])])
    assert reads(both) == dict(include=["delegations", "bindings", "bgp_prefixes", "regional_bindings"],
                               address_maps=True, extras=["regional_bindings", "address_maps"])
    offboarding, problems = check([dict(cidr="203.0.113.0/24", region="whatever", address_maps=[
        dict(description="X", ips="not checked")])], cidr_only=True)
    assert problems == [] and reads(offboarding)["extras"] == ["regional_bindings", "address_maps"]
    assert offboarding[0]["address_maps"] == [dict(description="X", name="byoip_prefixes[0].address_maps[0]")]
