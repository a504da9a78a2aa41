# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading what the account holds under its prefixes: the info module's include, the waits' polls.

For internal collection use only: this is not a public interface and may change without notice.
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import CloudflareAPIError
from ansible_collections.cloudflare.addressing.plugins.module_utils._dls import list_prefix_bindings
from ansible_collections.cloudflare.addressing.plugins.module_utils._pool import run_groups

# include choice -> path below the prefix
COLLECTIONS = {
    "delegations": ("delegations",),
    "bindings": ("bindings",),
    "bgp_prefixes": ("bgp", "prefixes"),
}
# Regional Services bindings are listed for the whole account (Data Localization Suite), not below a prefix.
REGIONAL_BINDINGS = "regional_bindings"
INCLUDE_CHOICES = list(COLLECTIONS) + [REGIONAL_BINDINGS]


def _read_all(reads, read, concurrency):
    done, failed = run_groups([[(key, key)] for key in reads], read, concurrency)
    if failed:
        raise failed[min(failed)]
    return done


def with_collections(client, prefixes, names, concurrency=1):
    """The prefixes, each with one list per included collection: one request each, several at a time.

    regional_bindings costs one request per 100 bindings of the account, and one per binding of these prefixes.
    """
    listed = [name for name in names if name in COLLECTIONS]

    def read(key):
        index, name = key
        return client.get(client.account_path("prefixes", prefixes[index]["id"], *COLLECTIONS[name])) or []

    done = _read_all([(index, name) for index in range(len(prefixes)) for name in listed], read, concurrency)
    expanded = []
    for index, prefix in enumerate(prefixes):
        expanded.append(dict(prefix, **dict((name, done[(index, name)]) for name in listed)))
    if REGIONAL_BINDINGS in names and expanded:
        expanded = with_regional_bindings(client, expanded, concurrency)
    return expanded


def _provisioning(client, binding):
    """The binding with its deployment state, read through the service bindings API (the ids are shared)."""
    path = client.account_path("prefixes", binding["prefix_id"], "bindings", binding["id"])
    try:
        seen = client.get(path) or {}
    except CloudflareAPIError as error:
        if error.status != 404:
            raise
        seen = {}  # deleted meanwhile: its state is unknown
    return dict(binding, provisioning=seen.get("provisioning") or dict(state="unknown"))


def with_regional_bindings(client, prefixes, concurrency=1):
    """The prefixes, each with its Regional Services bindings (`regional_bindings`) and their deployment states."""
    ids = set(prefix.get("id") for prefix in prefixes)
    own = [binding for binding in list_prefix_bindings(client) if binding.get("prefix_id") in ids]
    done = _read_all(list(range(len(own))), lambda index: _provisioning(client, own[index]), concurrency)
    by_prefix = {}
    for index in range(len(own)):
        by_prefix.setdefault(own[index]["prefix_id"], []).append(done[index])
    return [dict(prefix, regional_bindings=by_prefix.get(prefix.get("id"), [])) for prefix in prefixes]
