"""Unit tests of byoip_regional_binding's decisions; behaviour against the API is in the integration target."""

import ipaddress

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils._common import InputError
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_regional_binding as rb

REGIONS = [{"id": "1", "region_key": "us", "name": "United States"}, {"id": "2", "region_key": "eu", "name": "Europe"}]


def test_a_region_key_is_stripped_and_bounded():
    assert rb.check_region(" eu ") == "eu"
    assert rb.check_region(None) is None
    for bad in (" ", "x" * 129):
        with pytest.raises(InputError, match="region must be a region key"):
            rb.check_region(bad)


def test_the_whole_prefix_is_refused_with_its_halves_suggested():
    whole = ipaddress.ip_network("203.0.113.0/24")
    assert rb.check_more_specific(ipaddress.ip_network("203.0.113.128/25"), whole)
    with pytest.raises(InputError) as error:
        rb.check_more_specific(whole, whole)
    assert "203.0.113.0/25 and 203.0.113.128/25" in str(error.value)


def test_an_unknown_region_lists_the_available_ones_sorted():
    rb.check_known_region(REGIONS, "eu")
    with pytest.raises(InputError) as error:
        rb.check_known_region(REGIONS, "EU")
    assert str(error.value) == ("region EU is not a region of the account. Available regions: eu (Europe), us "
                                "(United States).")
    with pytest.raises(InputError, match="are Regional Services enabled"):
        rb.check_known_region([], "eu")


def test_the_predicted_binding_has_the_shape_of_a_created_one():
    predicted = rb.predicted_binding({"id": "p" * 32}, ipaddress.ip_network("203.0.113.128/25"), "eu")
    assert predicted == {"id": None, "prefix_id": "p" * 32, "cidr": "203.0.113.128/25", "region_key": "eu"}
    assert rb.predicted_binding(None, ipaddress.ip_network("203.0.113.128/25"), "eu")["prefix_id"] is None


@pytest.mark.parametrize("args,fragment", [
    (dict(cidr="203.0.113.0/24"), "is the whole prefix"),
    (dict(cidr="198.51.100.0/25"), "not inside the prefix"),
    (dict(cidr=None), "missing required arguments: cidr"),
    (dict(region=None), "state is present but all of the following are missing: region"),
    (dict(region=""), "region must be a region key"),
    (dict(prefix_cidr=None), "one of the following is required: prefix_cidr, prefix_id"),
])
def test_bad_input_fails_before_any_request(run_module, sent_requests, args, fragment):
    request_args = dict(prefix_cidr="203.0.113.0/24", cidr="203.0.113.128/25", region="eu")
    request_args.update(args)
    result, failed = run_module(rb, dict((key, value) for key, value in request_args.items() if value is not None))
    assert failed and fragment in result["msg"]
    assert sent_requests == []
