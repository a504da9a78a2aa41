"""Conformance mode (--openapi FILE): every API request and answer checked against an OpenAPI 3.0 definition.

cfsim itself is standard library only; jsonschema (a development dependency) is imported here, and this module is
imported only when the mode is on. Violations are recorded for GET /__sim/conformance and written to the log; the
answers themselves are never changed.

Checked for a request: that the definition has its method and path, its path and query parameters, and its body
against the request schema. For an answer: that the definition lists its status, its content type, and its body
against the response schema. In both directions a field the schema does not declare is a violation too (the
definition's objects are open, but a field it does not name is a field a real client cannot rely on).
"""

import hashlib
import json
import re
import threading
import urllib.parse

from . import errors, multipart

# Deliberate deviations, each answered the way the real API is observed to answer although the definition says
# otherwise. Seen in an answer, they are counted under their name instead of being recorded as violations.
TOLERANCES = {
    "rate_limit_971": "HTTP 429 with code 971, on every operation: the real API's rate-limit answer, although the "
                      "schemas want codes >= 1000 and the DLS operations list no 429",
    "gateway_errors": "authentication (400 9106 or 6003, 403 9103 or 10000) and routing (404 7003) answers on "
                      "operations that do not list that status: Cloudflare's API gateway answers before any "
                      "operation runs",
    "error_chain": "error_chain inside an addressing error object: the real API sends it with 6003 (only the DLS "
                   "schemas declare it)",
    "null_result": '"result": null in an envelope whose schema does not declare result (the DLS prefix binding '
                   "delete): Cloudflare's Regionalized IP Bindings docs show it there",
    "magic_transit_route_missing": "provisioning.state magic_transit_route_missing: SDK 5.9.0 lists it, the "
                                   "definition's enum does not (cfsim sends it only when the control API forces it)",
}
GATEWAY_CODES = {errors.MISSING_AUTH, errors.INVALID_HEADERS, errors.UNKNOWN_EMAIL_KEY, errors.AUTHENTICATION_ERROR,
                 errors.NO_ROUTE}
ANNOTATIONS = {"description", "example", "examples", "readOnly", "writeOnly", "deprecated", "externalDocs",
               "discriminator", "xml", "title", "nullable"}
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
MAX_VIOLATIONS = 1000
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class DefinitionError(Exception):
    """The definition file cannot be used (unreadable, not JSON, jsonschema missing)."""


# --- OpenAPI 3.0 schema objects -> JSON Schema (draft 4) -------------------------------------------------------------

def json_schema(node):
    """Convert one OpenAPI schema: $refs point into "definitions", nullable and enum [null] allow null."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ANNOTATIONS or key.startswith("x-"):
            continue
        if key == "$ref":
            out[key] = "#/definitions/" + value.rsplit("/", 1)[1]
        elif key == "properties":
            out[key] = {name: json_schema(sub) for name, sub in value.items()}
        elif key == "required":
            out[key] = list(dict.fromkeys(value))  # the 2026 file repeats names, draft 4 wants them unique
        elif key in ("enum", "default"):
            out[key] = value
        else:
            out[key] = json_schema(value)
    if "$ref" in out and len(out) > 1:  # draft 4 ignores a $ref's siblings
        ref = out.pop("$ref")
        out = {"allOf": [{"$ref": ref}, out]}
    if None in out.get("enum", ()):  # the 4XX schemas say `"enum": [null], "type": "array"`: they mean null
        out.pop("type", None)
    if node.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


class Schemas:
    """The definition's components, and validators for its schema objects."""

    def __init__(self, document):
        try:
            import jsonschema  # pylint: disable=import-outside-toplevel
        except ImportError:
            raise DefinitionError("--openapi needs the jsonschema package (pip install jsonschema)")
        self._jsonschema = jsonschema
        self.components = document.get("components", {}).get("schemas", {})
        self.parameters = document.get("components", {}).get("parameters", {})
        self._definitions = {name: json_schema(schema) for name, schema in self.components.items()}
        self._format_checker = jsonschema.FormatChecker(formats=())
        self._format_checker.checks("date-time")(lambda value: not isinstance(value, str)
                                                 or DATE_TIME.match(value) is not None)

    def validator(self, schema):
        root = dict(json_schema(schema), definitions=self._definitions)
        return self._jsonschema.Draft4Validator(root, format_checker=self._format_checker)

    def parameter(self, spec):
        """A parameter object, following a $ref into components.parameters."""
        if "$ref" in spec:
            return self.parameters.get(spec["$ref"].rsplit("/", 1)[1], {})
        return spec

    def resolve(self, schema):
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 50:
            schema = self.components.get(schema["$ref"].rsplit("/", 1)[1], {})
            seen += 1
        return schema if isinstance(schema, dict) else {}

    def declared(self, schema):
        """{property: schema} an object may carry, or None when the schema does not say (any object goes)."""
        schema = self.resolve(schema)
        found = None
        if "properties" in schema:
            found = dict(schema["properties"])
        for key in ("allOf", "anyOf", "oneOf"):
            for branch in schema.get(key, ()):
                more = self.declared(branch)
                if more is not None:
                    found = dict(found or {}, **more)
        if schema.get("additionalProperties") not in (None, False):
            return None
        return found

    def _items(self, schema):
        schema = self.resolve(schema)
        for key in ("allOf", "anyOf", "oneOf"):
            for branch in schema.get(key, ()):
                found = self._items(branch)
                if found is not None:
                    return found
        return schema.get("items")

    def undeclared(self, instance, schema, where=""):
        """(path, name) of every object member the schema does not declare, at any depth."""
        if isinstance(instance, list):
            items = self._items(schema)
            if items is None:
                return []
            return [found for index, item in enumerate(instance)
                    for found in self.undeclared(item, items, "%s[%d]" % (where, index))]
        if not isinstance(instance, dict):
            return []
        declared = self.declared(schema)
        if declared is None:
            return []
        found = []
        for name, value in instance.items():
            if name in declared:
                found += self.undeclared(value, declared[name], "%s.%s" % (where, name) if where else name)
            else:
                found.append((where, name))
        return found


# --- operations --------------------------------------------------------------------------------------------------

class Parameter:
    def __init__(self, spec, schemas):
        self.name = spec["name"]
        self.required = bool(spec.get("required"))
        schema = schemas.resolve(spec.get("schema", {}))
        self.type = schema.get("type")
        self.validator = schemas.validator(spec.get("schema", {}))

    def problems(self, text, where):
        value = text
        if self.type in ("integer", "number"):
            try:
                value = int(text) if self.type == "integer" else float(text)
            except ValueError:
                return ["%s %s=%r is not a number of type %s" % (where, self.name, text, self.type)]
        elif self.type == "boolean":
            if text not in ("true", "false"):
                return ["%s %s=%r is not true or false" % (where, self.name, text)]
            value = text == "true"
        return ["%s %s=%r: %s" % (where, self.name, text, error.message) for error in self.validator.iter_errors(value)]


class Body:
    """A request or response body of one content type."""

    def __init__(self, content_type, spec, schemas):
        self.content_type = content_type
        self.schema = spec.get("schema")
        self.validator = schemas.validator(self.schema) if self.schema else None


class Operation:
    def __init__(self, method, template, path_item, operation, schemas):
        self.method = method.upper()
        self.template = template
        literal_parts = re.split(r"\{[^}/]+\}", template)
        self.pattern = re.compile("^/client/v4" + "([^/]+)".join(re.escape(part) for part in literal_parts) + "$")
        specs = [schemas.parameter(spec) for spec in path_item.get("parameters", []) + operation.get("parameters", [])]
        self.path_params = {spec["name"]: Parameter(spec, schemas) for spec in specs if spec.get("in") == "path"}
        self.path_names = re.findall(r"\{([^}/]+)\}", template)
        self.query_params = {spec["name"]: Parameter(spec, schemas) for spec in specs if spec.get("in") == "query"}
        request = operation.get("requestBody")
        self.request_required = bool(request and request.get("required"))
        self.request_bodies = {content_type: Body(content_type, spec, schemas)
                               for content_type, spec in (request or {}).get("content", {}).items()}
        self.responses = {status: {content_type: Body(content_type, spec, schemas)
                                   for content_type, spec in (response.get("content") or {}).items()}
                          for status, response in operation.get("responses", {}).items()}

    def response_key(self, status):
        for key in (str(status), "%dXX" % (status // 100), "%dxx" % (status // 100), "default"):
            if key in self.responses:
                return key
        return None


# --- the checker ---------------------------------------------------------------------------------------------------

def _media_type(header):
    return (header or "").split(";", 1)[0].strip().lower()


def _first_code(document):
    try:
        return document["errors"][0]["code"]
    except (KeyError, IndexError, TypeError):
        return None


class Conformance:
    """The loaded definition and what it has found so far (thread-safe)."""

    def __init__(self, path, notice=None):
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
            document = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise DefinitionError("cannot read the API definition %s: %s" % (path, exc))
        schemas = Schemas(document)
        self.schemas = schemas
        info = document.get("info", {})
        self.description = {"file": path, "sha256": hashlib.sha256(raw).hexdigest(), "title": info.get("title"),
                            "source": info.get("x-source")}
        self.operations = [Operation(method, template, item, operation, schemas)
                           for template, item in document.get("paths", {}).items()
                           for method, operation in item.items() if method in METHODS]
        self._notice = notice
        self._lock = threading.Lock()
        self.clear()

    def clear(self):
        with self._lock:
            self._violations = []
            self._checked = {"requests": 0, "responses": 0}
            self._tolerated = dict.fromkeys(TOLERANCES, 0)
            self._dropped = 0

    def report(self):
        with self._lock:
            return {"definition": dict(self.description), "checked": dict(self._checked),
                    "tolerated": dict(self._tolerated), "tolerances": dict(TOLERANCES),
                    "violations": [dict(violation) for violation in self._violations],
                    "violations_not_kept": self._dropped}

    def _operation(self, method, path):
        """(operation, [(path parameter, value)], problem): problem names why there is no operation."""
        on_path = False
        for operation in self.operations:
            match = operation.pattern.match(path)
            if match is None:
                continue
            on_path = True
            if operation.method == method:
                values = [urllib.parse.unquote(value) for value in match.groups()]
                return operation, list(zip(operation.path_names, values)), None
        if on_path:
            return None, [], "the definition has no %s operation on this path" % method
        return None, [], "the definition has no operation for this path"

    # --- one exchange ------------------------------------------------------------------------------------------

    def check(self, request, response, entry):
        """Check one API request and the answer cfsim gives it; entry is its request-log entry (seq, time)."""
        operation, params, missing = self._operation(request.method, request.path)
        with self._lock:
            tolerated = []
            try:
                request_problems = [missing] if missing else self._request_problems(operation, params, request)
            except RecursionError:
                request_problems = ["the request is nested too deeply to be checked"]
            response_problems = []
            if operation is not None and entry.get("fault") is None:  # an injected fault is not cfsim's answer
                response_problems = self._response_problems(operation, response, tolerated)
            self._checked["requests"] += 1
            self._checked["responses"] += operation is not None and entry.get("fault") is None
            for name in tolerated:
                self._tolerated[name] += 1
            for direction, problems in (("request", request_problems), ("response", response_problems)):
                if problems:
                    self._record(direction, request, response, entry, operation, problems)

    def _record(self, direction, request, response, entry, operation, problems):
        violation = {"seq": entry.get("seq"), "time": entry.get("time"), "direction": direction,
                     "method": request.method, "path": request.path,
                     "operation": operation.template if operation else None, "status": response.status,
                     "problems": problems}
        if len(self._violations) < MAX_VIOLATIONS:
            self._violations.append(violation)
        else:
            self._dropped += 1
        if self._notice is not None:
            for problem in problems:
                self._notice("cfsim: conformance: %s of %s %s (status %d): %s"
                             % (direction, request.method, request.path, response.status, problem))

    def _request_problems(self, operation, params, request):
        problems = []
        for name, value in params:
            parameter = operation.path_params.get(name)
            if parameter is None:
                problems.append("path parameter {%s} is not declared" % name)
            else:
                problems += parameter.problems(value, "path parameter")
        for name, values in sorted(request.query.items()):
            parameter = operation.query_params.get(name)
            if parameter is None:
                problems.append("query parameter %s is not in the definition" % name)
                continue
            for value in values:
                problems += parameter.problems(value, "query parameter")
        for name, parameter in operation.query_params.items():
            if parameter.required and name not in request.query:
                problems.append("query parameter %s is required" % name)
        return problems + self._request_body_problems(operation, request)

    def _request_body_problems(self, operation, request):
        body = request.body or b""
        if not body.strip():
            wanted = [spec for spec in operation.request_bodies.values() if spec.schema]
            return ["the definition requires a request body"] if operation.request_required and wanted else []
        if not operation.request_bodies:
            return ["the operation takes no request body, but %d bytes were sent" % len(body)]
        media = _media_type(request.headers.get("Content-Type"))
        spec = operation.request_bodies.get(media)
        if spec is None:
            return ["request Content-Type %r is not one of %s" % (media, ", ".join(sorted(operation.request_bodies)))]
        if spec.schema is None:
            return []
        if media == "multipart/form-data":
            try:
                instance = {name: "<part>" for name in multipart.parts(request.headers.get("Content-Type"), body)}
            except errors.ApiError as exc:
                return ["the multipart body cannot be read: %s" % exc.message]
        else:
            try:
                request.parse_json()  # the parser cfsim answers with: NaN, or nesting it cannot follow, is not JSON
            except errors.ApiError:
                return ["the request body is not JSON"]
            instance = request.json
        return self._body_problems(spec, instance, "request body", [])

    def _response_problems(self, operation, response, tolerated):
        try:
            document = json.loads(response.body.decode("utf-8")) if response.content_type == "application/json" \
                else None
        except ValueError:
            return ["the answer is not JSON"]
        code = _first_code(document)
        if response.status == 429 and code == errors.RATE_LIMITED:
            tolerated.append("rate_limit_971")
            return []
        key = operation.response_key(response.status)
        if key is None:
            if code in GATEWAY_CODES:
                tolerated.append("gateway_errors")
                return []
            return ["status %d is not listed (listed: %s)" % (response.status, ", ".join(operation.responses))]
        declared = operation.responses[key]
        if not declared:
            return []
        spec = declared.get(response.content_type)
        if spec is None:
            return ["Content-Type %s is not one of %s" % (response.content_type, ", ".join(sorted(declared)))]
        if spec.schema is None or document is None:
            return []
        return self._body_problems(spec, document, "answer", tolerated)

    def _body_problems(self, spec, instance, what, tolerated):
        problems = []
        for error in spec.validator.iter_errors(instance):
            where = "/".join(str(part) for part in error.absolute_path)
            if error.instance == "magic_transit_route_missing" and where.endswith("provisioning/state"):
                tolerated.append("magic_transit_route_missing")
                continue
            problems.append("%s %s: %s" % (what, where or "(top level)", error.message[:300]))
        for where, name in self.schemas.undeclared(instance, spec.schema):
            if name == "error_chain" and where.startswith("errors["):
                tolerated.append("error_chain")
                continue
            if name == "result" and not where and instance.get("result") is None:
                tolerated.append("null_result")
                continue
            problems.append("%s %s: field %s is not in the definition" % (what, where or "(top level)", name))
        return problems
