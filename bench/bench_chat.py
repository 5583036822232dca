"""Issue 15: from `Incident Triggered` to the incident's Slack channel being ready (created, people
invited, the summary posted and pinned), on the local platform against the mock Slack Web API.

The start is the moment the bus hands `chat_sync` the Incident Triggered event (the outbox relay has
just published it); the end is Slack's answer to `pins.add` on the summary. Once for incidents one at a
time, once for 20 opened at once (each channel is opened by its own run; runs of `chat_sync` are
serialised locally, as one Lambda instance would run them)."""

from __future__ import annotations

import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"
ONE_AT_A_TIME, AT_ONCE = 20, 20


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


def run() -> dict[str, object]:
    from klaxon.config.loader import load_config
    from klaxon.local import emulation
    from klaxon.local.platform import LocalPlatform, Options
    from tests.fakes.slack_server import SlackServer

    with SlackServer() as slack:
        for user in load_config(ROOT / "examples" / "acme.yaml").users:
            slack.workspace.add_user(user.email, user.name)
        slack.workspace.add_channel("incidents")
        saved = {k: os.environ.get(k) for k in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL")}
        os.environ.update(
            SLACK_BOT_TOKEN=slack.workspace.token, SLACK_SIGNING_SECRET="bench", SLACK_API_URL=slack.url
        )
        triggered: dict[str, float] = {}  # incident id -> when chat_sync was handed its trigger
        pinned: dict[str, float] = {}  # channel id -> when its summary was pinned
        lock = threading.Lock()
        answer = slack.workspace.answer

        def recording(method: str, arguments: dict[str, Any]) -> dict[str, Any]:
            found = answer(method, arguments)
            if method == "pins.add" and found.get("ok"):
                with lock:
                    pinned.setdefault(str(arguments["channel"]), time.monotonic())
            return found

        slack.workspace.answer = recording  # type: ignore[method-assign]
        platform = LocalPlatform(
            Options(config=ROOT / "examples" / "acme.yaml", port=0, rate_limit_scale=1000.0)
        ).start()
        deliver = emulation._Hooks.lambda_target  # where the bus hands events to functions
        assert deliver is not None

        def timed(name: str, event: dict[str, Any]) -> None:
            if name == "chat_sync" and event.get("detail-type") == "Incident Triggered":
                with lock:
                    triggered.setdefault(event["detail"]["incident"]["id"], time.monotonic())
            deliver(name, event)

        emulation._Hooks.lambda_target = timed
        try:
            with httpx.Client(base_url=platform.url, timeout=60) as client:
                alone = _open(platform, client, slack, triggered, pinned, "alone", ONE_AT_A_TIME, 1)
                burst = _open(platform, client, slack, triggered, pinned, "burst", AT_ONCE, AT_ONCE)
            assert slack.workspace.violations == [], slack.workspace.violations
        finally:
            emulation._Hooks.lambda_target = deliver
            platform.stop()
            for name, value in saved.items():
                os.environ.pop(name, None) if value is None else os.environ.__setitem__(name, value)
    return {
        "triggered_to_channel_ready_one_at_a_time_p50_ms": _p(alone, 0.5),
        "triggered_to_channel_ready_one_at_a_time_p99_ms": _p(alone, 0.99),
        f"triggered_to_channel_ready_{AT_ONCE}_at_once_p50_ms": _p(burst, 0.5),
        f"triggered_to_channel_ready_{AT_ONCE}_at_once_p99_ms": _p(burst, 0.99),
        "slack_calls_per_new_room": round(len(slack.workspace.calls) / (ONE_AT_A_TIME + AT_ONCE), 1),
        "mean_one_at_a_time_ms": round(statistics.mean(alone) * 1000, 1),
    }


def _open(
    platform: Any,
    client: httpx.Client,
    slack: Any,
    triggered: dict[str, float],
    pinned: dict[str, float],
    label: str,
    count: int,
    senders: int,
) -> list[float]:
    """Open `count` P1 incidents from `senders` at once; each one's trigger-to-pinned time."""

    def send(n: int) -> None:
        body = {
            "routing_key": KEY,
            "event_action": "trigger",
            "dedup_key": f"chat-{label}-{n}",
            "payload": {"summary": f"checkout down {label} {n}", "source": "bench", "severity": "critical"},
        }
        client.post("/v2/enqueue", json=body).raise_for_status()
        if senders == 1:
            assert platform.drain(timeout=120)

    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(send, range(count)))
    assert platform.drain(timeout=300)
    durations = []
    for n in range(count):
        (incident,) = client.get(
            "/v1/incidents", params={"dedup_key": f"chat-{label}-{n}"}, headers=_token(platform)
        ).json()["incidents"]
        room = client.get(f"/v1/incidents/{incident['id']}/chat", headers=_token(platform)).json()["room"]
        durations.append(pinned[room["room"]] - triggered[incident["id"]])
    return durations


def _token(platform: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {platform.options.api_token}"}
