"""Unit tests of the client's raw download (LOA documents): bytes on success, the JSON envelope on failure."""

import pytest
import requests

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError, CloudflareClient


def answer(status, content, content_type):
    response = requests.models.Response()
    response.status_code = status
    response.reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
    response._content = content
    response.headers["Content-Type"] = content_type
    return response


class Session(requests.Session):
    def __init__(self, script):
        super().__init__()
        self.script = list(script)
        self.sent = []

    def request(self, method, url, **kwargs):  # pylint: disable=arguments-differ
        self.sent.append((method, url, kwargs.get("headers")))
        return self.script.pop(0)


def client(script):
    session = Session(script)
    return CloudflareClient("http://sim/client/v4", "a" * 32, api_token="t" * 40, sleep=lambda _s: None,
                            session=session), session


def test_a_download_returns_the_bytes_and_asks_for_a_pdf():
    api, session = client([answer(200, b"%PDF-1.4\n", "application/pdf")])
    assert api.download("/loa") == b"%PDF-1.4\n"
    assert session.sent == [("GET", "http://sim/client/v4/loa", {"Accept": "application/pdf"})]


def test_a_failed_download_carries_cloudflares_codes_and_is_retried_like_any_read():
    error_body = b'{"success": false, "errors": [{"code": 1202, "message": "LOA document not found"}]}'
    api, session = client([answer(503, b"", "text/plain"), answer(404, error_body, "application/json")])
    with pytest.raises(CloudflareAPIError) as caught:
        api.download("/loa")
    assert caught.value.status == 404 and caught.value.codes == [1202]
    assert len(session.sent) == 2


def test_json_requests_send_no_accept_override():
    api, session = client([answer(200, b'{"success": true, "result": []}', "application/json")])
    assert api.get("/x") == []
    assert session.sent[0][2] is None
