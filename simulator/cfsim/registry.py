"""The routing registry world: IRR route objects, RPKI ROAs and reverse-DNS TXT records.

The world is what Cloudflare's validation reads in reality. cfsim serves it the way the real sources do (whois.py:
IRR over whois as IRRd answers RIPE-style queries; validity(): Routinator's JSON; dns.py: DNS), and, when the
validation outcome is "world", resolves the prefix checks from it (validation_states).

This module is cfsim's own model of those rules, written independently of the collection's pre-flight code, so
that tests of one against the other mean something.
"""

import ipaddress
import re
import threading

# The IRRs run by the five Regional Internet Registries: the only route objects Cloudflare counts (assumed from
# its get-started guide, which requires registration at one of these RIRs and route objects at their IRRs).
RIR_SOURCES = ("AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE")
RPKI_SOURCE = "RPKI"
SOURCE_NAME = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")
TOKEN = re.compile(r"cf-validation\s*:\s*(\S+)", re.IGNORECASE)
MAX_ASN = 4294967295
DEFAULT_TRUST_ANCHOR = "cfsim"


def _network(value, what):
    try:
        return ipaddress.ip_network(str(value).strip(), strict=True)
    except ValueError as exc:
        raise ValueError("%s: %r is not a prefix without host bits (%s)" % (what, value, exc))


def _asn(value, what):
    text = str(value).strip().upper()
    text = text[2:] if text.startswith("AS") else text
    if isinstance(value, bool) or not text.isdigit() or not 0 <= int(text) <= MAX_ASN:
        raise ValueError("%s: %r is not an AS number" % (what, value))
    return int(text)


def _strings(value, what):
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("%s must be a string or a list of strings" % what)
    return list(value)


def route_object(document, where="route object"):
    if not isinstance(document, dict):
        raise ValueError("%s must be an object" % where)
    unknown = set(document) - {"prefix", "origin", "source", "descr", "remarks", "mnt_by"}
    if unknown:
        raise ValueError("%s: unknown field(s) %s" % (where, ", ".join(sorted(unknown))))
    source = str(document.get("source", "")).strip().upper()
    if not SOURCE_NAME.match(source):
        raise ValueError("%s: source must be an IRR source name such as RIPE or RADB" % where)
    return {
        "prefix": str(_network(document.get("prefix"), where + " prefix")),
        "origin": _asn(document.get("origin"), where + " origin"),
        "source": source,
        "descr": _strings(document.get("descr"), where + " descr"),
        "remarks": _strings(document.get("remarks"), where + " remarks"),
        "mnt_by": _strings(document.get("mnt_by"), where + " mnt_by") or ["CFSIM-MNT"],
    }


def roa(document, where="ROA"):
    if not isinstance(document, dict):
        raise ValueError("%s must be an object" % where)
    unknown = set(document) - {"prefix", "max_length", "asn", "ta"}
    if unknown:
        raise ValueError("%s: unknown field(s) %s" % (where, ", ".join(sorted(unknown))))
    network = _network(document.get("prefix"), where + " prefix")
    max_length = document.get("max_length", network.prefixlen)
    if isinstance(max_length, bool) or not isinstance(max_length, int) or \
            not network.prefixlen <= max_length <= network.max_prefixlen:
        raise ValueError("%s: max_length must be between %d and %d"
                         % (where, network.prefixlen, network.max_prefixlen))
    return {"prefix": str(network), "max_length": max_length, "asn": _asn(document.get("asn"), where + " asn"),
            "ta": str(document.get("ta", DEFAULT_TRUST_ANCHOR))}


def txt_record(document, where="TXT record"):
    if not isinstance(document, dict) or set(document) - {"name", "values"}:
        raise ValueError('%s must be {"name": ..., "values": [...]}' % where)
    name = str(document.get("name", "")).strip().rstrip(".").lower()
    if not name or len(name) > 253 or any(not 0 < len(label) < 64 for label in name.split(".")):
        raise ValueError("%s: %r is not a DNS name" % (where, document.get("name")))
    values = _strings(document.get("values"), where + " values")
    if any(len(value.encode("utf-8")) > 255 for value in values):
        raise ValueError("%s: a TXT string is at most 255 bytes" % where)
    return {"name": name, "values": values}


def reverse_zones(network):
    """cfsim's own octet/nibble split of a prefix into reverse zones (a /23 -> two /24 zones)."""
    step = 8 if network.version == 4 else 4
    boundary = -(-network.prefixlen // step) * step
    drop = (network.max_prefixlen - boundary) // step
    return [".".join(subnet.network_address.reverse_pointer.split(".")[drop:])
            for subnet in network.subnets(new_prefix=boundary)]


class World:
    """The registry world; thread-safe. listeners are called (with no argument) after every change."""

    def __init__(self):
        self.lock = threading.RLock()
        self.listeners = []
        self.initial = None
        self._set({"route_objects": [], "roas": [], "txt_records": []}, configured=False)

    # --- changes -----------------------------------------------------------------------------------------------

    @staticmethod
    def parse(document):
        """Validate a world document; returns (routes, roas, txt) or raises ValueError naming every problem."""
        if not isinstance(document, dict):
            raise ValueError("the registry world must be a JSON object")
        unknown = set(document) - {"route_objects", "roas", "txt_records"}
        if unknown:
            raise ValueError("unknown key(s) %s (known: route_objects, roas, txt_records)" % ", ".join(sorted(unknown)))
        parsed, problems = {}, []
        for key, parse in (("route_objects", route_object), ("roas", roa), ("txt_records", txt_record)):
            items = document.get(key) or []
            if not isinstance(items, list):
                problems.append("%s must be a list" % key)
                continue
            parsed[key] = []
            for index, item in enumerate(items):
                try:
                    parsed[key].append(parse(item, "%s[%d]" % (key, index)))
                except ValueError as exc:
                    problems.append(str(exc))
        if problems:
            raise ValueError("; ".join(problems))
        return parsed

    def _set(self, parsed, configured=True):
        with self.lock:
            self.routes = []
            self.roas = []
            self.txt = {}
            self.configured = configured
            self._add(parsed)

    def _add(self, parsed):
        for item in parsed.get("route_objects", []):
            key = (item["prefix"], item["origin"], item["source"])
            self.routes = [r for r in self.routes if (r["prefix"], r["origin"], r["source"]) != key] + [item]
        for item in parsed.get("roas", []):
            if item not in self.roas:
                self.roas.append(item)
        for item in parsed.get("txt_records", []):
            values = self.txt.setdefault(item["name"], [])
            values.extend(value for value in item["values"] if value not in values)

    def _notify(self):
        for listener in list(self.listeners):
            listener()

    def load_initial(self, document):
        """The world of the --registry-world file; reset() returns to it."""
        parsed = self.parse(document)
        self.initial = parsed
        self._set(parsed)

    def reset(self):
        with self.lock:
            if self.initial is None:
                self._set({"route_objects": [], "roas": [], "txt_records": []}, configured=False)
            else:
                self._set(self.initial)
        self._notify()

    def replace(self, document):
        parsed = self.parse(document)
        self._set(parsed)
        self._notify()

    def add(self, document):
        parsed = self.parse(document)
        with self.lock:
            self._add(parsed)
            self.configured = True
        self._notify()

    def remove(self, document):
        """Remove route objects (by prefix, origin and source), ROAs (by prefix and asn, and max_length if given)
        and TXT records (by name, and only the given values if any)."""
        if not isinstance(document, dict) or set(document) - {"route_objects", "roas", "txt_records"}:
            raise ValueError("give route_objects, roas and/or txt_records to remove")
        with self.lock:
            for index, item in enumerate(document.get("route_objects") or []):
                key = (str(_network(item.get("prefix"), "route_objects[%d] prefix" % index)),
                       _asn(item.get("origin"), "route_objects[%d] origin" % index),
                       str(item.get("source", "")).strip().upper())
                self.routes = [r for r in self.routes if (r["prefix"], r["origin"], r["source"]) != key]
            for index, item in enumerate(document.get("roas") or []):
                prefix = str(_network(item.get("prefix"), "roas[%d] prefix" % index))
                asn = _asn(item.get("asn"), "roas[%d] asn" % index)
                self.roas = [r for r in self.roas if not (r["prefix"] == prefix and r["asn"] == asn and
                                                          item.get("max_length", r["max_length"]) == r["max_length"])]
            for index, item in enumerate(document.get("txt_records") or []):
                name = txt_record(dict(item, values=item.get("values") or []), "txt_records[%d]" % index)["name"]
                values = item.get("values")
                if values:
                    kept = [value for value in self.txt.get(name, []) if value not in values]
                    self.txt[name] = kept
                if not values or not self.txt.get(name):
                    self.txt.pop(name, None)
            self.configured = True
        self._notify()

    def publish_token(self, cidr, token, via):
        """Put the token where Cloudflare looks: TXT records in every reverse zone, or a remark on the route
        objects for exactly the prefix at an RIR's IRR. Returns what was published."""
        network = ipaddress.ip_network(cidr)
        with self.lock:
            if via == "txt":
                names = ["cf-validation.%s" % zone for zone in reverse_zones(network)]
                self._add({"txt_records": [{"name": name, "values": [token]} for name in names]})
                published = {"txt_records": names}
            else:
                routes = [r for r in self.routes if r["prefix"] == str(network) and r["source"] in RIR_SOURCES]
                if not routes:
                    raise LookupError("no route object for %s at an RIR's IRR (%s) to put the remark on"
                                      % (network, ", ".join(RIR_SOURCES)))
                for route in routes:
                    remark = "cf-validation: %s" % token
                    if remark not in route["remarks"]:
                        route["remarks"].append(remark)
                published = {"route_objects": [{"source": r["source"], "origin": r["origin"]} for r in routes]}
            self.configured = True
        self._notify()
        return published

    # --- reads -------------------------------------------------------------------------------------------------

    def document(self):
        with self.lock:
            return {
                "configured": self.configured,
                "route_objects": [dict(item, descr=list(item["descr"]), remarks=list(item["remarks"]),
                                       mnt_by=list(item["mnt_by"])) for item in self.routes],
                "roas": [dict(item) for item in self.roas],
                "txt_records": [{"name": name, "values": list(values)} for name, values in sorted(self.txt.items())],
            }

    def txt_records(self):
        with self.lock:
            return dict((name, list(values)) for name, values in self.txt.items())

    def routes_for(self, network):
        """The registered route objects for exactly network."""
        with self.lock:
            return [dict(item) for item in self.routes if item["prefix"] == str(network)]

    def all_route_objects(self):
        """Registered route objects plus one RPKI pseudo object per ROA, as IRRd mirrors serve them."""
        with self.lock:
            pseudo = [{"prefix": item["prefix"], "origin": item["asn"], "source": RPKI_SOURCE, "rpki": item}
                      for item in self.roas]
            return [dict(item) for item in self.routes] + pseudo

    def validity(self, asn, network):
        """RFC 6811 origin validation, in Routinator's terms: state, reason and the covering VRPs."""
        matched, bad_asn, bad_length = [], [], []
        with self.lock:
            for item in self.roas:
                vrp = ipaddress.ip_network(item["prefix"])
                if vrp.version != network.version or not network.subnet_of(vrp):
                    continue
                if network.prefixlen > item["max_length"]:
                    bad_length.append(item)
                elif item["asn"] != asn:
                    bad_asn.append(item)
                else:
                    matched.append(item)
        if matched:
            state, reason = "valid", None
        elif bad_asn or bad_length:
            state, reason = "invalid", "as" if bad_asn else "length"
        else:
            state, reason = "not-found", None
        return {"state": state, "reason": reason, "matched": matched, "unmatched_as": bad_asn,
                "unmatched_length": bad_length}

    def validation_states(self, cidr, asn, token):
        """(irr, rpki, ownership) as Cloudflare is assumed to resolve them from this world."""
        network = ipaddress.ip_network(cidr)
        counted = [r for r in self.routes_for(network) if r["source"] in RIR_SOURCES]
        if any(r["origin"] == asn for r in counted):
            irr = "valid"
        else:
            irr = "mismatch_asn" if counted else "missing"
        # Cloudflare requires a ROA: an uncovered prefix (not-found) fails like an unauthorised one.
        rpki = "valid" if self.validity(asn, network)["state"] == "valid" else "invalid"
        return irr, rpki, self._ownership(network, token, counted)

    def _ownership(self, network, token, counted):
        remark_tokens = [found for r in counted for text in r["descr"] + r["remarks"] for found in TOKEN.findall(text)]
        if any(found.lower() == token.lower() for found in remark_tokens):
            return "valid"
        txt = self.txt_records()
        answers = [txt.get("cf-validation.%s" % zone, []) for zone in reverse_zones(network)]
        if all(any(value.strip().lower() == token.lower() for value in values) for values in answers):
            return "valid"
        if remark_tokens or any(answers):
            return "invalid"
        return "missing"


def validity_document(world, asn, network, generated):
    """Routinator's /api/v1/validity answer (src/validity.rs: validated_route, VRPs lists, generatedTime)."""
    result = world.validity(asn, network)
    descriptions = {
        "valid": "At least one VRP Matches the Route Prefix",
        "as": "At least one VRP Covers the Route Prefix, but no VRP ASN matches the route origin ASN",
        "length": "At least one VRP Covers the Route Prefix, but the Route Prefix length is greater than the "
                  "maximum length allowed by VRP(s) matching this route origin ASN",
        "not-found": "No VRP Covers the Route Prefix",
    }
    validity = {"state": result["state"]}
    if result["reason"]:
        validity["reason"] = result["reason"]
    validity["description"] = descriptions[result["reason"] or result["state"]]
    validity["VRPs"] = dict(
        (kind, [{"asn": "AS%d" % item["asn"], "prefix": item["prefix"], "max_length": str(item["max_length"])}
                for item in result[kind]])
        for kind in ("matched", "unmatched_as", "unmatched_length"))
    return {"validated_route": {"route": {"origin_asn": "AS%d" % asn, "prefix": str(network)},
                                "validity": validity},
            "generatedTime": generated}
