# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading what the account holds under its prefixes: the info module's include, the waits' polls.

For internal collection use only: this is not a public interface and may change without notice.
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils._pool import run_groups

# include choice -> path below the prefix
COLLECTIONS = {
    "delegations": ("delegations",),
    "bindings": ("bindings",),
    "bgp_prefixes": ("bgp", "prefixes"),
}


def with_collections(client, prefixes, names, concurrency=1):
    """The prefixes, each with one list per included collection: one request each, several at a time."""
    reads = [(index, name) for index in range(len(prefixes)) for name in names]

    def read(key):
        index, name = key
        return client.get(client.account_path("prefixes", prefixes[index]["id"], *COLLECTIONS[name])) or []

    done, failed = run_groups([[(key, key)] for key in reads], read, concurrency)
    if failed:
        raise failed[min(failed)]
    expanded = []
    for index, prefix in enumerate(prefixes):
        expanded.append(dict(prefix, **dict((name, done[(index, name)]) for name in names)))
    return expanded
