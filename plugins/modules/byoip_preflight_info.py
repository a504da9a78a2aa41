#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: byoip_preflight_info
short_description: Check IRR route objects, RPKI ROAs and the ownership token of BYOIP prefixes before Cloudflare does
version_added: 0.2.0
description:
  - Cloudflare validates a new BYOIP prefix asynchronously, in three checks, and a failure shows hours later as
    C(missing), C(invalid) or C(mismatch_asn). This module runs the same three checks from the host it runs on,
    against the public data they read, so that problems are found and fixed before the prefix is added or before
    waiting for validation.
  - V(irr) looks for a C(route) or C(route6) object for exactly the prefix, with C(origin) set to the onboarding
    ASN, at an IRR run by a Regional Internet Registry (O(irr_sources)). It asks the whois servers in
    O(whois_servers) with a RIPE-style query (C(-r -T route -x <prefix>)), which IRRd and the RIPE database
    software both answer.
  - V(rpki) asks a Routinator-compatible validator (O(rpki_validator_url)) whether a ROA authorises the onboarding
    ASN for the prefix.
  - V(ownership) looks for the ownership token, as C(cf-validation:<token>) in the C(descr) or C(remarks) of the
    route object, or as a C(cf-validation) TXT record in every reverse DNS zone of the prefix (zones split on
    octet or nibble boundaries, as M(cloudflare.addressing.byoip_prefix) and the C(reverse_zones) filter name
    them). A prefix has no token until it is added to the account, so before that only V(irr) and V(rpki) run.
  - Each check of each prefix ends V(ok), V(problem) with the evidence and the exact fix (the route object to
    register, the ROA to create, the TXT records to publish), or V(unknown) with the reason when a source did not
    answer in time. A source that cannot be reached never produces a V(problem). The ownership check of a prefix
    without a token is V(skipped).
  - The module only reads. With O(account_id) (or E(CLOUDFLARE_ACCOUNT_ID)) set, it reads the account's prefixes
    once, for the ownership tokens and ASNs of the prefixes that exist; without it, it sends nothing to Cloudflare.
author:
  - cloudflare.addressing maintainers (@cloudflare-addressing)
extends_documentation_fragment:
  - cloudflare.addressing.api
  - cloudflare.addressing.attributes.INFO_MODULE
  - cloudflare.addressing.attributes.ACTIONGROUP_BYOIP
options:
  prefixes:
    description:
      - The prefixes to check, each with its onboarding ASN.
    type: list
    elements: dict
    required: true
    suboptions:
      cidr:
        description:
          - The prefix, for example C(203.0.113.0/24) or C(2001:db8::/48); IPv4 at most a /24, IPv6 at most a /48.
        type: str
        required: true
      asn:
        description:
          - The AS number the prefix is (or will be) onboarded with, for example C(13335).
          - May be left out for a prefix that exists in the account; its ASN is used then.
        type: int
      ownership_token:
        description:
          - The prefix's C(ownership_validation_token). When not set, the token of the prefix in the account is
            used if the prefix exists and O(account_id) is set; otherwise the ownership check is not run.
        type: str
  checks:
    description:
      - The checks to run.
    type: list
    elements: str
    choices: [irr, rpki, ownership]
    default: [irr, rpki, ownership]
  ownership_methods:
    description:
      - Where to look for the ownership token. Cloudflare accepts either.
      - V(irr_remark) reads the route objects (one whois query per prefix and server, shared with the V(irr)
        check). V(reverse_dns) asks DNS for C(cf-validation.<zone>) TXT records, one query per reverse zone; it
        needs the Python library C(dnspython) on the host that runs the module.
    type: list
    elements: str
    choices: [irr_remark, reverse_dns]
    default: [irr_remark, reverse_dns]
  whois_servers:
    description:
      - Whois servers to ask for route objects, as C(host), C(host:port) or C([IPv6 address]:port) (port 43 by
        default). The objects of all servers are merged; a server that does not answer makes the IRR check
        V(unknown) unless another server's objects already prove it V(ok).
      - The default, C(rr.ntt.net), is the IRRd mirror Cloudflare's IRR guide uses to verify route objects; it
        mirrors the five RIR IRRs and adds the RPKI-generated objects. C(whois.radb.net) is another such mirror.
        The RIRs' own servers (C(whois.ripe.net), C(whois.apnic.net), C(whois.afrinic.net), C(rr.arin.net),
        C(irr.lacnic.net)) answer for their own region only.
    type: list
    elements: str
    default: [rr.ntt.net]
  irr_sources:
    description:
      - The IRR sources whose route objects count. Objects of other sources are reported as evidence but do not
        pass the check.
      - The default is the IRRs of the five Regional Internet Registries. Cloudflare requires the prefix to be
        registered at one of them and checks the route object there; IRR mirrors such as RADB or NTTCOM accept
        objects from anyone, and objects of source C(RPKI) are generated from ROAs, so none of those prove
        anything Cloudflare counts.
    type: list
    elements: str
    default: [AFRINIC, APNIC, ARIN, LACNIC, RIPE]
  rpki_validator_url:
    description:
      - Base URL of a Routinator-compatible RPKI validator; the module asks
        C(<url>/api/v1/validity/AS<asn>/<prefix>).
      - The default is the public Routinator instance of the RIPE NCC, the second source Cloudflare's get-started
        guide names. Run your own Routinator for heavy use.
    type: str
    default: https://rpki-validator.ripe.net
  dns_servers:
    description:
      - IP addresses of the DNS resolvers to ask for the TXT records, in order. By default the resolvers of the
        host that runs the module (C(/etc/resolv.conf)).
    type: list
    elements: str
    default: []
  dns_port:
    description:
      - Port of the O(dns_servers).
    type: int
    default: 53
  source_timeout:
    description:
      - Seconds that each query to a whois server, the validator or a DNS resolver may take, connection included.
      - A source that times out, refuses or cannot be reached is not asked again in the same run; the checks that
        need it are V(unknown).
    type: float
    default: 10
  account_id:
    description:
      - Identifier (32 hexadecimal characters) of the Cloudflare account, to read the ownership tokens and ASNs of
        the prefixes that exist in it (one request).
      - If not set, the value of the E(CLOUDFLARE_ACCOUNT_ID) environment variable is used. When neither is set,
        the module sends nothing to Cloudflare and needs no credentials.
    type: str
    required: false
requirements:
  - requests (for the RPKI validator and the Cloudflare API)
  - dnspython (only for O(ownership_methods=reverse_dns) on prefixes with a token)
notes:
  - Cloudflare does not publish how its checks decide. This module models them on Cloudflare's documentation, and
    the states it predicts are a forecast. In particular a prefix that no ROA covers (RPKI "not found") is
    expected to be reported as C(rpki_validation_state=invalid), since Cloudflare requires a ROA.
  - The whois servers, the validator and the resolvers see which prefixes you check.
seealso:
  - module: cloudflare.addressing.byoip_prefix
  - name: Cloudflare BYOIP get started
    description: The prerequisites these checks model.
    link: https://developers.cloudflare.com/byoip/get-started/
  - name: IRRd whois queries
    description: The query styles and answers of IRRd, which most IRR mirrors run.
    link: https://irrd.readthedocs.io/en/stable/users/queries/whois/
  - name: Routinator validity checker
    description: The validity API this module reads.
    link: https://routinator.docs.nlnetlabs.nl/en/stable/api-endpoints.html
"""

EXAMPLES = r"""
- name: Check two prefixes before adding them (no Cloudflare credentials needed)
  cloudflare.addressing.byoip_preflight_info:
    prefixes:
      - cidr: 203.0.112.0/23
        asn: 13335
      - cidr: 2001:db8::/46
        asn: 13335
    checks: [irr, rpki]
  register: preflight

- name: Stop when a check found a problem, and say how to fix it
  ansible.builtin.fail:
    msg: "{{ preflight.problems | map(attribute='message') | list }}"
  when: preflight.problems | length > 0

- name: Check prefixes of the account, with their ownership tokens, against your own sources
  cloudflare.addressing.byoip_preflight_info:
    account_id: "{{ cloudflare_account_id }}"
    api_token: "{{ cloudflare_api_token }}"
    prefixes:
      - cidr: 203.0.113.0/24
    whois_servers: [whois.radb.net, whois.ripe.net]
    rpki_validator_url: http://routinator.example.net:8323
    dns_servers: [192.0.2.53]
    source_timeout: 5
  register: preflight

- name: Print the fixes
  ansible.builtin.debug:
    msg: "{{ preflight.problems | map(attribute='fix.text') | list }}"
"""

RETURN = r"""
status:
  description: The worst status of all checks, V(problem) before V(unknown) before V(ok).
  returned: always
  type: str
  sample: problem
problems:
  description:
    - Every check that found a problem, over all prefixes. Empty when none did, so a role decides with
      C(preflight.problems | length > 0).
  returned: always
  type: list
  elements: dict
  contains:
    cidr:
      description: The prefix.
      type: str
      sample: 203.0.113.0/24
    check:
      description: V(irr), V(rpki) or V(ownership).
      type: str
      sample: rpki
    reason:
      description:
        - Why. V(irr) V(missing) or V(mismatch_asn); V(rpki) V(not_found), V(as) or V(length); V(ownership)
          V(missing) or V(invalid).
      type: str
      sample: not_found
    message:
      description: What was found, in the words the onboarding role also uses after a failed validation.
      type: str
      sample: "RPKI: no ROA covers 203.0.113.0/24."
    predicted_state:
      description: The state Cloudflare is expected to report for this check.
      type: str
      sample: invalid
    fix:
      description: The fix, see RV(prefixes[].checks.irr.fix).
      type: dict
      sample: {"kind": "roa", "prefix": "203.0.113.0/24", "max_length": 24, "asn": 13335,
               "text": "Create a ROA at your RIR: prefix 203.0.113.0/24, max length 24, origin AS13335."}
unknown:
  description: Every check that could not be decided, over all prefixes, with the same keys as RV(problems).
  returned: always
  type: list
  elements: dict
  sample: [{"cidr": "203.0.113.0/24", "check": "irr", "reason": "timeout", "predicted_state": null, "fix": null,
            "message": "IRR: unknown, rr.ntt.net port 43 did not finish its answer within 10 s."}]
prefixes:
  description: One entry per prefix of O(prefixes), in the same order.
  returned: always
  type: list
  elements: dict
  contains:
    cidr:
      description: The prefix, in canonical spelling.
      type: str
      sample: 203.0.113.0/24
    asn:
      description: The onboarding ASN the checks used.
      type: int
      sample: 13335
    prefix_id:
      description: Identifier of the prefix in the account, V(null) when it does not exist there or was not read.
      type: str
      sample: 72823e95d6c64d48a8111fec81179816
    ownership_token:
      description: The token the ownership check looked for, V(null) when there is none yet.
      type: str
      sample: 1234a5b6-1234-1abc-12a3-1234a5b6789c
    token_source:
      description: V(option), V(account) or V(null).
      type: str
      sample: account
    status:
      description: The worst status of the prefix's checks (V(problem), V(unknown) or V(ok); a skipped check
        counts as V(ok)).
      type: str
      sample: ok
    messages:
      description: The sentences of the checks that are not V(ok), problems first, each starting with the prefix.
      type: list
      elements: str
      sample: ["203.0.113.0/24 ownership: no TXT at cf-validation.113.0.203.in-addr.arpa; no route object's descr
               or remarks has cf-validation: 1234a5b6-1234-1abc-12a3-1234a5b6789c."]
    checks:
      description: One result per check that ran, keyed V(irr), V(rpki) and V(ownership).
      type: dict
      contains:
        irr:
          description: The IRR check. The other checks have the same keys.
          type: dict
          contains:
            status:
              description: V(ok), V(problem) or V(unknown); V(skipped) for the ownership check of a prefix that has
                no token yet.
              type: str
              sample: problem
            reason:
              description: Why the check is not V(ok); for V(unknown) V(unreachable), V(timeout), V(refused),
                V(error) or V(no_token).
              type: str
              sample: mismatch_asn
            message:
              description: One sentence saying what was found.
              type: str
              sample: "IRR: RADB has a route object with origin AS64500; the prefix was added with ASN 13335."
            predicted_state:
              description: The state Cloudflare is expected to report, V(null) when unknown.
              type: str
              sample: mismatch_asn
            evidence:
              description:
                - What the sources said. V(irr) has C(objects) (each with C(class), C(prefix), C(origin), C(source),
                  C(descr), C(remarks), C(mnt_by) and C(counted)) and C(counted_sources); V(rpki) has the
                  validator's C(state), C(reason) and C(vrps) (C(matched), C(unmatched_as), C(unmatched_length),
                  each a list of C(prefix), C(max_length) and C(asn)); V(ownership) has C(token),
                  C(route_objects) (the tokens found in each counted object) and C(txt) (the TXT strings found
                  per record name).
              type: dict
            fix:
              description:
                - The fix of a problem, V(null) otherwise. C(kind) V(route_object) has C(rpsl) (the object to
                  register, with a C(remarks:cf-validation) line when the token is known), C(object_class),
                  C(prefix), C(origin), C(source). C(kind) V(roa) has C(prefix), C(max_length) and C(asn).
                  C(kind) V(ownership) has C(txt_records) (C(name), C(type), C(value)) and C(irr_remark). Every
                  fix has C(text), ready to print.
              type: dict
"""

import threading
from concurrent.futures import ThreadPoolExecutor

try:
    import requests
except ImportError:  # AddressingModule fails with missing_required_lib("requests") first
    pass

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.cloudflare.addressing.plugins.module_utils._address_space import unannounceable_reason
from ansible_collections.cloudflare.addressing.plugins.module_utils._api import default_user_agent
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    AddressingModule,
    InputError,
    check_asn,
    check_onboardable,
    list_prefixes,
    non_empty_env_fallback,
    parse_network,
    same_network,
)
from ansible_collections.cloudflare.addressing.plugins.module_utils import _preflight, _preflight_sources, _whois
from ansible_collections.cloudflare.addressing.plugins.module_utils._reverse_dns import (
    reverse_zones,
    validation_record_name,
)
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION

# Sources are asked in parallel, a few at a time: enough to check hundreds of prefixes quickly, few enough to be
# polite to public whois servers.
WORKERS = 4


class PreflightModule(AddressingModule):
    """Cloudflare is only asked when account_id is set; then its credentials are checked as in every module."""

    account_required = False

    def _choose_credentials(self):
        if self.params["account_id"]:
            return super(PreflightModule, self)._choose_credentials()
        return None


def check_input(params):
    """Every input problem at once, before any query: (networks, whois servers)."""
    problems, networks = [], []
    for index, item in enumerate(params["prefixes"]):
        where = "prefixes[%d]" % index
        try:
            network = check_onboardable(parse_network(item["cidr"], "%s.cidr" % where), "%s.cidr" % where)
            reason = unannounceable_reason(network)
            if reason:
                raise InputError("%s.cidr %s %s; it can never be a BYOIP prefix." % (where, network, reason))
            networks.append(network)
            check_asn(item.get("asn"), "%s.asn" % where)
        except InputError as error:
            problems.append(str(error))
        if item.get("asn") is None and not params["account_id"]:
            problems.append("%s.asn is required when account_id is not set (the ASN of a prefix is read from the "
                            "account only when it exists there)." % where)
    duplicates = sorted(set(str(n) for n in networks if networks.count(n) > 1))
    if duplicates:
        problems.append("prefixes lists %s more than once." % ", ".join(duplicates))
    asks_whois = "irr" in params["checks"] or "ownership" in params["checks"]
    problems.extend(_preflight.source_problems(dict(params, whois_servers=params["whois_servers"] if asks_whois
                                                    else [])))
    if not params["whois_servers"] and "irr" in params["checks"]:
        problems.append("whois_servers is empty, so the irr check has nobody to ask.")
    if problems:
        raise InputError(" ".join(problems))
    return networks, [_whois.parse_server(text) for text in params["whois_servers"]] if asks_whois else []


class Sources:
    """The pre-flight sources, each asked at most once per question; one that fails is not asked again."""

    def __init__(self, params, servers):
        self.params = params
        self.servers = servers
        self.timeout = params["source_timeout"]
        self.failed = {}
        self.lock = threading.Lock()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = default_user_agent(ANSIBLE_VERSION)
        self.nameservers = None

    def _ask(self, source, call):
        """Run call() unless the source already failed in this run; failures are remembered."""
        with self.lock:
            failure = self.failed.get(source)
        if failure is not None:
            raise _preflight_sources.SourceUnavailable(failure.reason, "%s (not asked again in this run)"
                                                       % failure.detail)
        try:
            return call()
        except _preflight_sources.SourceUnavailable as error:
            if error.reason in ("unreachable", "timeout", "refused"):
                with self.lock:
                    self.failed.setdefault(source, error)
            raise

    def route_objects(self, network):
        """The exact route objects of all servers, or {"reason", "detail"} when a server gave no answer."""
        found, failures = [], []
        query = _whois.route_query(network)
        for host, port in self.servers:
            server = "%s port %d" % (host, port)
            try:
                text = self._ask(server, lambda: _whois.ask(host, port, query, self.timeout))
                _whois.check_answer(text, server)
            except _preflight_sources.SourceUnavailable as error:
                failures.append(error)
                continue
            found.append(_preflight.route_objects(_whois.parse_rpsl(text), network))
        objects = _preflight.merge_objects(*found)
        return objects, failures

    def validity(self, network, asn):
        url = self.params["rpki_validator_url"]
        timeout = self.timeout
        return self._ask(url, lambda: _preflight_sources.fetch_validity(self.session, url, asn, network, timeout))

    def txt(self, name):
        if self.nameservers is None:
            self.nameservers = self.params["dns_servers"] or _preflight_sources.system_nameservers()
        key = "DNS %s port %d" % (", ".join(self.nameservers), self.params["dns_port"])
        return self._ask(key, lambda: _preflight_sources.txt_values(name, self.nameservers,
                                                                    self.params["dns_port"], self.timeout))


def unavailable(error):
    return {"reason": error.reason, "detail": error.detail}


def irr_result(network, asn, objects, failures, params, token, added):
    decided = _preflight.irr_check(network, asn, objects, params["irr_sources"], token, added)
    if decided["status"] == "ok" or not failures:
        return decided
    # Another server may hold the object that was not seen: never report a problem on partial evidence.
    return _preflight.unknown("irr", failures[0].reason, "; ".join(error.detail for error in failures),
                              evidence=decided["evidence"])


def rpki_result(sources, network, asn):
    try:
        validity = sources.validity(network, asn)
    except _preflight_sources.SourceUnavailable as error:
        return _preflight.unknown("rpki", error.reason, error.detail)
    return _preflight.rpki_check(network, asn, validity)


def ownership_result(sources, network, token, objects, failures, params):
    methods = params["ownership_methods"]
    txt = None
    if "reverse_dns" in methods:
        txt = {}
        for zone in reverse_zones(network):
            try:
                txt[zone] = sources.txt(validation_record_name(zone))
            except _preflight_sources.SourceUnavailable as error:
                txt[zone] = unavailable(error)
    remark_objects = objects if "irr_remark" in methods else None
    decided = _preflight.ownership_check(network, token, remark_objects, txt, params["irr_sources"])
    if decided["status"] != "ok" and failures and remark_objects is not None:
        # A server that did not answer may hold the remark: decide as if no route object was read.
        decided = _preflight.ownership_check(network, token, unavailable(failures[0]), txt, params["irr_sources"])
    return decided


def check_prefix(sources, params, entry):
    network, asn, token = entry["network"], entry["asn"], entry["ownership_token"]
    wanted = params["checks"]
    checks = {}
    needs_objects = "irr" in wanted or ("ownership" in wanted and token and "irr_remark" in params["ownership_methods"])
    objects, failures = sources.route_objects(network) if needs_objects else ([], [])
    if "irr" in wanted:
        checks["irr"] = irr_result(network, asn, objects, failures, params, token, entry["prefix_id"] is not None)
    if "rpki" in wanted:
        checks["rpki"] = rpki_result(sources, network, asn)
    if "ownership" in wanted:
        checks["ownership"] = (ownership_result(sources, network, token, objects, failures, params) if token
                               else _preflight.no_token())
    report = {"cidr": str(network), "asn": asn, "prefix_id": entry["prefix_id"], "ownership_token": token,
              "token_source": entry["token_source"], "checks": checks,
              "status": _preflight.overall_status(checks)}
    report["messages"] = _preflight.diagnosis_lines(report)
    return report


def plan(module, networks):
    """Pair each prefix with its ASN and token, from the options or from the account (one request)."""
    account = []
    if module.params["account_id"]:
        account = list_prefixes(module.client)
    entries, problems = [], []
    for index, (item, network) in enumerate(zip(module.params["prefixes"], networks)):
        existing = next((prefix for prefix in account if same_network(prefix.get("cidr"), str(network))), None)
        asn = item.get("asn") if item.get("asn") is not None else (existing or {}).get("asn")
        if asn is None:
            problems.append("prefixes[%d].asn is required: %s does not exist in account %s." % (
                index, network, module.params["account_id"]))
        token, token_source = item.get("ownership_token"), "option"
        if not token:
            token = (existing or {}).get("ownership_validation_token") or None
            token_source = "account" if token else None
        entries.append({"network": network, "asn": asn, "ownership_token": token, "token_source": token_source,
                        "prefix_id": (existing or {}).get("id")})
    if problems:
        module.fail_json(msg=" ".join(problems))
    return entries


def needs_dnspython(params, entries):
    return ("ownership" in params["checks"] and "reverse_dns" in params["ownership_methods"]
            and any(entry["ownership_token"] for entry in entries))


def main():
    spec = dict(
        prefixes=dict(type="list", elements="dict", required=True, options=dict(
            cidr=dict(type="str", required=True),
            asn=dict(type="int"),
            ownership_token=dict(type="str", no_log=False),
        )),
        checks=dict(type="list", elements="str", choices=list(_preflight.CHECKS), default=list(_preflight.CHECKS)),
        ownership_methods=dict(type="list", elements="str", choices=["irr_remark", "reverse_dns"],
                               default=["irr_remark", "reverse_dns"]),
        whois_servers=dict(type="list", elements="str", default=["rr.ntt.net"]),
        irr_sources=dict(type="list", elements="str", default=list(_preflight.RIR_IRR_SOURCES)),
        rpki_validator_url=dict(type="str", default="https://rpki-validator.ripe.net"),
        dns_servers=dict(type="list", elements="str", default=[]),
        dns_port=dict(type="int", default=53),
        source_timeout=dict(type="float", default=10.0),
        account_id=dict(type="str", fallback=(non_empty_env_fallback, ["CLOUDFLARE_ACCOUNT_ID"])),
    )
    module = PreflightModule(argument_spec=spec)
    module.params["irr_sources"] = [source.strip().upper() for source in module.params["irr_sources"]]
    networks, servers = module.input_check(check_input, module.params)

    def run():
        entries = plan(module, networks)
        if needs_dnspython(module.params, entries) and not _preflight_sources.HAS_DNSPYTHON:
            module.fail_json(msg=missing_required_lib("dnspython", reason="to look for the ownership token in "
                                                      "reverse DNS (or set ownership_methods to [irr_remark])"),
                             exception=_preflight_sources.DNSPYTHON_IMPORT_ERROR)
        sources = Sources(module.params, servers)
        with ThreadPoolExecutor(max_workers=min(WORKERS, len(entries)) or 1) as pool:
            prefixes = list(pool.map(lambda entry: check_prefix(sources, module.params, entry), entries))
        module.exit_json(changed=False, prefixes=prefixes, status=_preflight.overall_status(
            dict(enumerate(prefixes))), problems=_preflight.summary(prefixes, "problem"),
            unknown=_preflight.summary(prefixes, "unknown"))

    module.run(run)


if __name__ == "__main__":
    main()
