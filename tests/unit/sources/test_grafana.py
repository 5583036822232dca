"""Grafana unified alerting webhook: a notification group is one alert; optional HMAC signature."""

from __future__ import annotations

import pytest

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.dedup import group_key_hash
from klaxon.domain.incident.models import AlertAction, Severity
from klaxon.domain.intake.sources import grafana
from klaxon.domain.intake.sources.signatures import BadSignature
from tests.fakes.sources import encode, grafana_headers, load
from tests.unit.sources.conftest import NOW, parse_alert, ref

SECRET = "grafana-secret-0000000001"


def test_a_firing_group_triggers_on_the_service_its_label_names():
    alert = parse_alert("grafana", load("grafana-firing"))

    assert alert.action is AlertAction.TRIGGER
    assert alert.service == "checkout"
    assert alert.severity is Severity.WARNING
    assert alert.summary == "[FIRING:1] CheckoutLatencyHigh Checkout (checkout warning storefront)"


def test_the_dedup_key_is_the_hash_of_the_group_key():
    body = load("grafana-firing")

    assert parse_alert("grafana", body).dedup_key == group_key_hash(body["groupKey"])


def test_a_refiring_of_the_same_group_has_the_same_dedup_key():
    first = load("grafana-firing")
    again = load("grafana-firing")
    again["alerts"][0]["values"] = {"A": 1204.0, "B": 1}

    assert parse_alert("grafana", first).dedup_key == parse_alert("grafana", again).dedup_key


def test_a_resolved_group_resolves_the_same_dedup_key():
    firing = parse_alert("grafana", load("grafana-firing"))
    resolved = parse_alert("grafana", load("grafana-resolved"))

    assert resolved.action is AlertAction.RESOLVE
    assert resolved.dedup_key == firing.dedup_key


def test_each_alert_of_the_group_is_kept_by_fingerprint_and_go_zero_time_means_not_ended():
    (instance,) = parse_alert("grafana", load("grafana-firing")).instances

    assert instance.fingerprint == "a3c9f1b2d4e5f607"
    assert instance.ends_at is None


def test_runbook_and_dashboard_become_links():
    links = {link.text: link.href for link in parse_alert("grafana", load("grafana-firing")).links}

    assert links["runbook"] == "https://runbooks.acme.example/checkout-latency"
    assert links["dashboard"] == "https://grafana.acme.example/d/checkout-overview?orgId=1"


def test_the_severity_map_turns_the_sources_word_into_a_severity():
    body = load("grafana-firing")
    body["alerts"][0]["labels"]["severity"] = "sev1"

    alert = parse_alert("grafana", body, ref("grafana", severity_map={"SEV1": Severity.CRITICAL}))

    assert alert.severity is Severity.CRITICAL


def test_a_malformed_webhook_lists_each_bad_field():
    body = load("grafana-firing")
    del body["groupKey"]
    body["alerts"][0]["status"] = "burning"

    with pytest.raises(InvalidInput) as caught:
        parse_alert("grafana", body)

    assert any("'groupKey'" in e for e in caught.value.errors)
    assert any("'alerts.0.status'" in e for e in caught.value.errors)


def test_without_a_secret_no_signature_is_needed():
    grafana.verify(b"{}", {}, ref("grafana"), NOW)


def test_a_body_signed_with_the_secret_is_accepted():
    body = encode(load("grafana-firing"))

    grafana.verify(body, _lower(grafana_headers(body, SECRET)), ref("grafana", secrets=(SECRET,)), NOW)


def test_a_timestamped_signature_within_five_minutes_is_accepted():
    body = encode(load("grafana-firing"))
    headers = grafana_headers(body, SECRET, timestamp=int(NOW.timestamp()) - 60)

    grafana.verify(body, _lower(headers), ref("grafana", secrets=(SECRET,)), NOW)


def test_a_stale_timestamped_signature_is_refused_as_a_replay():
    body = encode(load("grafana-firing"))
    headers = grafana_headers(body, SECRET, timestamp=int(NOW.timestamp()) - 3600)

    with pytest.raises(BadSignature, match="stale or replayed"):
        grafana.verify(body, _lower(headers), ref("grafana", secrets=(SECRET,)), NOW)


def test_a_signature_made_with_another_secret_is_refused():
    body = encode(load("grafana-firing"))

    with pytest.raises(BadSignature, match="X-Grafana-Alerting-Signature does not match"):
        grafana.verify(
            body,
            _lower(grafana_headers(body, "another-secret-00001")),
            ref("grafana", secrets=(SECRET,)),
            NOW,
        )


def test_a_missing_signature_is_refused_when_the_integration_has_a_secret():
    with pytest.raises(BadSignature, match="missing X-Grafana-Alerting-Signature"):
        grafana.verify(b"{}", {}, ref("grafana", secrets=(SECRET,)), NOW)


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}
