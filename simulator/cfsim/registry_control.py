"""The registry world's control API (/__sim/registry) and its RPKI validator endpoint (Routinator's JSON)."""

import ipaddress
import json
import re
import urllib.parse

from .clock import rfc3339
from .registry import validity_document

VALIDITY_PATH = re.compile(r"^/api/v1/validity/(?:AS|as)?(\d+)/(.+)$")


class RegistryControl:
    """Mixed into control.Control: GET/PUT/POST/DELETE /__sim/registry."""

    def get_registry(self, _rest, _query, _body):
        document = self.app.world.document()
        document["servers"] = self.app.registry_servers()
        return 200, document

    def put_registry(self, _rest, _query, body):
        return self._change_world(lambda world: world.replace(body if body is not None else {}))

    def post_registry(self, _rest, _query, body):
        return self._change_world(lambda world: world.add(body if body is not None else {}))

    def delete_registry(self, _rest, _query, body):
        if not body:
            return self._change_world(lambda world: world.replace({}))
        return self._change_world(lambda world: world.remove(body))

    def publish_in_world(self, record, via):
        """POST /__sim/ownership-tokens with "via": the token goes into the world (TXT records or IRR remark)."""
        from .control import ControlError
        if via not in ("txt", "irr"):
            raise ControlError(400, 'via must be "txt" (reverse DNS) or "irr" (route object remark)')
        published = {}

        def publish(world):
            try:
                published.update(world.publish_token(record["cidr"], record["ownership_validation_token"], via))
            except LookupError as exc:
                raise ControlError(409, str(exc))
        self._change_world(publish)
        return 200, dict(published, prefix_id=record["id"], cidr=record["cidr"],
                         ownership_validation_token=record["ownership_validation_token"])

    def _change_world(self, change):
        from .control import ControlError  # control imports this module
        store = self.app.store
        with store.lock:
            # Checks already due resolve from the world as it was, as outcome changes do.
            store.settle()
            try:
                change(self.app.world)
            except ValueError as exc:
                raise ControlError(400, str(exc))
            store.mark_changed()
        return self.get_registry(None, None, None)


def validity_response(app, path, query):
    """(status, content type, body) of Routinator's /api/v1/validity/<asn>/<prefix> and /validity?asn=&prefix=."""
    match = VALIDITY_PATH.match(path)
    if match:
        asn_text, prefix_text = match.group(1), urllib.parse.unquote(match.group(2))
    elif path == "/validity":
        asn_text = (query.get("asn") or [""])[0].upper().replace("AS", "")
        prefix_text = (query.get("prefix") or [""])[0]
    else:
        return 404, "text/plain", b"Not Found"
    try:
        asn = int(asn_text)
        network = ipaddress.ip_network(prefix_text, strict=True)
    except ValueError:
        return 400, "text/plain", b"Bad Request"
    document = validity_document(app.world, asn, network, rfc3339(app.clock.now()).split(".")[0] + "Z")
    return 200, "application/json", json.dumps(document, indent=2).encode("utf-8")
