"""The Cloudflare response envelope and every error code the simulator sends.

Codes below 1100 and the 6xxx/7xxx/9xxx/10000 codes are the ones the real API is known to send (see the fidelity
notes in simulator/README.md). Addressing-specific codes are not public, so the 11xx-15xx codes are cfsim's own;
they are stable and documented in the single table in simulator/README.md (a test keeps the two in sync).
"""

import json

# --- codes the real API sends ----------------------------------------------------------------------------------
RATE_LIMITED = 971
INVALID_HEADERS = 6003
INVALID_EMAIL_FORMAT = 6102
INVALID_KEY_FORMAT = 6103
INVALID_AUTHORIZATION_FORMAT = 6111
MALFORMED_JSON = 6007
NO_ROUTE = 7003
UNKNOWN_EMAIL_KEY = 9103
MISSING_AUTH = 9106
AUTHENTICATION_ERROR = 10000
# Cloudflare's docs show this one for a DLS prefix binding whose CIDR is already bound (cfsim's own 1108, Magic
# Transit only as the default binding, happens to share the number: the two APIs number their errors apart).
DLS_BINDING_CONFLICT = 1108

# --- cfsim's own codes ----------------------------------------------------------------------------------------
# 400: request body and parameters
BODY_NOT_OBJECT = 1101
FIELD_REQUIRED = 1102
FIELD_INVALID = 1103
CIDR_INVALID = 1104
CIDR_TOO_SPECIFIC = 1105
CIDR_OUTSIDE_PREFIX = 1106
SERVICE_UNKNOWN = 1107
MAGIC_TRANSIT_NOT_DEFAULT = 1108
LOA_UNKNOWN = 1109
LOA_NOT_PDF = 1110
LOA_TOO_LARGE = 1111
DELEGATION_TO_SELF = 1112
IP_INVALID = 1113
IP_NOT_OWNED = 1114
MULTIPART_INVALID = 1115
BODY_TOO_LARGE = 1116
CIDR_UNANNOUNCEABLE = 1117
REGION_UNKNOWN = 1118
PREFIX_UNKNOWN = 1119
QUERY_INVALID = 1120
# 404: well-formed identifiers that name nothing
PREFIX_NOT_FOUND = 1201
LOA_NOT_FOUND = 1202
DELEGATION_NOT_FOUND = 1203
BINDING_NOT_FOUND = 1204
BGP_PREFIX_NOT_FOUND = 1205
ADDRESS_MAP_NOT_FOUND = 1206
ADDRESS_MAP_IP_NOT_FOUND = 1207
MEMBERSHIP_NOT_FOUND = 1208
DLS_BINDING_NOT_FOUND = 1209
REGION_NOT_FOUND = 1210
# 409: conflicts with the current state
PREFIX_DUPLICATE = 1301
PREFIX_OVERLAP = 1302
PREFIX_APPROVED = 1303
PREFIX_NOT_APPROVED = 1304
DEFAULT_BINDING_REQUIRED = 1305
BINDING_DUPLICATE = 1306
BINDING_SERVICE_CONFLICT = 1307
DEFAULT_BINDING_IN_USE = 1308
DEFAULT_BINDING_ADVERTISED = 1309
BGP_PREFIX_DUPLICATE = 1310
BGP_PREFIX_ADVERTISED = 1311
ADVERTISEMENT_LOCKED = 1312
DELEGATION_DUPLICATE = 1313
ADDRESS_MAP_ENABLED = 1314
ADDRESS_MAP_NOT_DELETABLE = 1315
ADDRESS_MAP_IPS_LOCKED = 1316
ON_DEMAND_NOT_ENABLED = 1317
# 429: the advertisement toggle hold
ADVERTISEMENT_HOLD = 1401
# 5xx (and other statuses) injected through the control API
INJECTED_FAULT = 1501
# 503: cfsim itself
SHUTTING_DOWN = 1601

RATE_LIMIT_MESSAGE = "Please wait and consider throttling your request speed"


class ApiError(Exception):
    """An error answer: HTTP status plus one Cloudflare error object."""

    def __init__(self, status, code, message, error_chain=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.error_chain = error_chain
        self.headers = headers or {}

    def envelope(self):
        error = {"code": self.code, "message": self.message}
        if self.error_chain:
            error["error_chain"] = [{"code": code, "message": message} for code, message in self.error_chain]
        return failure([error])


def success(result=None, result_info=None, with_result=True):
    body = {"success": True, "errors": [], "messages": []}
    if with_result:
        body["result"] = result
    if result_info is not None:
        body["result_info"] = result_info
    return body


def failure(errors):
    return {"success": False, "errors": errors, "messages": [], "result": None}


def rate_limited_body():
    return failure([{"code": RATE_LIMITED, "message": RATE_LIMIT_MESSAGE}])


def dumps(document):
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


# Constructors for the errors raised from several places; keeping the wording here keeps it consistent.
def bad_field(field, reason):
    return ApiError(400, FIELD_INVALID, "%s %s" % (field, reason))


def required(field):
    return ApiError(400, FIELD_REQUIRED, "%s is required" % field)


def not_found(code, what, ident):
    return ApiError(404, code, "%s %s not found" % (what, ident))


def conflict(code, message):
    return ApiError(409, code, message)
