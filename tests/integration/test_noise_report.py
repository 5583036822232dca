"""The noise report under moto: alerts, incidents, pages and acknowledgements per source, from the tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from typer.testing import CliRunner

from klaxon.cli import app
from tests.integration.noise_support import eventually, incidents, notifications, send_pd


def report(http, **params: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    query = {
        "start": (now - timedelta(hours=1)).isoformat(),
        "end": (now + timedelta(hours=1)).isoformat(),
        **params,
    }
    response = http.get("/v1/reports/noise", params=query)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def noisy_checkout(platform, http) -> str:
    for _ in range(3):
        send_pd(http, platform, "flappy")
    send_pd(http, platform, "quiet")
    (incident,) = incidents(http, dedup_key="flappy")
    eventually(lambda: notifications(http, incident["id"]))
    assert http.post(f"/v1/incidents/{incident['id']}/acknowledge").status_code == 200
    return str(incident["id"])


def test_alerts_and_incidents_are_counted_per_source(platform, http) -> None:
    noisy_checkout(platform, http)

    (row,) = report(http)["sources"]

    assert (row["integration"], row["service"], row["alerts"], row["incidents"]) == (
        "checkout-events",
        "checkout",
        4,
        2,
    )


def test_pages_and_acknowledgements_are_counted(platform, http) -> None:
    noisy_checkout(platform, http)
    eventually(lambda: all(notifications(http, i["id"]) for i in incidents(http, service="checkout")))

    (row,) = report(http)["sources"]

    assert row["pages"] == 2
    assert (row["acknowledged"], row["ack_rate"]) == (1, 0.5)
    assert row["median_seconds_to_ack"] is not None


def test_the_noisiest_dedup_key_comes_first(platform, http) -> None:
    noisy_checkout(platform, http)

    noisiest = report(http)["noisiest"]

    assert (noisiest[0]["dedup_key"], noisiest[0]["alerts"]) == ("flappy", 3)


def test_a_range_without_an_offset_is_refused(platform, http) -> None:
    response = http.get("/v1/reports/noise", params={"start": "2026-01-01T00:00", "end": "2026-01-02T00:00"})

    assert response.status_code == 400


def test_the_cli_prints_the_report(platform, http) -> None:
    noisy_checkout(platform, http)

    start, end = (datetime.now(UTC) + timedelta(hours=h) for h in (-1, 1))
    result = CliRunner().invoke(
        app,
        [
            "report",
            "noise",
            "--from",
            start.isoformat(),
            "--to",
            end.isoformat(),
            "--api",
            platform.url,
            "--token",
            "integration-token",
        ],
        env={"COLUMNS": "200"},  # rich cuts tables to the terminal's width
    )

    assert result.exit_code == 0, result.output
    assert "checkout-events" in result.output
    assert "flappy" in result.output
