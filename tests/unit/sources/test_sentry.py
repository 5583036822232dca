"""Sentry internal-integration webhooks: issue alerts, metric alerts, issue resolution; always signed."""

from __future__ import annotations

import pytest

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.models import AlertAction, Severity
from klaxon.domain.intake.sources import Ignored, sentry
from klaxon.domain.intake.sources.signatures import BadSignature
from tests.fakes.sources import encode, load, sentry_headers
from tests.unit.sources.conftest import NOW, parse, parse_alert, ref

SECRET = "sentry-client-secret-0001"


def test_an_issue_alert_triggers_keyed_by_the_sentry_issue():
    alert = parse_alert("sentry", load("sentry-issue-alert"), Sentry_Hook_Resource="event_alert")

    assert alert.action is AlertAction.TRIGGER
    assert alert.dedup_key == "sentry-issue:4507811134"
    assert alert.summary == "TypeError: Cannot read properties of undefined (reading 'total')"
    assert alert.severity is Severity.ERROR


def test_the_same_issue_alerting_again_joins_its_dedup_key():
    again = load("sentry-issue-alert")
    again["data"]["event"]["event_id"] = "0f3e2d1c"

    assert parse_alert("sentry", again).dedup_key == "sentry-issue:4507811134"


def test_issue_tags_project_and_rule_become_labels():
    labels = parse_alert("sentry", load("sentry-issue-alert")).labels

    assert labels["environment"] == "production"
    assert labels["project"] == "1862210"
    assert labels["rule"] == "Checkout errors in production"


def test_resolving_the_issue_in_sentry_resolves_its_alert():
    alert = parse_alert("sentry", load("sentry-issue-resolved"), Sentry_Hook_Resource="issue")

    assert alert.action is AlertAction.RESOLVE
    assert alert.dedup_key == "sentry-issue:4507811134"


def test_other_issue_activity_is_ignored():
    body = load("sentry-issue-resolved") | {"action": "assigned"}

    assert isinstance(parse("sentry", body, Sentry_Hook_Resource="issue"), Ignored)


def test_a_critical_metric_alert_triggers_as_critical():
    alert = parse_alert("sentry", load("sentry-metric-alert-critical"), Sentry_Hook_Resource="metric_alert")

    assert alert.action is AlertAction.TRIGGER
    assert alert.severity is Severity.CRITICAL
    assert alert.dedup_key == "sentry-metric-alert:93211"
    assert alert.summary == "Critical: Checkout error rate"


def test_a_metric_alert_going_to_warning_retriggers_the_same_incident_as_a_warning():
    body = load("sentry-metric-alert-critical") | {"action": "warning"}

    alert = parse_alert("sentry", body)

    assert (alert.dedup_key, alert.severity) == ("sentry-metric-alert:93211", Severity.WARNING)


def test_a_resolved_metric_alert_resolves():
    alert = parse_alert("sentry", load("sentry-metric-alert-resolved"))

    assert alert.action is AlertAction.RESOLVE
    assert alert.dedup_key == "sentry-metric-alert:93211"


def test_resources_that_are_not_alerts_are_ignored():
    assert isinstance(
        parse("sentry", {"action": "created", "data": {}}, Sentry_Hook_Resource="installation"), Ignored
    )


def test_a_metric_alert_without_its_rule_names_the_field():
    body = load("sentry-metric-alert-critical")
    del body["data"]["metric_alert"]["alert_rule"]

    with pytest.raises(InvalidInput) as caught:
        parse("sentry", body)

    assert caught.value.errors == ["'data.metric_alert.alert_rule': Field required"]


def test_a_body_signed_with_the_client_secret_is_accepted():
    body = encode(load("sentry-issue-alert"))
    headers = {k.lower(): v for k, v in sentry_headers(body, SECRET, "event_alert").items()}

    sentry.verify(body, headers, ref("sentry", secrets=(SECRET,)), NOW)


def test_a_body_changed_after_signing_is_refused():
    body = encode(load("sentry-issue-alert"))
    headers = {k.lower(): v for k, v in sentry_headers(body, SECRET, "event_alert").items()}

    with pytest.raises(BadSignature, match="Sentry-Hook-Signature does not match the body"):
        sentry.verify(body.replace(b"error", b"debug"), headers, ref("sentry", secrets=(SECRET,)), NOW)


def test_an_integration_without_its_client_secret_refuses_everything():
    with pytest.raises(BadSignature, match="no secret"):
        sentry.verify(b"{}", {}, ref("sentry"), NOW)
