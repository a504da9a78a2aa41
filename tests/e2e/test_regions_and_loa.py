"""Regional Services and Letters of Authorization in the roles (issue 11).

A region for the whole prefix becomes the largest bindings Cloudflare accepts (the whole prefix is refused: its
halves), made before the address-map IPs they affect; a PDF is uploaded only for a prefix that is still to be added.
"""

import json
import urllib.request

import pytest

from conftest import plain_prefix
from test_address_maps import MAP, edge_with_map, kinds, the_map

EDGE = "203.0.113.0/24"
OTHER = "198.51.100.0/24"


def dls(sim, path):
    url = "/".join([sim.base_url, "accounts", sim.account_id, "dls", path])
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + sim.api_token})
    with urllib.request.urlopen(request, timeout=30) as response:  # nosec - the local simulator
        return json.loads(response.read())["result"]


def bound(sim):
    return sorted((item["cidr"], item["region_key"]) for item in dls(sim, "regional_services/prefix_bindings"
                                                                          "?per_page=100"))


@pytest.fixture(scope="module")
def regional(sim, module_runner):
    sim.control("POST", "/reset")
    mark = sim.mark()
    run = module_runner.run("onboard", dict(byoip_prefixes=[edge_with_map(region="eu")]))
    assert run.returncode == 0, run.output
    return run, sim.writes_since(mark)


def test_a_region_for_the_whole_prefix_binds_its_two_halves(sim, regional):
    assert bound(sim) == [("203.0.113.0/25", "eu"), ("203.0.113.128/25", "eu")]
    report = regional[0].fact("byoip_onboard_report")[0]
    assert report["complete"] and report["advertised"]
    assert [item["cidr"] for item in report["regional_bindings"]] == ["203.0.113.0/25", "203.0.113.128/25"]
    assert all(item["state"] == "active" for item in report["regional_bindings"])


def test_regional_bindings_come_before_the_address_map_and_advertising(sim, regional):
    order = kinds(regional[1])
    assert order.count(("POST", "dls")) == 2
    last_regional = max(index for index, kind in enumerate(order) if kind == ("POST", "dls"))
    assert last_regional < order.index(("POST", "address_maps")) < order.index(("PATCH", "bgp"))
    assert len(the_map(sim)["ips"]) == 8


def test_a_re_run_writes_nothing_and_reads_the_regional_bindings_once(sim, module_runner, regional):
    mark = sim.mark()
    run = module_runner.run("onboard", dict(byoip_prefixes=[edge_with_map(region="eu")]))
    assert run.returncode == 0, run.output
    assert sim.writes_since(mark) == []
    assert run.changed_tasks() == []
    # The prefix (1 + 3), the DLS list and the state of each of its two regional bindings, the maps (2).
    assert len(sim.requests_since(mark)) == 4 + 1 + 2 + 2


def test_a_region_per_cidr_and_a_move_to_another_region(sim, module_runner, regional):
    other = plain_prefix(OTHER, regions=[dict(cidr="198.51.100.0/26", region="de")])
    run = module_runner.run("onboard", dict(byoip_prefixes=[edge_with_map(region="eu"), other]))
    assert run.returncode == 0, run.output
    assert ("198.51.100.0/26", "de") in bound(sim)
    mark = sim.mark()
    moved = plain_prefix(OTHER, regions=[dict(cidr="198.51.100.0/26", region="eu")])
    run = module_runner.run("onboard", dict(byoip_prefixes=[moved], byoip_onboard_wait=False))
    assert run.returncode == 0, run.output
    assert [write.split()[0] for write in sim.writes_since(mark)] == ["PATCH"]
    assert ("198.51.100.0/26", "eu") in bound(sim)
    assert "moved 198.51.100.0/26 from region de to eu" in run.fact("byoip_onboard_report")[0]["changed"]


def test_status_reports_the_regional_bindings_the_maps_and_asked_for_the_leases(sim, module_runner, regional,
                                                                                tmp_path):
    sim.control("POST", "/leases", dict(cidrs=["192.0.2.100/32"], purpose="Spectrum Static IPs"))
    run = module_runner.run("status", dict(byoip_prefixes=[edge_with_map(region="eu")]))
    assert run.returncode == 0, run.output
    report = run.fact("byoip_status_report")
    [edge] = [entry for entry in report["prefixes"] if entry["cidr"] == EDGE]
    assert [(item["cidr"], item["region"], item["state"]) for item in edge["regional_bindings"]] == [
        ("203.0.113.0/25", "eu", "active"), ("203.0.113.128/25", "eu", "active")]
    assert edge["address_maps"][0]["ips"] == "203.0.113.16/29" and edge["drift"]["state"] == "in_sync"
    assert report["leases"] is None  # not asked for
    path = tmp_path / "status.md"
    asked = module_runner.run("status", dict(byoip_status_include=["leases"], byoip_status_report_path=str(path)))
    assert asked.returncode == 0, asked.output
    leases = asked.fact("byoip_status_report")["leases"]
    assert [lease["cidrs"] for lease in leases] == [["192.0.2.100/32"]]
    assert "Spectrum Static IPs" in asked.output and "| `%s` | 192.0.2.100/32 |" % leases[0]["id"] in path.read_text()
    assert all(entry["regional_bindings"] == [] for entry in asked.fact("byoip_status_report")["prefixes"])


def test_an_unknown_region_fails_after_reading_and_before_any_write(sim, module_runner, regional):
    mark = sim.mark()
    run = module_runner.run("onboard", dict(byoip_prefixes=[plain_prefix(OTHER, region="mars")]))
    assert run.returncode != 0
    assert sim.writes_since(mark) == []
    message = run.failure_messages()
    assert "byoip_prefixes[0]: region 'mars' is not a region of the account" in message
    assert "eu (Europe)" in message


def test_offboarding_deletes_the_regional_bindings_after_the_map_ips_and_before_withdrawing(
        sim, module_runner, regional):
    mark = sim.mark()
    run = module_runner.run("offboard", dict(byoip_prefixes=[edge_with_map(region="eu")],
                                             byoip_offboard_confirm=True))
    assert run.returncode == 0, run.output
    order = kinds(sim.writes_since(mark))
    assert order[:11] == [("DELETE", "address_maps/ips")] * 8 + [("DELETE", "dls")] * 2 + [("PATCH", "bgp")]
    assert [cidr for cidr, _region in bound(sim)] == ["198.51.100.0/26"]  # the other prefix's binding stays
    assert the_map(sim)["description"] == MAP


def test_region_mistakes_are_refused_before_any_request(sim, runner):
    mark = sim.mark()
    prefixes = [edge_with_map(region="", regions=[
        dict(cidr=EDGE, region="eu"), dict(cidr="203.0.113.16/29", region="eu"),
        dict(cidr="198.51.100.0/25", region="eu"), dict(region="eu")])]
    run = runner.run("onboard", dict(byoip_prefixes=prefixes))
    assert run.returncode != 0
    assert sim.requests_since(mark) == []
    message = run.failure_messages()
    for problem in (
            "byoip_prefixes[0].region: is empty; give a region key such as eu or us",
            "byoip_prefixes[0].regions[0].cidr: 203.0.113.0/24 is the whole prefix; set region: for that",
            "byoip_prefixes[0].regions[1].cidr: 203.0.113.16/29 is also a service binding of the prefix",
            "byoip_prefixes[0].regions[2].cidr: the CIDR 198.51.100.0/25 is not inside the prefix",
            "byoip_prefixes[0].regions[3]: cidr is missing"):
        assert problem in message, message


# --- Letters of Authorization ------------------------------------------------------------------------------------

@pytest.fixture
def pdf(tmp_path):
    path = tmp_path / "loa-198.51.100.0-24.pdf"
    path.write_bytes(b"%PDF-1.4\n% a signed Letter of Authorization\n%%EOF\n")
    return path


def test_the_loa_is_uploaded_only_for_a_prefix_to_add_and_goes_with_it(sim, runner, pdf):
    sim.control("POST", "/reset")
    variables = dict(byoip_prefixes=[plain_prefix(OTHER, loa_path=str(pdf))], byoip_onboard_wait=False)
    mark = sim.mark()
    dry = runner.run("onboard", variables, "--check", "--diff")
    assert dry.returncode == 0, dry.output
    assert sim.writes_since(mark) == []  # a dry run uploads nothing
    assert dry.fact("byoip_onboard_report")[0]["changed"][:2] == [
        "would upload the Letter of Authorization %s" % pdf, "would add the prefix"]
    assert "[WARNING]" not in dry.output

    mark = sim.mark()
    run = runner.run("onboard", variables)
    assert run.returncode == 0, run.output
    assert kinds(sim.writes_since(mark))[:2] == [("POST", "loa_documents"), ("POST", "prefixes")]
    [upload] = [result for record in run.tasks("Upload the Letter of Authorization")
                for result in record["result"]["results"]]
    prefix = sim.prefix(OTHER)
    assert prefix["loa_document_id"] == upload["loa_document_id"] and prefix["delegate_loa_creation"] is False

    mark = sim.mark()
    pdf.unlink()  # the prefix exists: the file is no longer needed, and its absence is no problem
    again = runner.run("onboard", variables)
    assert again.returncode == 0, again.output
    assert not any("loa_documents" in write for write in sim.writes_since(mark))  # (it binds the prefix now)


def test_an_unusable_loa_stops_the_prefix_to_add_before_any_write(sim, runner, tmp_path):
    sim.control("POST", "/reset")
    text = tmp_path / "loa.txt"
    text.write_text("not a PDF")
    prefixes = [plain_prefix(OTHER, loa_path=str(text)), plain_prefix("192.0.2.0/24", loa_path="missing.pdf")]
    mark = sim.mark()
    run = runner.run("onboard", dict(byoip_prefixes=prefixes))
    assert run.returncode != 0
    assert sim.writes_since(mark) == []
    message = run.failure_messages()
    assert "byoip_prefixes[0].loa_path %s is not a PDF" % text in message
    assert "byoip_prefixes[1].loa_path %s is not a file on this host" % (tmp_path / "missing.pdf") in message
    assert [entry["method"] for entry in sim.requests_since(mark)] == ["GET"]  # the one read


def test_a_dry_run_on_an_empty_account_plans_all_of_it_without_a_warning(sim, runner, pdf):
    sim.control("POST", "/reset")
    mark = sim.mark()
    run = runner.run("onboard", dict(byoip_prefixes=[edge_with_map(region="eu", loa_path=str(pdf))]),
                     "--check", "--diff")
    assert run.returncode == 0, run.output
    assert sim.writes_since(mark) == []
    assert run.fact("byoip_onboard_report")[0]["changed"] == [
        "would upload the Letter of Authorization %s" % pdf,
        "would add the prefix",
        "would bind 203.0.113.0/24 to Spectrum (the default binding, which comes with the withdrawn BGP prefix of "
        "the whole prefix)",
        "would bind 203.0.113.16/29 to CDN",
        "would bind 203.0.113.0/25 to region eu",
        "would bind 203.0.113.128/25 to region eu",
        "would create the address map 'CDN edge' and put 203.0.113.16/29 on it",
        "would advertise 203.0.113.0/24 over BGP"]
    assert "[WARNING]" not in run.output
