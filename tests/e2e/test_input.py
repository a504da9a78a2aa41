"""Bad input fails before anything is written: a mistake in the second prefix or in a binding must not surface
after the first prefix was added, or after hours of waiting for validation."""

from conftest import DELEGATED_ACCOUNT, edge_prefix, plain_prefix


def test_every_input_mistake_is_reported_at_once_before_any_request(sim, runner):
    sim.control("POST", "/reset")
    mark = sim.mark()
    prefixes = [
        plain_prefix("198.51.100.0/24", asn=0,
                     delegations=[dict(account_id="ABC"), dict(cidr="192.0.2.0/25", account_id=DELEGATED_ACCOUNT)]),
        edge_prefix(bindings=[dict(service="CDN", cidrs=["203.0.113.16", "198.51.100.5", "2001:db8::1",
                                                         "203.0.113.0/24"]),
                              dict(service="Magic Transit", cidrs=["203.0.113.9"])]),
        plain_prefix("203.0.113.0/24"),
    ]
    run = runner.run("onboard", dict(byoip_prefixes=prefixes))
    assert run.returncode != 0
    assert sim.requests_since(mark) == []
    message = run.failure_messages()
    for problem in (
            "byoip_prefixes has problems; nothing was sent to Cloudflare",
            "byoip_prefixes[0].asn: 0 is not an AS number",
            "byoip_prefixes[0].delegations[0].account_id: 'ABC' is not a Cloudflare account id",
            "byoip_prefixes[0].delegations[1].cidr: the delegation 192.0.2.0/25 is not inside the prefix",
            "byoip_prefixes[1].bindings[0].cidrs[1]: the address 198.51.100.5/32 is not inside the prefix",
            "byoip_prefixes[1].bindings[0].cidrs[2]: the address 2001:db8::1/128 is not inside the prefix",
            "byoip_prefixes[1].bindings[0].cidrs[3]: 203.0.113.0/24 is the whole prefix; set default_service",
            "byoip_prefixes[1].bindings[1].service: Magic Transit can only be the default binding",
            "byoip_prefixes[2]: 203.0.113.0/24 is listed more than once"):
        assert problem in message, message
    assert "203.0.113.16" not in message


def test_an_address_that_is_no_address_fails_before_any_request(sim, runner):
    sim.control("POST", "/reset")
    mark = sim.mark()
    prefixes = [plain_prefix(), edge_prefix(bindings=[dict(service="CDN", cidrs=["203.0.113.300"])])]
    run = runner.run("onboard", dict(byoip_prefixes=prefixes))
    assert run.returncode != 0
    assert sim.requests_since(mark) == []
    assert "byoip_prefixes[1].bindings[0].cidrs[0]: '203.0.113.300' is not an IP address or a CIDR" \
        in run.failure_messages()


def test_an_unknown_service_fails_after_reading_the_account_and_with_no_write(sim, runner):
    sim.control("POST", "/reset")
    mark = sim.mark()
    prefixes = [plain_prefix(), edge_prefix(default_service="Spektrum",
                                            bindings=[dict(service=" cdn", cidrs=["203.0.113.16"])])]
    run = runner.run("onboard", dict(byoip_prefixes=prefixes))
    assert run.returncode != 0
    assert [entry["method"] + " " + entry["path"].rsplit("/", 1)[-1] for entry in sim.requests_since(mark)] \
        == ["GET prefixes", "GET services"]
    message = run.failure_messages()
    assert "byoip_prefixes[1].default_service: 'Spektrum' is not a service of the account" in message
    assert "The account's services: " in message and "Spectrum" in message
