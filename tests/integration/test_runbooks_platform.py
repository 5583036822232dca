"""Runbooks on the local platform: alerts in through the API, the incident's runbook out, the CLI on it."""

from __future__ import annotations

import copy
import json
from typing import Any

from typer.testing import CliRunner

from klaxon.cli import app
from klaxon.domain.incident.dedup import group_key_hash
from tests.conftest import ROOT
from tests.integration.conftest import TOKEN

AM_KEY = "KLAXON-DEMO-ALERTMANAGER-KEY-001"
FIRING = json.loads((ROOT / "tests" / "fixtures" / "alertmanager-v4-firing.json").read_text())


def _incident(platform: Any, http: Any, dedup_key: str) -> dict[str, Any]:
    assert platform.drain()
    (found,) = http.get("/v1/incidents", params={"dedup_key": dedup_key}).json()["incidents"]
    return http.get(f"/v1/incidents/{found['id']}").json()


def _alertmanager(http: Any, labels: dict[str, str], summary: str) -> str:
    """Post one firing alert with these labels and no runbook_url; its incident's dedup key."""
    body = copy.deepcopy(FIRING)
    body["groupKey"] = group = f'{{}}:{{alertname="{labels["alertname"]}"}}'
    body["alerts"][0]["labels"] = body["commonLabels"] = labels  # one alert: its labels are all common
    body["groupLabels"] = {"alertname": labels["alertname"]}
    body["alerts"][0]["annotations"] = {"summary": summary}
    body["commonAnnotations"] = {"summary": summary}
    answer = http.post(
        "/v1/integrations/alertmanager", json=body, headers={"Authorization": f"Bearer {AM_KEY}"}
    )
    assert answer.status_code == 202, answer.text
    return group_key_hash(group)


def test_the_real_alertmanager_capture_keeps_its_own_runbook(platform, http):
    answer = http.post(
        "/v1/integrations/alertmanager", json=FIRING, headers={"Authorization": f"Bearer {AM_KEY}"}
    )
    assert answer.status_code == 202, answer.text
    incident = _incident(platform, http, answer.json()["dedup_key"])
    assert incident["runbook"] == {
        "url": "https://runbooks.example/checkout",
        "title": None,
        "source": "alert",
        "id": None,
        "reason": "the alert's own runbook_url",
    }


def test_an_alert_without_one_gets_the_matching_entry_then_the_service_default(platform, http):
    labels = {"alertname": "DbPool", "service": "checkout", "error_type": "PoolExhausted"}
    pooled = _incident(platform, http, _alertmanager(http, labels, "pool exhausted"))
    assert (pooled["runbook"]["id"], pooled["runbook"]["source"]) == ("database-pool", "matched")
    disk = _incident(
        platform, http, _alertmanager(http, {"alertname": "DiskFull", "service": "payments"}, "disk")
    )
    assert disk["runbook"]["url"] == "https://github.com/acme/runbooks/blob/main/docs/payments.md"
    assert disk["runbook"]["source"] == "service"


def test_runbook_test_reads_the_running_platforms_configuration(platform):
    runner = CliRunner(env={"COLUMNS": "250"})
    result = runner.invoke(
        app,
        [
            *("runbook", "test", "--label", "service=checkout", "--field", "summary=checkout latency high"),
            *("--api", platform.url, "--token", TOKEN),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        "result:   Checkout is slow https://www.notion.so/acme/Checkout-latency-0123456789abcdef"
        in result.output
    )
    listed = runner.invoke(app, ["runbook", "list", "--json", "--api", platform.url, "--token", TOKEN])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)["services_without_runbook"] == []
