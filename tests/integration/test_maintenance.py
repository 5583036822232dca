"""Maintenance windows through the API under moto: alerts inside one are recorded and page nobody."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.noise_support import eventually, incidents, notifications, send_pd


def add_window(http, minutes: float = 60, **changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {
        "name": "Checkout deploy",
        "services": ["checkout"],
        "start": (now - timedelta(minutes=1)).isoformat(),
        "end": (now + timedelta(minutes=minutes)).isoformat(),
        "owner": "frank",
        **changes,
    }
    response = http.post("/v1/maintenance-windows", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_an_added_window_is_listed_as_active(platform, http) -> None:
    added = add_window(http)

    listed = {w["id"]: w for w in http.get("/v1/maintenance-windows").json()["windows"]}

    assert listed[added["id"]]["active"] is True
    assert listed[added["id"]]["source"] == "api"


def test_the_demo_declares_a_weekly_window(platform, http) -> None:
    listed = {w["id"]: w for w in http.get("/v1/maintenance-windows").json()["windows"]}

    assert (listed["search-reindex"]["rrule"], listed["search-reindex"]["source"]) == (
        "FREQ=WEEKLY;BYDAY=SU",
        "config",
    )


def test_an_alert_inside_a_window_is_recorded_low_urgency(platform, http) -> None:
    window = add_window(http)

    send_pd(http, platform, "disk-in-window")

    (incident,) = incidents(http, dedup_key="disk-in-window")
    assert (incident["maintenance_window"], incident["urgency"]) == (window["id"], "low")


def test_an_alert_inside_a_window_pages_nobody(platform, http) -> None:
    add_window(http)
    send_pd(http, platform, "disk-in-window")
    (incident,) = incidents(http, dedup_key="disk-in-window")

    time.sleep(0.5)  # escalation would have paged step one by now
    platform.drain()

    assert notifications(http, incident["id"]) == []


def test_an_alert_outside_any_window_pages(platform, http) -> None:
    send_pd(http, platform, "disk-no-window")
    (incident,) = incidents(http, dedup_key="disk-no-window")

    assert eventually(lambda: notifications(http, incident["id"]))


def test_a_removed_window_no_longer_mutes(platform, http) -> None:
    window = add_window(http)

    assert http.delete(f"/v1/maintenance-windows/{window['id']}").status_code == 200
    send_pd(http, platform, "disk-after-removal")

    (incident,) = incidents(http, dedup_key="disk-after-removal")
    assert incident["maintenance_window"] is None


def test_a_window_with_an_unreadable_rrule_is_refused(platform, http) -> None:
    now = datetime.now(UTC)
    body = {
        "name": "x",
        "services": ["checkout"],
        "start": now.isoformat(),
        "end": (now + timedelta(hours=1)).isoformat(),
    }

    response = http.post("/v1/maintenance-windows", json={**body, "rrule": "FREQ=SOMETIMES"})

    assert response.status_code == 400
    assert "rrule" in " ".join(response.json()["errors"])


def test_a_declared_window_cannot_be_deleted(platform, http) -> None:
    assert http.delete("/v1/maintenance-windows/search-reindex").status_code == 409


def test_the_owner_gets_an_email_before_the_window_ends(platform, http) -> None:
    add_window(http, minutes=10, name="Short deploy")

    platform.invoker.invoke("maintenance_reminder", {})

    emails = [m for m in platform.messaging.outbox() if m.to == "frank@acme.example"]
    assert len(emails) == 1
    assert "Short deploy" in emails[0].text


def test_an_incident_still_open_when_its_window_ends_pages_then(platform, http) -> None:
    add_window(http, minutes=0.05)  # ends three seconds from now
    send_pd(http, platform, "disk-outlasts-window")
    (incident,) = incidents(http, dedup_key="disk-outlasts-window")
    time.sleep(3.5)

    platform.invoker.invoke("maintenance_reminder", {})
    platform.drain()

    assert http.get(f"/v1/incidents/{incident['id']}").json()["urgency"] == "high"
    assert eventually(lambda: notifications(http, incident["id"]))


def _klaxon(platform, *args: str):
    from typer.testing import CliRunner

    from klaxon.cli import app

    return CliRunner().invoke(
        app, [*args, "--api", platform.url, "--token", "integration-token"], env={"COLUMNS": "200"}
    )


def test_the_cli_adds_a_recurring_window_that_the_api_lists(platform, http) -> None:
    added = _klaxon(
        platform, "maintenance", "add", "Nightly batch", "--service", "payments", "--start",
        "2026-01-05T01:00-05:00", "--minutes", "30", "--rrule", "FREQ=DAILY", "--time-zone",
        "America/New_York", "--id", "nightly-batch",
    )  # fmt: skip

    assert added.exit_code == 0, added.output
    listed = {w["id"]: w for w in http.get("/v1/maintenance-windows").json()["windows"]}
    assert listed["nightly-batch"]["rrule"] == "FREQ=DAILY"


def test_the_cli_lists_and_removes_a_window(platform, http) -> None:
    window = add_window(http, name="To remove", id="to-remove")

    listed = _klaxon(platform, "maintenance", "list")
    removed = _klaxon(platform, "maintenance", "remove", window["id"])

    assert "to-remove" in listed.output
    assert removed.exit_code == 0, removed.output
    assert "to-remove" not in {w["id"] for w in http.get("/v1/maintenance-windows").json()["windows"]}
