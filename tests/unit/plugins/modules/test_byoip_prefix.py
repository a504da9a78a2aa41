"""Unit tests of byoip_prefix's decisions; behaviour against the API is covered by the integration target."""

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._batch import Problems
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_prefix

EXISTING = {"id": "a" * 32, "cidr": "203.0.113.0/24", "asn": 13335, "description": "", "approved": "P",
            "loa_document_id": "b" * 32, "delegate_loa_creation": True, "irr_validation_state": "valid",
            "rpki_validation_state": "invalid", "ownership_validation_state": "pending"}


def params(**overrides):
    base = dict(cidr="203.0.113.0/24", asn=13335, description=None, loa_document_id=None,
                delegate_loa_creation=None, revalidate="never", state="present")
    base.update(overrides)
    return base


def checked_network(**overrides):
    problems = Problems()
    parsed = byoip_prefix.check_input(params(**overrides), problems)
    assert problems.messages == []
    return parsed["cidr"]


def test_new_prefix_delegates_loa_creation_unless_an_loa_is_given():
    network = checked_network()
    assert byoip_prefix.create_body(network, params())["delegate_loa_creation"] is True
    own = params(loa_document_id="c" * 32)
    assert byoip_prefix.create_body(network, own) == {"cidr": "203.0.113.0/24", "asn": 13335,
                                                      "loa_document_id": "c" * 32, "delegate_loa_creation": False}


def test_predicted_prefix_has_the_shape_of_a_created_one():
    body = byoip_prefix.create_body(checked_network(), params(description="x"))
    predicted = byoip_prefix.predicted_new_prefix(body, "0" * 32)
    assert predicted["approved"] == "P" and predicted["advertised"] is None and predicted["id"] is None
    assert {predicted[key] for key in byoip_prefix.PENDING_CHECKS} == {"pending"}
    assert predicted["description"] == "x"


def test_immutable_conflicts_name_each_difference():
    assert byoip_prefix.immutable_conflicts(EXISTING, params()) == []
    conflicts = byoip_prefix.immutable_conflicts(EXISTING, params(asn=64500, loa_document_id="c" * 32,
                                                                  delegate_loa_creation=False))
    assert conflicts == ["it is onboarded with ASN 13335, not 64500",
                         "its LOA is %s, not %s" % ("b" * 32, "c" * 32),
                         "its delegate_loa_creation is True"]


@pytest.mark.parametrize("mode,prefix,expected", [
    ("never", EXISTING, False),
    ("on_failure", EXISTING, True),
    ("on_failure", dict(EXISTING, rpki_validation_state="pending"), False),
    ("always", dict(EXISTING, rpki_validation_state="valid"), True),
])
def test_revalidation_decision(mode, prefix, expected):
    assert byoip_prefix.should_revalidate(prefix, mode) is expected


@pytest.mark.parametrize("args,fragment", [
    (dict(cidr="203.0.113.0/25"), "too small"),
    (dict(cidr="203.0.113.7/24"), "host bits set"),
    (dict(cidr="10.0.0.0/8"), "cidr 10.0.0.0/8 is private-use space (RFC 1918); it can never be announced on the "
                              "Internet, so Cloudflare cannot onboard it."),
    (dict(cidr="0.0.0.0/0"), "cidr 0.0.0.0/0 is a default route"),
    (dict(cidr="::/0"), "cidr ::/0 is a default route"),
    (dict(cidr="127.0.0.0/24"), "cidr 127.0.0.0/24 is loopback space"),
    (dict(cidr="224.0.0.0/24"), "cidr 224.0.0.0/24 is multicast space"),
    (dict(cidr="fe80::/48"), "cidr fe80::/48 is link-local space"),
    (dict(asn=0), "between 1 and"),
    (dict(description="x" * 1001), "at most 1000"),
    (dict(loa_document_id="nope"), "32 lowercase hexadecimal"),
    (dict(loa_document_id="c" * 32, delegate_loa_creation=True), "not both"),
    (dict(account_id="123"), "account_id must be"),
    (dict(asn=None), "missing: asn"),
])
def test_bad_input_fails_before_any_request(run_module, sent_requests, args, fragment):
    request_args = dict(cidr="203.0.113.0/24", asn=13335)
    request_args.update(args)
    request_args = dict((key, value) for key, value in request_args.items() if value is not None)
    result, failed = run_module(byoip_prefix, request_args)
    assert failed
    assert fragment in result["msg"]
    assert sent_requests == []


def test_unreachable_endpoint_fails_with_advice_and_no_secret(run_module, sent_requests):
    result, failed = run_module(byoip_prefix, dict(cidr="203.0.113.0/24", asn=13335))
    assert failed and sent_requests
    assert "Check base_url" in result["msg"]
    assert "unit-test-token" not in str(result)
