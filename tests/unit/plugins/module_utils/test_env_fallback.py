"""Connection options from the environment, the way AWX's credential injection sets them.

AWX renders every env injector of a credential type; a field left blank becomes an empty variable. The modules
must read an empty variable as unset, or a token credential (CLOUDFLARE_API_KEY="") fails as "mutually exclusive".
"""

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.cloudflare.addressing.plugins.module_utils._api import DEFAULT_BASE_URL
from ansible_collections.cloudflare.addressing.plugins.module_utils._common import (
    API_MUTUALLY_EXCLUSIVE,
    API_REQUIRED_ONE_OF,
    API_REQUIRED_TOGETHER,
    api_argument_spec,
)

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
VARIABLES = ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY", "CLOUDFLARE_ACCOUNT_ID",
             "CLOUDFLARE_BASE_URL")


def validate(monkeypatch, environment, params=None):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    validator = ArgumentSpecValidator(api_argument_spec(), mutually_exclusive=API_MUTUALLY_EXCLUSIVE,
                                      required_together=API_REQUIRED_TOGETHER, required_one_of=API_REQUIRED_ONE_OF)
    return validator.validate(dict(params or {}))


def test_token_credential_with_blank_key_fields(monkeypatch):
    result = validate(monkeypatch, dict(CLOUDFLARE_API_TOKEN="token", CLOUDFLARE_EMAIL="", CLOUDFLARE_API_KEY="",
                                        CLOUDFLARE_ACCOUNT_ID=ACCOUNT_ID, CLOUDFLARE_BASE_URL=""))
    assert result.error_messages == []
    params = result.validated_parameters
    assert (params["api_token"], params["api_email"], params["api_key"]) == ("token", None, None)
    assert params["account_id"] == ACCOUNT_ID
    assert params["base_url"] == DEFAULT_BASE_URL


def test_global_key_credential_with_blank_token(monkeypatch):
    result = validate(monkeypatch, dict(CLOUDFLARE_API_TOKEN="", CLOUDFLARE_EMAIL="admin@example.com",
                                        CLOUDFLARE_API_KEY="key", CLOUDFLARE_ACCOUNT_ID=ACCOUNT_ID))
    assert result.error_messages == []
    params = result.validated_parameters
    assert (params["api_token"], params["api_email"], params["api_key"]) == (None, "admin@example.com", "key")


def test_a_set_base_url_is_used(monkeypatch):
    result = validate(monkeypatch, dict(CLOUDFLARE_API_TOKEN="token", CLOUDFLARE_ACCOUNT_ID=ACCOUNT_ID,
                                        CLOUDFLARE_BASE_URL="http://127.0.0.1:8787/client/v4"))
    assert result.validated_parameters["base_url"] == "http://127.0.0.1:8787/client/v4"


def test_all_blank_still_asks_for_credentials(monkeypatch):
    result = validate(monkeypatch, dict((name, "") for name in VARIABLES))
    messages = " ".join(result.error_messages)
    assert "account_id" in messages
    assert "api_token" in messages


def test_module_options_win_over_the_environment(monkeypatch):
    result = validate(monkeypatch, dict(CLOUDFLARE_API_TOKEN="from-env", CLOUDFLARE_ACCOUNT_ID=ACCOUNT_ID),
                      dict(api_token="from-task"))
    assert result.validated_parameters["api_token"] == "from-task"


@pytest.mark.parametrize("option", ["api_token", "api_key"])
def test_secrets_from_the_environment_are_no_log_values(monkeypatch, option):
    environment = dict(CLOUDFLARE_ACCOUNT_ID=ACCOUNT_ID)
    if option == "api_token":
        environment["CLOUDFLARE_API_TOKEN"] = "secret-value-1"
    else:
        environment.update(CLOUDFLARE_EMAIL="admin@example.com", CLOUDFLARE_API_KEY="secret-value-1")
    assert "secret-value-1" in validate(monkeypatch, environment)._no_log_values
