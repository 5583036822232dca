"""Alertmanager webhook v4: a notification group becomes one alert, routed by its service label."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.models import AlertAction, Severity
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.intake.sources import alertmanager

NOW = datetime(2026, 11, 27, tzinfo=UTC)
AM = IntegrationRef(
    id="am", kind="alertmanager", service="platform", service_label="service", default_service="platform"
)
SERVICES = frozenset({"checkout", "payments", "search", "platform"})


def parse(body: object):
    return alertmanager.parse_webhook(body, alert_id="a1", integration=AM, known_services=SERVICES, now=NOW)


def test_firing_group_triggers_with_alertmanagers_own_dedup_key(fixture_json):
    alert = parse(fixture_json("alertmanager-v4-firing.json"))
    assert alert.action is AlertAction.TRIGGER
    assert alert.dedup_key == hashlib.sha256(b'{}:{alertname="HighErrorRate"}').hexdigest()
    assert alert.service == "checkout"
    assert alert.severity is Severity.CRITICAL
    assert [i.fingerprint for i in alert.instances] == ["b1c11497b32ce15e"]
    assert alert.summary == "[FIRING:1] HighErrorRate: 5xx rate above 5%"


def test_resolved_group_resolves_the_same_dedup_key(fixture_json):
    firing = parse(fixture_json("alertmanager-v4-firing.json"))
    resolved = parse(fixture_json("alertmanager-v4-resolved.json"))
    assert resolved.action is AlertAction.RESOLVE
    assert resolved.dedup_key == firing.dedup_key
    assert resolved.instances[0].ends_at == datetime(2026, 11, 27, 0, 57, 51, tzinfo=UTC)


@pytest.mark.parametrize("labels", [{"service": "billing"}, {}])
def test_unknown_or_missing_service_label_goes_to_the_default_service(fixture_json, labels):
    body = fixture_json("alertmanager-v4-firing.json")
    body["commonLabels"] = {"alertname": "X", **labels}
    for a in body["alerts"]:
        a["labels"] = {"alertname": "X", **labels}
    assert parse(body).service == "platform"


def test_worst_severity_of_the_group_wins(fixture_json):
    body = fixture_json("alertmanager-v4-firing.json")
    second = {**body["alerts"][0], "fingerprint": "f2", "labels": {"severity": "warning"}}
    body["alerts"][0]["labels"]["severity"] = "info"
    body["alerts"].append(second)
    assert parse(body).severity is Severity.WARNING


def test_missing_group_key_is_reported_by_field_name(fixture_json):
    body = fixture_json("alertmanager-v4-firing.json")
    del body["groupKey"]
    with pytest.raises(InvalidInput) as err:
        parse(body)
    assert any("groupKey" in e for e in err.value.errors)


def test_other_webhook_versions_are_refused(fixture_json):
    body = fixture_json("alertmanager-v4-firing.json")
    body["version"] = "3"
    with pytest.raises(InvalidInput, match="version"):
        parse(body)
