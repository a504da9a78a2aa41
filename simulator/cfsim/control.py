"""The control API under /__sim: plain JSON, no auth, never in the request log. Used by tests and the demo."""

import re

from . import errors, fields, faults as faults_module
from .config import CHECK_STATES, OUTCOMES
from .registry_control import RegistryControl
from .store import PROVISIONING_STATES, check_states_document

ID = re.compile(r"[0-9a-f]{32}")


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _object(body):
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ControlError(400, "body must be a JSON object")
    return body


def _ok(fn, *args):
    """Run fn, turning ValueError into a 400 and store errors into their status."""
    try:
        return fn(*args)
    except ValueError as exc:
        raise ControlError(400, str(exc))
    except errors.ApiError as exc:
        raise ControlError(exc.status, exc.message)


class Control(RegistryControl):
    def __init__(self, app):
        self.app = app

    def handle(self, method, segments, query, body):
        """Return (status, document) for /__sim/<segments>."""
        name = segments[0] if segments else ""
        rest = segments[1:]
        handler = getattr(self, "%s_%s" % (method.lower(), name.replace("-", "_")), None)
        # Only the test-only state routes take an id; /faults/<id> would otherwise act on every fault.
        if handler is None or (rest and name not in ("prefixes", "bindings", "address_maps", "leases")):
            raise ControlError(404, "no control route %s /__sim/%s" % (method, "/".join(segments)))
        return handler(rest, query, body)

    # --- status and log -------------------------------------------------------------------------------------------

    def get_health(self, _rest, _query, _body):
        app = self.app
        return 200, {"status": "ok", "base_url": app.base_url, "account_id": app.config.account_id}

    def get_requests(self, _rest, query, _body):
        try:
            since = int(query.get("since", ["0"])[0])
        except ValueError:
            raise ControlError(400, "since must be an integer")
        return 200, self.app.request_log.since(since)

    def delete_requests(self, _rest, _query, _body):
        self.app.request_log.clear()
        return 200, {"cleared": True}

    def post_reset(self, _rest, _query, _body):
        self.app.reset()
        return 200, {"reset": True}

    # --- configuration, outcomes, clock --------------------------------------------------------------------------

    def get_config(self, _rest, _query, _body):
        return 200, self.app.config.describe()

    def patch_config(self, _rest, _query, body):
        with self.app.store.lock:
            self.app.store.settle()
            return 200, _ok(self.app.config.update, _object(body))

    def get_validation_outcomes(self, _rest, _query, _body):
        return 200, {"default": self.app.config.effective_outcome(), "cidrs": self.app.store.list_outcomes()}

    def post_validation_outcomes(self, _rest, _query, body):
        body = _object(body)
        cidr = body.get("cidr")
        if cidr is not None:
            cidr = str(_ok(fields.network, cidr))
        if "outcome" in body:
            outcome = body["outcome"]
            if outcome is not None and outcome not in OUTCOMES:
                raise ControlError(400, "outcome must be one of %s" % ", ".join(OUTCOMES))
        else:
            outcome = _ok(check_states_document, body)
            if not outcome:
                raise ControlError(400, 'give "outcome" (%s) or per-check states "irr"/"rpki"/"ownership" (%s)'
                                   % (", ".join(OUTCOMES), ", ".join(CHECK_STATES)))
        if cidr is None:
            if not isinstance(outcome, str):
                raise ControlError(400, "the default outcome (no cidr) must be one of %s" % ", ".join(OUTCOMES))
            with self.app.store.lock:
                self.app.store.settle()
                self.app.config.update({"validation_outcome": outcome})
        else:
            self.app.store.set_outcome(cidr, outcome)
        return 200, {"cidr": cidr, "outcome": outcome}

    def get_clock(self, _rest, _query, _body):
        return 200, self.app.clock_document()

    def post_clock(self, _rest, _query, body):
        _ok(self.app.clock.advance, _object(body).get("advance_seconds"))
        self.app.store_changed()
        return 200, self.app.clock_document()

    # --- test-only state changes -----------------------------------------------------------------------------------

    def post_ownership_tokens(self, _rest, _query, body):
        body = _object(body)
        store = self.app.store
        if "prefix_id" in body:
            record = store.find_prefix(prefix_id=body["prefix_id"])
        elif "cidr" in body:
            record = store.find_prefix(cidr=str(_ok(fields.network, body["cidr"])))
        else:
            raise ControlError(400, 'give "cidr" or "prefix_id"')
        if record is None:
            raise ControlError(404, "no such prefix")
        if body.get("via") is not None:
            return self.publish_in_world(record, body["via"])
        return 200, store.publish_token(record)

    def patch_prefixes(self, rest, _query, body):
        prefix_id = self._id(rest)
        body = _object(body)
        changes = {}
        for name, value in body.items():
            if name == "on_demand_locked" and isinstance(value, bool):
                changes[name] = value
            elif name == "approved" and value in ("P", "V"):
                changes[name] = value
            elif name in ("irr_validation_state", "rpki_validation_state", "ownership_validation_state") \
                    and value in CHECK_STATES + ("pending",):
                changes[name] = value
            else:
                raise ControlError(400, "cannot set %s to %r (settable: on_demand_locked (bool), approved (P|V), "
                                   "irr/rpki/ownership_validation_state)" % (name, value))
        return 200, _ok(self.app.store.force_prefix, prefix_id, changes)

    def patch_bindings(self, rest, _query, body):
        binding_id = self._id(rest)
        body = _object(body)
        state = body.get("state")
        if set(body) != {"state"} or (state is not None and state not in PROVISIONING_STATES):
            raise ControlError(400, 'give {"state": one of %s, or null to follow the provisioning timer}'
                               % ", ".join(PROVISIONING_STATES))
        return 200, _ok(self.app.store.force_binding, binding_id, state)

    def patch_address_maps(self, rest, _query, body):
        map_id = self._id(rest)
        body = _object(body)
        if not body or any(name not in ("can_delete", "can_modify_ips") or not isinstance(value, bool)
                           for name, value in body.items()):
            raise ControlError(400, "settable: can_delete (bool), can_modify_ips (bool)")
        return 200, _ok(self.app.store.force_address_map, map_id, body)

    # --- leases: Cloudflare assigns them, so only the control API can add them ------------------------------------

    def post_leases(self, rest, _query, body):
        if rest:
            raise ControlError(404, "POST /__sim/leases takes no id")
        return 200, _ok(self.app.store.leases.add, body)

    def delete_leases(self, rest, _query, _body):
        if not self.app.store.leases.remove(self._id(rest)):
            raise ControlError(404, "no such lease")
        return 200, {"deleted": rest[0]}

    # --- conformance mode (--openapi): violations outlive a reset, they describe the whole run -----------------

    def _conformance(self):
        if self.app.conformance is None:
            raise ControlError(404, "conformance mode is off (start cfsim with --openapi FILE)")
        return self.app.conformance

    def get_conformance(self, _rest, _query, _body):
        return 200, self._conformance().report()

    def delete_conformance(self, _rest, _query, _body):
        self._conformance().clear()
        return 200, {"cleared": True}

    # --- faults ---------------------------------------------------------------------------------------------------

    def get_faults(self, _rest, _query, _body):
        return 200, {"faults": self.app.faults.describe()}

    def post_faults(self, _rest, _query, body):
        fault = self.app.faults.add(_ok(faults_module.parse, body))
        return 200, fault.describe()

    def delete_faults(self, _rest, _query, _body):
        self.app.faults.clear()
        return 200, {"cleared": True}

    @staticmethod
    def _id(rest):
        if len(rest) != 1 or not ID.fullmatch(rest[0]):
            raise ControlError(404, "expected one 32-hex id after the collection name")
        return rest[0]
