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
    # --diff shows the predicted objects, as the binding module predicts them, in one batch.
    [bindings] = run.tasks("Bind each prefix to its default service")
    diffs = bindings["result"]["diff"]
    assert [diff["after"]["cidr"] for diff in diffs] == [
        "203.0.113.0/24", "203.0.113.16/29", "203.0.113.64/32", "203.0.113.66/32", "198.51.100.0/24"]
    assert all(diff["before"] == {} for diff in diffs)
    assert "[WARNING]" not in run.output  # nothing warns about a prefix this very dry run adds


def test_dry_run_on_a_partly_onboarded_account_plans_what_a_real_run_would_do(sim, runner):
    """Approved, bound, still deploying: the plan reads the bindings and, without waiting, advertises nothing."""
    sim.control("POST", "/reset")
    sim.control("PATCH", "/config", dict(provisioning_seconds=3600))
    try:
        edge, plain = edge_prefix(), plain_prefix(advertise=True)
        assert runner.run("onboard", dict(byoip_prefixes=[edge], byoip_onboard_wait=False)).returncode == 0
        sim.advance(2)  # approved
        bound = runner.run("onboard", dict(byoip_prefixes=[edge], byoip_onboard_wait=False))
        assert bound.returncode == 0, bound.output
        plain_added = runner.run("onboard", dict(byoip_prefixes=[plain], byoip_onboard_wait=False))
        assert plain_added.returncode == 0, plain_added.output
        sim.advance(2)  # plain is approved too, with no binding yet

        for wait in (False, True):
            mark = sim.mark()
            run = runner.run("onboard", dict(byoip_prefixes=[edge, plain], byoip_onboard_wait=wait),
                             "--check", "--diff")
            assert run.returncode == 0, run.output
            assert sim.writes_since(mark) == []
            assert run.max_attempts() <= 1  # one read, no poll
            report = {entry["cidr"]: entry for entry in run.fact("byoip_onboard_report")}
            edge_report, plain_report = report["203.0.113.0/24"], report["198.51.100.0/24"]
            assert [binding["state"] for binding in edge_report["bindings"]] == ["provisioning"] * 4
            assert "advertisement: waits until every binding is active" in edge_report["pending"]
            assert not edge_report["advertised"]
            assert plain_report["changed"][0].startswith("would bind 198.51.100.0/24 to CDN")
            advertise = "would advertise %s over BGP"
            if wait:  # the real run waits for the deployment, then advertises
                assert advertise % "203.0.113.0/24" in edge_report["changed"]
                assert advertise % "198.51.100.0/24" in plain_report["changed"]
            else:  # the real run stops before advertising what is not deployed, or not bound yet
                assert edge_report["changed"] == []
                assert plain_report["changed"] == [plain_report["changed"][0]]
    finally:
        sim.control("PATCH", "/config", dict(provisioning_seconds=1))
