"""Command-line options, start and banner of the routing registry world (kept apart from cli.py)."""

import argparse
import json

from . import dns, whois


def _port(text):
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be 0-65535 (0 picks a free port)")
    return value


def add_arguments(parser):
    group = parser.add_argument_group("routing registry world (IRR, RPKI, reverse DNS)")
    group.add_argument("--registry-world", metavar="FILE",
                       help="JSON file with route_objects, roas and txt_records; validation then resolves from the "
                       "world unless --validation-outcome says otherwise (default: an empty, unconfigured world)")
    group.add_argument("--whois-port", type=_port, metavar="PORT",
                       help="serve the world's route objects over whois (IRRd's RIPE-style queries) on PORT; 0 picks "
                       "a free one (default: not served)")
    group.add_argument("--dns-port", type=_port, metavar="PORT",
                       help="serve the world's TXT records over DNS (UDP and TCP) on PORT; 0 picks a free one "
                       "(default: not served)")
    group.add_argument("--publish-ownership-tokens", choices=("txt", "irr"),
                       help="publish each new prefix's ownership token in the world as soon as the prefix is added: "
                       "txt as cf-validation TXT records in every reverse zone, irr as a remark on its route objects "
                       "at an RIR's IRR (rehearsals, such as make demo; default: never)")
    group.add_argument("--dns-server", choices=("auto", "dnsmasq", "builtin"), default="auto",
                       help="DNS server: dnsmasq where installed (auto falls back to the built-in responder) "
                       "(default: %(default)s)")


def load_world(app, args):
    """Raises OSError or ValueError with a readable message."""
    app.store.publish_tokens = args.publish_ownership_tokens
    if args.registry_world:
        with open(args.registry_world, encoding="utf-8") as handle:
            document = json.load(handle)
        app.world.load_initial(document)


def start_servers(app, args, host, log):
    """Start the whois and DNS servers asked for; returns them (each has stop())."""
    servers = []
    if args.whois_port is not None:
        server = whois.WhoisServer(host, args.whois_port, app.world, log=log).start()
        servers.append(server)
        app.registry_urls["whois"] = {"host": host, "port": server.port}
    if args.dns_port is not None:
        try:
            server = dns.start_dns(host, args.dns_port, app.world, args.dns_server, log=log)
        except OSError:
            for started in servers:
                started.stop()
            raise
        servers.append(server)
        app.registry_urls["dns"] = {"host": host, "port": server.port, "server": server.kind}
    app.registry_urls["rpki_validator_url"] = app.base_url.replace("/client/v4", "")
    return servers


def banner(app):
    servers = app.registry_servers()
    lines = ["cfsim: RPKI validator (Routinator API) %s/api/v1/validity/<asn>/<prefix>"
             % servers["rpki_validator_url"]]
    if servers["whois"]:
        lines.append("cfsim: IRR whois %s port %d" % (servers["whois"]["host"], servers["whois"]["port"]))
    if servers["dns"]:
        lines.append("cfsim: reverse DNS %s port %d (%s)" % (servers["dns"]["host"], servers["dns"]["port"],
                                                             servers["dns"]["server"]))
    world = app.world.document()
    lines.append("cfsim: registry world %s (%d route objects, %d ROAs, %d TXT records)" % (
        "configured" if world["configured"] else "not configured", len(world["route_objects"]), len(world["roas"]),
        len(world["txt_records"])))
    if app.store.publish_tokens:
        lines.append("cfsim: new ownership tokens are published at once (%s)" % (
            "TXT records" if app.store.publish_tokens == "txt" else "route object remarks"))
    return lines
