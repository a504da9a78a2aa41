# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Data Localization Suite (Regional Services): regions and prefix bindings under /accounts/{account_id}/dls.

For internal collection use only: this is not a public interface and may change without notice.

Unlike the addressing lists, the DLS lists are paginated with a cursor (`result_info.cursor`, empty on the last
page), at most 100 items a page.
"""

from urllib.parse import quote, urlencode

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError

MAX_PER_PAGE = 100
# A bound on the pages one listing follows: 100,000 items, far beyond any account, so a cursor that never ends
# cannot keep a run going.
MAX_PAGES = 1000


def dls_path(client, *parts):
    return "/".join(["/accounts", client.account_id, "dls"] + [str(part) for part in parts])


def prefix_bindings_path(client, *parts):
    return dls_path(client, "regional_services", "prefix_bindings", *parts)


def list_all_pages(client, path, query=None):
    """Every item of a cursor-paginated DLS list: one request per page of 100."""
    items, cursor, seen = [], "", set()
    for _page in range(MAX_PAGES):
        params = dict(query or {}, per_page=MAX_PER_PAGE)
        if cursor:
            params["cursor"] = cursor
        envelope = client.request("GET", "%s?%s" % (path, urlencode(sorted(params.items()))))
        items.extend(envelope.get("result") or [])
        cursor = (envelope.get("result_info") or {}).get("cursor") or ""
        if not cursor:
            return items
        if cursor in seen:
            raise CloudflareAPIError("the API handed out the same page cursor twice", method="GET", path=path)
        seen.add(cursor)
    raise CloudflareAPIError("the list has more than %d pages of %d" % (MAX_PAGES, MAX_PER_PAGE), method="GET",
                             path=path)


def list_prefix_bindings(client):
    """Every Regional Services prefix binding of the account (the list is account-wide, not per prefix)."""
    return list_all_pages(client, prefix_bindings_path(client))


def list_regions(client, region_type=None):
    return list_all_pages(client, dls_path(client, "regions"), dict(type=region_type) if region_type else None)


def get_region(client, region):
    """The region with this id or managed region key, or None when there is none."""
    try:
        return client.get(dls_path(client, "regions", quote(region, safe="")))
    except CloudflareAPIError as error:
        if error.status == 404:
            return None
        raise
