"""Unit tests of byoip_loa_document's local checks; uploads against the API are covered by the integration target."""

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils import _loa
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import InputError
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_loa_document

PDF = b"%PDF-1.4\n% signed LOA\n%%EOF\n"


@pytest.fixture
def pdf(tmp_path):
    path = tmp_path / "loa.pdf"
    path.write_bytes(PDF)
    return path


def test_a_readable_pdf_is_read_whole_with_its_checksum(pdf):
    name, content, sha256 = _loa.read_loa_file(str(pdf), "path")
    assert (name, content) == ("loa.pdf", PDF)
    assert sha256 == _loa.sha256_of(PDF) and len(sha256) == 64


@pytest.mark.parametrize("content,fragment", [
    (b"", "is not a PDF"),
    (b"<html>not a pdf</html>", "is not a PDF"),
])
def test_files_that_are_not_pdfs_are_refused(tmp_path, content, fragment):
    path = tmp_path / "loa.pdf"
    path.write_bytes(content)
    with pytest.raises(InputError, match=fragment):
        _loa.read_loa_file(str(path), "path")


def test_files_over_ten_megabytes_are_refused_without_reading_them(tmp_path):
    path = tmp_path / "big.pdf"
    with open(path, "wb") as handle:
        handle.write(PDF)
        handle.truncate(_loa.MAX_LOA_BYTES + 1)  # sparse: nothing is really written
    with pytest.raises(InputError, match="at most 10 MB"):
        _loa.read_loa_file(str(path), "path")


def test_missing_files_and_directories_are_refused(tmp_path):
    with pytest.raises(InputError, match="is not a file on this host"):
        _loa.read_loa_file(str(tmp_path / "missing.pdf"), "path")
    with pytest.raises(InputError, match="it is a directory"):
        _loa.read_loa_file(str(tmp_path), "path")


def test_the_predicted_document_has_the_shape_of_an_uploaded_one(pdf):
    predicted = byoip_loa_document.predicted_document("a" * 32, _loa.read_loa_file(str(pdf), "path"))
    assert predicted["id"] is None
    assert predicted["size_bytes"] == len(PDF) and predicted["filename"] == "loa.pdf"
    assert set(predicted) == {"id", "account_id", "auto_generated", "created", "filename", "size_bytes", "verified",
                              "verified_at"}


def test_file_and_prefix_problems_are_reported_together_before_any_request(run_module, sent_requests, tmp_path):
    text = tmp_path / "loa.txt"
    text.write_bytes(b"not a pdf")
    result, failed = run_module(byoip_loa_document, dict(path=str(text), prefix_cidr="203.0.113.0/25"))
    assert failed
    assert "is not a PDF" in result["msg"] and "203.0.113.0/25 is too small" in result["msg"]
    assert sent_requests == []


def test_address_space_that_can_never_be_announced_is_refused(run_module, sent_requests, pdf):
    result, failed = run_module(byoip_loa_document, dict(path=str(pdf), prefix_cidr="192.168.0.0/24"))
    assert failed and "private-use space (RFC 1918)" in result["msg"]
    assert sent_requests == []
