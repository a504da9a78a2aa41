"""Connection options from the environment, the way AWX's credential injection sets them.

AWX renders every env injector of a credential type; a field left blank becomes an empty variable. An empty
variable counts as unset: a token credential arrives with CLOUDFLARE_API_KEY="", a Global API key credential with
CLOUDFLARE_API_TOKEN="", and an empty CLOUDFLARE_BASE_URL must not replace the default API URL.
"""

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import DEFAULT_BASE_URL
from ansible_collections.cloudflare.addressing.plugins.modules import byoip_prefix

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
VARIABLES = ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY", "CLOUDFLARE_ACCOUNT_ID",
             "CLOUDFLARE_BASE_URL")
# No connection option on the task: everything comes from the environment.
FROM_ENVIRONMENT = dict(cidr="203.0.113.0/24", asn=13335, api_token=None, account_id=None, base_url=None)


def sent(sent_requests):
    (method, url), headers = sent_requests[0], sent_requests.headers[0]
    return method, url, headers.get("Authorization"), headers.get("X-Auth-Email"), headers.get("X-Auth-Key")


def test_token_credential_with_blank_key_fields_and_url(run_module, sent_requests, environment):
    environment(CLOUDFLARE_API_TOKEN="token-value", CLOUDFLARE_EMAIL="", CLOUDFLARE_API_KEY="",
                CLOUDFLARE_ACCOUNT_ID=ACCOUNT_ID, CLOUDFLARE_BASE_URL="")
    run_module(byoip_prefix, FROM_ENVIRONMENT)
    assert sent(sent_requests) == ("GET", "%s/accounts/%s/addressing/prefixes" % (DEFAULT_BASE_URL, ACCOUNT_ID),
                                   "Bearer token-value", None, None)


def test_global_key_credential_with_a_blank_token(run_module, sent_requests, environment):
    environment(CLOUDFLARE_API_TOKEN="", CLOUDFLARE_EMAIL="ops@example.com", CLOUDFLARE_API_KEY="k" * 37,
                CLOUDFLARE_ACCOUNT_ID=ACCOUNT_ID)
    run_module(byoip_prefix, FROM_ENVIRONMENT)
    assert sent(sent_requests)[2:] == (None, "ops@example.com", "k" * 37)


def test_a_set_base_url_is_used(run_module, sent_requests, environment):
    environment(CLOUDFLARE_API_TOKEN="token-value", CLOUDFLARE_ACCOUNT_ID=ACCOUNT_ID,
                CLOUDFLARE_BASE_URL="http://127.0.0.1:8787/client/v4")
    run_module(byoip_prefix, FROM_ENVIRONMENT)
    assert sent(sent_requests)[1].startswith("http://127.0.0.1:8787/client/v4/accounts/")


def test_a_blank_account_id_is_a_missing_account_id(run_module, sent_requests, environment):
    environment(CLOUDFLARE_API_TOKEN="token-value", CLOUDFLARE_ACCOUNT_ID="")
    result, failed = run_module(byoip_prefix, FROM_ENVIRONMENT)
    assert failed and "CLOUDFLARE_ACCOUNT_ID" in result["msg"] and "cloudflare_account_id" in result["msg"]
    assert "missing required arguments" not in result["msg"]
    assert sent_requests == []


def test_a_missing_account_id_and_missing_credentials_are_reported_together(run_module, sent_requests, environment):
    environment()
    result, failed = run_module(byoip_prefix, FROM_ENVIRONMENT)
    assert failed and "No usable Cloudflare credentials" in result["msg"]
    assert "CLOUDFLARE_API_TOKEN" in result["msg"] and "cloudflare_api_token" in result["msg"]
    assert "No Cloudflare account id" in result["msg"]
    assert sent_requests == []


def test_all_blank_fails_before_any_request(run_module, sent_requests, environment):
    environment(**dict((name, "") for name in VARIABLES))
    result, failed = run_module(byoip_prefix, dict(FROM_ENVIRONMENT, account_id=ACCOUNT_ID))
    assert failed and "No usable Cloudflare credentials" in result["msg"]
    assert sent_requests == []
