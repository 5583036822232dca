"""Low urgency through the local platform (issue 13 §4): a P3 is told once by the policy's low-urgency
channels and never escalates; told again when an acknowledgement times out; without such channels, or
while muted, nobody is told."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from klaxon.config.loader import load_config
from tests.conftest import DEMO_CONFIG
from tests.integration.test_escalation_flow import (  # noqa: F401 - fixtures
    api,
    fast_platform,
    notifications,
    trigger,
    wait_until,
)


def _policy_tells_by_email(api, ack_timeout_minutes: int | None = None) -> None:  # noqa: F811
    config = load_config(DEMO_CONFIG).stored()
    (policy,) = [p for p in config["escalation_policies"] if p["id"] == "default"]
    policy["low_urgency_channels"] = ["email"]
    if ack_timeout_minutes is not None:
        policy["ack_timeout_minutes"] = ack_timeout_minutes
    assert api.put("/v1/config", json=config).status_code == 200


def test_a_p3_is_emailed_once_to_the_first_step_and_never_escalates(api, fast_platform):  # noqa: F811
    _policy_tells_by_email(api)
    incident = trigger(api, fast_platform, "slow-disk", severity="warning")

    told = wait_until(lambda: notifications(api, incident))
    fast_platform.drain()

    assert incident["urgency"] == "low"
    assert [(n["step"], n["channel"]) for n in told] == [(0, "email")]
    assert [(n["step"], n["channel"]) for n in notifications(api, incident)] == [(0, "email")]


def test_a_p3_acknowledged_past_its_timeout_is_told_again(api, fast_platform):  # noqa: F811
    _policy_tells_by_email(api, ack_timeout_minutes=30)
    incident = trigger(api, fast_platform, "slow-disk-again", severity="warning")
    wait_until(lambda: notifications(api, incident))
    assert api.post(f"/v1/incidents/{incident['id']}/acknowledge").status_code == 200

    told = wait_until(lambda: len(notifications(api, incident)) == 2 and notifications(api, incident))

    assert [n["channel"] for n in told] == ["email", "email"]


def test_without_low_urgency_channels_a_p3_tells_nobody(api, fast_platform):  # noqa: F811
    incident = trigger(api, fast_platform, "quiet", severity="warning")
    fast_platform.drain()
    assert notifications(api, incident) == []


def test_a_p3_muted_by_a_window_is_told_when_the_window_ends(api, fast_platform):  # noqa: F811
    _policy_tells_by_email(api)
    now = datetime.now(UTC)
    window = {
        "name": "Checkout deploy",
        "services": ["checkout"],
        "start": (now - timedelta(minutes=1)).isoformat(),
        "end": (now + timedelta(seconds=3)).isoformat(),
        "owner": "frank",
    }
    assert api.post("/v1/maintenance-windows", json=window).status_code == 201
    incident = trigger(api, fast_platform, "slow-disk-in-window", severity="warning")
    fast_platform.drain()
    assert notifications(api, incident) == []  # muted: told nobody
    time.sleep(3.5)

    fast_platform.invoker.invoke("maintenance_reminder", {})  # the window ended: released

    told = wait_until(lambda: notifications(api, incident))
    assert [(n["channel"], n["status"]) for n in told] == [("email", "sent")]
