# -*- coding: utf-8 -*-
# Copyright: contributors to cloudflare.addressing
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module of the collection shares: the connection options, input checks, lookups and failures.

For internal collection use only: this is not a public interface and may change without notice.
"""

import copy
import ipaddress
import os
import re
import traceback
from urllib.parse import urlparse

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.errors import AnsibleFallbackNotFound
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION

from ansible_collections.cloudflare.addressing.plugins.module_utils._address_space import unannounceable_reason
from ansible_collections.cloudflare.addressing.plugins.module_utils._api import (
    DEFAULT_BASE_URL,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
    HAS_REQUESTS,
    NO_ANSWER,
    REFUSED,
    TLS_FAILED,
    UNREACHABLE,
    REQUESTS_IMPORT_ERROR,
    CloudflareAPIError,
    CloudflareClient,
    default_user_agent,
)

IDENTIFIER = re.compile(r"^[0-9a-f]{32}$")
# Cloudflare onboards nothing smaller than a /24 (IPv4) or a /48 (IPv6); BGP prefixes share the limit.
MAX_PREFIX_LENGTH = {4: 24, 6: 48}
MAX_ASN = 4294967295
# Validation states that mean a check ran and failed (Cloudflare documents this list as open-ended).
FAILED_VALIDATION_STATES = frozenset(("invalid", "missing", "mismatch_asn"))
VALIDATION_CHECKS = ("irr_validation_state", "rpki_validation_state", "ownership_validation_state")
# Messages quote at most this many characters of a value the user gave (a 10,000-character CIDR is not echoed).
SHOWN_LIMIT = 100


def shown(value, limit=SHOWN_LIMIT, quoted=True):
    """A value the user gave, for a message: quoted (repr), cut after limit characters with its full length.

    A string is quoted as a string; any other value (a list where one CIDR belongs, None) as Python writes it.
    """
    if not isinstance(value, str):
        value, quoted = repr(value), False
    quote = repr if quoted else str
    if len(value) <= limit:
        return quote(value)
    return "%s... (%d characters)" % (quote(value[:limit]), len(value))


def shorten_echoes(message, values, limit=SHOWN_LIMIT):
    """message with every long value in it, and any other overlong word, cut as shown() cuts them.

    Catches what other code echoes whole, such as ansible-core's own argument checks ("value of state must be one
    of: present, absent, got: ...").
    """
    for value in values:
        if len(value) > limit and value in message:
            message = message.replace(value, shown(value, limit, quoted=False))
    return re.sub(r"\S{%d,}" % (2 * limit + 1), lambda word: shown(word.group(0), limit, quoted=False), message)


def non_empty_env_fallback(*names):
    """The first of the environment variables that is set and not empty, like env_fallback otherwise.

    AWX renders every injector of a credential type, so an optional field left blank arrives as an empty variable
    (CLOUDFLARE_API_KEY="" next to a token). Taken as a value, an empty CLOUDFLARE_BASE_URL would replace the
    default API URL and an empty CLOUDFLARE_ACCOUNT_ID would read as a malformed id instead of a missing one.
    """
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


def api_argument_spec():
    """Connection options shared by every module (documented in the cloudflare.addressing.api doc fragment)."""
    return dict(
        api_token=dict(type="str", no_log=True, fallback=(non_empty_env_fallback, ["CLOUDFLARE_API_TOKEN"])),
        api_email=dict(type="str", fallback=(non_empty_env_fallback, ["CLOUDFLARE_EMAIL"])),
        api_key=dict(type="str", no_log=True, fallback=(non_empty_env_fallback, ["CLOUDFLARE_API_KEY"])),
        # Required, but checked in AddressingModule to name the environment variable and the playbooks' variable.
        account_id=dict(type="str", fallback=(non_empty_env_fallback, ["CLOUDFLARE_ACCOUNT_ID"])),
        base_url=dict(type="str", default=DEFAULT_BASE_URL, fallback=(non_empty_env_fallback, ["CLOUDFLARE_BASE_URL"])),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        request_timeout=dict(type="float", default=DEFAULT_REQUEST_TIMEOUT),
        connect_timeout=dict(type="float", default=DEFAULT_CONNECT_TIMEOUT),
        retries=dict(type="int", default=10),
        retry_max_wait=dict(type="float", default=120.0),
    )


CREDENTIAL_OPTIONS = ("api_token", "api_email", "api_key")
CREDENTIAL_VARIABLES = dict(api_token="CLOUDFLARE_API_TOKEN", api_email="CLOUDFLARE_EMAIL", api_key="CLOUDFLARE_API_KEY")
MISSING_ACCOUNT_ID = ("No Cloudflare account id: set account_id, or the CLOUDFLARE_ACCOUNT_ID environment variable "
                      "(the collection's playbooks take cloudflare_account_id from the vars file).")

# Child resources (delegations, bindings, BGP prefixes) name their parent prefix by CIDR or by id.
PARENT_PREFIX_SPEC = dict(
    prefix_cidr=dict(type="str"),
    prefix_id=dict(type="str"),
    parent_planned=dict(type="bool", default=False),
)
PARENT_MUTUALLY_EXCLUSIVE = [("prefix_cidr", "prefix_id")]
PARENT_REQUIRED_ONE_OF = [("prefix_cidr", "prefix_id")]


class InputError(ValueError):
    """Bad module input, found before any API call."""


class AddressingModule(AnsibleModule):
    """AnsibleModule with the connection options, input checks that need no API, and a lazily built client."""

    # A module that can work without Cloudflare (the pre-flight check) sets this to False.
    account_required = True

    def __init__(self, argument_spec, mutually_exclusive=None, required_together=None, required_one_of=None,
                 **kwargs):
        spec = api_argument_spec()
        spec.update(argument_spec)
        self._explicit_credentials = set()
        super(AddressingModule, self).__init__(
            argument_spec=spec,
            mutually_exclusive=mutually_exclusive,
            required_together=required_together,
            required_one_of=required_one_of,
            supports_check_mode=True,
            **kwargs
        )
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self._client = None
        problems = [self._choose_credentials()] + connection_problems(self.params, self.account_required)
        if any(problems):  # every problem of the connection options at once
            self.fail_json(msg=" ".join(problem for problem in problems if problem))

    def _load_params(self):
        # Remember which credentials the task set itself, before the environment fallbacks fill in the others:
        # a task's own api_token must win over a CLOUDFLARE_API_KEY that an AWX credential put in the environment.
        super(AddressingModule, self)._load_params()
        # The options as the task gave them: an option set to null is told apart from one left out.
        self.raw_params = copy.deepcopy(dict((name, value) for name, value in self.params.items()
                                             if not str(name).startswith("_ansible_")))
        self._explicit_credentials = set(name for name in CREDENTIAL_OPTIONS if self.params.get(name) is not None)
        # Long values as given, to cut them from any message that echoes them (secrets are masked, never cut).
        secret = set(name for name, spec in self.argument_spec.items() if spec.get("no_log"))
        self._long_inputs = [text for name, value in self.params.items()
                             if name not in secret and not name.startswith("_ansible_")
                             for text in _strings(value) if len(text) > SHOWN_LIMIT]

    def fail_json(self, msg, **kwargs):  # pylint: disable=arguments-differ
        self._warn_if_paced()
        super(AddressingModule, self).fail_json(msg=shorten_echoes(str(msg), getattr(self, "_long_inputs", [])),
                                                **kwargs)

    def exit_json(self, **kwargs):
        self._warn_if_paced()
        super(AddressingModule, self).exit_json(**kwargs)

    def warn(self, warning, *args, **kwargs):  # pylint: disable=arguments-differ
        super(AddressingModule, self).warn(shorten_echoes(str(warning), getattr(self, "_long_inputs", [])),
                                           *args, **kwargs)

    def _warn_if_paced(self):
        pacer = self._client.pacer if getattr(self, "_client", None) is not None else None
        if pacer is not None and pacer.paced_seconds >= 1:
            self.warn("Waited %.0f s before %d request(s) to stay within Cloudflare's rate limit (1200 requests per "
                      "5 minutes per user, shared with every other client of this user)."
                      % (pacer.paced_seconds, pacer.paced_requests))

    def _choose_credentials(self):
        """Use the task's own credentials if it has any, else the environment's; token before Global API key.

        Returns what is wrong with them, or None.
        """
        params = self.params
        explicit = self._explicit_credentials
        for name in CREDENTIAL_OPTIONS:
            # An empty value (a blank variable) would send no credential at all; say so before any request.
            if name in explicit and not str(params[name]).strip():
                return ("%s is set but empty. Give it a value, or leave it unset to use the %s environment variable."
                        % (name, CREDENTIAL_VARIABLES[name]))
        if "api_token" in explicit and explicit & {"api_email", "api_key"}:
            return "Set either api_token, or api_email together with api_key, not both."
        if explicit:
            use_token = "api_token" in explicit
        else:
            use_token = bool(params["api_token"])
        if use_token:
            params["api_email"] = params["api_key"] = None
            return None
        params["api_token"] = None
        if not params["api_email"] or not params["api_key"]:
            missing = "api_key (or CLOUDFLARE_API_KEY)" if params["api_email"] else (
                "api_email (or CLOUDFLARE_EMAIL)" if params["api_key"] else
                "api_token (or the CLOUDFLARE_API_TOKEN environment variable; the collection's playbooks take "
                "cloudflare_api_token from the vars file), or api_email with api_key (or CLOUDFLARE_EMAIL with "
                "CLOUDFLARE_API_KEY)")
            return "No usable Cloudflare credentials: set %s." % missing
        return None

    @property
    def client(self):
        if self._client is None:
            params = self.params
            self._client = CloudflareClient(
                base_url=params["base_url"],
                account_id=params["account_id"],
                api_token=params["api_token"],
                api_email=params["api_email"],
                api_key=params["api_key"],
                timeout=params["request_timeout"],
                connect_timeout=params["connect_timeout"],
                retries=params["retries"],
                retry_max_wait=params["retry_max_wait"],
                validate_certs=params["validate_certs"],
                ca_path=params["ca_path"],
                user_agent=default_user_agent(ANSIBLE_VERSION),
            )
        return self._client

    def input_check(self, check, *args):
        """Run an input check; bad input fails the module with the check's message and sends no request."""
        try:
            return check(*args)
        except InputError as error:
            self.fail_json(msg=str(error))

    def describe_api_failure(self, error, action):
        """A sentence a user can act on: what we tried, what Cloudflare said, what to do next."""
        message = "Could not %s. %s" % (action, error.describe())
        hint = next_step_hint(error, self.params["account_id"], uses_token=bool(self.params["api_token"]))
        if hint:
            message += " " + hint
        return message

    def fail_api(self, error, action, **result):
        """Fail with describe_api_failure's sentence and the error's fields."""
        failure = dict(result)
        failure.update(error.as_dict())
        self.fail_json(msg=self.describe_api_failure(error, action), **failure)

    def call_api(self, action, call, *args):
        """call(*args), an API call; when it fails, fail the module saying what was being done (fail_api)."""
        try:
            return call(*args)
        except CloudflareAPIError as error:
            self.fail_api(error, action)
            raise  # not reached: fail_api exits

    def exit_with(self, changed, name, before, after, diff_keys, diff_view=None, **extra):
        """Exit with the resource under `name` (empty when absent) and, in diff mode, its managed fields.

        diff_view, when given, maps an object to the flat view the diff shows.
        """
        result = dict(extra, changed=changed)
        result[name] = after or {}
        if self._diff:
            if diff_view is not None:
                before, after = diff_view(before), diff_view(after)
            result["diff"] = make_diff(before, after, diff_keys)
        self.exit_json(**result)

    def run(self, body):
        """Call body(); any CloudflareAPIError that escapes becomes a clear failure instead of a traceback."""
        try:
            body()
        except CloudflareAPIError as error:
            self.fail_api(error, "complete the request")
        except (InputError, AmbiguousMatchError) as error:
            self.fail_json(msg=str(error))
        except Exception as error:  # pylint: disable=broad-except
            self.fail_json(msg="Unexpected error: %s" % error, exception=traceback.format_exc())


def _strings(value):
    """Every string in an option's value, also inside lists and dicts."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _strings(item)]
    return []


def connection_problems(params, account_required=True):
    """What is wrong with the connection options other than the credentials, all at once (no request sent)."""
    problems = []
    if account_required and not params["account_id"]:
        problems.append(MISSING_ACCOUNT_ID)
    checks = [(check_identifier, params["account_id"] or None, "account_id"), (check_base_url, params["base_url"]),
              (check_ca_path, params["ca_path"])]
    checks += [(check_positive, params[option], option)
               for option in ("request_timeout", "connect_timeout", "retry_max_wait")]
    for check in checks:
        try:
            check[0](*check[1:])
        except InputError as error:
            problems.append(str(error))
    if params["retries"] < 0:
        problems.append("retries must be 0 or more, got %s." % params["retries"])
    return problems


TRANSPORT_HINTS = {
    REFUSED: "Check base_url: nothing accepts connections at its host and port (nor at the proxy of HTTPS_PROXY, "
             "if one is in the way). A refused connection is not retried.",
    TLS_FAILED: "Check base_url. If the endpoint's certificate is signed by your own CA (a TLS-inspecting proxy, a "
                "test endpoint), set ca_path to that CA's PEM file; without ca_path, the REQUESTS_CA_BUNDLE or "
                "CURL_CA_BUNDLE environment variable names it, if set. validate_certs=false turns verification off "
                "(test endpoints only).",
    UNREACHABLE: "Check base_url, and that this host can reach it (DNS, firewall, HTTPS_PROXY); connect_timeout sets "
                 "how long one connection attempt may take.",
    NO_ANSWER: "Check base_url: the endpoint accepted the connection but sent no answer (request_timeout sets how "
               "long to wait for one).",
}


def next_step_hint(error, account_id, uses_token=True):
    """What the user can do about a failed call, keyed on the HTTP status and Cloudflare's codes."""
    codes = set(error.codes)
    if error.status is None:
        return (TRANSPORT_HINTS.get(error.transport, "Check base_url and that this host can reach it.") +
                " Re-running is safe: the modules read before they write.")
    if codes & {9106, 6003, 6100, 6101, 6102, 6103, 6111}:
        return ("The credentials are missing or malformed: set api_token (or api_email together with the Global "
                "API key in api_key).")
    if error.status in (401, 403) and not uses_token:
        return ("Cloudflare refused the credentials for account %s: check that account_id is right, that api_key is "
                "the Global API key of the user api_email, and that this user is a member of the account with a role "
                "that may manage IP prefixes." % account_id)
    if error.status in (401, 403):
        return ("Cloudflare refused the credentials for account %s: check that account_id is right and that the API "
                "token belongs to it with the 'IP Prefixes: Write' permission (reads need 'IP Prefixes: Read'; "
                "advertising also accepts 'IP Prefixes: BGP On Demand Write'). A read-only token cannot make "
                "changes." % account_id)
    if error.status == 404:
        return "The object does not exist in account %s (any more); check the ids and account_id." % account_id
    if error.status == 409:
        return ("The request conflicts with objects that exist in account %s; Cloudflare's message names the "
                "conflict. cloudflare.addressing.byoip_prefix_info (with include) lists the prefixes and their "
                "delegations, bindings and BGP prefixes. Resolve the conflict, then re-run." % account_id)
    if error.status == 429:
        return ("Cloudflare is rate-limiting these requests. Wait and re-run, or raise retries and retry_max_wait "
                "to wait longer inside one run.")
    if error.status >= 500:
        return "Cloudflare reported a server-side problem. Re-running is safe: the modules converge."
    return None


# --- input checks (no API calls) -------------------------------------------------------------------------------

def check_identifier(value, option):
    if value is not None and not IDENTIFIER.match(value):
        raise InputError("%s must be a Cloudflare identifier of 32 lowercase hexadecimal characters, got %s."
                         % (option, shown(value)))
    return value


def check_base_url(value):
    url = urlparse(str(value).strip())
    if url.scheme not in ("http", "https") or not url.netloc:
        raise InputError("base_url must be an http:// or https:// URL such as %s, got %s."
                         % (DEFAULT_BASE_URL, shown(value)))
    return value


def check_ca_path(value):
    """ca_path, when set, must be a readable file (or a directory prepared with c_rehash)."""
    if value is not None and not (os.path.exists(value) and os.access(value, os.R_OK)):
        raise InputError("ca_path %s does not exist or cannot be read. Give the path of a PEM file of CA "
                         "certificates, or leave ca_path unset." % shown(value))
    return value


def check_positive(value, option):
    if value <= 0:
        raise InputError("%s must be a positive number of seconds, got %s." % (option, value))
    return value


def check_asn(value, option="asn"):
    if value is not None and not 1 <= value <= MAX_ASN:
        raise InputError("%s must be an AS number between 1 and %d, got %s." % (option, MAX_ASN, value))
    return value


def parse_network(value, option):
    """The canonical network for a CIDR string; host bits, bad syntax and bare addresses are errors."""
    text = str(value).strip()
    if "/" not in text:
        raise InputError("%s must be a CIDR such as 203.0.113.0/24 or 2001:db8::/48, got %s (no prefix length)."
                         % (option, shown(value)))
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError as error:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            detail = " (%s)" % error if len(text) <= SHOWN_LIMIT else ""  # ipaddress's error repeats the value
            raise InputError("%s is not a valid CIDR: %s%s." % (option, shown(value), detail))
        raise InputError("%s %s has host bits set; the network is %s." % (option, shown(value), loose))


def check_onboardable(network, option):
    """Prefixes and BGP prefixes: at least a /24 (IPv4) or /48 (IPv6), and space the Internet can route."""
    limit = MAX_PREFIX_LENGTH[network.version]
    if network.prefixlen > limit:
        raise InputError("%s %s is too small: Cloudflare accepts IPv%d prefixes up to /%d (a /%d or shorter)."
                         % (option, network, network.version, limit, limit))
    reason = unannounceable_reason(network)
    if reason:
        raise InputError("%s %s %s; it can never be announced on the Internet, so Cloudflare cannot onboard it."
                         % (option, network, reason))
    return network


def check_inside(network, parent, option, parent_option="prefix_cidr"):
    """network must lie inside (or equal) parent."""
    if network.version != parent.version or not network.subnet_of(parent):
        raise InputError("%s %s is not inside the prefix %s (%s)." % (option, network, parent, parent_option))
    return network


def same_network(a, b):
    """True when two CIDR strings name the same network, whatever their spelling (case, IPv6 compression)."""
    try:
        return ipaddress.ip_network(a, strict=False) == ipaddress.ip_network(b, strict=False)
    except (TypeError, ValueError):
        return False


# --- lookups ---------------------------------------------------------------------------------------------------

class AmbiguousMatchError(Exception):
    """Several objects match a natural key; the modules never pick one silently."""


def single_match(items, predicate, what):
    """The one item that matches, None when none does, AmbiguousMatchError when several do."""
    matches = [item for item in items if predicate(item)]
    if len(matches) > 1:
        raise AmbiguousMatchError("%d %s match (ids %s); resolve the duplicates in Cloudflare before re-running."
                                  % (len(matches), what, ", ".join(str(item.get("id")) for item in matches)))
    return matches[0] if matches else None


def list_prefixes(client):
    return client.get(client.account_path("prefixes")) or []


def prefix_with_cidr(prefixes, network):
    """The prefix for this CIDR (any spelling) among prefixes, or None."""
    return single_match(prefixes, lambda item: same_network(item.get("cidr"), str(network)),
                        "prefixes for %s" % network)


def find_prefix_by_cidr(client, network):
    """The account's prefix for this CIDR, or None (one request: the list holds full objects)."""
    return prefix_with_cidr(list_prefixes(client), network)


def get_prefix(client, prefix_id):
    """The prefix with this id, or None when the account has no such prefix."""
    try:
        return client.get(client.account_path("prefixes", prefix_id))
    except CloudflareAPIError as error:
        if error.status == 404:
            return None
        raise


def lookup_parent_prefix(module):
    """The parent prefix named by prefix_cidr or prefix_id (one request), or None when it does not exist."""
    if module.params.get("prefix_id"):
        return get_prefix(module.client, module.params["prefix_id"])
    return find_prefix_by_cidr(module.client, parse_network(module.params["prefix_cidr"], "prefix_cidr"))


def describe_parent(module):
    if module.params.get("prefix_id"):
        return "prefix id %s" % module.params["prefix_id"]
    return "prefix %s" % shown(module.params["prefix_cidr"], quoted=False)


def list_services(client):
    return client.get(client.account_path("services")) or []


def find_service(services, service):
    """The service named by id or by name (case-insensitive), or None."""
    wanted = str(service).strip()
    for item in services:
        if item.get("id") == wanted.lower() or str(item.get("name", "")).lower() == wanted.lower():
            return item
    return None


# --- results ---------------------------------------------------------------------------------------------------

def make_diff(before, after, keys):
    """Diff-mode before/after restricted to the fields a module manages; absent objects are empty dicts."""
    def pick(item):
        if not item:
            return {}
        return dict((key, item.get(key)) for key in keys if key in item)
    return dict(before=pick(before), after=pick(after))


def failed_checks(prefix):
    """The validation checks of a prefix that ran and failed, as {field: state}."""
    return dict((field, prefix.get(field)) for field in VALIDATION_CHECKS
                if prefix.get(field) in FAILED_VALIDATION_STATES)


# --- child resources (delegations, bindings, BGP prefixes) ------------------------------------------------------

def child_network(parent, network, option="cidr"):
    """The child's CIDR once the parent is known: the whole prefix when unset, and always inside it."""
    parent_network = ipaddress.ip_network(parent["cidr"], strict=False)
    if network is None:
        return parent_network
    return check_inside(network, parent_network, option, "prefix id %s" % parent.get("id"))


def fail_missing_parent(module):
    module.fail_json(msg="The %s does not exist in account %s. Add it with cloudflare.addressing.byoip_prefix "
                         "first." % (describe_parent(module), module.params["account_id"]))


def parent_or_dry_run(module, what, lookup=None):
    """The parent prefix of a child resource, or None when its absence is not an error.

    With state=absent a missing parent means there is nothing to delete. In check mode a parent named by
    prefix_cidr may be added by an earlier task of the same dry run (a whole onboarding), so the module predicts
    `what` instead of failing; it warns unless parent_planned says that an earlier task adds the prefix. A real
    run, or a prefix_id that names no prefix, fails. lookup(module) finds the parent (default: one request).
    """
    parent = (lookup or lookup_parent_prefix)(module)
    if parent is not None or module.params.get("state") == "absent":
        return parent
    if module.check_mode and not module.params.get("prefix_id"):
        if module.params.get("parent_planned"):
            return None
        module.warn("The %s does not exist yet in account %s; this dry run predicts %s as if an earlier task had "
                    "added the prefix. A real run fails unless the prefix exists by then."
                    % (describe_parent(module), module.params["account_id"], what))
        return None
    fail_missing_parent(module)
    return None  # not reached: fail_missing_parent exits
