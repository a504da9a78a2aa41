"""Unit tests of the DLS helpers: following cursor pages to the end, and never forever."""

import pytest

from ansible_collections.cloudflare.addressing.plugins.module_utils import _dls
from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"


class PagedClient:
    """Answers GETs from a list of (items, next cursor) pages and records the paths asked for."""

    account_id = ACCOUNT

    def __init__(self, pages):
        self.pages = list(pages)
        self.paths = []

    def request(self, method, path):
        self.paths.append((method, path))
        items, cursor = self.pages.pop(0)
        return {"success": True, "result": items, "result_info": {"count": len(items), "cursor": cursor}}


def test_every_page_is_read_with_the_cursor_of_the_previous_one():
    client = PagedClient([([1, 2], "c1"), ([3], "c2"), ([], "")])
    assert _dls.list_all_pages(client, "/x", {"type": "managed"}) == [1, 2, 3]
    assert client.paths == [("GET", "/x?per_page=100&type=managed"),
                            ("GET", "/x?cursor=c1&per_page=100&type=managed"),
                            ("GET", "/x?cursor=c2&per_page=100&type=managed")]


def test_a_cursor_handed_out_twice_stops_the_listing():
    client = PagedClient([([1], "same"), ([2], "same")])
    with pytest.raises(CloudflareAPIError, match="same page cursor twice"):
        _dls.list_all_pages(client, "/x")


def test_the_number_of_pages_is_bounded(monkeypatch):
    monkeypatch.setattr(_dls, "MAX_PAGES", 3)
    client = PagedClient([([index], "c%d" % index) for index in range(5)])
    with pytest.raises(CloudflareAPIError, match="more than 3 pages"):
        _dls.list_all_pages(client, "/x")
    assert len(client.paths) == 3


def test_paths_and_region_names_are_escaped():
    client = PagedClient([({"id": "r"}, "")])
    client.get = lambda path: client.paths.append(("GET", path)) or {"id": "r"}
    assert _dls.get_region(client, "../mars?x") == {"id": "r"}
    assert client.paths[-1] == ("GET", "/accounts/%s/dls/regions/..%%2Fmars%%3Fx" % ACCOUNT)
    assert _dls.prefix_bindings_path(client, "b") == "/accounts/%s/dls/regional_services/prefix_bindings/b" % ACCOUNT
