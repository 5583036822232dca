"""Datadog webhook with Klaxon's template: transitions, tags as labels, priority as severity."""

from __future__ import annotations

import pytest

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.models import AlertAction, Severity
from klaxon.domain.intake.sources import Ignored, datadog
from klaxon.domain.intake.sources.signatures import BadSignature
from tests.fakes.sources import load
from tests.unit.sources.conftest import NOW, parse, parse_alert, ref


def test_triggered_opens_an_alert_on_the_service_its_tag_names():
    alert = parse_alert("datadog", load("datadog-triggered"))

    assert alert.action is AlertAction.TRIGGER
    assert alert.service == "checkout"
    assert alert.dedup_key == "datadog:148923571:env:prod,service:checkout"


def test_re_triggered_joins_the_same_dedup_key():
    first = parse_alert("datadog", load("datadog-triggered"))
    again = parse_alert("datadog", load("datadog-triggered") | {"alert_transition": "Re-Triggered"})

    assert again.action is AlertAction.TRIGGER
    assert again.dedup_key == first.dedup_key


def test_recovered_resolves_the_same_dedup_key():
    first = parse_alert("datadog", load("datadog-triggered"))
    recovered = parse_alert("datadog", load("datadog-recovered"))

    assert recovered.action is AlertAction.RESOLVE
    assert recovered.dedup_key == first.dedup_key


def test_no_data_is_ignored():
    assert isinstance(parse("datadog", load("datadog-triggered") | {"alert_transition": "No Data"}), Ignored)


def test_tags_become_labels_and_a_bare_tag_has_an_empty_value():
    labels = parse_alert("datadog", load("datadog-triggered")).labels

    assert labels == {"env": "prod", "monitor": "", "service": "checkout", "team": "storefront"}


def test_the_monitor_priority_gives_the_severity():
    assert parse_alert("datadog", load("datadog-triggered")).severity is Severity.ERROR


def test_the_severity_map_overrides_the_priority():
    integration = ref("datadog", severity_map={"P2": Severity.CRITICAL})

    assert parse_alert("datadog", load("datadog-triggered"), integration).severity is Severity.CRITICAL


def test_a_warn_transition_is_a_warning():
    body = load("datadog-triggered") | {"alert_transition": "Warn", "alert_priority": ""}

    assert parse_alert("datadog", body).severity is Severity.WARNING


def test_a_template_variable_left_unreplaced_is_refused():
    with pytest.raises(InvalidInput) as caught:
        parse("datadog", load("datadog-triggered") | {"alert_id": "$ALERT_ID"})

    (error,) = caught.value.errors
    assert error.startswith("'alert_id': Value error, $ALERT_ID was not replaced: paste the template")


def test_an_unknown_transition_is_refused_with_the_known_ones():
    with pytest.raises(InvalidInput, match="Datadog webhook is invalid") as caught:
        parse("datadog", load("datadog-triggered") | {"alert_transition": "Exploded"})

    assert "Recovered" in caught.value.errors[0]


def test_missing_fields_are_each_named():
    with pytest.raises(InvalidInput) as caught:
        parse("datadog", {"tags": "env:prod"})

    assert [e.split(":")[0] for e in caught.value.errors] == ["'alert_id'", "'alert_transition'", "'title'"]


def test_with_a_secret_the_custom_header_must_carry_it():
    integration = ref("datadog", secrets=("datadog-secret-00001",))

    datadog.verify(b"{}", {"x-klaxon-secret": "datadog-secret-00001"}, integration, NOW)


def test_a_wrong_secret_header_is_refused():
    integration = ref("datadog", secrets=("datadog-secret-00001",))

    with pytest.raises(BadSignature, match="X-Klaxon-Secret is not the integration's secret"):
        datadog.verify(b"{}", {"x-klaxon-secret": "guess"}, integration, NOW)
