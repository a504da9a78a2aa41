"""IRR over the whois protocol (RFC 3912), answering RIPE-style queries with RPSL the way IRRd 4 does.

Served: ``-x`` (exact), ``-l`` (one level less specific), ``-L`` (all less specific, exact included), ``-M`` (one
level more specific), a bare prefix (as ``-L``), ``-T`` object classes, ``-s`` / ``-a`` sources, ``-k`` keepalive,
``-K`` key fields only, ``-V`` client name; ``-r``, ``-F``, ``-B`` and ``-G`` are accepted and ignored. Answers
follow IRRd (irrd/server/whois/query_response.py): the objects separated by blank lines and two empty lines at the
end; ``%  No entries found for the selected source(s).``; ``%% ERROR: <message>`` for a bad query. Without
``-k`` the connection closes after the answer. IRRd-style ``!`` queries get ``F`` (cfsim does not simulate them),
except ``!!`` (keepalive) and ``!q`` (close). Every ROA of the world also shows as a route object of source RPKI,
as IRRd's RPKI-aware mirrors (RADB, NTT) serve them.
"""

import ipaddress
import socket
import socketserver
import threading

from .registry import RPKI_SOURCE

IDLE_SECONDS = 30  # IRRd's default !t timeout
MAX_QUERY_BYTES = 4096
WIDTH = 16
IGNORED_FLAGS = ("-r", "-F", "-B", "-G")
LOOKUP_FLAGS = ("-x", "-l", "-L", "-M")
CLASSES = ("route", "route6")


class QueryError(Exception):
    pass


def _attribute(name, value):
    lines = str(value).split("\n")
    text = (name + ":").ljust(WIDTH) + lines[0] + "\n"
    return text + "".join(" " * WIDTH + line + "\n" for line in lines[1:])


def rpsl(item, key_only=False):
    """One route object as IRRd prints it; RPKI pseudo objects with IRRd's default remarks."""
    object_class = "route" if ":" not in item["prefix"] else "route6"
    text = _attribute(object_class, item["prefix"])
    if "rpki" in item:
        roa = item["rpki"]
        if key_only:
            return text + _attribute("origin", "AS%d" % roa["asn"])
        return (text + _attribute("descr", "RPKI ROA for %s / AS%d" % (roa["prefix"], roa["asn"])) +
                _attribute("remarks", "This AS%d route object represents routing data retrieved\n"
                           "from the RPKI. This route object is the result of an automated\n"
                           "RPKI-to-IRR conversion process performed by IRRd." % roa["asn"]) +
                _attribute("max-length", roa["max_length"]) + _attribute("origin", "AS%d" % roa["asn"]) +
                _attribute("source", "%s  # Trust Anchor: %s" % (RPKI_SOURCE, roa["ta"])))
    if key_only:
        return text + _attribute("origin", "AS%d" % item["origin"])
    for value in item["descr"]:
        text += _attribute("descr", value)
    text += _attribute("origin", "AS%d" % item["origin"])
    for value in item["remarks"]:
        text += _attribute("remarks", value)
    for value in item["mnt_by"]:
        text += _attribute("mnt-by", value)
    return text + _attribute("source", item["source"])


class Session:
    """The state of one connection: sources, keepalive."""

    def __init__(self, world):
        self.world = world
        self.sources = None  # None = every source
        self.keepalive = False

    def answer(self, query):
        """(text to send, keep the connection open?)."""
        if query.startswith("!"):
            command = query[1:2].lower()
            if query == "!!":
                self.keepalive = True
                return "", True
            if command == "q":
                return "", False
            return "F cfsim serves RIPE-style queries only, not %s\n" % query[:2], self.keepalive
        try:
            text = self._ripe(query.split())
        except QueryError as exc:
            text = "%%%% ERROR: %s\n\n\n" % exc
        return text, self.keepalive

    def _ripe(self, words):
        classes, key_only, lookup, prefix = CLASSES, False, "-L", None
        index = 0
        while index < len(words):
            word = words[index]
            takes_value = word in ("-s", "-T", "-V", "-i", "-t") or word in LOOKUP_FLAGS
            value = words[index + 1] if takes_value and index + 1 < len(words) else None
            if takes_value and value is None:
                raise QueryError("Missing argument for flag/search: %s" % word)
            if word == "-k":
                self.keepalive = not self.keepalive
            elif word == "-K":
                key_only = True
            elif word == "-a":
                self.sources = None
            elif word == "-s":
                self.sources = self._parse_sources(value)
            elif word == "-T":
                classes = tuple(name.strip().lower() for name in value.split(","))
            elif word in LOOKUP_FLAGS:
                lookup, prefix = word, value
            elif word in ("-i", "-t"):
                raise QueryError("cfsim does not simulate %s queries" % word)
            elif word.startswith("-") and word not in IGNORED_FLAGS and word != "-V":
                raise QueryError("Unrecognised flag/search: %s" % word)
            elif not word.startswith("-"):
                prefix = word
            index += 2 if takes_value else 1
        if prefix is None:
            # "-k" alone switches keepalive and answers nothing, as IRRd does.
            return ""
        return self._lookup(lookup, prefix, classes, key_only)

    def _parse_sources(self, value):
        wanted = [name.strip().upper() for name in value.split(",") if name.strip()]
        known = set(item["source"] for item in self.world.all_route_objects()) | {RPKI_SOURCE}
        if not wanted or any(name not in known for name in wanted):
            raise QueryError("One or more selected sources are unavailable.")
        return wanted

    def _lookup(self, flag, text, classes, key_only):
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise QueryError("Invalid input for IP lookup: %s" % text[:100])
        candidates = []
        for item in self.world.all_route_objects():
            item_network = ipaddress.ip_network(item["prefix"])
            object_class = "route" if item_network.version == 4 else "route6"
            if object_class not in classes or item_network.version != network.version:
                continue
            if self.sources is not None and item["source"] not in self.sources:
                continue
            candidates.append((item_network, item))
        found = self._select(flag, network, candidates)
        if not found:
            return "%  No entries found for the selected source(s).\n\n\n"
        return "\n".join(rpsl(item, key_only) for item in found) + "\n\n"

    @staticmethod
    def _select(flag, network, candidates):
        if flag == "-x":
            return [item for item_network, item in candidates if item_network == network]
        if flag == "-M":
            more = [n for n, _item in candidates if n != network and n.subnet_of(network)]
            level = [n for n in more if not any(o != n and n.subnet_of(o) for o in more)]
            return [item for n, item in candidates if n in level]
        less = [(n, item) for n, item in candidates if network.subnet_of(n)]
        if flag == "-l":
            shorter = [n for n, _item in less if n != network]
            if not shorter:
                return []
            longest = max(n.prefixlen for n in shorter)
            return [item for n, item in less if n != network and n.prefixlen == longest]
        return [item for n, item in sorted(less, key=lambda pair: -pair[0].prefixlen)]


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        session = Session(self.server.world)
        self.connection.settimeout(IDLE_SECONDS)
        try:
            while True:
                line = self.rfile.readline(MAX_QUERY_BYTES)
                if not line:
                    return
                query = line.decode("utf-8", "replace").strip()
                if not query:
                    continue
                self.server.log("cfsim: whois %s %r" % (self.client_address[0], query[:200]))
                text, keep = session.answer(query)
                self.wfile.write(text.encode("utf-8"))
                self.wfile.flush()
                if not keep:
                    return
        except (socket.timeout, ConnectionError):
            return


class WhoisServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host, port, world, log=None):
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)
        self.world = world
        self.log = log or (lambda _line: None)
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="cfsim-whois", daemon=True)

    @property
    def port(self):
        return self.server_address[1]

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()
