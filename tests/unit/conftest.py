"""Shared fixtures for unit tests: run a module's main() in-process and see whether it sent any request."""

import contextlib
import json

import pytest
import requests

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    from unittest import mock

    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        payload = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}))
        with mock.patch.object(basic, "_ANSIBLE_ARGS", payload):
            yield

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
CONNECTION = dict(account_id=ACCOUNT_ID, api_token="unit-test-token-0000000000000000000000000",
                  base_url="http://127.0.0.1:9/client/v4", retries=0)


class SentRequests(list):
    """Every HTTP request a module tried to send (and its headers); the fake transport refuses them all."""

    def __init__(self):
        super().__init__()
        self.headers = []


@pytest.fixture
def sent_requests(monkeypatch):
    sent = SentRequests()

    def refuse(self, method, url, **kwargs):  # pylint: disable=unused-argument
        sent.append((method, url))
        sent.headers.append(dict(self.headers))
        raise requests.exceptions.ConnectionError("unit tests send no requests")

    monkeypatch.setattr(requests.Session, "request", refuse)
    return sent


CLOUDFLARE_VARIABLES = ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY", "CLOUDFLARE_ACCOUNT_ID",
                        "CLOUDFLARE_BASE_URL")


@pytest.fixture
def environment(monkeypatch):
    """No CLOUDFLARE_* variable is set; the returned function sets some."""
    for name in CLOUDFLARE_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_env(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)
    return set_env


@pytest.fixture
def run_module(capsys):
    """Run module.main() with args on top of CONNECTION (None removes an option); return (result, failed).

    With keep_nulls=True an option set to None is passed as null, as a task's `cidr:` with no value is.
    """

    def run(module, args, keep_nulls=False):
        merged = dict((key, value) for key, value in dict(CONNECTION, **args).items()
                      if value is not None or (keep_nulls and key in args))
        with patch_module_args(merged):
            with pytest.raises(SystemExit) as exited:
                module.main()
        result = json.loads(capsys.readouterr().out)
        return result, exited.value.code != 0 or bool(result.get("failed"))

    return run


@pytest.fixture
def build_module():
    """Construct a module object in-process from args on top of CONNECTION (for tests of its methods).

    The arguments stay in place until the test ends: the module's exit needs them too.
    """
    with contextlib.ExitStack() as stack:
        def build(factory, args):
            stack.enter_context(patch_module_args(dict(CONNECTION, **args)))
            return factory()

        yield build


@pytest.fixture
def module_exit(capsys):
    """Call a function that ends the module; return (result, failed) from what it printed."""

    def finish(call, *args):
        with pytest.raises(SystemExit) as exited:
            call(*args)
        result = json.loads(capsys.readouterr().out)
        return result, exited.value.code != 0 or bool(result.get("failed"))

    return finish
