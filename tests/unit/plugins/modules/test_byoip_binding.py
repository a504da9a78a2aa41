"""Unit tests of byoip_binding's decisions; behaviour against the API is covered by the integration target."""

import ipaddress

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import InputError
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_binding

SERVICES = [{"id": "a27bad1df961240cf0ad7125b68d1cb0", "name": "Magic Transit"},
            {"id": "5f1c8183909793e08987250f7174a868", "name": "CDN"},
            {"id": "da179b4ab40d8d4f706092f587bc06b9", "name": "Spectrum"}]
CDN = SERVICES[1]
SPECTRUM = SERVICES[2]
WHOLE = ipaddress.ip_network("203.0.113.0/24")
PARENT = {"id": "f" * 32, "cidr": "203.0.113.0/24", "approved": "V"}


def net(text):
    return ipaddress.ip_network(text)


def binding(cidr, service, binding_id="b" * 32):
    return {"id": binding_id, "cidr": cidr, "service_id": service["id"], "service_name": service["name"],
            "provisioning": {"state": "active"}}


DEFAULT_CDN = binding("203.0.113.0/24", CDN, "1" * 32)
SPECTRUM_29 = binding("203.0.113.16/29", SPECTRUM, "2" * 32)


@pytest.mark.parametrize("text,expected", [
    ("CDN", {"name": "CDN"}),
    ("  magic transit ", {"name": "magic transit"}),
    ("5F1C8183909793E08987250F7174A868", {"id": "5f1c8183909793e08987250f7174a868"}),
    (None, None),
])
def test_a_service_is_a_name_or_an_id(text, expected):
    assert byoip_binding.parse_service(text) == expected


def test_an_empty_service_is_refused():
    with pytest.raises(InputError, match="it is empty"):
        byoip_binding.parse_service("  ")


@pytest.mark.parametrize("wanted,expected", [
    ({"name": "cdn"}, True),
    ({"name": "Spectrum"}, False),
    ({"id": CDN["id"]}, True),
    ({"id": SPECTRUM["id"]}, False),
])
def test_bound_to_compares_names_case_insensitively_and_ids_exactly(wanted, expected):
    assert byoip_binding.bound_to(DEFAULT_CDN, wanted) is expected


def test_resolve_service_by_name_or_id_and_list_the_choices_otherwise():
    assert byoip_binding.resolve_service(SERVICES, {"name": "spectrum"}) == SPECTRUM
    assert byoip_binding.resolve_service(SERVICES, {"id": CDN["id"]}) == CDN
    with pytest.raises(InputError) as error:
        byoip_binding.resolve_service(SERVICES, {"name": "CDN Egress"})
    assert str(error.value) == ("CDN Egress is not one of the account's services. Available services: "
                                "CDN (5f1c8183909793e08987250f7174a868), Magic Transit "
                                "(a27bad1df961240cf0ad7125b68d1cb0), Spectrum (da179b4ab40d8d4f706092f587bc06b9).")


def test_magic_transit_only_as_the_default_binding():
    byoip_binding.check_magic_transit("Magic Transit", WHOLE, WHOLE)
    byoip_binding.check_magic_transit("CDN", net("203.0.113.0/25"), WHOLE)
    with pytest.raises(InputError, match="Magic Transit can only be the default binding"):
        byoip_binding.check_magic_transit("MAGIC TRANSIT", net("203.0.113.0/25"), WHOLE)


@pytest.mark.parametrize("cidr,service,expected", [
    ("203.0.113.16/30", "CDN", ["2" * 32]),        # inside the Spectrum /29
    ("203.0.113.0/27", "CDN", ["2" * 32]),         # contains it
    ("203.0.113.16/30", "Spectrum", []),           # same service: more specific wins, no conflict
    ("203.0.113.32/29", "CDN", []),                # next to it
    ("203.0.113.0/24", "CDN", []),                 # the default binding is overridden, not conflicting
])
def test_cdn_and_spectrum_never_share_an_ip(cidr, service, expected):
    conflicts = byoip_binding.service_conflicts([DEFAULT_CDN, SPECTRUM_29], net(cidr), WHOLE, service)
    assert [item["id"] for item in conflicts] == expected


def test_preconditions_approval_and_default_binding_first():
    assert byoip_binding.unmet_preconditions(PARENT, [DEFAULT_CDN], net("203.0.113.16/29"), WHOLE) == []
    assert byoip_binding.unmet_preconditions(PARENT, [], WHOLE, WHOLE) == []
    no_default = byoip_binding.unmet_preconditions(PARENT, [], net("203.0.113.16/29"), WHOLE)
    assert len(no_default) == 1 and "Create the default binding (cidr 203.0.113.0/24) first" in no_default[0]
    unapproved = byoip_binding.unmet_preconditions(dict(PARENT, approved="P"), [], WHOLE, WHOLE)
    assert len(unapproved) == 1 and "not approved yet (approved=P)" in unapproved[0]


def test_predicted_binding_has_the_shape_of_a_created_one():
    predicted = byoip_binding.predicted_binding(WHOLE, CDN)
    assert predicted == {"id": None, "cidr": "203.0.113.0/24", "service_id": CDN["id"], "service_name": "CDN",
                         "provisioning": {"state": "provisioning"}}
    assert set(predicted) == set(DEFAULT_CDN)


def test_only_more_specific_bindings_block_deleting_the_default():
    assert byoip_binding.more_specific_bindings([DEFAULT_CDN, SPECTRUM_29], WHOLE) == [SPECTRUM_29]
    assert byoip_binding.more_specific_bindings([DEFAULT_CDN], WHOLE) == []


@pytest.mark.parametrize("args,fragment", [
    (dict(cidr="203.0.113.16/29", service="Magic Transit"), "Magic Transit can only be the default binding"),
    (dict(cidr="198.51.100.0/29"), "not inside the prefix 203.0.113.0/24"),
    (dict(cidr="203.0.113.17/29"), "host bits set"),
    (dict(service=" "), "it is empty"),
    (dict(service=None), "state is present but all of the following are missing: service"),
    (dict(prefix_cidr="203.0.113.0/25", cidr=None), "too small"),
    (dict(prefix_cidr="192.168.0.0/24", cidr=None), "prefix_cidr 192.168.0.0/24 is private-use space (RFC 1918)"),
    (dict(prefix_cidr=None, prefix_id="F" * 32), "prefix_id must be"),
    (dict(prefix_cidr=None), "one of the following is required: prefix_cidr, prefix_id"),
    (dict(replace="maybe"), "replace"),
    (dict(cidr=""), "cidr must be a CIDR"),
    (dict(prefix_cidr=""), "prefix_cidr must be a CIDR"),
])
def test_bad_input_fails_before_any_request(run_module, sent_requests, args, fragment):
    request_args = dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.16/29", service="CDN")
    request_args.update(args)
    request_args = dict((key, value) for key, value in request_args.items() if value is not None)
    result, failed = run_module(byoip_binding, request_args)
    assert failed
    assert fragment in result["msg"]
    assert sent_requests == []


def test_absent_needs_no_service(run_module, sent_requests):
    result, failed = run_module(byoip_binding, dict(prefix_cidr="203.0.113.0/24", state="absent"))
    assert failed and "Check base_url" in result["msg"]
    assert len(sent_requests) == 1


def test_unreachable_endpoint_fails_with_advice_and_no_secret(run_module, sent_requests):
    result, failed = run_module(byoip_binding, dict(prefix_cidr="203.0.113.0/24", service="CDN"))
    assert failed and sent_requests
    assert "Check base_url" in result["msg"]
    assert "unit-test-token" not in str(result)
