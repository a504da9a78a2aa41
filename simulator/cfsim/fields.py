"""Checks for request-body fields; each failure is a 400 with one of cfsim's codes."""

import ipaddress

from . import errors

MISSING = object()


def body_object(body, allow_empty=True):
    """Request bodies are JSON objects; an absent body counts as {} where the API does not need one."""
    if body is None:
        if allow_empty:
            return {}
        raise errors.ApiError(400, errors.BODY_NOT_OBJECT, "Request body must be a JSON object")
    if not isinstance(body, dict):
        raise errors.ApiError(400, errors.BODY_NOT_OBJECT, "Request body must be a JSON object")
    return body


def get(body, name, required=False):
    value = body.get(name, MISSING)
    if value is MISSING and required:
        raise errors.required(name)
    return value


def string(body, name, required=False, nullable=False, max_length=None, empty_ok=True):
    value = get(body, name, required)
    if value is MISSING or (value is None and nullable):
        return value
    if not isinstance(value, str):
        raise errors.bad_field(name, "must be a string")
    if not empty_ok and not value:
        raise errors.bad_field(name, "must not be empty")
    if max_length is not None and len(value) > max_length:
        raise errors.bad_field(name, "must be at most %d characters" % max_length)
    return value


def boolean(body, name, required=False, nullable=False):
    value = get(body, name, required)
    if value is MISSING or (value is None and nullable):
        return value
    if not isinstance(value, bool):
        raise errors.bad_field(name, "must be a boolean")
    return value


def integer(body, name, minimum, maximum, required=False):
    value = get(body, name, required)
    if value is MISSING:
        return value
    # bool is an int subclass in Python, but true is not a number in JSON.
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.bad_field(name, "must be an integer")
    if not minimum <= value <= maximum:
        raise errors.bad_field(name, "must be between %d and %d" % (minimum, maximum))
    return value


def network(value, name="cidr"):
    """Parse a CIDR strictly: host bits set is an error. Returns an ip_network (its str() is canonical)."""
    if not isinstance(value, str):
        raise errors.ApiError(400, errors.CIDR_INVALID, "%s must be a CIDR string such as 192.0.2.0/24" % name)
    if "/" not in value:
        raise errors.ApiError(400, errors.CIDR_INVALID, "%s %r has no prefix length" % (name, value))
    try:
        return ipaddress.ip_network(value.strip(), strict=True)
    except ValueError as exc:
        if "host bits set" in str(exc):
            raise errors.ApiError(400, errors.CIDR_INVALID, "%s %r has host bits set" % (name, value))
        raise errors.ApiError(400, errors.CIDR_INVALID, "%s %r is not a valid CIDR" % (name, value))


def cidr(body, name="cidr"):
    return network(get(body, name, required=True), name)


def too_specific(net):
    """Cloudflare's smallest supported prefixes are /24 (IPv4) and /48 (IPv6)."""
    return net.prefixlen > (24 if net.version == 4 else 48)


def address(value):
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        raise errors.ApiError(400, errors.IP_INVALID, "%r is not a valid IP address" % (value,))
