# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A whois (RFC 3912) client for route objects, and an RPSL (RFC 2622) parser. Standard library only.

For internal collection use only: this is not a public interface and may change without notice.

The query is RIPE style, which IRRd (RADB, NTT, ARIN's and LACNIC's IRRs) and the RIPE database software (RIPE,
APNIC, AFRINIC) all accept: ``-r -T route -x 203.0.113.0/24``. ``-x`` asks for exact matches only, ``-T`` for the
object class, ``-r`` turns off the contact lookups of the RIPE software (IRRd accepts and ignores it). Without
``-k`` the server closes the connection after its answer, which is how the answer ends. Answers:

* IRRd: the objects separated by blank lines, then two empty lines; ``%  No entries found for the selected
  source(s).`` when there are none; ``%% ERROR: <message>`` for a bad query; ``%% Access denied``.
* RIPE software: ``%`` comment lines around the objects; ``%ERROR:101: no entries found`` when there are none;
  other ``%ERROR:<code>:`` lines for errors, such as ``%ERROR:201: access denied``.
"""

import socket
import time

from ansible_collections.cloudflare.addressing.plugins.module_utils._preflight_sources import SourceUnavailable

DEFAULT_PORT = 43
# A route query answers a few objects; a runaway or hostile server must not fill the memory.
MAX_ANSWER_BYTES = 1024 * 1024
NO_ENTRIES_MARKERS = ("%ERROR:101:", "% No entries found", "%  No entries found")


def parse_server(text, default_port=DEFAULT_PORT):
    """'host', 'host:port', '[v6 address]:port' or a bare IPv6 address -> (host, port); ValueError when malformed."""
    text = str(text).strip()
    if not text:
        raise ValueError("empty server name")
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError("%r: write an IPv6 address with a port as [address]:port" % text)
        port = rest[1:] or str(default_port)
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, str(default_port)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("%r is not a host name or address with an optional :port (1-65535)" % text)
    return host, int(port)


def route_query(network):
    """The RIPE-style query for the route (IPv4) or route6 (IPv6) objects of exactly this prefix."""
    object_class = "route" if network.version == 4 else "route6"
    return "-r -T %s -x %s" % (object_class, network)


def ask(host, port, query, timeout):
    """Send one query and read the answer until the server closes; the whole exchange takes at most timeout s."""
    deadline = time.monotonic() + timeout
    try:
        connection = socket.create_connection((host, port), timeout=timeout)
    except socket.timeout:
        raise SourceUnavailable("timeout", "no connection to %s port %d within %g s" % (host, port, timeout))
    except ConnectionRefusedError:
        raise SourceUnavailable("refused", "%s port %d refused the connection" % (host, port))
    except OSError as error:
        raise SourceUnavailable("unreachable", "cannot connect to %s port %d: %s" % (host, port, error))
    chunks, size = [], 0
    try:
        connection.sendall(query.encode("utf-8") + b"\r\n")
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout()
            connection.settimeout(remaining)
            chunk = connection.recv(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise SourceUnavailable("error", "%s port %d sent more than %d bytes" % (host, port, MAX_ANSWER_BYTES))
            chunks.append(chunk)
    except socket.timeout:
        raise SourceUnavailable("timeout", "%s port %d did not finish its answer within %g s" % (host, port, timeout))
    except OSError as error:
        raise SourceUnavailable("unreachable", "the connection to %s port %d broke: %s" % (host, port, error))
    finally:
        connection.close()
    return b"".join(chunks).decode("utf-8", "replace")


def check_answer(text, server):
    """Raise SourceUnavailable when the answer is an error or a refusal rather than objects or 'no entries'."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise SourceUnavailable("refused", "%s closed the connection without an answer" % server)
    for line in lines:
        if line.startswith(NO_ENTRIES_MARKERS):
            return
        if line.startswith("%%") or line.startswith("%ERROR:") or line.startswith("F "):
            reason = "refused" if "denied" in line.lower() or "limit" in line.lower() else "error"
            raise SourceUnavailable(reason, "%s answered: %s" % (server, line[:200]))


def parse_rpsl(text):
    """The objects of a whois answer, each a list of (attribute, value) pairs in their order.

    Comment lines (``%`` and ``#``) and blank lines separate nothing but objects; continuation lines (starting with
    a space, a tab or ``+``) extend the previous value with a newline. End-of-line ``#`` comments stay in the value
    (``source: RIPE # Filtered``): attribute_value strips them where a bare value is needed.
    """
    objects, current = [], []
    for raw in text.splitlines():
        line = raw.rstrip("\r\n")
        if not line.strip() or line.startswith(("%", "#")):
            if current:
                objects.append(current)
                current = []
            continue
        if line[0] in " \t+" and current:
            name, value = current[-1]
            current[-1] = (name, value + "\n" + line[1:].strip())
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or " " in name.strip():
            continue  # not an attribute line (a server banner): ignore it rather than guess
        current.append((name.strip().lower(), value.strip()))
    if current:
        objects.append(current)
    return objects


def attribute_value(value):
    """A value without its end-of-line comment and surrounding space: 'RPKI  # Trust Anchor: apnic' -> 'RPKI'."""
    return value.split("#", 1)[0].strip()
