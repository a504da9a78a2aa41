"""Data Localization Suite: the regions and the Regional Services prefix bindings under /accounts/{id}/dls.

A prefix binding pins a CIDR inside one of the account's BYOIP prefixes to a region key. The rules the API
definition leaves open are cfsim's assumptions, listed in simulator/README.md ("Regional Services").
"""

import base64
import binascii
import calendar
import time
import uuid

from . import errors, fields
from .clock import rfc3339
from .reply import Reply, result_info

# The region keys the regional-hostnames regions endpoint is observed to answer; Cloudflare's docs name `us`, `eu`
# and `ca` (with the labels "Europe" and "Canada"). The other processing regions have no published keys.
MANAGED_REGIONS = (
    ("us", "United States"),
    ("eu", "Europe"),
    ("ca", "Canada"),
    ("isoeu", "ISO 27001 Certified European Union"),
    ("de", "Germany"),
    ("au", "Australia"),
    ("in", "India"),
    ("jp", "Japan"),
    ("kr", "South Korea"),
    ("sg", "Singapore"),
    ("fedramp", "FedRAMP Moderate Compliant (Domestic)"),
)
REGION_TYPES = ("managed", "custom")
# Managed regions predate every account: one fixed creation time (the one Cloudflare's docs show).
REGIONS_CREATED = calendar.timegm(time.strptime("2026-01-13T23:59:45", "%Y-%m-%dT%H:%M:%S")) + 0.276558
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
CURSOR_PREFIX = "cfsim:"


def _region(key, name):
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "https://cfsim.invalid/dls/regions/" + key)),
        "name": name,
        "region_key": key,
        "created_on": rfc3339(REGIONS_CREATED),
        "modified_on": rfc3339(REGIONS_CREATED),
        "version": 1,
        "version_created_on": rfc3339(REGIONS_CREATED),
    }


REGIONS = tuple(_region(key, name) for key, name in MANAGED_REGIONS)


def find_region(region_id):
    """A managed region by its id or its region_key; None when there is none."""
    for region in REGIONS:
        if region_id in (region["id"], region["region_key"]):
            return region
    return None


# --- cursor pagination (the DLS lists; the addressing lists are not paginated) -------------------------------------

def _bad_query(message):
    return errors.ApiError(400, errors.QUERY_INVALID, message)


def _one(query, name):
    values = query.get(name)
    return values[-1] if values else None


def per_page(query):
    text = _one(query, "per_page")
    if text is None:
        return DEFAULT_PER_PAGE
    try:
        value = int(text)
    except ValueError:
        raise _bad_query("per_page must be an integer between 1 and %d" % MAX_PER_PAGE)
    if not 1 <= value <= MAX_PER_PAGE:
        raise _bad_query("per_page must be an integer between 1 and %d" % MAX_PER_PAGE)
    return value


def encode_cursor(position):
    return base64.urlsafe_b64encode((CURSOR_PREFIX + str(position)).encode("ascii")).decode("ascii").rstrip("=")


def decode_cursor(query):
    """The position after which the page starts: 0 without a cursor."""
    text = _one(query, "cursor")
    if not text:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        if decoded.startswith(CURSOR_PREFIX):
            return int(decoded[len(CURSOR_PREFIX):])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise _bad_query("cursor %r is not a cursor this API handed out" % text[:100])


def cursor_page(positioned, query):
    """positioned: (position, item) pairs in ascending position. One page of items with the cursor result_info."""
    size, after = per_page(query), decode_cursor(query)
    rest = [(position, item) for position, item in positioned if position > after]
    page = rest[:size]
    cursor = encode_cursor(page[-1][0]) if len(rest) > size else ""
    items = [item for _position, item in page]
    return Reply(result=items, info={"count": len(items), "per_page": size, "cursor": cursor})


# --- state ---------------------------------------------------------------------------------------------------------

class RegionalServices:
    """The account's DLS prefix bindings; a part of the Store (its lock, clock, prefixes and state file)."""

    def __init__(self, store):
        self.store = store
        self.bindings = {}
        self.next_position = 1

    def clear(self):
        self.bindings = {}
        self.next_position = 1

    def snapshot(self):
        return {"dls_prefix_bindings": [dict(record) for record in self.bindings.values()]}

    def load(self, document):
        for record in document.get("dls_prefix_bindings", []):
            self.bindings[record["id"]] = record
            self.next_position = max(self.next_position, record["position"] + 1)

    def prefix_deleted(self, prefix_id):
        for binding_id in [key for key, record in self.bindings.items() if record["prefix_id"] == prefix_id]:
            del self.bindings[binding_id]

    def settle(self, now):
        for record in self.bindings.values():
            if self._deployed(record, now):
                record["deployed"] = True

    @staticmethod
    def view(record):
        return {"id": record["id"], "prefix_id": record["prefix_id"], "cidr": record["cidr"],
                "region_key": record["region_key"]}

    def _deployed(self, record, now):
        return record["deployed"] or now >= record["provisioning_since"] + self.store.config.provisioning_seconds

    def _state(self, record, now):
        if record["state_override"] is not None:
            return record["state_override"]
        return "active" if self._deployed(record, now) else "provisioning"

    def _binding(self, binding_id):
        record = self.bindings.get(binding_id)
        if record is None:
            raise errors.not_found(errors.DLS_BINDING_NOT_FOUND, "Prefix binding", binding_id)
        return record

    @staticmethod
    def _region_key(region_key):
        if find_region(region_key) is None:
            raise errors.ApiError(400, errors.REGION_UNKNOWN, "region_key %s names no region of the account; see "
                                  "GET /accounts/{account_id}/dls/regions" % region_key)
        return region_key

    def _conflict(self, network, prefix):
        """The documented 409: the whole prefix is always in use, and a CIDR can have one binding only."""
        key = str(network)
        taken = key == prefix["cidr"] or any(record["cidr"] == key for record in self.bindings.values()) or any(
            record["cidr"] == key for record in self.store.bindings.get(prefix["id"], {}).values())
        if taken:
            raise errors.conflict(errors.DLS_BINDING_CONFLICT, "conflict: binding already exists for CIDR %s" % key)

    # --- operations (each takes the store lock) ---------------------------------------------------------------------

    def list(self, query):
        with self.store.lock:
            ordered = sorted(self.bindings.values(), key=lambda record: record["position"])
            return cursor_page([(record["position"], self.view(record)) for record in ordered], query)

    def get(self, binding_id):
        with self.store.lock:
            return self.view(self._binding(binding_id))

    def create(self, prefix_id, network, region_key):
        store = self.store
        with store.lock:
            if prefix_id not in store.prefixes:
                raise errors.ApiError(400, errors.PREFIX_UNKNOWN, "prefix_id %s names no prefix of the account"
                                      % prefix_id)
            prefix = store.prefix_record(prefix_id)
            store.require_inside(network, prefix)
            self._region_key(region_key)
            self._conflict(network, prefix)
            if prefix["approved"] != "V":
                raise errors.conflict(errors.PREFIX_NOT_APPROVED, "Prefix %s is not approved yet; Regional Services "
                                      "bind CIDRs of onboarded prefixes only" % prefix["cidr"])
            now = store.clock.now()
            record = {"id": uuid.uuid4().hex, "position": self.next_position, "prefix_id": prefix_id,
                      "cidr": str(network), "region_key": region_key, "created_at": now, "modified_at": now,
                      "provisioning_since": now, "deployed": False, "state_override": None}
            self.next_position += 1
            self.bindings[record["id"]] = record
            store.mark_changed()
            return self.view(record)

    def edit(self, binding_id, region_key):
        with self.store.lock:
            record = self._binding(binding_id)
            self._region_key(region_key)
            if region_key != record["region_key"]:
                now = self.store.clock.now()
                # A new region propagates again, like a new binding.
                record.update(region_key=region_key, modified_at=now, provisioning_since=now, deployed=False)
                self.store.mark_changed()
            return self.view(record)

    def delete(self, binding_id):
        with self.store.lock:
            self._binding(binding_id)
            del self.bindings[binding_id]
            self.store.mark_changed()

    # --- the same binding seen through the service bindings API (same id, per Cloudflare's docs) ------------------

    def service_binding_view(self, prefix_id, binding_id, now):
        record = self.bindings.get(binding_id)
        if record is None or record["prefix_id"] != prefix_id:
            return None
        return {"id": record["id"], "cidr": record["cidr"], "provisioning": {"state": self._state(record, now)}}

    def force_state(self, binding_id, state):
        """PATCH /__sim/bindings/{id} on a prefix binding; None when the id is not one."""
        record = self.bindings.get(binding_id)
        if record is None:
            return None
        record["state_override"] = state
        self.store.mark_changed()
        return self.service_binding_view(record["prefix_id"], binding_id, self.store.clock.now())


# --- handlers --------------------------------------------------------------------------------------------------------

def _region_key_field(body):
    return fields.string(body, "region_key", required=True, max_length=128, empty_ok=False)


def list_regions(store, request, **_ids):
    kind = _one(request.query, "type")
    if kind is not None and kind not in REGION_TYPES:
        raise _bad_query("type must be managed or custom")
    regions = REGIONS if kind in (None, "managed") else ()  # no custom regions unless the account team adds them
    return cursor_page(list(enumerate(regions, start=1)), request.query)


def get_region(store, request, region_id, **_ids):
    region = find_region(region_id)
    if region is None:
        raise errors.not_found(errors.REGION_NOT_FOUND, "Region", region_id[:255])
    return Reply(result=dict(region))


def list_hostname_regions(store, request, **_ids):
    """The older regional-hostnames view of the same managed regions: {key, label}, page-based result_info."""
    result = [{"key": region["region_key"], "label": region["name"]} for region in REGIONS]
    return Reply(result=result, info=result_info(len(result)))


def list_prefix_bindings(store, request, **_ids):
    return store.regional.list(request.query)


def create_prefix_binding(store, request, **_ids):
    body = fields.body_object(request.json, allow_empty=False)
    prefix_id = fields.string(body, "prefix_id", required=True, max_length=64, empty_ok=False)
    network = fields.cidr(body)
    region_key = _region_key_field(body)
    return Reply(201, store.regional.create(prefix_id, network, region_key))


def get_prefix_binding(store, request, binding_id, **_ids):
    return Reply(result=store.regional.get(binding_id))


def edit_prefix_binding(store, request, binding_id, **_ids):
    body = fields.body_object(request.json, allow_empty=False)
    others = sorted(set(body) - {"region_key"})
    if others:
        raise errors.bad_field(", ".join(others), "cannot be changed: only region_key is editable (delete the "
                               "binding and create another one for a different CIDR)")
    return Reply(result=store.regional.edit(binding_id, _region_key_field(body)))


def delete_prefix_binding(store, request, binding_id, **_ids):
    store.regional.delete(binding_id)
    return Reply(result=None)  # Cloudflare's docs show "result": null here


DLS = ("accounts", ":account_id", "dls")
PREFIX_BINDINGS = DLS + ("regional_services", "prefix_bindings")
ROUTES = (
    ("GET", DLS + ("regions",), list_regions),
    ("GET", DLS + ("regions", "*region_id"), get_region),
    ("GET", PREFIX_BINDINGS, list_prefix_bindings),
    ("POST", PREFIX_BINDINGS, create_prefix_binding),
    ("GET", PREFIX_BINDINGS + ("*binding_id",), get_prefix_binding),
    ("PATCH", PREFIX_BINDINGS + ("*binding_id",), edit_prefix_binding),
    ("DELETE", PREFIX_BINDINGS + ("*binding_id",), delete_prefix_binding),
    ("GET", ("accounts", ":account_id", "addressing", "regional_hostnames", "regions"), list_hostname_regions),
)
