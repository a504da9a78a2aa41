"""State and business rules of one simulated Cloudflare account's addressing resources.

Every public method takes the store lock, so request threads see a consistent state. Records are plain JSON-able
dicts (that is what the state file holds); the *_view functions turn them into API objects. Time-driven changes
(validation, provisioning) are resolved lazily from the simulated clock whenever a record is read or written, so
nothing runs in the background and tests can jump the clock instead of sleeping.
"""

import base64
import ipaddress
import math
import threading
import uuid

from . import dls, errors, fields, leases
from .clock import rfc3339
from .config import CHECK_STATES
from .ipindex import IntervalIndex
from .pdf import PDF_MAGIC, letter_of_authorization

STATE_VERSION = 1
MAX_LOA_BYTES = 10 * 1024 * 1024
MAX_ASN = 4294967295
MAGIC_TRANSIT = "Magic Transit"
# Real service ids are not published; these are cfsim's own, fixed so that playbooks and tests can rely on them.
SERVICES = (
    {"id": "a27bad1df961240cf0ad7125b68d1cb0", "name": MAGIC_TRANSIT},
    {"id": "5f1c8183909793e08987250f7174a868", "name": "CDN"},
    {"id": "da179b4ab40d8d4f706092f587bc06b9", "name": "Spectrum"},
)
SERVICE_NAMES = {service["id"]: service["name"] for service in SERVICES}
PROVISIONING_STATES = ("provisioning", "active", "magic_transit_route_missing")

OUTCOME_STATES = {
    "valid": ("valid", "valid", "valid"),
    "invalid": ("valid", "invalid", "valid"),
    "missing": ("missing", "valid", "valid"),
    "mismatch_asn": ("mismatch_asn", "valid", "valid"),
    "manual": ("valid", "valid", "valid"),  # once the ownership token is published (see _resolve)
}


def new_id():
    return uuid.uuid4().hex


class Store:
    def __init__(self, config, clock, world=None):
        self.lock = threading.RLock()
        self.config = config
        self.clock = clock
        self.world = world
        # --publish-ownership-tokens: "txt" or "irr" puts each new prefix's token into the world at once.
        self.publish_tokens = None
        self.on_change = None
        # Resources kept in modules of their own; each has clear, snapshot, load, prefix_deleted and settle.
        self.regional = dls.RegionalServices(self)
        self.leases = leases.Leases(self)
        self.parts = (self.regional, self.leases)
        self._clear()

    # --- bookkeeping -------------------------------------------------------------------------------------------

    def _clear(self):
        self.prefixes = {}
        self.prefix_by_cidr = {}
        self.networks = {}
        self.index = IntervalIndex()
        self.loas = {}
        self.delegations = {}
        self.bindings = {}
        self.bgp = {}
        self.whole_bgp = {}
        self.address_maps = {}
        self.outcomes = {}
        for part in self.parts:
            part.clear()

    def _changed(self):
        if self.on_change is not None:
            self.on_change()

    def mark_changed(self):
        """Something outside the records (the clock offset) changed: save the state too."""
        self._changed()

    def reset(self):
        with self.lock:
            self._clear()
            self._changed()

    def _prefix(self, prefix_id):
        record = self.prefixes.get(prefix_id)
        if record is None:
            raise errors.not_found(errors.PREFIX_NOT_FOUND, "Prefix", prefix_id)
        self._resolve(record, self.clock.now())
        return record

    def prefix_record(self, prefix_id):
        """The stored prefix with its checks resolved up to now; 404 when there is none."""
        return self._prefix(prefix_id)

    def _child(self, table, code, what, prefix_id, child_id):
        self._prefix(prefix_id)
        record = table.get(prefix_id, {}).get(child_id)
        if record is None:
            raise errors.not_found(code, what, child_id)
        return record

    # --- prefix validation ---------------------------------------------------------------------------------------

    def _start_check(self, record, now):
        record["irr_validation_state"] = record["rpki_validation_state"] = "pending"
        record["ownership_validation_state"] = "pending"
        record["check_started_at"] = now

    def _outcome_states(self, outcome, record):
        if outcome == "world":
            irr, rpki, ownership = self.world.validation_states(record["cidr"], record["asn"],
                                                                record["ownership_validation_token"])
            # A token published through POST /__sim/ownership-tokens (without "via") counts as seen, as before.
            return irr, rpki, "valid" if record.get("token_published_at") is not None else ownership
        if isinstance(outcome, dict):
            return (outcome.get("irr", "valid"), outcome.get("rpki", "valid"), outcome.get("ownership", "valid"))
        return OUTCOME_STATES[outcome]

    def _resolve(self, record, now):
        started = record["check_started_at"]
        if started is None:
            return
        resolved_at = started + self.config.validation_seconds
        if now < resolved_at:
            return
        outcome = self.outcomes.get(record["cidr"], self.config.effective_outcome())
        if outcome == "manual":
            published = record.get("token_published_at")
            if published is None:
                # IRR and RPKI are done; ownership waits for the cf-validation remark or TXT records.
                record["irr_validation_state"] = record["rpki_validation_state"] = "valid"
                record["modified_at"] = max(record["modified_at"], resolved_at)
                return
            resolved_at = max(resolved_at, published)
        irr, rpki, ownership = self._outcome_states(outcome, record)
        record["irr_validation_state"] = irr
        record["rpki_validation_state"] = rpki
        record["ownership_validation_state"] = ownership
        record["check_started_at"] = None
        # Approval is one-way: a later failed re-validation does not take a "V" away.
        if irr == rpki == ownership == "valid":
            record["approved"] = "V"
        record["modified_at"] = max(record["modified_at"], resolved_at)

    # --- views -------------------------------------------------------------------------------------------------

    def _prefix_view(self, record):
        whole = self.bgp.get(record["id"], {}).get(self.whole_bgp.get(record["id"]))
        return {
            "id": record["id"],
            "created_at": rfc3339(record["created_at"]),
            "modified_at": rfc3339(record["modified_at"]),
            "cidr": record["cidr"],
            "account_id": record["account_id"],
            "description": record["description"],
            "approved": record["approved"],
            "on_demand_enabled": whole is not None,
            "on_demand_locked": record["on_demand_locked"],
            "advertised": whole["advertised"] if whole else None,
            "advertised_modified_at": rfc3339(whole["advertised_modified_at"]) if whole else None,
            "loa_document_id": record["loa_document_id"],
            "asn": record["asn"],
            "ownership_validation_token": record["ownership_validation_token"],
            "delegate_loa_creation": record["delegate_loa_creation"],
            "irr_validation_state": record["irr_validation_state"],
            "rpki_validation_state": record["rpki_validation_state"],
            "ownership_validation_state": record["ownership_validation_state"],
        }

    @staticmethod
    def _loa_view(record):
        return {
            "id": record["id"],
            "account_id": record["account_id"],
            "auto_generated": record["auto_generated"],
            "created": rfc3339(record["created"]),
            "filename": record["filename"],
            "size_bytes": len(record["content"]),
            "verified": record["verified"],
            "verified_at": rfc3339(record["verified_at"]),
        }

    @staticmethod
    def _delegation_view(record):
        return {
            "id": record["id"],
            "cidr": record["cidr"],
            "delegated_account_id": record["delegated_account_id"],
            "parent_prefix_id": record["parent_prefix_id"],
            "created_at": rfc3339(record["created_at"]),
            "modified_at": rfc3339(record["modified_at"]),
        }

    def _deployed(self, record, now):
        # Once deployed, a binding stays active: a longer provisioning time only affects bindings still deploying.
        return record.get("deployed", False) or now >= record["created_at"] + self.config.provisioning_seconds

    def _binding_view(self, record, now):
        state = record.get("state_override")
        if state is None:
            state = "active" if self._deployed(record, now) else "provisioning"
        return {
            "id": record["id"],
            "cidr": record["cidr"],
            "service_id": record["service_id"],
            "service_name": record["service_name"],
            "provisioning": {"state": state},
        }

    def _bgp_view(self, record):
        prefix = self.prefixes[record["prefix_id"]]
        return {
            "id": record["id"],
            "cidr": record["cidr"],
            "asn": record["asn"],
            "asn_prepend_count": record["asn_prepend_count"],
            "auto_advertise_withdraw": record["auto_advertise_withdraw"],
            "bgp_signal_opts": {"enabled": record["bgp_signal_enabled"],
                                "modified_at": rfc3339(record["bgp_signal_modified_at"])},
            "on_demand": {
                "advertised": record["advertised"],
                "advertised_modified_at": rfc3339(record["advertised_modified_at"]),
                "on_demand_enabled": True,
                "on_demand_locked": prefix["on_demand_locked"],
            },
            "created_at": rfc3339(record["created_at"]),
            "modified_at": rfc3339(record["modified_at"]),
        }

    @staticmethod
    def _address_map_view(record, full):
        view = {
            "id": record["id"],
            "can_delete": record["can_delete"],
            "can_modify_ips": record["can_modify_ips"],
            "created_at": rfc3339(record["created_at"]),
            "default_sni": record["default_sni"],
            "description": record["description"],
            "enabled": record["enabled"],
            "modified_at": rfc3339(record["modified_at"]),
        }
        if full:
            view["ips"] = [{"ip": ip["ip"], "created_at": rfc3339(ip["created_at"])} for ip in record["ips"]]
            view["memberships"] = [dict(member, created_at=rfc3339(member["created_at"]))
                                   for member in record["memberships"]]
        return view

    # --- prefixes ----------------------------------------------------------------------------------------------

    def list_prefixes(self):
        with self.lock:
            now = self.clock.now()
            views = []
            for record in self.prefixes.values():
                self._resolve(record, now)
                views.append(self._prefix_view(record))
            return views

    def get_prefix(self, prefix_id):
        with self.lock:
            return self._prefix_view(self._prefix(prefix_id))

    def create_prefix(self, cidr, asn, description, loa_document_id, delegate_loa_creation):
        with self.lock:
            now = self.clock.now()
            if loa_document_id is not None and loa_document_id not in self.loas:
                raise errors.ApiError(400, errors.LOA_UNKNOWN,
                                      "loa_document_id %s names no uploaded LOA document" % loa_document_id)
            key = str(cidr)
            if key in self.prefix_by_cidr:
                raise errors.conflict(errors.PREFIX_DUPLICATE, "Prefix %s already exists in this account" % key)
            other = self.index.overlapping(cidr)
            if other is not None:
                raise errors.conflict(errors.PREFIX_OVERLAP, "Prefix %s overlaps existing prefix %s"
                                      % (key, self.prefixes[other]["cidr"]))
            prefix_id = new_id()
            if delegate_loa_creation and loa_document_id is None:
                loa_document_id = self._generate_loa(key, now)
            record = {
                "id": prefix_id, "account_id": self.config.account_id, "cidr": key, "asn": asn,
                "description": description, "loa_document_id": loa_document_id,
                "delegate_loa_creation": delegate_loa_creation, "created_at": now, "modified_at": now,
                "approved": "P", "on_demand_locked": False, "ownership_validation_token": str(uuid.uuid4()),
                "token_published_at": None,
            }
            self._start_check(record, now)
            self._index_prefix(record, cidr)
            self._publish_new_token(record)
            self._changed()
            return self._prefix_view(record)

    def _publish_new_token(self, record):
        """With --publish-ownership-tokens the owner's automation publishes a new token at once, where it says."""
        if not self.publish_tokens or self.world is None:
            return
        try:
            self.world.publish_token(record["cidr"], record["ownership_validation_token"], self.publish_tokens)
        except LookupError:
            pass  # no route object at an RIR's IRR to carry the remark: nothing is published, as for the owner

    def _index_prefix(self, record, network):
        self.prefixes[record["id"]] = record
        self.prefix_by_cidr[record["cidr"]] = record["id"]
        self.networks[record["id"]] = network
        self.index.add(network, record["id"])

    def _generate_loa(self, cidr, now):
        content = letter_of_authorization([
            "Letter of Authorization (generated by cfsim, the Cloudflare addressing API simulator)",
            "Account %s authorizes Cloudflare, AS13335, to announce %s." % (self.config.account_id, cidr),
        ])
        loa_id = new_id()
        self.loas[loa_id] = {"id": loa_id, "account_id": self.config.account_id, "auto_generated": True,
                             "created": now, "filename": "loa-%s.pdf" % cidr.replace("/", "-").replace(":", "_"),
                             "content": content, "verified": False, "verified_at": None}
        return loa_id

    def edit_prefix(self, prefix_id, description):
        with self.lock:
            record = self._prefix(prefix_id)
            record["description"] = description
            record["modified_at"] = self.clock.now()
            self._changed()
            return self._prefix_view(record)

    def delete_prefix(self, prefix_id):
        with self.lock:
            record = self._prefix(prefix_id)
            if record["approved"] == "V":
                raise errors.conflict(errors.PREFIX_APPROVED, "Prefix %s is approved; only an unapproved prefix "
                                      "can be deleted (ask your account team for approved ones)" % record["cidr"])
            del self.prefixes[prefix_id]
            del self.prefix_by_cidr[record["cidr"]]
            self.index.remove(self.networks.pop(prefix_id))
            for table in (self.delegations, self.bindings, self.bgp, self.whole_bgp):
                table.pop(prefix_id, None)
            for part in self.parts:
                part.prefix_deleted(prefix_id)
            self._changed()

    def validate_prefix(self, prefix_id):
        with self.lock:
            record = self._prefix(prefix_id)
            now = self.clock.now()
            self._start_check(record, now)
            record["modified_at"] = now
            self._changed()
            return self._prefix_view(record)

    # --- LOA documents -----------------------------------------------------------------------------------------

    def upload_loa(self, filename, content):
        if not content.startswith(PDF_MAGIC):
            raise errors.ApiError(400, errors.LOA_NOT_PDF, "loa_document must be a PDF file")
        if len(content) > MAX_LOA_BYTES:
            raise errors.ApiError(400, errors.LOA_TOO_LARGE, "loa_document is larger than 10 MB")
        with self.lock:
            loa_id = new_id()
            record = {"id": loa_id, "account_id": self.config.account_id, "auto_generated": False,
                      "created": self.clock.now(), "filename": filename or "document.pdf", "content": content,
                      "verified": False, "verified_at": None}
            self.loas[loa_id] = record
            self._changed()
            return self._loa_view(record)

    def download_loa(self, loa_id):
        with self.lock:
            record = self.loas.get(loa_id)
            if record is None:
                raise errors.not_found(errors.LOA_NOT_FOUND, "LOA document", loa_id)
            return record["filename"], record["content"]

    # --- delegations -------------------------------------------------------------------------------------------

    def list_delegations(self, prefix_id):
        with self.lock:
            self._prefix(prefix_id)
            return [self._delegation_view(record) for record in self.delegations.get(prefix_id, {}).values()]

    def create_delegation(self, prefix_id, cidr, delegated_account_id):
        with self.lock:
            record = self._prefix(prefix_id)
            self.require_inside(cidr, record)
            if delegated_account_id == record["account_id"]:
                raise errors.ApiError(400, errors.DELEGATION_TO_SELF,
                                      "A prefix cannot be delegated to the account that owns it")
            children = self.delegations.setdefault(prefix_id, {})
            for other in children.values():
                if other["cidr"] == str(cidr) and other["delegated_account_id"] == delegated_account_id:
                    raise errors.conflict(errors.DELEGATION_DUPLICATE, "%s is already delegated to account %s"
                                          % (cidr, delegated_account_id))
            now = self.clock.now()
            delegation = {"id": new_id(), "cidr": str(cidr), "delegated_account_id": delegated_account_id,
                          "parent_prefix_id": prefix_id, "created_at": now, "modified_at": now}
            children[delegation["id"]] = delegation
            self._changed()
            return self._delegation_view(delegation)

    def delete_delegation(self, prefix_id, delegation_id):
        with self.lock:
            self._child(self.delegations, errors.DELEGATION_NOT_FOUND, "Delegation", prefix_id, delegation_id)
            del self.delegations[prefix_id][delegation_id]
            self._changed()
            return {"id": delegation_id}

    def require_inside(self, cidr, record):
        parent = self.networks[record["id"]]
        if cidr.version != parent.version or not cidr.subnet_of(parent):
            raise errors.ApiError(400, errors.CIDR_OUTSIDE_PREFIX, "%s is not within prefix %s"
                                  % (cidr, record["cidr"]))

    # --- services and service bindings -------------------------------------------------------------------------

    @staticmethod
    def list_services():
        return [dict(service) for service in SERVICES]

    def list_bindings(self, prefix_id):
        with self.lock:
            self._prefix(prefix_id)
            now = self.clock.now()
            return [self._binding_view(record, now) for record in self.bindings.get(prefix_id, {}).values()]

    def get_binding(self, prefix_id, binding_id):
        with self.lock:
            self._prefix(prefix_id)
            # A Regional Services prefix binding shares its id with a service binding (Cloudflare's docs).
            regional = self.regional.service_binding_view(prefix_id, binding_id, self.clock.now())
            if regional is not None:
                return regional
            record = self._child(self.bindings, errors.BINDING_NOT_FOUND, "Service binding", prefix_id, binding_id)
            return self._binding_view(record, self.clock.now())

    def create_binding(self, prefix_id, cidr, service_id):
        with self.lock:
            prefix = self._prefix(prefix_id)
            self.require_inside(cidr, prefix)
            service_name = SERVICE_NAMES.get(service_id)
            if service_name is None:
                raise errors.ApiError(400, errors.SERVICE_UNKNOWN, "service_id %s names no service; see GET "
                                      "/accounts/{account_id}/addressing/services" % service_id)
            key = str(cidr)
            is_default = key == prefix["cidr"]
            if service_name == MAGIC_TRANSIT and not is_default:
                raise errors.ApiError(400, errors.MAGIC_TRANSIT_NOT_DEFAULT, "Magic Transit can only be the default "
                                      "binding, spanning the entire prefix %s" % prefix["cidr"])
            if prefix["approved"] != "V":
                raise errors.conflict(errors.PREFIX_NOT_APPROVED, "Prefix %s is not approved yet; service "
                                      "bindings need an approved prefix" % prefix["cidr"])
            children = self.bindings.setdefault(prefix_id, {})
            if not children and not is_default:
                raise errors.conflict(errors.DEFAULT_BINDING_REQUIRED, "The first service binding of a prefix "
                                      "must exactly match the prefix CIDR %s" % prefix["cidr"])
            for other in children.values():
                if other["cidr"] == key:
                    raise errors.conflict(errors.BINDING_DUPLICATE, "A service binding for %s already exists (%s)"
                                          % (key, other["service_name"]))
                # The default binding is overridden by more specific ones; among those an IP has one service.
                if (other["cidr"] != prefix["cidr"] and other["service_id"] != service_id
                        and cidr.overlaps(ipaddress.ip_network(other["cidr"]))):
                    raise errors.conflict(errors.BINDING_SERVICE_CONFLICT, "%s overlaps the %s binding %s; an IP "
                                          "can be bound to CDN or Spectrum, not both"
                                          % (key, other["service_name"], other["cidr"]))
            now = self.clock.now()
            binding = {"id": new_id(), "prefix_id": prefix_id, "cidr": key, "service_id": service_id,
                       "service_name": service_name, "created_at": now, "state_override": None}
            children[binding["id"]] = binding
            if is_default and prefix_id not in self.whole_bgp:
                # "A corresponding BGP prefix will be created automatically" -- withdrawn until advertised.
                self._add_bgp(prefix, key, now)
            self._changed()
            return self._binding_view(binding, now)

    def delete_binding(self, prefix_id, binding_id):
        with self.lock:
            prefix = self._prefix(prefix_id)
            record = self._child(self.bindings, errors.BINDING_NOT_FOUND, "Service binding", prefix_id, binding_id)
            children = self.bindings[prefix_id]
            if record["cidr"] == prefix["cidr"]:
                if len(children) > 1:
                    raise errors.conflict(errors.DEFAULT_BINDING_IN_USE, "Delete the more specific service "
                                          "bindings of %s before its default binding" % prefix["cidr"])
                whole_id = self.whole_bgp.get(prefix_id)
                if whole_id is not None:
                    if self.bgp[prefix_id][whole_id]["advertised"]:
                        raise errors.conflict(errors.DEFAULT_BINDING_ADVERTISED, "Prefix %s is advertised; withdraw "
                                              "its BGP prefix before deleting the default binding" % prefix["cidr"])
                    self._remove_bgp(prefix_id, whole_id)
            del children[binding_id]
            self._changed()

    # --- BGP prefixes and the legacy advertisement status -------------------------------------------------------

    def _add_bgp(self, prefix, cidr, now):
        record = {"id": new_id(), "prefix_id": prefix["id"], "cidr": cidr, "asn": prefix["asn"],
                  "asn_prepend_count": 0, "auto_advertise_withdraw": False, "bgp_signal_enabled": False,
                  "bgp_signal_modified_at": None, "advertised": False, "advertised_modified_at": None,
                  "last_toggle_at": None, "created_at": now, "modified_at": now}
        self.bgp.setdefault(prefix["id"], {})[record["id"]] = record
        if cidr == prefix["cidr"]:
            self.whole_bgp[prefix["id"]] = record["id"]
        return record

    def _remove_bgp(self, prefix_id, bgp_id):
        del self.bgp[prefix_id][bgp_id]
        if self.whole_bgp.get(prefix_id) == bgp_id:
            del self.whole_bgp[prefix_id]

    def list_bgp_prefixes(self, prefix_id):
        with self.lock:
            self._prefix(prefix_id)
            return [self._bgp_view(record) for record in self.bgp.get(prefix_id, {}).values()]

    def get_bgp_prefix(self, prefix_id, bgp_id):
        with self.lock:
            return self._bgp_view(self._child(self.bgp, errors.BGP_PREFIX_NOT_FOUND, "BGP prefix", prefix_id, bgp_id))

    def create_bgp_prefix(self, prefix_id, cidr):
        with self.lock:
            prefix = self._prefix(prefix_id)
            self.require_inside(cidr, prefix)
            if fields.too_specific(cidr):
                raise errors.ApiError(400, errors.CIDR_TOO_SPECIFIC, "BGP prefix %s is too specific: the longest "
                                      "advertisable prefixes are /24 (IPv4) and /48 (IPv6)" % cidr)
            if prefix["approved"] != "V":
                raise errors.conflict(errors.PREFIX_NOT_APPROVED, "Prefix %s is not approved yet; BGP prefixes "
                                      "need an approved prefix" % prefix["cidr"])
            for other in self.bgp.get(prefix_id, {}).values():
                if other["cidr"] == str(cidr):
                    raise errors.conflict(errors.BGP_PREFIX_DUPLICATE, "BGP prefix %s already exists" % cidr)
            record = self._add_bgp(prefix, str(cidr), self.clock.now())
            self._changed()
            return self._bgp_view(record)

    def edit_bgp_prefix(self, prefix_id, bgp_id, asn_prepend_count, auto_advertise_withdraw, advertised):
        """Arguments are fields.MISSING when absent from the request."""
        with self.lock:
            prefix = self._prefix(prefix_id)
            record = self._child(self.bgp, errors.BGP_PREFIX_NOT_FOUND, "BGP prefix", prefix_id, bgp_id)
            now = self.clock.now()
            self._check_toggle(prefix, record, advertised, now)
            changed = self._apply_toggle(record, advertised, now)
            if asn_prepend_count is not fields.MISSING:
                changed = changed or record["asn_prepend_count"] != asn_prepend_count
                record["asn_prepend_count"] = asn_prepend_count
            if auto_advertise_withdraw is not fields.MISSING:
                changed = changed or record["auto_advertise_withdraw"] != auto_advertise_withdraw
                record["auto_advertise_withdraw"] = auto_advertise_withdraw
            if changed:
                record["modified_at"] = now
                self._changed()
            return self._bgp_view(record)

    def delete_bgp_prefix(self, prefix_id, bgp_id):
        with self.lock:
            record = self._child(self.bgp, errors.BGP_PREFIX_NOT_FOUND, "BGP prefix", prefix_id, bgp_id)
            if record["advertised"]:
                raise errors.conflict(errors.BGP_PREFIX_ADVERTISED, "BGP prefix %s is advertised; withdraw it "
                                      "before deleting it" % record["cidr"])
            self._remove_bgp(prefix_id, bgp_id)
            self._changed()

    def _check_toggle(self, prefix, record, advertised, now):
        # Setting the current value again is not a toggle: no lock check, no hold, no timestamp change.
        if advertised is fields.MISSING or advertised == record["advertised"]:
            return
        if prefix["on_demand_locked"]:
            raise errors.conflict(errors.ADVERTISEMENT_LOCKED, "The advertisement of prefix %s is locked "
                                  "(on_demand_locked) and cannot be changed" % prefix["cidr"])
        last = record["last_toggle_at"]
        hold = self.config.advertisement_hold_seconds
        if last is not None and now - last < hold:
            wait = max(1, int(math.ceil(hold - (now - last))))
            raise errors.ApiError(429, errors.ADVERTISEMENT_HOLD, "The advertisement of %s can be changed once "
                                  "every %d seconds; retry in %d seconds" % (record["cidr"], hold, wait),
                                  headers={"Retry-After": str(wait)})

    @staticmethod
    def _apply_toggle(record, advertised, now):
        if advertised is fields.MISSING or advertised == record["advertised"]:
            return False
        record["advertised"] = advertised
        record["advertised_modified_at"] = now
        record["last_toggle_at"] = now
        return True

    def get_advertisement_status(self, prefix_id):
        with self.lock:
            self._prefix(prefix_id)
            whole = self.bgp.get(prefix_id, {}).get(self.whole_bgp.get(prefix_id))
            if whole is None:
                return {"advertised": False, "advertised_modified_at": None}
            return {"advertised": whole["advertised"],
                    "advertised_modified_at": rfc3339(whole["advertised_modified_at"])}

    def set_advertisement_status(self, prefix_id, advertised):
        with self.lock:
            prefix = self._prefix(prefix_id)
            whole_id = self.whole_bgp.get(prefix_id)
            if whole_id is None:
                raise errors.conflict(errors.ON_DEMAND_NOT_ENABLED, "Prefix %s has no BGP prefix for its whole "
                                      "CIDR yet (create the default service binding first)" % prefix["cidr"])
            record = self.bgp[prefix_id][whole_id]
            now = self.clock.now()
            self._check_toggle(prefix, record, advertised, now)
            if self._apply_toggle(record, advertised, now):
                record["modified_at"] = now
                self._changed()
            return {"advertised": record["advertised"],
                    "advertised_modified_at": rfc3339(record["advertised_modified_at"])}

    # --- address maps ------------------------------------------------------------------------------------------

    def _address_map(self, map_id):
        record = self.address_maps.get(map_id)
        if record is None:
            raise errors.not_found(errors.ADDRESS_MAP_NOT_FOUND, "Address map", map_id)
        return record

    def _owned_ip(self, text):
        if not isinstance(text, str):
            raise errors.ApiError(400, errors.IP_INVALID, "IP addresses must be strings")
        address = fields.address(text)
        if self.index.containing(address) is None and not self.leases.holds(address):
            raise errors.ApiError(400, errors.IP_NOT_OWNED, "%s is not within a prefix or a lease of the account"
                                  % address)
        return str(address)

    def list_address_maps(self):
        with self.lock:
            return [self._address_map_view(record, full=False) for record in self.address_maps.values()]

    def get_address_map(self, map_id):
        with self.lock:
            return self._address_map_view(self._address_map(map_id), full=True)

    def create_address_map(self, description, enabled, ips, memberships):
        with self.lock:
            now = self.clock.now()
            unique_ips = []
            for text in ips:
                address = self._owned_ip(text)
                if address not in unique_ips:
                    unique_ips.append(address)
            record = {"id": new_id(), "description": description, "default_sni": None, "enabled": enabled,
                      "can_delete": True, "can_modify_ips": True, "created_at": now, "modified_at": now,
                      "ips": [{"ip": address, "created_at": now} for address in unique_ips],
                      "memberships": []}
            for identifier, kind in memberships:
                self._add_membership(record, kind, identifier, now)
            self.address_maps[record["id"]] = record
            self._changed()
            return self._address_map_view(record, full=True)

    def edit_address_map(self, map_id, changes):
        with self.lock:
            record = self._address_map(map_id)
            record.update(changes)
            record["modified_at"] = self.clock.now()
            self._changed()
            return self._address_map_view(record, full=False)

    def delete_address_map(self, map_id):
        with self.lock:
            record = self._address_map(map_id)
            if not record["can_delete"]:
                raise errors.conflict(errors.ADDRESS_MAP_NOT_DELETABLE, "Address map %s is managed by Cloudflare "
                                      "and cannot be deleted" % map_id)
            if record["enabled"]:
                raise errors.conflict(errors.ADDRESS_MAP_ENABLED, "Address map %s is enabled; disable it before "
                                      "deleting it" % map_id)
            del self.address_maps[map_id]
            self._changed()

    def add_address_map_ip(self, map_id, text):
        with self.lock:
            record = self._address_map(map_id)
            if not record["can_modify_ips"]:
                raise errors.conflict(errors.ADDRESS_MAP_IPS_LOCKED, "The IPs of address map %s cannot be "
                                      "modified" % map_id)
            address = self._owned_ip(text)
            if all(item["ip"] != address for item in record["ips"]):
                now = self.clock.now()
                record["ips"].append({"ip": address, "created_at": now})
                record["modified_at"] = now
                self._changed()

    def remove_address_map_ip(self, map_id, text):
        with self.lock:
            record = self._address_map(map_id)
            if not record["can_modify_ips"]:
                raise errors.conflict(errors.ADDRESS_MAP_IPS_LOCKED, "The IPs of address map %s cannot be "
                                      "modified" % map_id)
            address = str(fields.address(text))
            kept = [item for item in record["ips"] if item["ip"] != address]
            if len(kept) == len(record["ips"]):
                raise errors.not_found(errors.ADDRESS_MAP_IP_NOT_FOUND, "IP", "%s on address map %s"
                                       % (address, map_id))
            record["ips"] = kept
            record["modified_at"] = self.clock.now()
            self._changed()

    @staticmethod
    def _add_membership(record, kind, identifier, now):
        for member in record["memberships"]:
            if member["kind"] == kind and member["identifier"] == identifier:
                return False
        record["memberships"].append({"identifier": identifier, "kind": kind, "can_delete": True,
                                      "created_at": now})
        return True

    def add_membership(self, map_id, kind, identifier):
        with self.lock:
            record = self._address_map(map_id)
            now = self.clock.now()
            if self._add_membership(record, kind, identifier, now):
                record["modified_at"] = now
                self._changed()

    def remove_membership(self, map_id, kind, identifier):
        with self.lock:
            record = self._address_map(map_id)
            kept = [m for m in record["memberships"] if not (m["kind"] == kind and m["identifier"] == identifier)]
            if len(kept) == len(record["memberships"]):
                raise errors.not_found(errors.MEMBERSHIP_NOT_FOUND, "Membership", "%s %s on address map %s"
                                       % (kind, identifier, map_id))
            record["memberships"] = kept
            record["modified_at"] = self.clock.now()
            self._changed()

    # --- control API operations ------------------------------------------------------------------------------

    def _settle(self, now):
        for record in self.prefixes.values():
            self._resolve(record, now)
        for children in self.bindings.values():
            for record in children.values():
                if self._deployed(record, now):
                    record["deployed"] = True
        for part in self.parts:
            part.settle(now)

    def settle(self):
        """Resolve every check and deployment already due, so a change of outcome or timing only affects later ones."""
        with self.lock:
            self._settle(self.clock.now())

    def set_outcome(self, cidr, outcome):
        """outcome: an OUTCOMES name, a dict of per-check states, or None to remove the per-CIDR override."""
        with self.lock:
            self.settle()
            if outcome is None:
                self.outcomes.pop(cidr, None)
            else:
                self.outcomes[cidr] = outcome
            self._changed()

    def list_outcomes(self):
        with self.lock:
            return dict(self.outcomes)

    def find_prefix(self, cidr=None, prefix_id=None):
        """The control API names prefixes by CIDR or id; returns the record or None."""
        if prefix_id is None:
            prefix_id = self.prefix_by_cidr.get(cidr)
        return self.prefixes.get(prefix_id)

    def publish_token(self, record):
        with self.lock:
            if record.get("token_published_at") is None:
                record["token_published_at"] = self.clock.now()
            self._changed()
            return {"prefix_id": record["id"], "cidr": record["cidr"],
                    "ownership_validation_token": record["ownership_validation_token"]}

    def force_prefix(self, prefix_id, changes):
        """Test-only state changes (PATCH /__sim/prefixes/{id}); changes are validated by the caller."""
        with self.lock:
            record = self._prefix(prefix_id)
            if changes.get("approved") == "V" and not any(name.endswith("_validation_state") for name in changes):
                # Forcing approval stands for "validation passed": settle the checks to match.
                record["check_started_at"] = None
                for name in ("irr_validation_state", "rpki_validation_state", "ownership_validation_state"):
                    record[name] = "valid"
            if any(name.endswith("_validation_state") for name in changes):
                record["check_started_at"] = None
            record.update(changes)
            record["modified_at"] = self.clock.now()
            self._changed()
            return self._prefix_view(record)

    def force_binding(self, binding_id, state):
        with self.lock:
            for prefix_id, children in self.bindings.items():
                if binding_id in children:
                    children[binding_id]["state_override"] = state
                    self._changed()
                    return self._binding_view(children[binding_id], self.clock.now())
            regional = self.regional.force_state(binding_id, state)
            if regional is not None:
                return regional
            raise errors.not_found(errors.BINDING_NOT_FOUND, "Service binding", binding_id)

    def force_address_map(self, map_id, changes):
        with self.lock:
            record = self._address_map(map_id)
            record.update(changes)
            self._changed()
            return self._address_map_view(record, full=True)

    # --- persistence -------------------------------------------------------------------------------------------

    def snapshot(self):
        """A JSON-able copy of the whole state (taken under the lock, so it is consistent)."""
        with self.lock:
            # Settled first, so a restart with other timings does not undo what was already due.
            self._settle(self.clock.now())
            document = {}
            for part in self.parts:
                document.update(part.snapshot())
            loas = []
            for record in self.loas.values():
                copy = dict(record)
                copy["content"] = base64.b64encode(record["content"]).decode("ascii")
                loas.append(copy)
            document.update({
                "version": STATE_VERSION,
                "clock_offset": self.clock.offset,
                "prefixes": [dict(record) for record in self.prefixes.values()],
                "loa_documents": loas,
                "delegations": [dict(r) for children in self.delegations.values() for r in children.values()],
                "bindings": [dict(r) for children in self.bindings.values() for r in children.values()],
                "bgp_prefixes": [dict(r) for children in self.bgp.values() for r in children.values()],
                "address_maps": [dict(record, ips=[dict(ip) for ip in record["ips"]],
                                      memberships=[dict(m) for m in record["memberships"]])
                                 for record in self.address_maps.values()],
                "validation_outcomes": dict(self.outcomes),
            })
            return document

    def load(self, document):
        """Replace the state with a saved document; ValueError (with the reason) when it cannot be loaded."""
        if not isinstance(document, dict):
            raise ValueError("the state file must hold a JSON object, not %s" % type(document).__name__)
        if document.get("version") != STATE_VERSION:
            raise ValueError("unsupported state file version %r" % document.get("version"))
        with self.lock:
            self._clear()
            self.clock.set_offset(document.get("clock_offset", 0.0))
            try:
                self._load_records(document)
            except (KeyError, TypeError, AttributeError) as exc:
                raise ValueError("malformed state (%s: %s)" % (type(exc).__name__, exc))

    def _load_records(self, document):
        for record in document["prefixes"]:
            self._index_prefix(record, ipaddress.ip_network(record["cidr"]))
        for record in document["loa_documents"]:
            record["content"] = base64.b64decode(record["content"])
            self.loas[record["id"]] = record
        for record in document["delegations"]:
            self.delegations.setdefault(record["parent_prefix_id"], {})[record["id"]] = record
        for record in document["bindings"]:
            self.bindings.setdefault(record["prefix_id"], {})[record["id"]] = record
        for record in document["bgp_prefixes"]:
            self.bgp.setdefault(record["prefix_id"], {})[record["id"]] = record
            if record["cidr"] == self.prefixes[record["prefix_id"]]["cidr"]:
                self.whole_bgp[record["prefix_id"]] = record["id"]
        for record in document["address_maps"]:
            self.address_maps[record["id"]] = record
        self.outcomes = dict(document.get("validation_outcomes", {}))
        for part in self.parts:
            part.load(document)


def check_states_document(document):
    """Validate {"irr": ..., "rpki": ..., "ownership": ...} (any subset); returns the dict or raises ValueError."""
    states = {}
    for name in ("irr", "rpki", "ownership"):
        if name in document:
            if document[name] not in CHECK_STATES:
                raise ValueError("%s must be one of %s" % (name, ", ".join(CHECK_STATES)))
            states[name] = document[name]
    return states
