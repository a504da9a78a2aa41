"""Routes of the addressing API under /client/v4 and the handlers that turn request bodies into store calls."""

import re

from . import addressspace, dls, errors, fields, leases, multipart
from .reply import Reply, listing
from .store import MAX_ASN

ID = re.compile(r"[0-9a-f]{32}")
ACCOUNT = ("accounts", ":account_id", "addressing")


# --- handlers: (store, request, **path parameters) -> Reply -------------------------------------------------------
# Lists come whole (the addressing lists are not paginated); they carry result_info only where the 2026 definition
# declares it (address maps, delegations, leases, regional-hostname regions), through listing().

def list_prefixes(store, request, **_ids):
    return Reply(result=store.list_prefixes())


def create_prefix(store, request, **_ids):
    body = fields.body_object(request.json, allow_empty=False)
    cidr = fields.cidr(body)
    if fields.too_specific(cidr):
        raise errors.ApiError(400, errors.CIDR_TOO_SPECIFIC, "Prefix %s is too small: the smallest prefixes "
                              "Cloudflare supports are /24 (IPv4) and /48 (IPv6)" % cidr)
    unannounceable = addressspace.unannounceable_reason(cidr)
    if unannounceable:
        raise errors.ApiError(400, errors.CIDR_UNANNOUNCEABLE, "Prefix %s %s; it can never be announced on the "
                              "Internet, so it cannot be a BYOIP prefix" % (cidr, unannounceable))
    asn = fields.integer(body, "asn", 1, MAX_ASN, required=True)
    description = fields.string(body, "description", nullable=True, max_length=1000)
    loa_document_id = fields.string(body, "loa_document_id", nullable=True, max_length=32)
    delegate = fields.boolean(body, "delegate_loa_creation", nullable=True)
    return Reply(201, store.create_prefix(
        cidr, asn,
        description if isinstance(description, str) else "",
        loa_document_id if isinstance(loa_document_id, str) and loa_document_id else None,
        delegate is True,
    ))


def get_prefix(store, request, prefix_id, **_ids):
    return Reply(result=store.get_prefix(prefix_id))


def edit_prefix(store, request, prefix_id, **_ids):
    body = fields.body_object(request.json, allow_empty=False)
    others = sorted(set(body) - {"description"})
    if others:
        raise errors.bad_field(", ".join(others), "cannot be changed: only description is editable")
    description = fields.string(body, "description", required=True, max_length=1000)
    return Reply(result=store.edit_prefix(prefix_id, description))


def delete_prefix(store, request, prefix_id, **_ids):
    store.delete_prefix(prefix_id)
    return Reply(with_result=False)


def validate_prefix(store, request, prefix_id, **_ids):
    return Reply(202, store.validate_prefix(prefix_id))


def upload_loa(store, request, **_ids):
    found = multipart.parts(request.headers.get("Content-Type"), request.body)
    if "loa_document" not in found:
        raise errors.required("loa_document")
    filename, content = found["loa_document"]
    return Reply(201, store.upload_loa(filename, content))


def download_loa(store, request, loa_document_id, **_ids):
    filename, content = store.download_loa(loa_document_id)
    return Reply(raw=content, content_type="application/pdf",
                 headers={"Content-Disposition": 'attachment; filename="%s"' % filename.replace('"', "")})


def list_delegations(store, request, prefix_id, **_ids):
    return listing(store.list_delegations(prefix_id))


def create_delegation(store, request, prefix_id, **_ids):
    body = fields.body_object(request.json, allow_empty=False)
    cidr = fields.cidr(body)
    account = fields.string(body, "delegated_account_id", required=True, max_length=32, empty_ok=False)
    return Reply(result=store.create_delegation(prefix_id, cidr, account))


def delete_delegation(store, request, prefix_id, delegation_id, **_ids):
    return Reply(result=store.delete_delegation(prefix_id, delegation_id))


def list_services(store, request, **_ids):
    return Reply(result=store.list_services())


def list_bindings(store, request, prefix_id, **_ids):
    return Reply(result=store.list_bindings(prefix_id))


def create_binding(store, request, prefix_id, **_ids):
    body = fields.body_object(request.json, allow_empty=False)
    cidr = fields.cidr(body)
    service_id = fields.string(body, "service_id", required=True, max_length=32, empty_ok=False)
    return Reply(201, store.create_binding(prefix_id, cidr, service_id))


def get_binding(store, request, prefix_id, binding_id, **_ids):
    return Reply(result=store.get_binding(prefix_id, binding_id))


def delete_binding(store, request, prefix_id, binding_id, **_ids):
    store.delete_binding(prefix_id, binding_id)
    return Reply(with_result=False)


def list_bgp_prefixes(store, request, prefix_id, **_ids):
    return Reply(result=store.list_bgp_prefixes(prefix_id))


def create_bgp_prefix(store, request, prefix_id, **_ids):
    body = fields.body_object(request.json, allow_empty=False)
    return Reply(result=store.create_bgp_prefix(prefix_id, fields.cidr(body)))


def get_bgp_prefix(store, request, prefix_id, bgp_prefix_id, **_ids):
    return Reply(result=store.get_bgp_prefix(prefix_id, bgp_prefix_id))


def edit_bgp_prefix(store, request, prefix_id, bgp_prefix_id, **_ids):
    body = fields.body_object(request.json)
    prepend = fields.integer(body, "asn_prepend_count", 0, 3)
    auto = fields.boolean(body, "auto_advertise_withdraw")
    advertised = fields.MISSING
    on_demand = body.get("on_demand", fields.MISSING)
    if on_demand is not fields.MISSING:
        if not isinstance(on_demand, dict):
            raise errors.bad_field("on_demand", "must be an object such as {\"advertised\": true}")
        advertised = fields.boolean(on_demand, "advertised")
    return Reply(result=store.edit_bgp_prefix(prefix_id, bgp_prefix_id, prepend, auto, advertised))


def delete_bgp_prefix(store, request, prefix_id, bgp_prefix_id, **_ids):
    store.delete_bgp_prefix(prefix_id, bgp_prefix_id)
    return Reply(with_result=False)


def get_bgp_status(store, request, prefix_id, **_ids):
    return Reply(result=store.get_advertisement_status(prefix_id))


def set_bgp_status(store, request, prefix_id, **_ids):
    body = fields.body_object(request.json, allow_empty=False)
    return Reply(result=store.set_advertisement_status(prefix_id, fields.boolean(body, "advertised", required=True)))


def list_address_maps(store, request, **_ids):
    return listing(store.list_address_maps())


def _memberships(body):
    value = body.get("memberships", [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise errors.bad_field("memberships", "must be a list of {identifier, kind} objects")
    found = []
    for member in value:
        if not isinstance(member, dict):
            raise errors.bad_field("memberships", "must be a list of {identifier, kind} objects")
        identifier = fields.string(member, "identifier", required=True, max_length=32, empty_ok=False)
        kind = fields.string(member, "kind", required=True)
        if kind not in ("zone", "account"):
            raise errors.bad_field("kind", "must be zone or account")
        found.append((identifier, kind))
    return found


def create_address_map(store, request, **_ids):
    body = fields.body_object(request.json)
    description = fields.string(body, "description", nullable=True, max_length=1000)
    enabled = fields.boolean(body, "enabled", nullable=True)
    ips = body.get("ips", [])
    if ips is None:
        ips = []
    if not isinstance(ips, list):
        raise errors.bad_field("ips", "must be a list of IP addresses")
    memberships = _memberships(body)
    return Reply(result=store.create_address_map(
        description if description is not fields.MISSING else None, enabled is True, ips, memberships))


def get_address_map(store, request, address_map_id, **_ids):
    return Reply(result=store.get_address_map(address_map_id))


def edit_address_map(store, request, address_map_id, **_ids):
    body = fields.body_object(request.json)
    changes = {}
    for name in ("default_sni", "description"):
        value = fields.string(body, name, nullable=True, max_length=1000)
        if value is not fields.MISSING:
            changes[name] = value
    enabled = fields.boolean(body, "enabled", nullable=True)
    if enabled is not fields.MISSING:
        changes["enabled"] = enabled is True
    return Reply(result=store.edit_address_map(address_map_id, changes))


def delete_address_map(store, request, address_map_id, **_ids):
    store.delete_address_map(address_map_id)
    return Reply(with_result=False)


def add_address_map_ip(store, request, address_map_id, ip_address, **_ids):
    store.add_address_map_ip(address_map_id, ip_address)
    return Reply(with_result=False)


def remove_address_map_ip(store, request, address_map_id, ip_address, **_ids):
    store.remove_address_map_ip(address_map_id, ip_address)
    return Reply(with_result=False)


def add_account_member(store, request, address_map_id, member_account_id, **_ids):
    store.add_membership(address_map_id, "account", member_account_id)
    return Reply(with_result=False)


def remove_account_member(store, request, address_map_id, member_account_id, **_ids):
    store.remove_membership(address_map_id, "account", member_account_id)
    return Reply(with_result=False)


def add_zone_member(store, request, address_map_id, zone_id, **_ids):
    store.add_membership(address_map_id, "zone", zone_id)
    return Reply(with_result=False)


def remove_zone_member(store, request, address_map_id, zone_id, **_ids):
    store.remove_membership(address_map_id, "zone", zone_id)
    return Reply(with_result=False)


PREFIX = ACCOUNT + ("prefixes", ":prefix_id")
ADDRESS_MAP = ACCOUNT + ("address_maps", ":address_map_id")

# Placeholders starting with ":" must be 32 lowercase hex ids; those starting with "*" take any segment.
ROUTES = (
    ("GET", ACCOUNT + ("prefixes",), list_prefixes),
    ("POST", ACCOUNT + ("prefixes",), create_prefix),
    ("GET", PREFIX, get_prefix),
    ("PATCH", PREFIX, edit_prefix),
    ("DELETE", PREFIX, delete_prefix),
    ("POST", PREFIX + ("validate",), validate_prefix),
    ("POST", ACCOUNT + ("loa_documents",), upload_loa),
    ("GET", ACCOUNT + ("loa_documents", ":loa_document_id", "download"), download_loa),
    ("GET", PREFIX + ("delegations",), list_delegations),
    ("POST", PREFIX + ("delegations",), create_delegation),
    ("DELETE", PREFIX + ("delegations", ":delegation_id"), delete_delegation),
    ("GET", ACCOUNT + ("services",), list_services),
    ("GET", PREFIX + ("bindings",), list_bindings),
    ("POST", PREFIX + ("bindings",), create_binding),
    ("GET", PREFIX + ("bindings", ":binding_id"), get_binding),
    ("DELETE", PREFIX + ("bindings", ":binding_id"), delete_binding),
    ("GET", PREFIX + ("bgp", "prefixes"), list_bgp_prefixes),
    ("POST", PREFIX + ("bgp", "prefixes"), create_bgp_prefix),
    ("GET", PREFIX + ("bgp", "prefixes", ":bgp_prefix_id"), get_bgp_prefix),
    ("PATCH", PREFIX + ("bgp", "prefixes", ":bgp_prefix_id"), edit_bgp_prefix),
    ("DELETE", PREFIX + ("bgp", "prefixes", ":bgp_prefix_id"), delete_bgp_prefix),
    ("GET", PREFIX + ("bgp", "status"), get_bgp_status),
    ("PATCH", PREFIX + ("bgp", "status"), set_bgp_status),
    ("GET", ACCOUNT + ("address_maps",), list_address_maps),
    ("POST", ACCOUNT + ("address_maps",), create_address_map),
    ("GET", ADDRESS_MAP, get_address_map),
    ("PATCH", ADDRESS_MAP, edit_address_map),
    ("DELETE", ADDRESS_MAP, delete_address_map),
    ("PUT", ADDRESS_MAP + ("ips", "*ip_address"), add_address_map_ip),
    ("DELETE", ADDRESS_MAP + ("ips", "*ip_address"), remove_address_map_ip),
    ("PUT", ADDRESS_MAP + ("accounts", ":member_account_id"), add_account_member),
    ("DELETE", ADDRESS_MAP + ("accounts", ":member_account_id"), remove_account_member),
    ("PUT", ADDRESS_MAP + ("zones", ":zone_id"), add_zone_member),
    ("DELETE", ADDRESS_MAP + ("zones", ":zone_id"), remove_zone_member),
) + leases.ROUTES + dls.ROUTES


def _bind(pattern, segments):
    """Match segments against a route pattern: (params, ids_ok), or None when the shape differs."""
    if len(pattern) != len(segments):
        return None
    params, ids_ok = {}, True
    for part, segment in zip(pattern, segments):
        if part[0] in ":*":
            if not segment:
                return None
            params[part[1:]] = segment
            if part[0] == ":" and not ID.fullmatch(segment):
                ids_ok = False
        elif part != segment:
            return None
    return params, ids_ok


def route(method, path, segments):
    """Return (handler, params) for a request path below /client/v4, or raise the API's 404 (code 7003)."""
    shaped = False
    for route_method, pattern, handler in ROUTES:
        bound = _bind(pattern, segments)
        if bound is None:
            continue
        params, ids_ok = bound
        if not ids_ok:
            shaped = True
            continue
        if route_method == method:
            return handler, params
    if shaped:
        raise errors.ApiError(404, errors.NO_ROUTE, "Could not route to %s, perhaps your object identifier is "
                              "invalid?" % path)
    raise errors.ApiError(404, errors.NO_ROUTE, "No route for the URI")
