"""Integration tier: adapters and handlers against moto, through the same runtime `klaxon up` uses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

import klaxon.local.emulation  # noqa: F401 - first: fake credentials, moto before any boto3 session
from klaxon.config.loader import load_config
from klaxon.local.platform import LocalPlatform, Options
from tests.conftest import DEMO_CONFIG
from tests.fakes.slack_server import SlackServer

TOKEN = "integration-token"
SLACK_SIGNING_SECRET = "slack-signing-secret-for-tests"


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


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackServer]:
    with SlackServer() as server:
        for user in load_config(DEMO_CONFIG).users:
            server.workspace.add_user(user.email, user.name)
        server.workspace.add_channel("incidents")
        monkeypatch.setenv("SLACK_BOT_TOKEN", server.workspace.token)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", SLACK_SIGNING_SECRET)
        monkeypatch.setenv("SLACK_API_URL", server.url)
        yield server
        assert server.workspace.violations == []


@pytest.fixture
def slack_platform(slack: SlackServer) -> Iterator[LocalPlatform]:
    running = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token=TOKEN)).start()
    yield running
    running.stop()


@pytest.fixture
def slack_http(slack_platform: LocalPlatform) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=slack_platform.url, headers=headers, timeout=10) as client:
        yield client
