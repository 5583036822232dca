"""Integration tier: adapters and handlers against moto, through the same runtime `klaxon up` uses."""

from __future__ import annotations

import httpx
import pytest

import klaxon.local.emulation  # noqa: F401 - first: fake credentials, moto before any boto3 session
from klaxon.local.platform import LocalPlatform, Options
from tests.conftest import DEMO_CONFIG

TOKEN = "integration-token"


@pytest.fixture
def platform():
    running = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token=TOKEN)).start()
    yield running
    running.stop()


@pytest.fixture
def http(platform):
    with httpx.Client(
        base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    ) as client:
        yield client
