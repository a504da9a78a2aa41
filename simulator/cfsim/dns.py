"""Reverse DNS of the registry world: the cf-validation TXT records, served over UDP and TCP.

Two servers, one behaviour (authoritative for in-addr.arpa and ip6.arpa; NXDOMAIN for names it has no records for;
REFUSED outside those zones):

* Dnsmasq runs a real DNS server (Debian's dnsmasq, when it is installed): its configuration holds the TXT records
  and is rewritten, and dnsmasq restarted, whenever the world's TXT records change.
* Responder is a small standard-library server, used where dnsmasq is not installed or cannot start.
"""

import ctypes
import ctypes.util
import errno
import getpass
import grp
import os
import queue
import shutil
import signal
import socket
import socketserver
import struct
import subprocess
import tempfile
import threading
import time

ZONES = ("in-addr.arpa", "ip6.arpa")
TYPE_TXT, CLASS_IN = 16, 1
RCODE_NOERROR, RCODE_FORMERR, RCODE_NXDOMAIN, RCODE_NOTIMP, RCODE_REFUSED = 0, 1, 3, 4, 5
UDP_LIMIT = 512
DNSMASQ_PATHS = ("/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq")


def in_zones(name):
    return any(name == zone or name.endswith("." + zone) for zone in ZONES)


def _read_name(message, offset):
    labels = []
    while True:
        if offset >= len(message):
            raise ValueError("truncated name")
        length = message[offset]
        if length == 0:
            return ".".join(labels), offset + 1
        if length & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(message[offset + 1:offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length


def answer(query, records, limit=None):
    """The response to one DNS query message; records maps lower-case names to lists of TXT strings."""
    if len(query) < 12:
        return None
    ident, flags, qdcount = struct.unpack("!HHH", query[:6])
    recursion = flags & 0x0100
    if flags & 0x8000 or qdcount != 1:
        return struct.pack("!HHHHHH", ident, 0x8000 | recursion | RCODE_FORMERR, 0, 0, 0, 0)
    try:
        name, offset = _read_name(query, 12)
        qtype, qclass = struct.unpack("!HH", query[offset:offset + 4])
    except (ValueError, struct.error):
        return struct.pack("!HHHHHH", ident, 0x8000 | recursion | RCODE_FORMERR, 0, 0, 0, 0)
    question = query[12:offset + 4]
    name = name.lower()
    opcode = (flags >> 11) & 0xF
    answers = []
    if opcode != 0:
        rcode, authoritative = RCODE_NOTIMP, 0
    elif not in_zones(name):
        rcode, authoritative = RCODE_REFUSED, 0
    elif name not in records:
        rcode, authoritative = RCODE_NXDOMAIN, 0x0400
    else:
        rcode, authoritative = RCODE_NOERROR, 0x0400
        if qtype in (TYPE_TXT, 255) and qclass == CLASS_IN:
            answers = [_txt_rr(value) for value in records[name]]
    header_flags = 0x8000 | (opcode << 11) | authoritative | recursion | rcode
    body = b"".join(answers)
    if limit is not None and 12 + len(question) + len(body) > limit:
        return struct.pack("!HHHHHH", ident, header_flags | 0x0200, 1, 0, 0, 0) + question
    return struct.pack("!HHHHHH", ident, header_flags, 1, len(answers), 0, 0) + question + body


def _txt_rr(value):
    data = value.encode("utf-8")[:255]
    rdata = bytes([len(data)]) + data
    # 0xC00C points at the name in the question; class IN; TTL 60.
    return struct.pack("!HHHIH", 0xC00C, TYPE_TXT, CLASS_IN, 60, len(rdata)) + rdata


class _Udp(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        response = answer(data, self.server.records(), limit=UDP_LIMIT)
        if response:
            sock.sendto(response, self.client_address)


class _Tcp(socketserver.StreamRequestHandler):
    def handle(self):
        self.connection.settimeout(10)
        try:
            while True:
                head = self.rfile.read(2)
                if len(head) < 2:
                    return
                query = self.rfile.read(struct.unpack("!H", head)[0])
                response = answer(query, self.server.records())
                if not response:
                    return
                self.wfile.write(struct.pack("!H", len(response)) + response)
        except (socket.timeout, ConnectionError):
            return


class _UdpServer(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Responder:
    """cfsim's own DNS server (standard library), on one port for UDP and TCP."""

    kind = "built-in"

    def __init__(self, host, port, world):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        _UdpServer.address_family = _TcpServer.address_family = family
        self.udp = _UdpServer((host, port), _Udp)
        try:
            self.tcp = _TcpServer((host, self.udp.server_address[1]), _Tcp)
        except OSError:
            self.udp.server_close()
            raise
        self.port = self.udp.server_address[1]
        for server in (self.udp, self.tcp):
            server.records = world.txt_records

    def start(self):
        for server in (self.udp, self.tcp):
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                             name="cfsim-dns").start()
        return self

    def stop(self):
        for server in (self.udp, self.tcp):
            server.shutdown()
            server.server_close()


PR_SET_PDEATHSIG = 1
try:
    _PRCTL = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
except (OSError, AttributeError):  # not Linux: dnsmasq then outlives a cfsim that is killed with SIGKILL
    _PRCTL = None


def _die_with_parent():
    """In the child before exec: SIGTERM when the thread that started it ends (cfsim's supervisor thread)."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


def dnsmasq_path():
    return shutil.which("dnsmasq") or next((path for path in DNSMASQ_PATHS if os.access(path, os.X_OK)), None)


def free_port(host):
    """A port free for both UDP and TCP on host (dnsmasq needs one number for both)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _attempt in range(50):
        with socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port = udp.getsockname()[1]
            with socket.socket(family, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((host, port))
                except OSError:
                    continue
            return port
    raise OSError("no port free for both UDP and TCP on %s" % host)


class Dnsmasq:
    """dnsmasq serving the world's TXT records; restarted with a new configuration when they change.

    One supervisor thread, alive as long as cfsim, starts and stops every dnsmasq: a child started with
    PR_SET_PDEATHSIG dies with the thread that started it, so even a cfsim killed with SIGKILL leaves none behind.
    """

    kind = "dnsmasq"

    def __init__(self, host, port, world, executable):
        self.host = host
        self.port = port or free_port(host)
        self.world = world
        self.executable = executable
        self.directory = tempfile.mkdtemp(prefix="cfsim-dnsmasq-")
        self.config = os.path.join(self.directory, "dnsmasq.conf")
        self.process = None
        self.written = None
        self.orders = queue.Queue()
        threading.Thread(target=self._supervise, name="cfsim-dnsmasq", daemon=True).start()

    def _supervise(self):
        while True:
            order, done = self.orders.get()
            try:
                order()
            except OSError as exc:
                done.put(exc)
            else:
                done.put(None)

    def _run(self, order):
        done = queue.Queue()
        self.orders.put((order, done))
        error = done.get()
        if error is not None:
            raise error

    def _write_config(self):
        lines = ["port=%d" % self.port, "listen-address=%s" % self.host, "bind-interfaces", "no-resolv", "no-hosts",
                 "no-poll", "no-negcache", "log-facility=%s" % os.path.join(self.directory, "dnsmasq.log"),
                 "user=%s" % getpass.getuser(), "group=%s" % grp.getgrgid(os.getgid()).gr_name]
        # local=/zone/ makes dnsmasq answer from its own data and NXDOMAIN otherwise, never forward.
        lines.extend("local=/%s/" % zone for zone in ZONES)
        # One line per value: dnsmasq makes one TXT record per line (several strings on a line form one record).
        for name, values in sorted(self.world.txt_records().items()):
            for value in values:
                lines.append('txt-record=%s,"%s"' % (name, value.replace("\\", "\\\\").replace('"', '\\"')))
        text = "\n".join(lines) + "\n"
        with open(self.config, "w", encoding="utf-8") as handle:
            handle.write(text)
        self.written = text

    def start(self):
        self._run(self._launch)
        return self

    def _launch(self):
        self._write_config()
        self.process = subprocess.Popen([self.executable, "--keep-in-foreground", "--conf-file=" + self.config,
                                         "--pid-file"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        preexec_fn=_die_with_parent)  # pylint: disable=subprocess-popen-preexec-fn
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode("utf-8", "replace").strip()
                raise OSError("dnsmasq exited with status %s: %s" % (self.process.returncode, error[:500]))
            if self._answers():
                return
            time.sleep(0.05)
        self._terminate()
        raise OSError("dnsmasq did not answer on %s port %d within 10 s" % (self.host, self.port))

    def _answers(self):
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        probe = struct.pack("!HHHHHH", 0x4346, 0, 1, 0, 0, 0) + b"\x05cfsim\x07invalid\x00" + struct.pack("!HH", 16, 1)
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.settimeout(0.2)
            try:
                sock.sendto(probe, (self.host, self.port))
                return len(sock.recv(512)) >= 12
            except OSError:
                return False

    def reload(self):
        """A new configuration means a new dnsmasq: it does not re-read txt-record lines on SIGHUP."""
        self._run(self._relaunch)

    def _relaunch(self):
        previous = self.written
        self._write_config()
        if self.written != previous or self.process is None or self.process.poll() is not None:
            self._terminate()
            self._launch()

    def _terminate(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()

    def stop(self):
        self._run(self._terminate)
        shutil.rmtree(self.directory, ignore_errors=True)


def start_dns(host, port, world, choice="auto", log=None):
    """The DNS server of the world: dnsmasq where it is installed and starts (choice auto or dnsmasq), else the
    built-in responder (choice auto or builtin). Keeps dnsmasq in step with the world's TXT records.

    With port 0 a free port is picked; one that another process takes meanwhile (UDP and TCP must share the number)
    means picking again, a few times."""
    attempts = 1 if port else 5
    for attempt in range(attempts):
        try:
            return _start_dns(host, port, world, choice, log)
        except OSError as exc:
            if attempt == attempts - 1 or not _address_in_use(exc):
                raise
    raise AssertionError("not reached")


def _address_in_use(error):
    return error.errno == errno.EADDRINUSE or "Address already in use" in str(error)


def _start_dns(host, port, world, choice, log):
    executable = dnsmasq_path() if choice in ("auto", "dnsmasq") else None
    if choice == "dnsmasq" and executable is None:
        raise OSError("--dns-server dnsmasq: dnsmasq is not installed (apt-get install dnsmasq-base)")
    if executable is not None:
        server = Dnsmasq(host, port, world, executable)
        try:
            server.start()
        except OSError as exc:
            server.stop()
            if choice == "dnsmasq":
                raise
            if log:
                log("cfsim: dnsmasq could not start (%s); using the built-in DNS responder" % exc)
        else:
            world.listeners.append(server.reload)
            return server
    return Responder(host, port, world).start()
