"""Leases: Cloudflare addresses the account holds (for example Spectrum static IPs), read with GET .../leases.

The API can only list them; Cloudflare assigns them. Tests and demos add them through the control API
(POST /__sim/leases). Leased addresses count as the account's own for address maps.
"""

import ipaddress
import uuid

from . import errors, fields
from .clock import rfc3339
from .reply import listing

MAX_PURPOSE_LENGTH = 1000


class Leases:
    """The account's leases; a part of the Store (its lock, clock and state file)."""

    def __init__(self, store):
        self.store = store
        self.leases = {}

    def clear(self):
        self.leases = {}

    def snapshot(self):
        return {"leases": [dict(record, cidrs=list(record["cidrs"])) for record in self.leases.values()]}

    def load(self, document):
        for record in document.get("leases", []):
            self.leases[record["id"]] = record

    def prefix_deleted(self, prefix_id):
        """Leases are Cloudflare's addresses, not the account's prefixes: nothing to do."""

    def settle(self, now):
        """Leases do not change with time."""

    @staticmethod
    def view(record):
        return {"id": record["id"], "cidrs": list(record["cidrs"]), "owner_id": record["owner_id"],
                "purpose": record["purpose"], "active_from": rfc3339(record["active_from"]),
                "created_at": rfc3339(record["created_at"]), "modified_at": rfc3339(record["modified_at"])}

    def holds(self, address):
        """Whether an ip_address lies in one of the leased CIDRs."""
        return any(address in ipaddress.ip_network(cidr) for record in self.leases.values()
                   for cidr in record["cidrs"])

    def list(self):
        with self.store.lock:
            return [self.view(record) for record in self.leases.values()]

    def add(self, document):
        """POST /__sim/leases: {"cidrs": [...], "purpose": "..."}; raises ValueError for a bad document."""
        if not isinstance(document, dict) or set(document) - {"cidrs", "purpose"}:
            raise ValueError('give {"cidrs": ["192.0.2.100/32", ...], "purpose": "Spectrum Static IPs"}')
        cidrs = document.get("cidrs")
        if not isinstance(cidrs, list) or not cidrs:
            raise ValueError("cidrs must be a non-empty list of CIDRs")
        try:
            networks = [str(fields.network(cidr)) for cidr in cidrs]
        except errors.ApiError as exc:
            raise ValueError(exc.message)
        purpose = document.get("purpose", "")
        if not isinstance(purpose, str) or len(purpose) > MAX_PURPOSE_LENGTH:
            raise ValueError("purpose must be a string of at most %d characters" % MAX_PURPOSE_LENGTH)
        with self.store.lock:
            now = self.store.clock.now()
            record = {"id": uuid.uuid4().hex, "cidrs": networks, "owner_id": self.store.config.account_id,
                      "purpose": purpose, "active_from": now, "created_at": now, "modified_at": now}
            self.leases[record["id"]] = record
            self.store.mark_changed()
            return self.view(record)

    def remove(self, lease_id):
        """Whether there was such a lease to remove."""
        with self.store.lock:
            if self.leases.pop(lease_id, None) is None:
                return False
            self.store.mark_changed()
            return True


def list_leases(store, request, **_ids):
    return listing(store.leases.list())


ROUTES = (
    ("GET", ("accounts", ":account_id", "addressing", "leases"), list_leases),
)
