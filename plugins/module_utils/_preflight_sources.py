# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pre-flight check's HTTP and DNS sources: a Routinator-compatible RPKI validator and a DNS resolver.

For internal collection use only: this is not a public interface and may change without notice.

Every call is bounded by a timeout and turns every way of not getting an answer into SourceUnavailable, so that the
caller reports "unknown" and never a problem it did not see.
"""

import re
import traceback

try:
    import requests
    HAS_REQUESTS = True
except ImportError:  # pragma: no cover - the modules fail with missing_required_lib first
    HAS_REQUESTS = False

try:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.name
    import dns.query
    import dns.rcode
    import dns.rdatatype
    HAS_DNSPYTHON = True
    DNSPYTHON_IMPORT_ERROR = None
except ImportError:
    HAS_DNSPYTHON = False
    DNSPYTHON_IMPORT_ERROR = traceback.format_exc()

MAX_VALIDITY_BYTES = 1024 * 1024


class SourceUnavailable(Exception):
    """A source did not answer usefully. reason: unreachable, timeout, refused or error; detail: what happened."""

    def __init__(self, reason, detail):
        super(SourceUnavailable, self).__init__("%s: %s" % (reason, detail))
        self.reason = reason
        self.detail = detail


# --- RPKI: Routinator's /api/v1/validity/<asn>/<prefix> ---------------------------------------------------------

def validity_url(base_url, asn, network):
    """Routinator's validity endpoint (the RIPE NCC RPKI Validator 3 used the same path)."""
    return "%s/api/v1/validity/AS%d/%s" % (base_url.rstrip("/"), asn, network)


def fetch_validity(session, base_url, asn, network, timeout):
    """The 'validity' object of the validator's answer: {state, reason?, description, VRPs{...}}."""
    url = validity_url(base_url, asn, network)
    try:
        response = session.get(url, timeout=timeout, headers={"Accept": "application/json"})
    except requests.exceptions.Timeout:
        raise SourceUnavailable("timeout", "%s did not answer within %g s" % (url, timeout))
    except requests.exceptions.ConnectionError as error:
        if "refused" in str(error).lower():
            raise SourceUnavailable("refused", "%s refused the connection" % url)
        raise SourceUnavailable("unreachable", "cannot connect to %s: %s" % (url, _os_error(error)))
    except requests.exceptions.RequestException as error:
        raise SourceUnavailable("error", "%s failed: %s" % (url, _short(error)))
    if response.status_code != 200:
        # Routinator answers 503 until its first validation run is done.
        raise SourceUnavailable("error", "%s answered HTTP %d: %s"
                                % (url, response.status_code, _short(response.text)))
    return parse_validity(response.content[:MAX_VALIDITY_BYTES], url)


def parse_validity(content, url="the validator"):
    """The validity object of a Routinator answer (HTTP 'validated_route', or CLI 'validated_routes'[0])."""
    import json  # only needed here; keeps the module's import light
    try:
        document = json.loads(content.decode("utf-8") if isinstance(content, bytes) else content)
        route = document.get("validated_route") or document["validated_routes"][0]
        validity = route["validity"]
        state = validity["state"]
        vrps = validity.get("VRPs") or {}
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise SourceUnavailable("error", "%s did not answer in Routinator's validity format" % url)
    if state not in ("valid", "invalid", "not-found"):
        raise SourceUnavailable("error", "%s answered an unknown validity state %r" % (url, _short(state)))
    return {
        "state": state,
        "reason": validity.get("reason"),
        "description": validity.get("description"),
        "vrps": dict((kind, [_vrp(item) for item in vrps.get(kind) or []])
                     for kind in ("matched", "unmatched_as", "unmatched_length")),
    }


def _vrp(item):
    """Routinator writes ASNs as 'AS64500' and max lengths as strings; normalise to integers."""
    asn = str(item.get("asn", "")).upper()
    return {
        "asn": int(asn[2:]) if asn.startswith("AS") and asn[2:].isdigit() else None,
        "prefix": item.get("prefix"),
        "max_length": int(item["max_length"]) if str(item.get("max_length", "")).isdigit() else None,
    }


# --- DNS: TXT records --------------------------------------------------------------------------------------------

def txt_values(name, servers, port, timeout):
    """The TXT strings at name (an empty list for NXDOMAIN or no TXT), asking the servers in order.

    One query per server at most, each bounded by timeout; the first definite answer wins. Asks with recursion
    desired, over UDP, and again over TCP when the answer is truncated.
    """
    query = dns.message.make_query(dns.name.from_text(name), dns.rdatatype.TXT)
    failures = []
    for server in servers:
        try:
            response = dns.query.udp(query, server, timeout=timeout, port=port)
            if response.flags & dns.flags.TC:
                response = dns.query.tcp(query, server, timeout=timeout, port=port)
        except dns.exception.Timeout:
            failures.append(("timeout", "%s port %d did not answer within %g s" % (server, port, timeout)))
            continue
        except (OSError, dns.exception.DNSException) as error:
            reason = "refused" if isinstance(error, ConnectionRefusedError) else "unreachable"
            failures.append((reason, "%s port %d: %s" % (server, port, _short(error))))
            continue
        rcode = response.rcode()
        if rcode == dns.rcode.NXDOMAIN:
            return []
        if rcode != dns.rcode.NOERROR:
            reason = "refused" if rcode == dns.rcode.REFUSED else "error"
            failures.append((reason, "%s port %d answered %s" % (server, port, dns.rcode.to_text(rcode))))
            continue
        return _txt_strings(response, query.question[0].name)
    reason = failures[0][0] if failures else "error"
    raise SourceUnavailable(reason, "; ".join(detail for _reason, detail in failures) or "no DNS server to ask")


def _txt_strings(response, name):
    values = []
    for rrset in response.answer:
        if rrset.name == name and rrset.rdtype == dns.rdatatype.TXT:
            for rdata in rrset:
                values.append(b"".join(rdata.strings).decode("utf-8", "replace"))
    return values


def system_nameservers():
    """The resolvers of this host (/etc/resolv.conf), for when no dns_servers are given."""
    import dns.resolver
    try:
        return list(dns.resolver.Resolver().nameservers)
    except dns.exception.DNSException as error:
        raise SourceUnavailable("error", "this host has no usable resolver configuration: %s" % _short(error))


def _os_error(error):
    """'[Errno -2] Name or service not known' out of the nested text requests makes of a connection error."""
    match = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(error))
    return match.group(1).strip() if match else _short(error)


def _short(value, limit=200):
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."
