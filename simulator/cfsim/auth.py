"""Credential checks with the real API's error codes.

Precedence when a client sends several schemes: X-Auth-Email/X-Auth-Key, then Authorization, then
X-Auth-User-Service-Key (the order the official Python SDK builds its headers in). Other headers are ignored.
"""

import re

from . import errors

BEARER = re.compile(r"Bearer ([A-Za-z0-9._~+/=-]+)")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
API_KEY = re.compile(r"[A-Za-z0-9]{8,}")
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))


def _header(headers, name):
    value = headers.get(name)
    return value.strip() if value and value.strip() else None


class Credential:
    """What a request presented: scheme (for the request log), a rate-limit key, and an error if it is bad."""

    def __init__(self, scheme, key, error=None):
        self.scheme = scheme
        self.key = key
        self.error = error


def _bad_headers(chain_code, chain_message):
    return errors.ApiError(400, errors.INVALID_HEADERS, "Invalid request headers",
                           error_chain=[(chain_code, chain_message)])


def _authentication_error():
    return errors.ApiError(403, errors.AUTHENTICATION_ERROR, "Authentication error")


def identify(headers, config, client_address):
    """Classify the credential of a request; never raises."""
    email, key = _header(headers, "X-Auth-Email"), _header(headers, "X-Auth-Key")
    authorization = _header(headers, "Authorization")
    service_key = _header(headers, "X-Auth-User-Service-Key")
    if email or key:
        rate_key = "email_key:%s:%s" % (email, key)
        # The real API names every malformed header in one error_chain, not only the first.
        chain = []
        if not email or not EMAIL.fullmatch(email):
            chain.append((errors.INVALID_EMAIL_FORMAT, "Invalid format for X-Auth-Email header"))
        if not key or not API_KEY.fullmatch(key):
            chain.append((errors.INVALID_KEY_FORMAT, "Invalid format for X-Auth-Key header"))
        if chain:
            return Credential("invalid", rate_key, errors.ApiError(400, errors.INVALID_HEADERS,
                                                                   "Invalid request headers", error_chain=chain))
        if email.lower() == config.api_email.lower() and key == config.api_key:
            return Credential("email_key", rate_key)
        return Credential("invalid", rate_key, errors.ApiError(403, errors.UNKNOWN_EMAIL_KEY,
                                                               "Unknown X-Auth-Key or X-Auth-Email"))
    if authorization:
        match = BEARER.fullmatch(authorization)
        if not match:
            return Credential("invalid", "authorization:%s" % authorization,
                              _bad_headers(errors.INVALID_AUTHORIZATION_FORMAT,
                                           "Invalid format for Authorization header"))
        token = match.group(1)
        if token == config.api_token:
            return Credential("token", "token:%s" % token)
        if token == config.read_only_token:
            return Credential("read_only_token", "token:%s" % token)
        return Credential("invalid", "token:%s" % token, _authentication_error())
    if service_key:
        if service_key == config.user_service_key:
            return Credential("user_service_key", "user_service_key:%s" % service_key)
        return Credential("invalid", "user_service_key:%s" % service_key, _authentication_error())
    return Credential("none", "address:%s" % client_address,
                      errors.ApiError(400, errors.MISSING_AUTH,
                                      "Missing X-Auth-Key, X-Auth-Email or Authorization headers"))


def authorize(credential, method, account_id, config):
    """Raise the API's error unless the credential may run method on account_id."""
    if credential.error is not None:
        raise credential.error
    # A credential for another account and a token lacking write permission both read as "Authentication error".
    if account_id is not None and account_id != config.account_id:
        raise _authentication_error()
    if credential.scheme == "read_only_token" and method in WRITE_METHODS:
        raise _authentication_error()
