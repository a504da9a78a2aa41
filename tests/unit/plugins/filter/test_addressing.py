"""Unit tests of the planning filters."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudflare.addressing.plugins.filter.addressing import (
    FilterModule,
    aggregate_cidrs,
    reverse_zones,
    validation_diagnosis,
)

GET_STARTED_CDN_ADDRESSES = ["203.0.113.%d" % last for last in range(16, 24)]


def test_get_started_example_becomes_one_slash_29():
    assert aggregate_cidrs(GET_STARTED_CDN_ADDRESSES) == ["203.0.113.16/29"]


def test_non_contiguous_addresses_stay_apart():
    assert aggregate_cidrs(["203.0.113.16", "203.0.113.17", "203.0.113.40"]) == ["203.0.113.16/31", "203.0.113.40/32"]


def test_misaligned_runs_split_on_cidr_boundaries():
    # .17-.24 are eight addresses but not one aligned block.
    addresses = ["203.0.113.%d" % last for last in range(17, 25)]
    assert aggregate_cidrs(addresses) == ["203.0.113.17/32", "203.0.113.18/31", "203.0.113.20/30",
                                          "203.0.113.24/32"]


def test_mixed_families_cidrs_duplicates_and_a_single_string():
    assert aggregate_cidrs(["2001:db8::1", "203.0.113.8/30", "203.0.113.12/30", "203.0.113.9", "2001:db8::"]) == \
        ["203.0.113.8/29", "2001:db8::/127"]
    assert aggregate_cidrs("203.0.113.7") == ["203.0.113.7/32"]


@pytest.mark.parametrize("bad", ["203.0.113.300", "203.0.113.5/24", 42])
def test_bad_entries_are_named(bad):
    with pytest.raises(AnsibleFilterError, match="aggregate_cidrs"):
        aggregate_cidrs([bad])


@pytest.mark.parametrize("cidr,zones", [
    ("203.0.113.0/24", ["113.0.203.in-addr.arpa"]),
    ("203.0.112.0/23", ["112.0.203.in-addr.arpa", "113.0.203.in-addr.arpa"]),
    ("45.10.0.0/16", ["10.45.in-addr.arpa"]),
    ("2001:db8::/48", ["0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"]),
    ("2001:db8::/34", ["%d.8.b.d.0.1.0.0.2.ip6.arpa" % nibble for nibble in range(4)]),
])
def test_reverse_zones_follow_octet_and_nibble_boundaries(cidr, zones):
    assert reverse_zones(cidr) == zones


def test_diagnosis_explains_each_check():
    prefix = {"irr_validation_state": "valid", "rpki_validation_state": "invalid",
              "ownership_validation_state": "pending"}
    report = dict((entry["field"], entry) for entry in validation_diagnosis(prefix))
    assert not report["irr_validation_state"]["failed"]
    assert report["rpki_validation_state"]["failed"]
    assert "ROA" in report["rpki_validation_state"]["message"]
    assert "still running" in report["ownership_validation_state"]["message"]


def test_diagnosis_of_an_unknown_state_is_generic_but_honest():
    report = validation_diagnosis({"irr_validation_state": "exotic"})
    assert "state 'exotic'" in report[0]["message"]
    assert not report[0]["failed"]


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"aggregate_cidrs", "reverse_zones", "validation_diagnosis"}
