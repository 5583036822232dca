"""Asana on the local platform: an action item filed as a task in the mock Asana (checked against Asana's
own description), its webhook's handshake taken only at the URL with the tracker's token, and a signed
delivery marking the item done once the task reads completed."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from klaxon.local.platform import LocalPlatform, Options
from tests.conftest import DEMO_CONFIG
from tests.fakes.asana_server import AsanaServer, asana_events, asana_handshake
from tests.integration.conftest import TOKEN
from tests.integration.test_postmortems import resolved_p1

HOOK_TOKEN = "asana-hook-token-0123456789abcdef"
PROJECT = "1200000000000001"


@pytest.fixture
def asana(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[AsanaServer, LocalPlatform]]:
    with AsanaServer() as server:
        credentials = {"web-asana": {"token": server.state.token, "webhook_token": HOOK_TOKEN}}
        monkeypatch.setenv("TRACKER_CREDENTIALS", json.dumps(credentials))
        monkeypatch.setenv("ASANA_API_URL", f"{server.url}/api/1.0")
        config = yaml.safe_load(DEMO_CONFIG.read_text())
        config["postmortems"]["trackers"] = [
            {"id": "web-asana", "kind": "asana", "project": PROJECT, "default": True}
        ]
        path = tmp_path / "acme.yaml"
        path.write_text(yaml.safe_dump(config))
        platform = LocalPlatform(Options(config=path, port=0, api_token=TOKEN)).start()
        try:
            yield server, platform
        finally:
            platform.stop()
        assert server.state.violations == []


def test_an_asana_task_is_filed_and_its_signed_webhook_marks_the_item_done(
    asana: Any, fixture_json: Any
) -> None:
    server, platform = asana
    with httpx.Client(
        base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    ) as http:
        incident = resolved_p1(platform, http, fixture_json, "actions-asana")
        added = http.post(
            f"/v1/incidents/{incident['id']}/postmortem/actions", json={"title": "Add a canary stage"}
        )
        assert added.status_code == 201, added.text
        assert platform.drain()
        (row,) = http.get("/v1/actions", params={"incident_id": incident["id"]}).json()["action_items"]
        ticket = row["item"]["ticket"]
        assert ticket["kind"] == "asana" and server.state.tasks[ticket["key"]]["name"] == "Add a canary stage"

        hook = f"{platform.url}/trackers/asana/web-asana"
        _, headers = asana_handshake("hook-secret")
        assert httpx.post(f"{hook}/wrong-token", headers=headers).status_code == 404
        shook = httpx.post(f"{hook}/{HOOK_TOKEN}", headers=headers)
        assert (shook.status_code, shook.headers["X-Hook-Secret"]) == (200, "hook-secret")

        server.state.complete(ticket["key"])
        body, signed = asana_events(ticket["key"], "hook-secret")
        server.state.fail(1)  # Asana cannot be read back this time: taken, and left to the daily poll
        unread = httpx.post(f"{hook}/{HOOK_TOKEN}", content=body, headers=signed)
        assert (unread.status_code, unread.json()) == (200, {"received": 0, "matched": 0})
        forged = {**signed, "X-Hook-Signature": "0" * 64}
        assert httpx.post(f"{hook}/{HOOK_TOKEN}", content=body, headers=forged).status_code == 401
        answer = httpx.post(f"{hook}/{HOOK_TOKEN}", content=body, headers=signed)
        assert (answer.status_code, answer.json()) == (200, {"received": 1, "matched": 1})
        not_json = httpx.post(f"{hook}/{HOOK_TOKEN}", content=b"{", headers=_signed(b"{", "hook-secret"))
        assert not_json.status_code == 400

        (row,) = http.get("/v1/actions", params={"incident_id": incident["id"]}).json()["action_items"]
        assert row["item"]["done_at"] is not None


def _signed(body: bytes, secret: str) -> dict[str, str]:
    return {"X-Hook-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}
