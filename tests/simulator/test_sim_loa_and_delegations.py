"""LOA documents (multipart upload, PDF download) and prefix delegations."""

import os
import re

import pytest

from simapi import HEX32, PDF, RFC3339

LOA_FIELDS = {"id", "account_id", "auto_generated", "created", "filename", "size_bytes", "verified", "verified_at"}
DELEGATION_FIELDS = ["id", "cidr", "delegated_account_id", "parent_prefix_id", "created_at", "modified_at"]
OTHER_ACCOUNT = "b1946ac92492d2347c6235b4d2611184"


def upload(api, content=PDF, filename="loa.pdf", **kwargs):
    return api.call("POST", "/loa_documents", files={"loa_document": (filename, content, "application/pdf")},
                    **kwargs)


def test_upload_and_download_round_trip_binary_bytes(api, sim):
    content = PDF + os.urandom(4096) + b"\r\n--not-a-boundary\r\n" + b"\x00\r\n"
    response = upload(api, content, "signed loa.pdf")
    assert response.status_code == 201
    loa = response.json()["result"]
    assert set(loa) == LOA_FIELDS
    assert re.match(HEX32, loa["id"]) and re.match(RFC3339, loa["created"])
    assert loa["account_id"] == sim.account_id and loa["filename"] == "signed loa.pdf"
    assert loa["size_bytes"] == len(content)
    assert loa["verified"] is False and loa["verified_at"] is None and loa["auto_generated"] is False
    download = api.call("GET", "/loa_documents/%s/download" % loa["id"])
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.content == content


def test_generated_loa_is_a_pdf_naming_the_prefix(api):
    prefix = api.prefix("203.0.113.0/24", delegate_loa_creation=True)
    download = api.call("GET", "/loa_documents/%s/download" % prefix["loa_document_id"])
    assert download.status_code == 200 and download.headers["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-1.4") and download.content.rstrip().endswith(b"%%EOF")
    assert b"203.0.113.0/24" in download.content


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("kwargs, code", [
    ({"files": {"loa_document": ("loa.txt", b"plain text", "text/plain")}}, 1110),
    ({"files": {"other": ("loa.pdf", PDF, "application/pdf")}}, 1102),
    ({"json": {"loa_document": "x"}}, 1115),
    ({"data": b"--x\r\nbroken", "headers": {"Content-Type": "multipart/form-data"}}, 1115),
])
def test_upload_rejects_what_is_not_a_pdf_part(api, kwargs, code):
    response = api.call("POST", "/loa_documents", **kwargs)
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == code


def test_upload_larger_than_10_mb_is_rejected(api):
    response = upload(api, PDF + b"0" * (10 * 1024 * 1024))
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == 1111


def test_unknown_loa_download_is_json_404(api):
    response = api.call("GET", "/loa_documents/%s/download" % ("b" * 32))
    assert response.status_code == 404 and response.headers["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == 1202


def test_delegation_lifecycle(api, sim):
    prefix = api.prefix("203.0.113.0/24")
    path = "/prefixes/%s/delegations" % prefix["id"]
    whole = api.ok("POST", path, {"cidr": "203.0.113.0/24", "delegated_account_id": OTHER_ACCOUNT})
    part = api.ok("POST", path, {"cidr": "203.0.113.128/25", "delegated_account_id": OTHER_ACCOUNT})
    assert list(whole) == DELEGATION_FIELDS
    assert whole["parent_prefix_id"] == prefix["id"] and whole["delegated_account_id"] == OTHER_ACCOUNT
    assert re.match(HEX32, whole["id"]) and re.match(RFC3339, whole["modified_at"])
    assert api.ok("GET", path) == [whole, part]
    response = api.call("DELETE", "%s/%s" % (path, part["id"]))
    assert response.status_code == 200 and response.json()["result"] == {"id": part["id"]}
    assert api.ok("GET", path) == [whole]
    api.fails("DELETE", "%s/%s" % (path, part["id"]), status=404, code=1203)


@pytest.mark.sends_invalid_requests
@pytest.mark.parametrize("body, status, code", [
    ({"delegated_account_id": OTHER_ACCOUNT}, 400, 1102),
    ({"cidr": "203.0.113.0/24"}, 400, 1102),
    ({"cidr": "203.0.113.0/24", "delegated_account_id": ""}, 400, 1103),
    ({"cidr": "203.0.113.0/24", "delegated_account_id": "x" * 33}, 400, 1103),
    ({"cidr": "203.0.113.0/24", "delegated_account_id": 42}, 400, 1103),
    ({"cidr": "203.0.112.0/24", "delegated_account_id": OTHER_ACCOUNT}, 400, 1106),
    ({"cidr": "203.0.112.0/23", "delegated_account_id": OTHER_ACCOUNT}, 400, 1106),
    ({"cidr": "2001:db8::/64", "delegated_account_id": OTHER_ACCOUNT}, 400, 1106),
    ({"cidr": "203.0.113.1/24", "delegated_account_id": OTHER_ACCOUNT}, 400, 1104),
    ({"cidr": "203.0.113.0/24", "delegated_account_id": "023e105f4ecef8ad9ca31a8372d0c353"}, 400, 1112),
])
def test_delegation_rules(api, body, status, code):
    prefix = api.prefix("203.0.113.0/24")
    api.fails("POST", "/prefixes/%s/delegations" % prefix["id"], body, status=status, code=code)


def test_duplicate_delegation_conflicts_but_another_account_may_share(api):
    prefix = api.prefix("203.0.113.0/24")
    path = "/prefixes/%s/delegations" % prefix["id"]
    api.ok("POST", path, {"cidr": "203.0.113.0/25", "delegated_account_id": OTHER_ACCOUNT})
    api.fails("POST", path, {"cidr": "203.0.113.0/25", "delegated_account_id": OTHER_ACCOUNT}, status=409,
              code=1313)
    api.ok("POST", path, {"cidr": "203.0.113.0/25", "delegated_account_id": "c" * 32})


def test_delegations_of_an_unknown_prefix_are_404(api):
    api.fails("GET", "/prefixes/%s/delegations" % ("c" * 32), status=404, code=1201)
    prefix = api.prefix()
    other = api.prefix("198.51.100.0/24")
    made = api.ok("POST", "/prefixes/%s/delegations" % prefix["id"],
                  {"cidr": "203.0.113.0/24", "delegated_account_id": OTHER_ACCOUNT})
    api.fails("DELETE", "/prefixes/%s/delegations/%s" % (other["id"], made["id"]), status=404, code=1203)


def test_deleting_a_prefix_removes_its_delegations(api):
    prefix = api.prefix()
    api.ok("POST", "/prefixes/%s/delegations" % prefix["id"],
           {"cidr": "203.0.113.0/24", "delegated_account_id": OTHER_ACCOUNT})
    api.ok("DELETE", "/prefixes/%s" % prefix["id"])
    again = api.prefix()
    assert api.ok("GET", "/prefixes/%s/delegations" % again["id"]) == []
