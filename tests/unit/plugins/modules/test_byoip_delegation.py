"""Unit tests of byoip_delegation's decisions; behaviour against the API is covered by the integration target."""

import ipaddress

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import InputError
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_delegation

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"  # the account of the run_module fixture

OTHER_ACCOUNT = "9a7806061c88ada191ed06f989cc3dac"
PARENT = {"id": "a" * 32, "cidr": "203.0.113.0/24"}


def test_the_owning_account_cannot_receive_a_delegation():
    with pytest.raises(InputError, match="is the account that owns the prefix"):
        byoip_delegation.check_delegated_account(ACCOUNT_ID, ACCOUNT_ID)
    assert byoip_delegation.check_delegated_account(OTHER_ACCOUNT, ACCOUNT_ID) == OTHER_ACCOUNT


@pytest.mark.parametrize("delegation,expected", [
    ({"cidr": "203.0.113.128/25", "delegated_account_id": OTHER_ACCOUNT}, True),
    ({"cidr": "203.0.113.0/24", "delegated_account_id": OTHER_ACCOUNT}, False),
    ({"cidr": "203.0.113.128/25", "delegated_account_id": "b" * 32}, False),
])
def test_a_delegation_is_keyed_by_cidr_and_account(delegation, expected):
    network = ipaddress.ip_network("203.0.113.128/25")
    assert byoip_delegation.is_wanted(delegation, network, OTHER_ACCOUNT) is expected


def test_ipv6_delegations_match_whatever_the_spelling():
    network = ipaddress.ip_network("2001:db8:0:8000::/49")
    assert byoip_delegation.is_wanted({"cidr": "2001:DB8:0:8000:0::/49", "delegated_account_id": OTHER_ACCOUNT},
                                      network, OTHER_ACCOUNT)


def test_predicted_delegation_has_the_shape_of_a_created_one():
    predicted = byoip_delegation.predicted_delegation(ipaddress.ip_network("203.0.113.0/24"), OTHER_ACCOUNT, PARENT)
    assert predicted == {"id": None, "cidr": "203.0.113.0/24", "delegated_account_id": OTHER_ACCOUNT,
                         "parent_prefix_id": "a" * 32, "created_at": None, "modified_at": None}
    unknown_parent = byoip_delegation.predicted_delegation(ipaddress.ip_network("203.0.113.0/24"), OTHER_ACCOUNT,
                                                           None)
    assert unknown_parent["parent_prefix_id"] is None


@pytest.mark.parametrize("args,fragment", [
    (dict(delegated_account_id=ACCOUNT_ID), "is the account that owns the prefix"),
    (dict(delegated_account_id="9A7806061C88ADA191ED06F989CC3DAC"), "32 lowercase hexadecimal"),
    (dict(delegated_account_id="123"), "32 lowercase hexadecimal"),
    (dict(cidr="198.51.100.0/25"), "not inside the prefix 203.0.113.0/24"),
    (dict(cidr="203.0.113.1/25"), "host bits set"),
    (dict(cidr="2001:db8::/64"), "not inside the prefix"),
    (dict(prefix_cidr="203.0.113.0/25", cidr=None), "too small"),
    (dict(prefix_cidr="fd00::/48", cidr=None), "prefix_cidr fd00::/48 is unique-local space (RFC 4193)"),
    (dict(prefix_cidr=None, prefix_id="nope"), "prefix_id must be"),
    (dict(prefix_id="a" * 32), "mutually exclusive"),
    (dict(prefix_cidr=None), "one of the following is required: prefix_cidr, prefix_id"),
    (dict(delegated_account_id=None), "missing required arguments: delegated_account_id"),
    (dict(cidr=""), "cidr must be a CIDR"),
    (dict(prefix_cidr=""), "prefix_cidr must be a CIDR"),
])
def test_bad_input_fails_before_any_request(run_module, sent_requests, args, fragment):
    request_args = dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.128/25", delegated_account_id=OTHER_ACCOUNT)
    request_args.update(args)
    request_args = dict((key, value) for key, value in request_args.items() if value is not None)
    result, failed = run_module(byoip_delegation, request_args)
    assert failed
    assert fragment in result["msg"]
    assert sent_requests == []


def test_unreachable_endpoint_fails_with_advice_and_no_secret(run_module, sent_requests):
    result, failed = run_module(byoip_delegation, dict(prefix_cidr="203.0.113.0/24",
                                                       delegated_account_id=OTHER_ACCOUNT))
    assert failed and sent_requests
    assert "Check base_url" in result["msg"]
    assert "unit-test-token" not in str(result)
