"""Unit tests of byoip_service_info's name filter."""

import pytest

from ansible_collections.cloudflare.addressing.plugins.modules import byoip_service_info

SERVICES = [{"id": "a" * 32, "name": "Magic Transit"}, {"id": "b" * 32, "name": "CDN", "extra": 1},
            {"id": "c" * 32, "name": "Spectrum"}]


def test_without_a_name_every_service_is_returned_as_id_and_name():
    assert byoip_service_info.matching(SERVICES, None) == [
        {"id": "a" * 32, "name": "Magic Transit"}, {"id": "b" * 32, "name": "CDN"},
        {"id": "c" * 32, "name": "Spectrum"}]


def test_the_name_filter_ignores_case_and_surrounding_blanks():
    assert byoip_service_info.matching(SERVICES, " magic TRANSIT ") == [{"id": "a" * 32, "name": "Magic Transit"}]
    assert byoip_service_info.matching(SERVICES, "cdn") == [{"id": "b" * 32, "name": "CDN"}]


def test_an_unknown_name_returns_nothing():
    assert byoip_service_info.matching(SERVICES, "Magic") == []


@pytest.mark.parametrize("name", ["", "  "])
def test_an_empty_name_fails_before_any_request(run_module, sent_requests, name):
    result, failed = run_module(byoip_service_info, dict(name=name))
    assert failed and "name is empty" in result["msg"]
    assert sent_requests == []


def test_bad_connection_input_fails_before_any_request(run_module, sent_requests):
    result, failed = run_module(byoip_service_info, dict(account_id="nope"))
    assert failed and "account_id must be" in result["msg"]
    assert sent_requests == []
