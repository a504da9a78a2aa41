"""HTTP/1.1 with keep-alive on a threading server; bytes in and out, decisions delegated to App."""

import email.utils
import http.server
import socket
import ssl
import sys
import threading

from . import errors
from .app import Request

MAX_BODY_BYTES = 16 * 1024 * 1024
TLS_HANDSHAKE_SECONDS = 30


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The default backlog of 5 makes a burst of new connections wait for a 1 s SYN retransmit.
    request_queue_size = 128

    def __init__(self, host, port, app, tls=None):
        """tls: an ssl.SSLContext to serve HTTPS with (--tls-cert/--tls-key), or None for plain HTTP."""
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)
        self.app = app
        self.tls = tls
        shown = "[%s]" % host if ":" in host else host
        self.root_url = "%s://%s:%d" % ("https" if tls else "http", shown, self.server_address[1])
        self._in_flight = 0
        self._draining = False
        self._idle = threading.Condition()

    def admit(self):
        """Count a request in; False once draining (a keep-alive connection outlives serve_forever)."""
        with self._idle:
            if self._draining:
                return False
            self._in_flight += 1
            return True

    def finished(self):
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def drain(self, timeout):
        """Stop serving: no new connection, no new request; wait for the requests being served to be answered.

        Whatever was answered before drain returns is in the state that is saved afterwards, so a clean stop loses
        no acknowledged write. Returns False when requests were still running at the timeout.
        """
        self.shutdown()
        with self._idle:
            self._draining = True
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def handle_error(self, request, client_address):
        # A client that refuses cfsim's certificate hangs up during the handshake: its business, not a fault here.
        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError, socket.timeout)):
            return
        super().handle_error(request, client_address)


class BodyTooLarge(Exception):
    pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY a keep-alive client waits ~40 ms for each.
    disable_nagle_algorithm = True
    server_version = "cfsim"
    sys_version = ""

    def setup(self):
        if self.server.tls is not None:  # the handshake runs in this connection's thread, not the accept loop
            self.request.settimeout(TLS_HANDSHAKE_SECONDS)
            self.request = self.server.tls.wrap_socket(self.request, server_side=True)
            self.request.settimeout(None)
        super().setup()

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def do_PUT(self):
        self._serve()

    def do_PATCH(self):
        self._serve()

    def do_DELETE(self):
        self._serve()

    def do_OPTIONS(self):
        self._serve()

    def do_HEAD(self):
        self._serve(head=True)

    def version_string(self):
        return self.server_version

    def date_time_string(self, timestamp=None):
        """The Date header tells the simulated time, the clock every timestamp of the API follows."""
        when = self.server.app.clock.now() if timestamp is None else timestamp
        return email.utils.formatdate(when, usegmt=True)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """The app writes its own access log; keep BaseHTTPRequestHandler quiet on stderr."""

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    raise BodyTooLarge()
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise BodyTooLarge()
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self, head=False):
        if not self.server.admit():
            self.close_connection = True
            error = errors.ApiError(503, errors.SHUTTING_DOWN, "cfsim is shutting down; the request was not served")
            self._send(503, errors.dumps(error.envelope()), "application/json", {"Connection": "close"}, head)
            return
        try:
            self._answer(head)
        finally:
            self.server.finished()

    def _answer(self, head):
        try:
            body = self._read_body()
        except (BodyTooLarge, ValueError):
            # The rest of the body is unread, so this connection cannot carry another request.
            self.close_connection = True
            error = errors.ApiError(413, errors.BODY_TOO_LARGE, "Request body is too large or unreadable")
            self._send(413, errors.dumps(error.envelope()), "application/json", {"Connection": "close"})
            return
        request = Request(self.command, self.path, self.headers, body, self.client_address[0])
        response = self.server.app.handle(request)
        if response.drop:
            # The work is done; the client never hears about it (as when a connection breaks mid-answer).
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(response.status, response.body, response.content_type, response.headers, head)

    def _send(self, status, body, content_type, headers, head=False):
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
