"""Which credentials a module uses: the task's own before the environment's, a token before a Global API key."""

import pytest

from ansible_collections.cloudflare.addressing.plugins.modules import byoip_prefix

ENV_TOKEN = "env-token-000000000000000000000000000000"
TASK_TOKEN = "task-token-00000000000000000000000000000"
PREFIX = dict(cidr="203.0.113.0/24", asn=13335)


def sent_credentials(sent_requests):
    headers = sent_requests.headers[0]
    return headers.get("Authorization"), headers.get("X-Auth-Email"), headers.get("X-Auth-Key")


def test_task_token_wins_over_a_key_in_the_environment(run_module, sent_requests, environment):
    environment(CLOUDFLARE_EMAIL="ops@example.com", CLOUDFLARE_API_KEY="k" * 37)
    run_module(byoip_prefix, dict(PREFIX, api_token=TASK_TOKEN))
    assert sent_credentials(sent_requests) == ("Bearer " + TASK_TOKEN, None, None)


def test_task_key_wins_over_a_token_in_the_environment(run_module, sent_requests, environment):
    environment(CLOUDFLARE_API_TOKEN=ENV_TOKEN)
    run_module(byoip_prefix, dict(PREFIX, api_token=None, api_email="ops@example.com", api_key="k" * 37))
    assert sent_credentials(sent_requests) == (None, "ops@example.com", "k" * 37)


def test_environment_token_is_preferred_over_an_environment_key(run_module, sent_requests, environment):
    environment(CLOUDFLARE_API_TOKEN=ENV_TOKEN, CLOUDFLARE_EMAIL="ops@example.com", CLOUDFLARE_API_KEY="k" * 37)
    run_module(byoip_prefix, dict(PREFIX, api_token=None))
    assert sent_credentials(sent_requests) == ("Bearer " + ENV_TOKEN, None, None)


def test_environment_key_alone_is_used(run_module, sent_requests, environment):
    environment(CLOUDFLARE_EMAIL="ops@example.com", CLOUDFLARE_API_KEY="k" * 37)
    run_module(byoip_prefix, dict(PREFIX, api_token=None))
    assert sent_credentials(sent_requests) == (None, "ops@example.com", "k" * 37)


@pytest.mark.parametrize("args,env,fragment", [
    (dict(api_token=TASK_TOKEN, api_key="k" * 37, api_email="ops@example.com"), {}, "not both"),
    (dict(api_token=None, api_key="k" * 37), {}, "set api_email"),
    (dict(api_token=None, api_email="ops@example.com"), {}, "set api_key"),
    (dict(api_token=None), {}, "No usable Cloudflare credentials"),
    (dict(api_token=""), {}, "api_token is set but empty"),
    (dict(api_token=""), {"CLOUDFLARE_API_TOKEN": ENV_TOKEN}, "api_token is set but empty"),
    (dict(api_token=None, api_email="ops@example.com", api_key=""), {}, "api_key is set but empty"),
    (dict(api_token=None, api_email="", api_key="k" * 37), {}, "api_email is set but empty"),
])
def test_unusable_credentials_fail_before_any_request(run_module, sent_requests, environment, args, env, fragment):
    environment(**env)
    result, failed = run_module(byoip_prefix, dict(PREFIX, **args))
    assert failed and fragment in result["msg"]
    assert sent_requests == []
    assert TASK_TOKEN not in str(result)


@pytest.mark.parametrize("base_url", ["", "api.cloudflare.com/client/v4", "ftp://api.cloudflare.com/client/v4",
                                      "https://"])
def test_a_malformed_base_url_fails_before_any_request(run_module, sent_requests, environment, base_url):
    result, failed = run_module(byoip_prefix, dict(PREFIX, base_url=base_url))
    assert failed and "base_url must be an http:// or https:// URL" in result["msg"]
    assert sent_requests == []
