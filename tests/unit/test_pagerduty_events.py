"""PagerDuty Events API v2 validation: exactly what PagerDuty accepts and refuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from klaxon.domain.errors import InvalidInput, PayloadTooLarge
from klaxon.domain.incident.models import AlertAction, Severity
from klaxon.domain.intake import pagerduty

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def parse(body: object):
    return pagerduty.parse_alert_event(
        body, alert_id="a1", generated_dedup_key="generated", service="checkout", integration="pd", now=NOW
    )


def test_trigger_fixture_is_normalised(fixture_json):
    alert = parse(fixture_json("pagerduty-events-v2-trigger.json"))
    assert alert.action is AlertAction.TRIGGER
    assert alert.dedup_key == "spike-dedup-1"
    assert alert.summary == "Disk full on db-1"
    assert alert.severity is Severity.ERROR
    assert alert.custom_details == {"free_mb": 12}
    assert alert.links[0].href == "https://runbook/x"


def test_trigger_without_dedup_key_gets_the_generated_one(fixture_json):
    body = fixture_json("pagerduty-events-v2-trigger.json")
    del body["dedup_key"]
    assert parse(body).dedup_key == "generated"


@pytest.mark.parametrize("name", ["pagerduty-events-v2-acknowledge.json", "pagerduty-events-v2-resolve.json"])
def test_acknowledge_and_resolve_need_only_the_dedup_key(fixture_json, name):
    alert = parse(fixture_json(name))
    assert alert.dedup_key == "spike-dedup-1"
    assert alert.action in (AlertAction.ACKNOWLEDGE, AlertAction.RESOLVE)


def test_resolve_without_dedup_key_is_invalid():
    with pytest.raises(InvalidInput) as err:
        parse({"routing_key": "k", "event_action": "resolve"})
    assert err.value.errors == ["'dedup_key' is missing or blank"]


def test_every_problem_of_a_trigger_is_listed_at_once():
    with pytest.raises(InvalidInput) as err:
        parse({"routing_key": "k", "event_action": "trigger", "payload": {"severity": "loud", "summary": 3}})
    assert err.value.message == "Event object is invalid"
    assert err.value.errors == [
        "'payload.summary' must be a string",
        "'payload.source' is missing or blank",
        "'payload.severity' must be one of critical, error, warning, info",
    ]


def test_unknown_event_action_is_invalid():
    with pytest.raises(InvalidInput) as err:
        parse({"routing_key": "k", "event_action": "explode"})
    assert "'event_action' must be one of trigger, acknowledge, resolve" in err.value.errors


def test_a_body_that_is_not_an_object_is_invalid():
    with pytest.raises(InvalidInput):
        parse(["not", "an", "event"])


def test_dedup_key_over_255_characters_is_invalid(fixture_json):
    body = fixture_json("pagerduty-events-v2-trigger.json")
    body["dedup_key"] = "x" * 256
    with pytest.raises(InvalidInput, match="invalid"):
        parse(body)


def test_body_over_512_kb_is_refused_before_parsing():
    with pytest.raises(PayloadTooLarge):
        pagerduty.check_size(b" " * (512 * 1024 + 1))
    pagerduty.check_size(b" " * (512 * 1024))


def test_change_event_fixture_is_normalised(fixture_json):
    change = pagerduty.parse_change_event(
        fixture_json("pagerduty-change-event.json"),
        change_id="c1",
        service="checkout",
        integration="pd",
        now=NOW,
    )
    assert change.summary == "deployed v1.2"
    assert change.timestamp == datetime(2026, 11, 27, tzinfo=UTC)


def test_client_and_client_url_become_the_first_link_and_images_are_kept(fixture_json):
    body = fixture_json("pagerduty-events-v2-trigger.json")
    body["client"] = "Alertmanager"
    body["client_url"] = "http://alertmanager:9093/#/alerts?receiver=klaxon"
    body["images"] = [{"src": "https://graphs/cpu.png", "href": "https://graphs/cpu", "alt": "CPU"}]
    alert = parse(body)
    assert [(link.href, link.text) for link in alert.links] == [
        ("http://alertmanager:9093/#/alerts?receiver=klaxon", "Alertmanager"),
        ("https://runbook/x", "runbook"),
    ]
    assert [(i.src, i.href, i.alt) for i in alert.images] == [
        ("https://graphs/cpu.png", "https://graphs/cpu", "CPU")
    ]


def test_a_client_url_without_a_client_name_is_a_link_without_text(fixture_json):
    body = {**fixture_json("pagerduty-events-v2-trigger.json"), "client_url": "https://ci/job/1"}
    assert (parse(body).links[0].href, parse(body).links[0].text) == ("https://ci/job/1", None)


def test_malformed_client_and_images_are_listed_as_problems(fixture_json):
    body = {**fixture_json("pagerduty-events-v2-trigger.json"), "client_url": 5, "images": [{"alt": "x"}]}
    with pytest.raises(InvalidInput) as caught:
        parse(body)
    assert "'client_url' must be a string" in caught.value.errors
    assert "'images[0].src' is missing or not a string" in caught.value.errors
