"""Unit tests of the client's pacing by Cloudflare's rate-limit headers, and of sharing one client between threads.

The pacing decisions are pure functions of header values and times; nothing here sleeps.
"""

import threading

import pytest
import requests

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import (
    CloudflareAPIError,
    CloudflareClient,
    Pacer,
    RateLimit,
    pacing_delays,
    parse_rate_limits,
)

from api_harness import ACCOUNT, TOKEN, client, ok, rate_limited


def quota(remaining, reset, limit=1200, window=300):
    """Headers as Cloudflare sends them since September 2025 (IETF draft RateLimit fields)."""
    return {"Ratelimit": '"default";r=%d;t=%d' % (remaining, reset),
            "Ratelimit-Policy": '"default";q=%d;w=%d' % (limit, window)}


def answer(remaining, reset):
    response = ok([])
    response.headers.update(quota(remaining, reset))
    return response


# --- reading the headers -----------------------------------------------------------------------------------------

def test_the_ietf_draft_fields_cloudflare_sends():
    assert parse_rate_limits(quota(50, 30)) == [RateLimit(50.0, 30.0, 1200.0)]


def test_header_names_are_case_insensitive():
    assert parse_rate_limits({"ratelimit": '"default";r=7;t=3', "RATELIMIT-POLICY": '"default";q=10;w=60'}) == [
        RateLimit(7.0, 3.0, 10.0)]


def test_several_quotas_are_each_matched_with_their_policy():
    headers = {"Ratelimit": '"burst";r=9;t=20, "default";r=600;t=200',
               "Ratelimit-Policy": '"default";q=1200;w=300, "burst";q=100;w=60'}
    assert parse_rate_limits(headers) == [RateLimit(9.0, 20.0, 100.0), RateLimit(600.0, 200.0, 1200.0)]


def test_without_t_the_window_bounds_the_reset():
    assert parse_rate_limits({"Ratelimit": '"default";r=5', "Ratelimit-Policy": '"default";q=1200;w=300'}) == [
        RateLimit(5.0, 300.0, 1200.0)]


def test_the_x_ratelimit_headers_cloudflare_documented_before_are_read_too():
    headers = {"x-ratelimit-limit": "1200", "x-ratelimit-remaining": "0",
               "x-ratelimit-reset": "Tue, 25 Feb 2025 00:40:11 GMT", "Date": "Tue, 25 Feb 2025 00:35:11 GMT"}
    assert parse_rate_limits(headers) == [RateLimit(0.0, 300.0, 1200.0)]


@pytest.mark.parametrize("headers", [{}, {"Ratelimit": "garbage"}, {"Ratelimit": '"default";t=3'},
                                     {"x-ratelimit-remaining": "many"}])
def test_absent_or_unreadable_headers_announce_nothing(headers):
    assert parse_rate_limits(headers) == []


# --- the decisions -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("limit,expected", [
    (RateLimit(1100, 200, 1200), (0.0, 0.0)),  # plenty left: full speed
    (RateLimit(241, 200, 1200), (0.0, 0.0)),  # just above a fifth
    (RateLimit(200, 100, 1200), (0.0, 0.5)),  # spread the rest over the rest of the window
    (RateLimit(0, 120, 1200), (120.0, 0.0)),  # used up: hold until the window resets
    (RateLimit(0, 86400, 1200), (300.0, 0.0)),  # a reset beyond Cloudflare's window is not believed
    (RateLimit(50, 100, None), (0.0, 2.0)),  # quota not announced: pace below 100 left
    (RateLimit(500, 100, None), (0.0, 0.0)),
    (RateLimit(None, 100, 1200), (0.0, 0.0)),
    (RateLimit(10, None, 1200), (0.0, 0.0)),
])
def test_pacing_delays(limit, expected):
    assert pacing_delays(limit) == expected


def test_the_pacer_spaces_request_starts_once_little_is_left():
    pacer = Pacer()
    assert pacer.reserve(now=0.0) == 0.0
    pacer.observe(0.5, quota(remaining=100, reset=50))  # one every 0.5 s
    assert [pacer.reserve(now=1.0) for _request in range(3)] == [0.0, 0.5, 1.0]
    assert pacer.paced_requests == 2 and pacer.paced_seconds == 1.5


def test_the_pacer_holds_everything_until_a_used_up_quota_resets():
    pacer = Pacer()
    pacer.observe(10.0, quota(remaining=0, reset=40))
    assert pacer.wait_before_next(now=10.0) == 40.0
    assert pacer.reserve(now=30.0) == 20.0
    pacer.observe(51.0, quota(remaining=1199, reset=299))
    assert pacer.reserve(now=52.0) == 0.0


def test_the_pacer_goes_back_to_full_speed_with_a_fresh_window():
    pacer = Pacer()
    pacer.observe(0.0, quota(remaining=10, reset=100))
    pacer.reserve(now=0.0)
    pacer.observe(100.0, quota(remaining=1199, reset=300))
    assert [pacer.reserve(now=110.0) for _request in range(3)] == [0.0, 0.0, 0.0]


def test_answers_without_headers_leave_the_pacing_as_it_was():
    pacer = Pacer()
    pacer.observe(0.0, quota(remaining=0, reset=40))
    pacer.observe(1.0, {})
    assert pacer.wait_before_next(now=1.0) == 39.0


# --- the client --------------------------------------------------------------------------------------------------

def test_a_run_slows_down_instead_of_collecting_429s():
    hx = client([answer(1, 30), answer(0, 29), ok([])])
    for _call in range(3):
        hx.api.get("/x")
    assert hx.sleeps == [30.0, 29.0]
    assert hx.api.waited == 0.0, "pacing is not a retry and leaves the retry budget alone"
    assert hx.api.pacer.paced_requests == 2


def test_a_429_for_a_used_up_quota_retries_after_the_window_not_before():
    hx = client([rate_limited(retry_after=60, remaining=0, reset=100), ok([])], retry_max_wait=200)
    assert hx.api.get("/x") == []
    assert hx.sleeps == [100.0]


def test_a_429_whose_window_is_beyond_the_retry_budget_fails_at_once():
    hx = client([rate_limited(retry_after=60, remaining=0, reset=280)], retry_max_wait=120)
    with pytest.raises(CloudflareAPIError) as caught:
        hx.api.get("/x")
    assert hx.sleeps == [] and len(hx.session.sent) == 1
    assert "due in 280 s" in caught.value.describe() and "retry_max_wait" in caught.value.describe()


def test_a_429_of_another_rule_does_not_hold_the_quota():
    hold = rate_limited(retry_after=5, remaining=900, reset=200)  # e.g. the advertisement toggle hold
    hx = client([hold, ok([])])
    hx.api.patch("/x", {"on_demand": {"advertised": True}})
    assert hx.sleeps == [5.0]


# --- threads -----------------------------------------------------------------------------------------------------

class CountingSession(requests.Session):
    """A session that answers every request from a shared script and remembers the thread it was used on."""

    def __init__(self, answer_for, log):
        super().__init__()
        self.answer_for = answer_for
        self.log = log
        self.threads = set()

    def request(self, method, url, **kwargs):  # pylint: disable=arguments-differ
        self.threads.add(threading.get_ident())
        self.log.append(self)
        return self.answer_for(url)


def run_threads(api, work, count=8):
    errors = []

    def target():
        try:
            work(api)
        except Exception as error:  # pylint: disable=broad-except
            errors.append(error)
    threads = [threading.Thread(target=target) for _thread in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def shared_client(answer_for, **options):
    log, sleeps = [], []
    lock = threading.Lock()

    def sleep(seconds):
        with lock:
            sleeps.append(seconds)
    api = CloudflareClient(base_url="http://sim/client/v4", account_id=ACCOUNT, api_token=TOKEN, sleep=sleep,
                           session_factory=lambda: CountingSession(answer_for, log), **options)
    return api, log, sleeps


def test_each_thread_gets_its_own_session_with_the_same_headers():
    api, log, _sleeps = shared_client(lambda url: ok([]))
    errors = run_threads(api, lambda shared: [shared.get("/x") for _call in range(25)])
    assert errors == []
    sessions = set(log)
    assert len(sessions) == 8 and all(len(session.threads) == 1 for session in sessions)
    assert len(set(session.headers["Authorization"] for session in sessions)) == 1
    assert api.request_count == len(log) == 200


def test_threads_share_one_retry_budget():
    api, _log, sleeps = shared_client(lambda url: rate_limited(retry_after=1), retries=100, retry_max_wait=10)
    errors = run_threads(api, lambda shared: shared.get("/x"))
    assert len(errors) == 8 and all(isinstance(error, CloudflareAPIError) for error in errors)
    assert sum(sleeps) <= 10 and api.waited <= 10


def test_threads_share_the_pacing():
    api, _log, sleeps = shared_client(lambda url: answer(0, 30))
    api.get("/x")  # the quota is used up: whichever thread sends the next request waits for the window
    assert run_threads(api, lambda shared: shared.get("/x"), count=4) == []
    assert api.pacer.paced_requests == 4 and len(sleeps) == 4 and all(wait > 0 for wait in sleeps)


def test_requests_in_flight_at_once_do_not_overshoot_what_is_left():
    pacer = Pacer()
    pacer.reserve(now=0.0)
    pacer.observe(0.1, quota(remaining=2, reset=4, limit=6, window=4))  # two left until 4.1, none in flight
    starts = [0.2 + pacer.reserve(now=0.2) for _thread in range(4)]  # four threads at once
    assert len([start for start in starts if start < 4.1]) == 2, starts  # the others wait for the next window


def test_what_is_left_counts_the_requests_still_in_flight():
    pacer = Pacer()
    for _thread in range(3):
        pacer.reserve(now=0.0)
    pacer.observe(0.1, quota(remaining=3, reset=4, limit=6, window=4))  # the two in flight are not counted
    starts = [0.2 + pacer.reserve(now=0.2) for _request in range(2)]
    assert len([start for start in starts if start < 4.1]) == 1, starts


def test_a_request_without_an_answer_frees_its_place():
    pacer = Pacer()
    pacer.reserve(now=0.0)
    pacer.reserve(now=0.0)
    pacer.abandon()
    pacer.observe(0.2, quota(remaining=2, reset=4, limit=6, window=4))  # nothing in flight: both still left
    starts = [0.3 + pacer.reserve(now=0.3) for _request in range(3)]
    assert len([start for start in starts if start < 4.2]) == 2, starts
