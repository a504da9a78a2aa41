"""Fixtures for the cfsim tests: one simulator process per session, reset before every test."""

import json
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "helpers"))

from cfsim_runner import start_cfsim  # noqa: E402  pylint: disable=wrong-import-position
from simapi import OPENAPI_FILE, Api  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def sim():
    process = start_cfsim("--quiet")
    yield process
    assert process.stop() == 0, "\n".join(process.output)


@pytest.fixture(autouse=True)
def fresh(sim):
    sim.reset()


@pytest.fixture
def api(sim):
    client = Api(sim)
    yield client
    client.session.close()


@pytest.fixture(scope="session")
def openapi():
    if not OPENAPI_FILE.is_file():
        pytest.skip("reference OpenAPI file %s is absent (set CFSIM_REFERENCE_DIR to the directory holding "
                    "cloudflare-addressing-openapi.json)" % OPENAPI_FILE)
    return json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
