"""The official Cloudflare Python SDK as a second, independent client of the simulator."""

import pytest

cloudflare = pytest.importorskip("cloudflare")

OTHER_ACCOUNT = "b1946ac92492d2347c6235b4d2611184"


@pytest.fixture
def client(sim):
    # No retries: the SDK retries 409 and 429, which would hide the simulator's answers.
    with cloudflare.Cloudflare(api_token=sim.api_token, base_url=sim.base_url, max_retries=0) as sdk:
        yield sdk


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # bgp/status is deprecated upstream
def test_full_onboarding_through_the_sdk(client, sim):
    account = sim.account_id
    addressing = client.addressing
    services = {s.name: s.id for s in addressing.services.list(account_id=account)}
    assert set(services) == {"Magic Transit", "CDN", "Spectrum"}

    loa = addressing.loa_documents.create(account_id=account, loa_document="%PDF-1.4 signed letter")
    assert loa.size_bytes == len("%PDF-1.4 signed letter") and loa.verified is False
    assert addressing.loa_documents.get(loa.id, account_id=account).read() == b"%PDF-1.4 signed letter"

    prefix = addressing.prefixes.create(account_id=account, cidr="203.0.112.0/23", asn=13335,
                                        loa_document_id=loa.id)
    assert prefix.approved == "P" and prefix.irr_validation_state == "pending" and prefix.advertised is None
    assert addressing.prefixes.edit(prefix.id, account_id=account, description="edge").description == "edge"
    assert [p.id for p in addressing.prefixes.list(account_id=account)] == [prefix.id]
    assert addressing.prefixes.validate(prefix.id, account_id=account).ownership_validation_state == "pending"
    sim.advance(60)
    assert addressing.prefixes.get(prefix.id, account_id=account).approved == "V"

    delegation = addressing.prefixes.delegations.create(prefix.id, account_id=account, cidr="203.0.113.0/24",
                                                        delegated_account_id=OTHER_ACCOUNT)
    assert [d.id for d in addressing.prefixes.delegations.list(prefix.id, account_id=account)] == [delegation.id]
    assert addressing.prefixes.delegations.delete(delegation.id, account_id=account, prefix_id=prefix.id).id == \
        delegation.id

    binding = addressing.prefixes.service_bindings.create(prefix.id, account_id=account, cidr=prefix.cidr,
                                                          service_id=services["Magic Transit"])
    assert binding.provisioning.state == "provisioning" and binding.service_name == "Magic Transit"
    sim.advance(120)
    got = addressing.prefixes.service_bindings.get(binding.id, account_id=account, prefix_id=prefix.id)
    assert got.provisioning.state == "active"

    bgp = addressing.prefixes.bgp_prefixes.list(prefix.id, account_id=account).result[0]
    assert bgp.cidr == prefix.cidr and bgp.on_demand.advertised is False
    advertised = addressing.prefixes.bgp_prefixes.edit(bgp.id, account_id=account, prefix_id=prefix.id,
                                                       on_demand={"advertised": True}, asn_prepend_count=1)
    assert advertised.on_demand.advertised is True and advertised.asn_prepend_count == 1
    status = addressing.prefixes.advertisement_status.get(prefix.id, account_id=account)
    assert status.advertised is True and status.advertised_modified_at == advertised.on_demand.advertised_modified_at
    sim.advance(900)
    assert addressing.prefixes.advertisement_status.edit(prefix.id, account_id=account,
                                                         advertised=False).advertised is False

    extra = addressing.prefixes.bgp_prefixes.create(prefix.id, account_id=account, cidr="203.0.113.0/24")
    assert extra.cidr == "203.0.113.0/24" and extra.on_demand.advertised is False
    addressing.prefixes.bgp_prefixes.delete(extra.id, account_id=account, prefix_id=prefix.id)
    addressing.prefixes.service_bindings.delete(binding.id, account_id=account, prefix_id=prefix.id)
    assert list(addressing.prefixes.bgp_prefixes.list(prefix.id, account_id=account)) == []

    address_map = addressing.address_maps.create(account_id=account, description="web", ips=["203.0.112.10"],
                                                 memberships=[{"identifier": account, "kind": "account"}])
    assert [ip.ip for ip in address_map.ips] == ["203.0.112.10"] and address_map.memberships[0].kind == "account"
    addressing.address_maps.ips.update("203.0.112.11", account_id=account, address_map_id=address_map.id)
    addressing.address_maps.ips.delete("203.0.112.10", account_id=account, address_map_id=address_map.id)
    addressing.address_maps.accounts.delete(account, account_id=account, address_map_id=address_map.id)
    addressing.address_maps.accounts.update(account, account_id=account, address_map_id=address_map.id)
    assert addressing.address_maps.edit(address_map.id, account_id=account, enabled=True).enabled is True
    full = addressing.address_maps.get(address_map.id, account_id=account)
    assert [ip.ip for ip in full.ips] == ["203.0.112.11"] and full.enabled is True
    assert [m.id for m in addressing.address_maps.list(account_id=account)] == [address_map.id]
    addressing.address_maps.edit(address_map.id, account_id=account, enabled=False)
    assert addressing.address_maps.delete(address_map.id, account_id=account).success is True


def test_sdk_error_classes(client, sim):
    account = sim.account_id
    prefixes = client.addressing.prefixes
    with pytest.raises(cloudflare.NotFoundError) as raised:
        prefixes.get("0" * 32, account_id=account)
    assert raised.value.status_code == 404 and raised.value.body["errors"][0]["code"] == 1201
    with pytest.raises(cloudflare.BadRequestError):
        prefixes.create(account_id=account, cidr="203.0.113.1/24", asn=13335)
    prefix = prefixes.create(account_id=account, cidr="203.0.113.0/24", asn=13335)
    with pytest.raises(cloudflare.ConflictError):
        prefixes.create(account_id=account, cidr="203.0.113.0/24", asn=13335)
    sim.control("PATCH", "/prefixes/%s" % prefix.id, {"approved": "V"})
    with pytest.raises(cloudflare.ConflictError):
        prefixes.delete(prefix.id, account_id=account)
    with cloudflare.Cloudflare(api_token=sim.read_only_token, base_url=sim.base_url, max_retries=0) as reader:
        assert [p.id for p in reader.addressing.prefixes.list(account_id=account)] == [prefix.id]
        with pytest.raises(cloudflare.PermissionDeniedError):
            reader.addressing.prefixes.edit(prefix.id, account_id=account, description="nope")
    sim.control("PATCH", "/config", {"rate_limit": {"requests": 1, "seconds": 30}})
    sim.advance(300)  # a fresh window for the new limit
    client.addressing.services.list(account_id=account)
    with pytest.raises(cloudflare.RateLimitError) as raised:
        client.addressing.services.list(account_id=account)
    assert raised.value.response.headers["retry-after"] == "30"


@pytest.mark.parametrize("credentials", ["email_key", "user_service_key"])
def test_other_credential_schemes(sim, credentials):
    if credentials == "email_key":
        options = {"api_email": sim.email, "api_key": sim.api_key}
    else:
        options = {"user_service_key": sim.user_service_key}
    with cloudflare.Cloudflare(base_url=sim.base_url, max_retries=0, **options) as sdk:
        assert len(list(sdk.addressing.services.list(account_id=sim.account_id))) == 3
    assert sim.requests()[-1]["auth"] == credentials


def test_sdk_retries_an_injected_5xx(sim):
    sim.control("POST", "/faults", {"method": "GET", "path": "/services$", "status": 503, "count": 1})
    with cloudflare.Cloudflare(api_token=sim.api_token, base_url=sim.base_url, max_retries=2) as sdk:
        assert len(list(sdk.addressing.services.list(account_id=sim.account_id))) == 3
    assert [(entry["status"], entry["fault"]) for entry in sim.requests()] == [(503, "status"), (200, None)]


def test_regional_services_through_the_sdk(client, sim):
    account = sim.account_id
    dls = client.dls
    first_page = dls.regions.list(account_id=account, per_page=4)
    assert len(first_page.result) == 4 and first_page.result_info.cursor
    keys = [region.region_key for region in dls.regions.list(account_id=account, per_page=4)]
    assert keys[:3] == ["us", "eu", "ca"] and len(keys) == 11, "the SDK follows the cursor to the last page"
    europe = dls.regions.get("eu", account_id=account)
    assert europe.name == "Europe" and europe.version == 1 and dls.regions.get(europe.id, account_id=account) == europe
    assert list(dls.regions.list(account_id=account, type="custom")) == []
    hostname_regions = client.addressing.regional_hostnames.regions.list(account_id=account)
    assert [region.key for region in hostname_regions] == keys

    prefix = client.addressing.prefixes.create(account_id=account, cidr="203.0.113.0/24", asn=13335)
    sim.control("PATCH", "/prefixes/%s" % prefix.id, {"approved": "V"})
    bindings = dls.regional_services.prefix_bindings
    made = [bindings.create(account_id=account, prefix_id=prefix.id, cidr=cidr, region_key="eu")
            for cidr in ("203.0.113.0/25", "203.0.113.128/25", "203.0.113.128/26")]
    assert (made[0].prefix_id, made[0].cidr, made[0].region_key) == (prefix.id, "203.0.113.0/25", "eu")
    assert [b.id for b in bindings.list(account_id=account, per_page=2)] == [b.id for b in made]
    assert bindings.get(made[0].id, account_id=account).to_dict() == made[0].to_dict()
    assert bindings.edit(made[0].id, account_id=account, region_key="de").region_key == "de"
    state = client.addressing.prefixes.service_bindings.get(made[0].id, account_id=account, prefix_id=prefix.id)
    assert state.cidr == "203.0.113.0/25" and state.provisioning.state == "provisioning"
    assert bindings.delete(made[0].id, account_id=account).success is True
    with pytest.raises(cloudflare.NotFoundError):
        bindings.get(made[0].id, account_id=account)
    with pytest.raises(cloudflare.ConflictError) as raised:
        bindings.create(account_id=account, prefix_id=prefix.id, cidr=prefix.cidr, region_key="eu")
    assert raised.value.body["errors"][0] == {"code": 1108, "message": "conflict: binding already exists for CIDR "
                                                                       "203.0.113.0/24"}
    with pytest.raises(cloudflare.BadRequestError):
        bindings.create(account_id=account, prefix_id=prefix.id, cidr="203.0.113.0/27", region_key="mars")
    assert [b.id for b in bindings.list(account_id=account)] == [made[1].id, made[2].id]


def test_loas_and_address_maps_through_the_sdk(client, sim):
    account = sim.account_id
    addressing = client.addressing
    letter = "%PDF-1.7\n% signed on letterhead\n%%EOF\n"
    uploaded = addressing.loa_documents.create(account_id=account, loa_document=letter)
    assert uploaded.auto_generated is False and uploaded.size_bytes == len(letter) and uploaded.verified_at is None
    assert addressing.loa_documents.get(uploaded.id, account_id=account).read() == letter.encode()
    generated = addressing.prefixes.create(account_id=account, cidr="198.51.100.0/24", asn=13335,
                                           delegate_loa_creation=True)
    assert addressing.loa_documents.get(generated.loa_document_id, account_id=account).read().startswith(b"%PDF-")
    with pytest.raises(cloudflare.NotFoundError):
        addressing.loa_documents.get("0" * 32, account_id=account)

    maps = addressing.address_maps
    made = maps.create(account_id=account, description="cdn edge", enabled=False, ips=["198.51.100.8"],
                       memberships=[{"identifier": account, "kind": "account"}])
    assert [(m.identifier, m.kind, m.can_delete) for m in made.memberships] == [(account, "account", True)]
    maps.ips.update("198.51.100.9", account_id=account, address_map_id=made.id)
    edited = maps.edit(made.id, account_id=account, default_sni="edge.example.com", enabled=True)
    assert edited.default_sni == "edge.example.com" and edited.enabled is True
    full = maps.get(made.id, account_id=account)
    assert sorted(ip.ip for ip in full.ips) == ["198.51.100.8", "198.51.100.9"]
    maps.accounts.delete(account, account_id=account, address_map_id=made.id)
    assert maps.get(made.id, account_id=account).memberships == []
    with pytest.raises(cloudflare.ConflictError):
        maps.delete(made.id, account_id=account)
    maps.edit(made.id, account_id=account, enabled=False)
    assert maps.delete(made.id, account_id=account).success is True
    assert list(maps.list(account_id=account)) == []
