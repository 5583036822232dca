"""`klaxon route test`: a payload through an integration's rules, each rule's verdict, the result."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from klaxon.cli import app
from tests.conftest import DEMO_CONFIG
from tests.fakes.sources import load


def route(payload: dict[str, object], tmp_path: Path, integration: str = "grafana", *extra: str):
    path = tmp_path / "payload.json"
    path.write_text(json.dumps(payload))
    args = ["route", "test", str(DEMO_CONFIG), "--integration", integration, "--payload", str(path), *extra]
    return CliRunner(env={"COLUMNS": "250"}).invoke(app, args)


def grafana_with(tmp_path: Path, **labels: str):
    body = load("grafana-firing")
    body["commonLabels"].update(labels)
    return route(body, tmp_path)


def test_a_matching_rule_is_shown_with_its_conditions_and_result(tmp_path):
    result = grafana_with(tmp_path, component="postgres")

    assert result.exit_code == 0, result.output
    assert (
        "matched database-pages-payments: label 'component' is one of ['postgres', 'pgbouncer']"
        in result.output
    )
    assert (
        "result:   service payments, priority P1, urgency high (rule 'database-pages-payments')"
        in result.output
    )


def test_a_rule_that_did_not_match_names_its_failing_condition(tmp_path):
    result = grafana_with(tmp_path, component="postgres")

    assert "drop-test-environment: label 'env' equals 'test' failed: label 'env' is missing" in result.output


def test_without_a_match_the_alert_keeps_its_service_and_severitys_priority(tmp_path):
    result = grafana_with(tmp_path)

    assert "result:   service checkout, priority P3, urgency low (no rule matched)" in result.output


def test_a_dropping_rule_says_the_alert_would_be_dropped(tmp_path):
    result = grafana_with(tmp_path, env="test")

    assert "dropped by rule 'drop-test-environment'" in result.output
    assert "database-pages-payments: not tried, an earlier rule matched" in result.output


def test_an_sns_delivery_is_read_for_its_alarm(tmp_path):
    result = route(load("cloudwatch"), tmp_path, "cloudwatch")

    assert "result:   service checkout, priority P1, urgency high (no rule matched)" in result.output


def test_a_payload_the_source_cannot_read_lists_its_problems(tmp_path):
    result = route({"alert_id": "1"}, tmp_path, "datadog")

    assert result.exit_code == 1
    assert "'alert_transition': Field required" in result.output


def test_an_unknown_integration_lists_the_known_ones(tmp_path):
    result = route({}, tmp_path, "nagios")

    assert result.exit_code == 1
    assert "no integration 'nagios'; there are checkout-events" in result.output
