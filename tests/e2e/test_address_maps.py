"""Address maps in the roles (issue 11): the guide's last step before advertising, and its reverse.

Onboarding a prefix with a CDN /29 and an address map creates the map with exactly those IPs, advertises only after
the map exists, and a re-run writes nothing; offboarding takes exactly the prefix's IPs off the map.
"""

import json
import urllib.request

import pytest

from conftest import plain_prefix

EDGE = "203.0.113.0/24"
OTHER = "198.51.100.0/24"
CDN_29 = ["203.0.113.%d" % host for host in range(16, 24)]
MAP = "CDN edge"
ZONE = "0d8e1f6a2b3c4d5e6f708192a3b4c5d6"


def edge_with_map(**overrides):
    prefix = dict(cidr=EDGE, default_service="Spectrum", bindings=[dict(service="CDN", cidrs=["203.0.113.16/29"])],
                  address_maps=[dict(description=MAP, memberships=[dict(kind="zone", identifier=ZONE)])],
                  advertise=True)
    prefix.update(overrides)
    return prefix


def other_with_map():
    """A second prefix whose one address goes on the same map."""
    return plain_prefix(OTHER, address_maps=[dict(description=MAP, ips=["198.51.100.5"])])


def api(sim, method, path, body=None):
    """A request to the simulator's API as any client would send it (for objects the roles do not make)."""
    url = "/".join([sim.base_url, "accounts", sim.account_id, "addressing", path])
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": "Bearer " + sim.api_token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # nosec - the local simulator
        return json.loads(response.read())["result"]


def whole_maps(sim):
    return [api(sim, "GET", "address_maps/" + item["id"]) for item in api(sim, "GET", "address_maps")]


def the_map(sim, description=MAP):
    [found] = [item for item in whole_maps(sim) if item["description"] == description]
    return found


def ips(address_map):
    return set(item["ip"] for item in address_map["ips"])


def kinds(writes):
    """(method, what) per write: what is 'bindings', 'bgp', 'address_maps', 'address_maps/ips', 'dls', ..."""
    found = []
    for write in writes:
        method, path = write.split()
        if "/dls/" in path:
            found.append((method, "dls"))
            continue
        tail = path.split("/addressing/", 1)[1].split("/")
        if tail[0] == "prefixes":
            what = tail[2] if len(tail) > 2 else "prefixes"
        elif tail[0] == "address_maps":
            what = "address_maps/" + tail[2] if len(tail) > 2 else "address_maps"
        else:
            what = tail[0]
        found.append((method, what))
    return found


@pytest.fixture(scope="module")
def onboarded(sim, module_runner):
    sim.control("POST", "/reset")
    mark = sim.mark()
    run = module_runner.run("onboard", dict(byoip_prefixes=[edge_with_map()]))
    assert run.returncode == 0, run.output
    return run, sim.writes_since(mark)


def test_the_map_holds_exactly_the_cdn_addresses_with_the_zone_and_is_enabled(sim, onboarded):
    address_map = the_map(sim)
    assert ips(address_map) == set(CDN_29) and len(address_map["ips"]) == 8
    assert [(member["kind"], member["identifier"]) for member in address_map["memberships"]] == [("zone", ZONE)]
    assert address_map["enabled"] is True
    report = onboarded[0].fact("byoip_onboard_report")[0]
    assert report["complete"] and report["advertised"]
    assert "created the address map 'CDN edge' and put 203.0.113.16/29 on it" in report["changed"]
    assert "Address maps:" in report["lines"] and "  - 'CDN edge' (enabled): 203.0.113.16/29" in report["lines"]


def test_the_prefix_is_advertised_only_after_the_map_exists(onboarded):
    order = kinds(onboarded[1])
    assert ("POST", "address_maps") in order and ("PATCH", "bgp") in order
    assert order.index(("POST", "address_maps")) < order.index(("PATCH", "bgp"))
    # and after every binding: the map is the last step before advertising
    last_binding = max(index for index, kind in enumerate(order) if kind == ("POST", "bindings"))
    assert last_binding < order.index(("POST", "address_maps"))


def test_a_re_run_writes_nothing_and_calls_no_resource_module(sim, module_runner, onboarded):
    mark = sim.mark()
    run = module_runner.run("onboard", dict(byoip_prefixes=[edge_with_map()]))
    assert run.returncode == 0, run.output
    assert sim.writes_since(mark) == []
    assert run.changed_tasks() == []
    assert run.tasks("Put the addresses of the deployed prefixes")[0]["status"] == "skipped"
    # The one read of the prefix (1 + 3 requests), and the maps: the list and the one map.
    assert len(sim.requests_since(mark)) == 1 + 3 + 2
    assert "Nothing to do" in run.output


def test_a_second_prefix_adds_its_address_to_the_same_map_and_nothing_else(sim, module_runner, onboarded):
    run = module_runner.run("onboard", dict(byoip_prefixes=[edge_with_map(), other_with_map()]))
    assert run.returncode == 0, run.output
    address_map = the_map(sim)
    assert ips(address_map) == set(CDN_29 + ["198.51.100.5"])
    assert len(address_map["memberships"]) == 1


def test_offboarding_takes_exactly_the_prefixs_ips_off_the_map_and_nothing_else(sim, module_runner, onboarded):
    # A map the vars do not name, holding an address of the prefix: left alone, and said so.
    unnamed = api(sim, "POST", "address_maps", dict(description="Hand-made", ips=["203.0.113.17"]))
    variables = dict(byoip_prefixes=[edge_with_map()])
    dry = module_runner.run("offboard", variables, "--check", "--diff")
    assert dry.returncode == 0, dry.output
    assert ips(the_map(sim)) == set(CDN_29 + ["198.51.100.5"])  # a dry run changes nothing
    assert dry.fact("byoip_offboard_report")[0]["changed"][0] == \
        "would take 203.0.113.16/29 off the address map 'CDN edge'"

    mark = sim.mark()
    run = module_runner.run("offboard", dict(variables, byoip_offboard_confirm=True))
    assert run.returncode == 0, run.output
    writes = sim.writes_since(mark)
    # First the eight IPs come off the map, then the advertisement is withdrawn and the rest goes.
    assert kinds(writes)[:9] == [("DELETE", "address_maps/ips")] * 8 + [("PATCH", "bgp")]
    assert not any("/address_maps/%s" % unnamed["id"] in write for write in writes)
    assert not any("accounts/" in write.split("/address_maps/")[-1] or "zones/" in write.split("/address_maps/")[-1]
                   for write in writes if "/address_maps/" in write)
    address_map = the_map(sim)
    assert ips(address_map) == {"198.51.100.5"}  # the other prefix's address stays
    assert [(member["kind"], member["identifier"]) for member in address_map["memberships"]] == [("zone", ZONE)]
    assert ips(the_map(sim, "Hand-made")) == {"203.0.113.17"}
    report = run.fact("byoip_offboard_report")[0]
    assert "took 203.0.113.16/29 off the address map 'CDN edge'" in report["changed"]
    assert any("'Hand-made'" in line and "left alone" in line for line in report["remaining"])

    mark = sim.mark()
    again = module_runner.run("offboard", dict(variables, byoip_offboard_confirm=True))
    assert again.returncode == 0, again.output
    assert sim.writes_since(mark) == []


def test_a_dry_run_on_an_empty_account_plans_the_map_and_warns_about_nothing(sim, runner):
    sim.control("POST", "/reset")
    mark = sim.mark()
    run = runner.run("onboard", dict(byoip_prefixes=[edge_with_map()]), "--check", "--diff")
    assert run.returncode == 0, run.output
    assert sim.writes_since(mark) == []
    report = run.fact("byoip_onboard_report")[0]
    assert "would create the address map 'CDN edge' and put 203.0.113.16/29 on it" in report["changed"]
    assert report["changed"][-1] == "would advertise 203.0.113.0/24 over BGP"
    assert "[WARNING]" not in run.output


def test_two_maps_with_the_description_stop_the_run_before_any_write(sim, runner):
    sim.control("POST", "/reset")
    for _copy in range(2):
        api(sim, "POST", "address_maps", dict(description=MAP))
    mark = sim.mark()
    run = runner.run("onboard", dict(byoip_prefixes=[edge_with_map()]))
    assert run.returncode != 0
    assert sim.writes_since(mark) == []
    assert "The account has 2 address maps with the description 'CDN edge'" in run.failure_messages()


def test_map_mistakes_are_refused_before_any_request(sim, runner):
    sim.control("POST", "/reset")
    mark = sim.mark()
    prefixes = [
        edge_with_map(address_maps=[dict(description=MAP, ips=["203.0.113.5", "192.0.2.1"],
                                         memberships=[dict(kind="team", identifier="nope")], enable=True)]),
        plain_prefix(OTHER, default_service="Spectrum", address_maps=[dict(description="")]),
    ]
    run = runner.run("onboard", dict(byoip_prefixes=prefixes))
    assert run.returncode != 0
    assert sim.requests_since(mark) == []
    message = run.failure_messages()
    for problem in (
            "byoip_prefixes[0].address_maps[0]: unknown key 'enable' (did you mean 'enabled'?)",
            "byoip_prefixes[0].address_maps[0].ips[1]: the address 192.0.2.1/32 is not inside the prefix",
            "byoip_prefixes[0].address_maps[0].ips: 203.0.113.5 is bound to Spectrum, not to the CDN",
            "byoip_prefixes[0].address_maps[0].memberships[0].kind: must be account or zone",
            "byoip_prefixes[0].address_maps[0].memberships[0].identifier: 'nope' is not a Cloudflare account or zone",
            "byoip_prefixes[1].address_maps[0].description: is empty"):
        assert problem in message, message
