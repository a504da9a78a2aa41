"""Unit tests of byoip_loa_download's local checks; downloads against the API are covered by the integration target."""

from ansible_collections.cloudflare.addressing.plugins.module_utils._loa import sha256_of
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_loa_download


def test_dest_must_name_a_file_in_an_existing_directory(tmp_path):
    assert byoip_loa_download.dest_problems(str(tmp_path / "loa.pdf")) == []
    assert "is a directory" in byoip_loa_download.dest_problems(str(tmp_path))[0]
    assert "does not exist" in byoip_loa_download.dest_problems(str(tmp_path / "no" / "loa.pdf"))[0]


def test_the_checksum_of_a_missing_file_is_none(tmp_path):
    path = tmp_path / "loa.pdf"
    assert byoip_loa_download.file_sha256(str(path)) is None
    path.write_bytes(b"%PDF-1.4\n")
    assert byoip_loa_download.file_sha256(str(path)) == sha256_of(b"%PDF-1.4\n")


def test_every_problem_is_reported_before_any_request(run_module, sent_requests, tmp_path):
    result, failed = run_module(byoip_loa_download, dict(loa_document_id="B9FF",
                                                         dest=str(tmp_path / "no" / "loa.pdf")))
    assert failed
    assert "loa_document_id must be a Cloudflare identifier" in result["msg"]
    assert "does not exist" in result["msg"]
    assert sent_requests == []


def test_one_source_of_the_document_is_required(run_module, sent_requests, tmp_path):
    result, failed = run_module(byoip_loa_download, dict(dest=str(tmp_path / "loa.pdf")))
    assert failed and "prefix_cidr, prefix_id, loa_document_id" in result["msg"]
    both, failed_both = run_module(byoip_loa_download, dict(dest=str(tmp_path / "loa.pdf"), prefix_id="a" * 32,
                                                            loa_document_id="b" * 32))
    assert failed_both and "mutually exclusive" in both["msg"]
    assert sent_requests == []
