"""Unit tests of the private API client: envelope, errors, retry decisions and the unknown-outcome rule."""

import pathlib

import pytest
import requests
import yaml

from ansible_collections.cloudflare.addressing.plugins.module_utils import _api
from ansible_collections.cloudflare.addressing.plugins.module_utils._api import (
    CloudflareAPIError,
    OutcomeUnknownError,
    backoff_delay,
    parse_retry_after,
)

from api_harness import ACCOUNT, TOKEN, client, connect_timeout, dropped, failure, ok, refused, response

ROOT = pathlib.Path(__file__).resolve().parents[4]


# --- envelope and errors ---------------------------------------------------------------------------------------

def test_success_returns_the_result_of_the_envelope():
    hx = client([ok([{"id": "a"}])])
    assert hx.api.get(hx.api.account_path("prefixes")) == [{"id": "a"}]
    assert hx.session.sent == [("GET", "http://sim/client/v4/accounts/%s/addressing/prefixes" % ACCOUNT, None)]


def test_empty_body_is_a_successful_envelope_without_result():
    hx = client([response(200)])
    assert hx.api.delete("/x") is None


def test_success_false_in_a_2xx_body_is_an_error():
    hx = client([response(200, {"success": False, "errors": [{"code": 1001, "message": "nope"}]})])
    with pytest.raises(CloudflareAPIError) as caught:
        hx.api.get("/x")
    assert caught.value.codes == [1001]


def test_error_carries_status_request_and_every_cloudflare_code_but_never_credentials():
    hx = client([failure(400, 6003, "Invalid request headers",
                         [{"code": 6111, "message": "Invalid format for Authorization header"}])])
    with pytest.raises(CloudflareAPIError) as caught:
        hx.api.get("/accounts/%s/addressing/prefixes" % ACCOUNT)
    error = caught.value
    assert (error.status, error.method) == (400, "GET")
    assert error.codes == [6003, 6111]
    text = error.describe()
    assert "GET /accounts/%s/addressing/prefixes" % ACCOUNT in text
    assert "HTTP 400" in text
    assert "6003 Invalid request headers (6111 Invalid format for Authorization header)" in text
    assert TOKEN not in text and TOKEN not in repr(error.as_dict())


def test_non_json_error_body_is_reported_briefly():
    hx = client([response(400, raw="<html><body>" + "x" * 500 + "</body></html>")])
    with pytest.raises(CloudflareAPIError) as caught:
        hx.api.get("/x")
    assert caught.value.status == 400
    assert len(caught.value.describe()) < 400


def test_client_errors_are_not_retried():
    hx = client([failure(409, 1409, "conflict")])
    with pytest.raises(CloudflareAPIError):
        hx.api.post("/x", {"a": 1})
    assert len(hx.session.sent) == 1 and hx.sleeps == []


# --- retries ---------------------------------------------------------------------------------------------------

def test_default_budget_rides_out_five_429s_honouring_retry_after():
    storm = [failure(429, 971, "Please wait and consider throttling your request speed")] * 5
    for item in storm:
        item.headers["Retry-After"] = "1"
    hx = client(storm + [ok({"id": "p"})])
    assert hx.api.get("/x") == {"id": "p"}
    assert hx.sleeps == [1.0] * 5
    assert len(hx.session.sent) == 6


def test_429_without_retry_after_backs_off_with_growing_jittered_delays():
    hx = client([failure(429, 971, "slow down")] * 3 + [ok({})])
    hx.api.get("/x")
    assert len(hx.sleeps) == 3
    for attempt, delay in enumerate(hx.sleeps):
        step = min(_api.BACKOFF_CAP_SECONDS, _api.BACKOFF_BASE_SECONDS * 2 ** attempt)
        assert step / 2 <= delay <= step


def test_retry_count_is_bounded():
    hx = client([failure(503, 1500, "unavailable")] * 4, retries=3)
    with pytest.raises(CloudflareAPIError) as caught:
        hx.api.get("/x")
    assert len(hx.session.sent) == 4
    assert "gave up after 3 retries" in caught.value.describe()


def test_retry_after_beyond_the_remaining_budget_fails_at_once_and_says_so():
    hold = failure(429, 1429, "advertisement changed less than 15 minutes ago")
    hold.headers["Retry-After"] = "900"
    hx = client([hold], retry_max_wait=120)
    with pytest.raises(CloudflareAPIError) as caught:
        hx.api.patch("/x", {"on_demand": {"advertised": True}})
    assert hx.sleeps == [] and len(hx.session.sent) == 1
    assert "900 s" in caught.value.describe() and "retry_max_wait" in caught.value.describe()
    assert caught.value.retry_after == 900.0


def test_a_refusal_keeps_the_server_clock_retry_after_counts_from():
    hold = failure(429, 1429, "advertisement changed less than 15 minutes ago")
    hold.headers.update({"Retry-After": "900", "Date": "Tue, 25 Feb 2025 00:35:11 GMT"})
    hx = client([hold], retry_max_wait=120)
    with pytest.raises(CloudflareAPIError) as caught:
        hx.api.patch("/x", {"on_demand": {"advertised": True}})
    assert caught.value.server_time.isoformat() == "2025-02-25T00:35:11+00:00"


def test_total_wait_is_bounded():
    storm = [failure(429, 971, "slow down") for attempt in range(10)]
    for item in storm:
        item.headers["Retry-After"] = "30"
    hx = client(storm, retry_max_wait=100)
    with pytest.raises(CloudflareAPIError):
        hx.api.get("/x")
    assert sum(hx.sleeps) <= 100


def test_the_wait_budget_covers_every_request_of_a_run():
    limited = []
    for attempt in range(2):
        item = failure(429, 971, "slow down")
        item.headers["Retry-After"] = "3"
        limited.append(item)
    hx = client([limited[0], ok({}), limited[1]], retry_max_wait=5)
    hx.api.get("/first")
    with pytest.raises(CloudflareAPIError) as caught:
        hx.api.get("/second")
    assert hx.sleeps == [3.0] and len(hx.session.sent) == 3
    assert "retry_max_wait" in caught.value.describe()


@pytest.mark.parametrize("error", [
    requests.exceptions.MissingSchema("Invalid URL '/accounts': No scheme supplied"),
    requests.exceptions.InvalidURL("Invalid URL 'http://': No host supplied"),
    requests.exceptions.SSLError("certificate verify failed: self-signed certificate"),
])
def test_errors_that_a_retry_cannot_cure_fail_at_once(error):
    hx = client([error])
    with pytest.raises(CloudflareAPIError) as caught:
        hx.api.get("/x")
    assert len(hx.session.sent) == 1 and hx.sleeps == []
    assert caught.value.status is None


def test_reads_are_retried_after_a_dropped_connection():
    hx = client([dropped(), ok([])])
    assert hx.api.get("/x") == []
    assert len(hx.session.sent) == 2 and len(hx.sleeps) == 1


def test_connection_failure_names_the_endpoint_and_no_secret():
    hx = client([refused()], retries=0)
    with pytest.raises(CloudflareAPIError) as caught:
        hx.api.get("/x")
    assert "http://sim/client/v4" in caught.value.describe()
    assert caught.value.status is None and TOKEN not in caught.value.describe()


# --- the unknown-outcome rule ----------------------------------------------------------------------------------

def test_a_post_whose_connection_dropped_is_not_repeated_by_the_transport():
    hx = client([dropped()])
    with pytest.raises(OutcomeUnknownError):
        hx.api.post("/x", {"cidr": "203.0.113.0/24"})
    assert len(hx.session.sent) == 1


def test_a_post_that_never_left_is_retried():
    hx = client([connect_timeout(), ok({"id": "new"}, 201)])
    assert hx.api.post("/x", {"a": 1}) == {"id": "new"}
    assert [call[0] for call in hx.session.sent] == ["POST", "POST"]


def test_a_post_that_may_be_repeated_is_retried_after_a_5xx():
    hx = client([failure(503, 1501, "Service Unavailable"), ok({"id": "p"}, 202)])
    assert hx.api.post("/prefixes/p/validate", idempotent=True) == {"id": "p"}
    assert len(hx.session.sent) == 2


def test_a_post_answered_with_429_is_retried_because_it_was_not_applied():
    limited = failure(429, 971, "slow down")
    limited.headers["Retry-After"] = "1"
    hx = client([limited, ok({"id": "new"}, 201)])
    assert hx.api.post("/x", {}) == {"id": "new"}
    assert len(hx.session.sent) == 2


def test_create_adopts_the_object_when_the_dropped_post_had_created_it():
    hx = client([dropped()])
    created = {"id": "adopted"}
    lookups = []

    def find_existing():
        lookups.append(True)
        return created

    assert hx.api.create_resource("/prefixes", {"cidr": "203.0.113.0/24"}, find_existing) is created
    assert [call[0] for call in hx.session.sent] == ["POST"]
    assert lookups == [True]


@pytest.mark.parametrize("first", [dropped, lambda: failure(502, 1502, "bad gateway"),
                                   lambda: failure(503, 1501, "Service Unavailable")])
def test_create_posts_again_only_when_the_read_shows_nothing_was_created(first):
    hx = client([first(), ok({"id": "new"}, 201)])
    assert hx.api.create_resource("/prefixes", {"cidr": "203.0.113.0/24"}, lambda: None) == {"id": "new"}
    assert [call[0] for call in hx.session.sent] == ["POST", "POST"]


def test_create_gives_up_after_the_retry_budget():
    hx = client([dropped()] * 3, retries=2)
    with pytest.raises(OutcomeUnknownError):
        hx.api.create_resource("/prefixes", {}, lambda: None)
    assert len(hx.session.sent) == 3


def test_create_stops_within_the_wait_budget():
    hx = client([dropped()] * 11, retry_max_wait=5)
    with pytest.raises(OutcomeUnknownError) as caught:
        hx.api.create_resource("/prefixes", {}, lambda: None)
    assert sum(hx.sleeps) <= 5
    assert len(hx.session.sent) < 11
    assert "retry_max_wait" in caught.value.describe()


def test_a_create_answered_503_after_doing_the_work_is_adopted_without_a_second_post():
    hx = client([failure(503, 1501, "Service Unavailable")])
    adopted = {"id": "created-before-the-503"}
    assert hx.api.create_resource("/prefixes", {"cidr": "203.0.113.0/24"}, lambda: adopted) is adopted
    assert [call[0] for call in hx.session.sent] == ["POST"]


def test_a_create_answered_5xx_waits_as_long_as_retry_after_says_before_posting_again():
    unavailable = failure(503, 1501, "Service Unavailable")
    unavailable.headers["Retry-After"] = "7"
    hx = client([unavailable, ok({"id": "new"}, 201)])
    assert hx.api.create_resource("/prefixes", {}, lambda: None) == {"id": "new"}
    assert hx.sleeps == [7.0]


def test_a_create_that_conflicts_with_the_object_asked_for_adopts_it():
    hx = client([failure(409, 1301, "Prefix 203.0.113.0/24 already exists in this account")])
    lookups = []
    concurrent = {"id": "made-by-a-concurrent-run", "cidr": "203.0.113.0/24"}

    def find_existing():
        lookups.append(True)
        return concurrent

    assert hx.api.create_resource("/prefixes", {"cidr": "203.0.113.0/24"}, find_existing) is concurrent
    assert lookups == [True] and len(hx.session.sent) == 1


def test_a_real_conflict_fails_with_cloudflares_message():
    hx = client([failure(409, 1302, "Prefix 203.0.112.0/23 overlaps an existing prefix")])
    with pytest.raises(CloudflareAPIError) as caught:
        hx.api.create_resource("/prefixes", {"cidr": "203.0.112.0/23"}, lambda: None)
    text = caught.value.describe()
    assert caught.value.status == 409 and "1302 Prefix 203.0.112.0/23 overlaps an existing prefix" in text
    assert "no object matches what was asked" in text
    assert len(hx.session.sent) == 1


def test_a_create_refused_for_another_reason_is_not_read_again():
    hx = client([failure(400, 1104, "invalid CIDR")])
    lookups = []
    with pytest.raises(CloudflareAPIError):
        hx.api.create_resource("/prefixes", {}, lambda: lookups.append(True))
    assert lookups == []


# --- helpers and headers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [("1", 1.0), ("2.5", 2.5), (None, None), ("soon", None)])
def test_parse_retry_after_seconds(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == pytest.approx(30.0)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412500.0) == 0.0


def test_backoff_is_capped():
    assert backoff_delay(50, rng=lambda: 1.0) == _api.BACKOFF_CAP_SECONDS
    assert backoff_delay(0, rng=lambda: 0.0) == _api.BACKOFF_BASE_SECONDS / 2


def test_token_is_sent_as_bearer_and_user_agent_names_the_collection():
    hx = client([])
    assert hx.api.session.headers["Authorization"] == "Bearer " + TOKEN
    assert "X-Auth-Key" not in hx.api.session.headers
    assert hx.api.session.headers["User-Agent"].startswith("cloudflare.addressing/" + _api.COLLECTION_VERSION)


def test_email_and_key_are_sent_as_x_auth_headers():
    hx = client([], api_token=None, api_email="ops@example.com", api_key="k" * 37)
    assert hx.api.session.headers["X-Auth-Email"] == "ops@example.com"
    assert hx.api.session.headers["X-Auth-Key"] == "k" * 37
    assert "Authorization" not in hx.api.session.headers


def test_collection_version_matches_galaxy_yml():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))
    assert _api.COLLECTION_VERSION == galaxy["version"]
