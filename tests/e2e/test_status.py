"""The status report: every prefix of the account, on screen, as a fact, and as Markdown or HTML."""

import pytest

from conftest import edge_prefix, plain_prefix

EDGE = "203.0.113.0/24"
PENDING = "198.51.100.0/24"


@pytest.fixture(scope="module")
def account(sim, module_runner):
    sim.control("POST", "/reset")
    sim.control("POST", "/validation-outcomes", dict(cidr=PENDING, outcome="invalid"))
    run = module_runner.run("onboard", dict(byoip_prefixes=[edge_prefix()]))
    assert run.returncode == 0, run.output
    run = module_runner.run("onboard", dict(byoip_prefixes=[plain_prefix(PENDING, description="Lab | test <b>")],
                                            byoip_onboard_wait=False))
    assert run.returncode == 0, run.output
    sim.advance(2)  # the pending prefix's checks have run (and RPKI failed)


def test_the_report_covers_every_prefix_with_bindings_and_advertisement(sim, module_runner, account):
    mark = sim.mark()
    run = module_runner.run("status", {})
    assert run.returncode == 0, run.output
    assert sim.writes_since(mark) == []
    report = {entry["cidr"]: entry for entry in run.fact("byoip_status_report")["prefixes"]}
    assert set(report) == {EDGE, PENDING}
    assert report[EDGE]["state"] == "advertised"
    assert report[EDGE]["validation"] == dict(irr="valid", rpki="valid", ownership="valid")
    bindings = [(binding["cidr"], binding["service"], binding["state"]) for binding in report[EDGE]["bindings"]]
    assert ("203.0.113.16/29", "CDN", "active") in bindings
    assert report[EDGE]["bgp_prefixes"][0]["advertised"] is True
    assert report[PENDING]["state"] == "validation failed"
    assert report[PENDING]["validation"]["rpki"] == "invalid"
    assert any(problem.startswith("RPKI ROA:") for problem in report[PENDING]["problems"])


@pytest.mark.parametrize("name, expected_format", [("status.md", "markdown"), ("status.html", "html"),
                                                   ("status.txt", "markdown")])
def test_the_report_file_format_follows_the_extension(module_runner, account, tmp_path, name, expected_format):
    path = tmp_path / name
    run = module_runner.run("status", dict(byoip_status_report_path=str(path)))
    assert run.returncode == 0, run.output
    text = path.read_text(encoding="utf-8")
    if expected_format == "html":
        assert text.startswith("<!DOCTYPE html>")
        assert "<td>203.0.113.16/29</td><td>CDN</td>" in text
        assert "Lab | test &lt;b&gt;" in text  # free text is escaped
    else:
        assert text.startswith("# BYOIP prefixes")
        assert "| 203.0.113.0/24 | advertised | valid | valid | valid | 4 | yes |" in text
        assert "- Description: Lab | test &lt;b&gt;" in text and "<b>" not in text  # no markup from free text


def test_the_format_can_be_forced(module_runner, account, tmp_path):
    path = tmp_path / "report.out"
    run = module_runner.run("status", dict(byoip_status_report_path=str(path), byoip_status_report_format="html"))
    assert run.returncode == 0, run.output
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_check_mode_does_not_write_the_report(module_runner, account, tmp_path):
    path = tmp_path / "status.md"
    run = module_runner.run("status", dict(byoip_status_report_path=str(path)), "--check")
    assert run.returncode == 0, run.output
    assert not path.exists()
