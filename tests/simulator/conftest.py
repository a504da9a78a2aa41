"""Fixtures for the cfsim tests: one simulator process per session, reset before every test."""

import json
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "helpers"))

from cfsim_runner import describe_violations, start_cfsim  # noqa: E402  pylint: disable=wrong-import-position
from simapi import OPENAPI_FILE, Api  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def sim():
    process = start_cfsim("--quiet")
    yield process
    assert process.stop() == 0, "\n".join(process.output)


def pytest_configure(config):
    config.addinivalue_line("markers", "sends_invalid_requests: the test sends requests the API definition does not "
                            "allow on purpose; only cfsim's answers must conform")


@pytest.fixture(autouse=True)
def fresh(sim):
    sim.reset()


@pytest.fixture(autouse=True)
def conforming(request, sim):
    """After each test: every answer cfsim gave, and every request the test sent, conform to the API definition."""
    yield
    excused = {"request"} if request.node.get_closest_marker("sends_invalid_requests") else set()
    violations = [found for found in sim.take_violations() if found["direction"] not in excused]
    assert not violations, describe_violations(violations)


@pytest.fixture
def api(sim):
    client = Api(sim)
    yield client
    client.session.close()


@pytest.fixture(scope="session")
def definition():
    """The 2026 API definition pinned in tests/openapi."""
    return json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
