"""The cfsim command: parse options, load state, serve until SIGINT or SIGTERM, save state, exit 0."""

import argparse
import re
import signal
import ssl
import sys
import threading

from . import __version__, addressspace, config as defaults, persist, registry_cli
from .app import App
from .clock import Clock
from .server import Server

ACCOUNT_ID = re.compile(r"[0-9a-f]{32}")
# How long a stop waits for the requests being served (a delay fault or the latency may hold one).
DRAIN_SECONDS = 30


class Output:
    """Flushed, thread-safe stdout lines; a reader that went away must not take the server down."""

    def __init__(self, stream):
        self._stream = stream
        self._lock = threading.Lock()
        self._broken = False

    def line(self, text):
        with self._lock:
            if self._broken:
                return
            try:
                self._stream.write(text + "\n")
                self._stream.flush()
            except (OSError, ValueError):
                self._broken = True


def _seconds(text):
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _latency_ms(text):
    try:
        return defaults.latency_ms(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def _rate_limit(text):
    try:
        return defaults.parse_rate_limit(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def _account_id(text):
    if not ACCOUNT_ID.fullmatch(text):
        raise argparse.ArgumentTypeError("must be 32 lowercase hex characters")
    return text


def parser():
    p = argparse.ArgumentParser(
        prog="cfsim", description="Serve a local simulator of the Cloudflare addressing (BYOIP) API at "
        "http://HOST:PORT/client/v4 and its control API at http://HOST:PORT/__sim.")
    p.add_argument("--version", action="version", version="cfsim " + __version__)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=int, default=8787, help="port; 0 picks a free one (default: %(default)s)")
    p.add_argument("--account-id", type=_account_id, default=defaults.DEFAULT_ACCOUNT_ID,
                   help="the one account the simulator holds (default: %(default)s)")
    p.add_argument("--api-token", default=defaults.DEFAULT_API_TOKEN, help="API token with write access "
                   "(default: %(default)s)")
    p.add_argument("--read-only-token", default=defaults.DEFAULT_READ_ONLY_TOKEN,
                   help="API token that may only read; writes get 403 (default: %(default)s)")
    p.add_argument("--api-email", default=defaults.DEFAULT_API_EMAIL, help="X-Auth-Email (default: %(default)s)")
    p.add_argument("--api-key", default=defaults.DEFAULT_API_KEY, help="X-Auth-Key, the global API key "
                   "(default: %(default)s)")
    p.add_argument("--user-service-key", default=defaults.DEFAULT_USER_SERVICE_KEY,
                   help="X-Auth-User-Service-Key (default: %(default)s)")
    p.add_argument("--validation-seconds", type=_seconds, default=defaults.DEFAULT_VALIDATION_SECONDS,
                   help="simulated seconds until prefix validation checks resolve (default: %(default)s)")
    p.add_argument("--provisioning-seconds", type=_seconds, default=defaults.DEFAULT_PROVISIONING_SECONDS,
                   help="simulated seconds until a service binding becomes active (default: %(default)s)")
    p.add_argument("--advertisement-hold-seconds", type=_seconds,
                   default=defaults.DEFAULT_ADVERTISEMENT_HOLD_SECONDS,
                   help="minimum simulated seconds between two advertisement toggles (default: %(default)s)")
    p.add_argument("--validation-outcome", choices=defaults.OUTCOMES,
                   help="how validation checks resolve unless set per CIDR (default: world when a registry world "
                   "is configured, else valid)")
    p.add_argument("--rate-limit", type=_rate_limit, default=defaults.DEFAULT_RATE_LIMIT, metavar="N/SECONDS",
                   help="requests per window per credential (default: 1200/300)")
    p.add_argument("--latency-ms", type=_latency_ms, default=defaults.DEFAULT_LATENCY_MS, metavar="MS",
                   help="milliseconds added to every API answer, as a network round trip would (default: 0)")
    p.add_argument("--state-file", help="JSON file to load the state from and save it to (default: none)")
    p.add_argument("--quiet", action="store_true", help="no per-request access log lines on stdout")
    registry_cli.add_arguments(p)
    p.add_argument("--openapi", metavar="FILE", help="conformance mode: check every API request and answer against "
                   "this OpenAPI definition (JSON) and report violations on GET /__sim/conformance and in the log; "
                   "needs the jsonschema package")
    p.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (chain); needs --tls-key")
    p.add_argument("--tls-key", help="the PEM private key of --tls-cert")
    return p


def tls_context(args):
    """The server's TLS context from --tls-cert/--tls-key, or None for plain HTTP; exits on a bad pair."""
    if not args.tls_cert:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(args.tls_cert, args.tls_key)
    except (OSError, ssl.SSLError) as exc:
        sys.exit("cfsim: cannot load the TLS certificate %s and key %s: %s" % (args.tls_cert, args.tls_key, exc))
    return context


def banner(app, args):
    c = app.config
    return [
        "cfsim: Cloudflare addressing API simulator serving at %s" % app.base_url,
        "cfsim: account id %s" % c.account_id,
        "cfsim: API token %s (read-only token %s)" % (c.api_token, c.read_only_token),
        "cfsim: X-Auth-Email %s with X-Auth-Key %s; X-Auth-User-Service-Key %s" % (c.api_email, c.api_key,
                                                                                   c.user_service_key),
        "cfsim: control API %s" % app.base_url.replace("/client/v4", "/__sim"),
        "cfsim: validation %gs (outcome %s), provisioning %gs, advertisement hold %gs, rate limit %d/%gs"
        % (c.validation_seconds, c.effective_outcome(), c.provisioning_seconds, c.advertisement_hold_seconds,
           c.rate_limit[0], c.rate_limit[1]),
        "cfsim: latency %gms added to every API answer" % c.latency_ms,
        "cfsim: state file %s" % (args.state_file or "none (state is lost at exit)"),
    ] + registry_cli.banner(app) + conformance_banner(app)


def conformance_banner(app):
    if app.conformance is None:
        return []
    definition = app.conformance.description
    return ["cfsim: conformance mode: checking against %s (sha256 %s)" % (definition["file"], definition["sha256"])]


def enable_conformance(app, path, notice):
    from .conformance import Conformance, DefinitionError  # pylint: disable=import-outside-toplevel
    try:
        app.conformance = Conformance(path, notice=notice)
    except DefinitionError as exc:
        sys.exit("cfsim: %s" % exc)


def main(argv=None):
    options = parser()
    args = options.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        options.error("--tls-cert and --tls-key go together")
    try:
        addressspace.load()
    except ImportError as exc:
        sys.exit("cfsim: %s" % exc)
    out = Output(sys.stdout)
    config = defaults.Config(
        account_id=args.account_id, api_token=args.api_token, read_only_token=args.read_only_token,
        api_email=args.api_email, api_key=args.api_key, user_service_key=args.user_service_key,
        validation_seconds=args.validation_seconds, provisioning_seconds=args.provisioning_seconds,
        advertisement_hold_seconds=args.advertisement_hold_seconds, validation_outcome=args.validation_outcome,
        rate_limit=args.rate_limit, latency_ms=args.latency_ms)
    app = App(config, Clock(), log=None if args.quiet else out.line)
    try:
        registry_cli.load_world(app, args)
    except (OSError, ValueError) as exc:
        sys.exit("cfsim: cannot load registry world %s: %s" % (args.registry_world, exc))
    if args.openapi:
        # Violations are printed even with --quiet: they are what this mode is for.
        enable_conformance(app, args.openapi, out.line)
    writer = None
    if args.state_file:
        try:
            document = persist.load(args.state_file)
            if document is not None:
                app.store.load(document)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            sys.exit("cfsim: cannot load state file %s: %s" % (args.state_file, exc))
        writer = persist.StateWriter(args.state_file, app.store.snapshot)
        app.store.on_change = writer.mark_dirty
    tls = tls_context(args)
    try:
        server = Server(args.host, args.port, app, tls=tls)
    except OSError as exc:
        sys.exit("cfsim: cannot listen on %s:%s: %s" % (args.host, args.port, exc))
    app.base_url = server.root_url + "/client/v4"
    try:
        registry_servers = registry_cli.start_servers(app, args, args.host, None if args.quiet else out.line)
    except OSError as exc:
        server.server_close()
        sys.exit("cfsim: cannot serve the registry world: %s" % exc)

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="cfsim-server",
                               daemon=True)
    serving.start()
    for line in banner(app, args):
        out.line(line)
    # Event.wait with a timeout keeps the main thread responsive to signals on every platform.
    while not stop.wait(0.5):
        pass
    app.faults.clear()  # requests that a delay fault holds go on, so that the drain need not wait for them
    if not server.drain(DRAIN_SECONDS):
        print("cfsim: requests still running after %gs; stopping anyway" % DRAIN_SECONDS, file=sys.stderr)
    server.server_close()
    for registry_server in registry_servers:
        registry_server.stop()
    if writer is not None:
        writer.close()
    out.line("cfsim: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
