"""A run never touches what its vars do not name, and bad input is refused before the first request (issue 9)."""

import pytest

from conftest import DELEGATED_ACCOUNT, edge_prefix, plain_prefix

EDGE = "203.0.113.0/24"
BYSTANDER = "198.51.100.0/24"


def account_state(sim, cidr):
    """What offboarding would strip from a prefix: its delegations, bindings and BGP advertisement."""
    return dict(delegations=sorted(item["cidr"] for item in sim.children(cidr, "delegations")),
                bindings=sorted(item["cidr"] for item in sim.children(cidr, "bindings")),
                bgp=sorted((item["cidr"], item["on_demand"]["advertised"]) for item in sim.children(cidr, "bgp/prefixes")))


@pytest.fixture(scope="module")
def two_prefixes(sim, module_runner):
    """The prefix the vars name, and a bystander the vars never name, both onboarded and advertised."""
    sim.control("POST", "/reset")
    bystander = plain_prefix(BYSTANDER, advertise=True, delegations=[dict(account_id=DELEGATED_ACCOUNT)])
    run = module_runner.run("onboard", dict(byoip_prefixes=[edge_prefix(), bystander]))
    assert run.returncode == 0, run.output
    return account_state(sim, BYSTANDER)


@pytest.mark.parametrize("damaged", [
    dict(cidr=None),  # a trailing "- cidr:" line
    dict(cidr=""),
    dict(cidr=[EDGE, BYSTANDER]),
], ids=["null", "empty", "list"])
def test_offboarding_with_a_damaged_entry_is_refused_with_no_request(sim, module_runner, two_prefixes, damaged):
    before = account_state(sim, EDGE)
    mark = sim.mark()
    run = module_runner.run("offboard", dict(byoip_prefixes=[dict(cidr=EDGE), damaged], byoip_offboard_confirm=True))
    assert run.returncode != 0
    assert sim.requests_since(mark) == []
    assert "byoip_prefixes[1].cidr" in run.failure_messages()
    assert account_state(sim, BYSTANDER) == two_prefixes
    assert account_state(sim, EDGE) == before


def test_offboarding_touches_only_the_named_prefix(sim, module_runner, two_prefixes):
    run = module_runner.run("offboard", dict(byoip_prefixes=[dict(cidr=EDGE)], byoip_offboard_confirm=True))
    assert run.returncode == 0, run.output
    assert account_state(sim, EDGE)["bindings"] == []
    assert account_state(sim, BYSTANDER) == two_prefixes


@pytest.mark.parametrize("prefixes, expected", [
    ([plain_prefix("203.0.112.0/23"), plain_prefix(EDGE)],
     ["byoip_prefixes[1]: 203.0.113.0/24 overlaps 203.0.112.0/23 of byoip_prefixes[0]"]),
    ([edge_prefix(bindings=[dict(service="CDN", cidrs=["203.0.113.16/29"]),
                            dict(service="Spectrum", cidrs=["203.0.113.20"])])],
     ["byoip_prefixes[0].bindings: 203.0.113.16/29 (CDN) and 203.0.113.20/32 (Spectrum) overlap"]),
    ([plain_prefix(delegations=[dict(account_id="023e105f4ecef8ad9ca31a8372d0c353")])],
     ["byoip_prefixes[0].delegations[0].account_id: 023e105f4ecef8ad9ca31a8372d0c353 is the account that owns"]),
    ([edge_prefix(), plain_prefix(description="x" * 1001)],
     ["byoip_prefixes[1].description: has 1001 characters; Cloudflare accepts at most 1000"]),
    ([edge_prefix(), plain_prefix(loa_document_id="not-an-id")],
     ["byoip_prefixes[1].loa_document_id: 'not-an-id' is not a Cloudflare identifier"]),
    ([edge_prefix(), plain_prefix(loa_document_id="a" * 32, delegate_loa_creation=True)],
     ["byoip_prefixes[1]: loa_document_id and delegate_loa_creation: true exclude each other"]),
    ([edge_prefix(cidr="203.0.113.1/24", bindings=[], delegations=[]),
      plain_prefix(delegations=[dict(cidr="198.51.100.129/25", account_id=DELEGATED_ACCOUNT)]),
      edge_prefix(cidr="192.0.2.0/24", delegations=[], bindings=[dict(service="CDN", cidrs=["192.0.2.17/29"])])],
     ["byoip_prefixes[0].cidr: '203.0.113.1/24' has host bits set; the network is 203.0.113.0/24",
      "byoip_prefixes[1].delegations[0].cidr: '198.51.100.129/25' has host bits set",
      "byoip_prefixes[2].bindings[0].cidrs[0]: '192.0.2.17/29' has host bits set"]),
    ([edge_prefix(), dict(cidr=None, default_service="CDN")], ["byoip_prefixes[1].cidr: is empty"]),
    ([edge_prefix(bindings=[dict(service="CDN", cidrs="203.0.113.16/29")])],
     ["byoip_prefixes[0].bindings[0].cidrs: must be a list"]),
    ([plain_prefix("0.0.0.0/0"), plain_prefix("10.0.0.0/8"), plain_prefix("fe80::/48")],
     ["byoip_prefixes[0].cidr: 0.0.0.0/0 is a default route",
      "byoip_prefixes[1].cidr: 10.0.0.0/8 is private-use space (RFC 1918)",
      "byoip_prefixes[2].cidr: fe80::/48 is link-local space"]),
    ([edge_prefix(cdir=EDGE)], ["byoip_prefixes[0]: unknown key 'cdir' (did you mean 'cidr'?)"]),
], ids=["overlap", "cdn-and-spectrum", "self-delegation", "description", "loa-id", "loa-id-and-delegate",
        "host-bits", "null-cidr", "string-for-list", "unannounceable", "typo"])
def test_onboarding_refuses_bad_input_with_no_request_and_every_problem_in_one_message(
        sim, runner, prefixes, expected):
    sim.control("POST", "/reset")
    mark = sim.mark()
    run = runner.run("onboard", dict(byoip_prefixes=prefixes))
    assert run.returncode != 0
    assert sim.requests_since(mark) == []
    failed = [record for record in run.records if record["status"] == "failed"]
    assert len(failed) == 1, run.output
    message = run.failure_messages()
    assert message.startswith("byoip_prefixes has problems; nothing was sent to Cloudflare:")
    for problem in expected:
        assert problem in message, message
    assert "argument_spec" not in run.output and "Traceback" not in run.output


def test_a_forgotten_vars_file_says_how_to_pass_it(runner):
    run = runner.run("onboard", {})
    assert run.returncode != 0
    assert "byoip_prefixes is not set. Pass your vars file" in run.failure_messages()
