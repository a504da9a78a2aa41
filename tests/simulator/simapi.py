"""Constants and the HTTP client shared by the cfsim tests (imported by conftest.py and the test modules)."""

import os
import pathlib

import requests

COLLECTION_ROOT = pathlib.Path(__file__).resolve().parents[2]
# The API definition is pinned in the repository (tests/openapi/NOTICE.md says where it comes from).
OPENAPI_FILE = COLLECTION_ROOT / "tests" / "openapi" / "cloudflare-addressing-openapi-2026.json"
# The reference markdown lives beside the repository (../shared/reference), absent on CI; the Makefile passes its
# absolute path because the tests run from a staged copy elsewhere.
REFERENCE_DIR = pathlib.Path(os.environ.get("CFSIM_REFERENCE_DIR",
                                            str(COLLECTION_ROOT.parent / "shared" / "reference")))
HEX32 = r"^[0-9a-f]{32}$"
RFC3339 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"
MAGIC_TRANSIT = "a27bad1df961240cf0ad7125b68d1cb0"
CDN = "5f1c8183909793e08987250f7174a868"
SPECTRUM = "da179b4ab40d8d4f706092f587bc06b9"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


class Api:
    """A requests.Session bound to the simulated account, the way the collection's modules talk to it."""

    def __init__(self, sim, headers=None):
        self.sim = sim
        self.session = requests.Session()
        self.session.headers.update(headers if headers is not None
                                    else {"Authorization": "Bearer %s" % sim.api_token})
        self.account = "%s/accounts/%s/addressing" % (sim.base_url, sim.account_id)
        self.dls = "%s/accounts/%s/dls" % (sim.base_url, sim.account_id)

    def url(self, path):
        return path if path.startswith("http") else self.account + path

    def call(self, method, path, json_body=None, **kwargs):
        if json_body is not None:
            kwargs["json"] = json_body
        return self.session.request(method, self.url(path), timeout=30, **kwargs)

    def ok(self, method, path, json_body=None, status=200, **kwargs):
        """Call and assert success; return the envelope's result."""
        response = self.call(method, path, json_body, **kwargs)
        assert response.status_code == status, (response.status_code, response.text)
        body = response.json()
        assert body["success"] is True and body["errors"] == [] and body["messages"] == []
        return body.get("result")

    def fails(self, method, path, json_body=None, status=400, code=None, **kwargs):
        """Call and assert the failure envelope; return the first error object."""
        response = self.call(method, path, json_body, **kwargs)
        assert response.status_code == status, (response.status_code, response.text)
        body = response.json()
        assert body["success"] is False and body["result"] is None and body["messages"] == []
        assert len(body["errors"]) >= 1
        if code is not None:
            assert body["errors"][0]["code"] == code, body
        return body["errors"][0]

    # Shortcuts for the states most tests start from.
    def prefix(self, cidr="203.0.113.0/24", asn=13335, **extra):
        return self.ok("POST", "/prefixes", dict(cidr=cidr, asn=asn, **extra), status=201)

    def approved_prefix(self, cidr="203.0.113.0/24", **extra):
        created = self.prefix(cidr, **extra)
        self.sim.control("PATCH", "/prefixes/%s" % created["id"], {"approved": "V"})
        return self.ok("GET", "/prefixes/%s" % created["id"])

    def bound_prefix(self, cidr="203.0.113.0/24", service_id=MAGIC_TRANSIT):
        """An approved prefix with its default binding, hence its withdrawn whole-prefix BGP prefix."""
        prefix = self.approved_prefix(cidr)
        binding = self.ok("POST", "/prefixes/%s/bindings" % prefix["id"], {"cidr": cidr, "service_id": service_id},
                          status=201)
        bgp = self.ok("GET", "/prefixes/%s/bgp/prefixes" % prefix["id"])
        return prefix, binding, bgp[0]
