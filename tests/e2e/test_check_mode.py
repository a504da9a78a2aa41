"""--check --diff: the whole plan on a fresh account, no write and no wait."""

from conftest import edge_prefix, plain_prefix


def test_dry_run_on_a_fresh_account_sends_no_write_and_shows_the_plan(sim, runner):
    sim.control("POST", "/reset")
    mark = sim.mark()
    run = runner.run("onboard", dict(byoip_prefixes=[edge_prefix(), plain_prefix()]), "--check", "--diff")
    assert run.returncode == 0, run.output
    assert sim.writes_since(mark) == []
    assert sim.get("prefixes") == []
    # It did not wait: every poll was skipped and nothing was retried.
    assert run.max_attempts() == 0
    assert all(record["status"] == "skipped" for record in run.tasks("Wait until"))
    report = {entry["cidr"]: entry for entry in run.fact("byoip_onboard_report")}
    assert report["203.0.113.0/24"]["changed"] == [
        "would add the prefix",
        "would delegate 203.0.113.128/25 to account 0123456789abcdef0123456789abcdef",
        "would bind 203.0.113.0/24 to Spectrum (the default binding, which comes with the withdrawn BGP prefix "
        "of the whole prefix)",
        "would bind 203.0.113.16/29 to CDN",
        "would bind 203.0.113.64/32 to CDN",
        "would bind 203.0.113.66/32 to CDN",
        "would advertise 203.0.113.0/24 over BGP",
    ]
    assert report["198.51.100.0/24"]["changed"] == [
        "would add the prefix",
        "would bind 198.51.100.0/24 to CDN (the default binding, which comes with the withdrawn BGP prefix "
        "of the whole prefix)",
    ]
    # --diff shows the predicted objects.
    diffs = [result["diff"] for record in run.tasks("Bind the additional addresses")
             for result in record["result"]["results"]]
    assert [diff["after"]["cidr"] for diff in diffs] == ["203.0.113.16/29", "203.0.113.64/32", "203.0.113.66/32"]
    assert all(diff["before"] == {} for diff in diffs)
