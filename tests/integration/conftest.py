"""Integration tier: adapters and handlers against moto, through the same runtime `klaxon up` uses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

import klaxon.local.emulation  # noqa: F401 - first: fake credentials, moto before any boto3 session
from klaxon.local.platform import LocalPlatform, Options
from tests.conftest import DEMO_CONFIG

TOKEN = "integration-token"


@pytest.fixture
def moto_alone() -> Iterator[Any]:
    """moto with Klaxon's patches and no platform (each test makes what it needs): a DynamoDB client."""
    from klaxon.local import emulation

    emulation.install(lambda name, event: None)
    mock = emulation.start_mock()
    yield boto3.client("dynamodb", region_name=emulation.REGION)
    mock.stop()


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
