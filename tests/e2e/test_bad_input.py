"""Bad alerts (PagerDuty events, Alertmanager webhooks) are refused with a 4xx saying why, never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.support import (
    ALERTMANAGER_KEY,
    CHECKOUT_KEY,
    Platform,
    assert_invalid_event,
    assert_refused,
    unique,
)

pytestmark = pytest.mark.e2e

LIMIT = 512 * 1024


def trigger(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "routing_key": CHECKOUT_KEY,
        "event_action": "trigger",
        "dedup_key": unique("bad-input"),
        "payload": {"summary": "Checkout errors", "source": "web-1", "severity": "error"},
    }
    return {**event, **overrides}


def webhook(**overrides: Any) -> dict[str, Any]:
    alert = {"status": "firing", "labels": {"alertname": "Bad"}, "fingerprint": "f00d"}
    return {"version": "4", "status": "firing", "groupKey": "{}:{}", "alerts": [alert], **overrides}


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


# --- PagerDuty Events API v2 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "mentioned"),
    [
        pytest.param(b"this is not JSON", ["not valid JSON"], id="not JSON"),
        pytest.param(b"", ["not valid JSON"], id="empty body"),
        pytest.param(_json([trigger()]), ["JSON object"], id="array instead of object"),
        pytest.param(_json(trigger(routing_key=None)), ["routing_key"], id="no routing key"),
        pytest.param(_json(trigger(routing_key=["x"])), ["routing_key"], id="routing key not a string"),
        pytest.param(
            _json(trigger(routing_key="NO-SUCH-KEY-0000000000000000000")), ["routing_key"], id="unknown key"
        ),
        pytest.param(_json(trigger(routing_key=ALERTMANAGER_KEY)), ["routing_key"], id="key of another kind"),
        pytest.param(_json(trigger(event_action="explode")), ["event_action"], id="unknown action"),
        pytest.param(_json(trigger(payload=None)), ["payload"], id="trigger without payload"),
        pytest.param(
            _json(trigger(payload={"severity": "error"})),
            ["payload.summary", "payload.source"],
            id="every missing field listed at once",
        ),
        pytest.param(
            _json(trigger(dedup_key=7, payload={"summary": 5, "source": "web-1", "severity": "fatal"})),
            ["dedup_key", "payload.summary", "payload.severity"],
            id="wrong types",
        ),
        pytest.param(
            _json(
                trigger(payload={"summary": "s", "source": "w", "severity": "info", "timestamp": "yesterday"})
            ),
            ["payload.timestamp"],
            id="timestamp not ISO 8601",
        ),
        pytest.param(_json(trigger(dedup_key="k" * 256)), ["dedup_key"], id="dedup key over 255"),
        pytest.param(
            _json({"routing_key": CHECKOUT_KEY, "event_action": "acknowledge"}),
            ["dedup_key"],
            id="acknowledge without dedup key",
        ),
        pytest.param(_json(trigger(links=[{"text": "no href"}])), ["links[0].href"], id="link without href"),
    ],
)
def test_invalid_event_is_refused_in_pagerdutys_format(
    platform: Platform, body: bytes, mentioned: list[str]
) -> None:
    response = platform.anonymous.post("/v2/enqueue", content=body)

    assert_invalid_event(response, *mentioned)


def test_body_that_is_not_utf8_is_an_invalid_event(platform: Platform) -> None:
    response = platform.anonymous.post("/v2/enqueue", content=b"\xff\xfe{not text}")

    assert_invalid_event(response)


@pytest.mark.parametrize(
    ("body", "mentioned"),
    [
        pytest.param(
            _json({"routing_key": CHECKOUT_KEY, "payload": {}}), ["payload.summary"], id="no summary"
        ),
        pytest.param(_json({"routing_key": CHECKOUT_KEY}), ["payload"], id="no payload"),
        pytest.param(
            _json({"routing_key": "NO-SUCH-KEY-0000000000000000000", "payload": {"summary": "deploy"}}),
            ["routing_key"],
            id="unknown key",
        ),
    ],
)
def test_invalid_change_event_is_refused_in_pagerdutys_format(
    platform: Platform, body: bytes, mentioned: list[str]
) -> None:
    response = platform.anonymous.post("/v2/change/enqueue", content=body)

    assert_invalid_event(response, *mentioned)


@pytest.mark.parametrize("path", ["/v2/enqueue", "/v2/change/enqueue"])
def test_event_over_512_kb_is_refused_as_too_large(platform: Platform, path: str) -> None:
    oversize = _json(trigger(payload={"summary": "s", "source": "w", "severity": "info", "pad": "x" * LIMIT}))

    response = platform.anonymous.post(path, content=oversize)

    errors = assert_invalid_event(response, "512 KB", status=413)
    assert str(len(oversize)) in errors[0]


def _big_trigger(size: int) -> tuple[dict[str, Any], bytes]:
    details = {"log": "x" * size}
    event = trigger(payload={"summary": "Big", "source": "w", "severity": "info", "custom_details": details})
    return event, _json(event)


def test_event_larger_than_a_bus_entry_opens_its_incident_with_every_detail(platform: Platform) -> None:
    # Over EventBridge's 256 KB entry: the alert travels through the payload bucket instead.
    event, body = _big_trigger(300 * 1024)

    response = platform.anonymous.post("/v2/enqueue", content=body)

    assert response.status_code == 202, response.text
    listed = platform.await_incident("checkout", event["dedup_key"])
    incident = platform.api.get(f"/v1/incidents/{listed['id']}").json()
    assert incident["details"] == event["payload"]["custom_details"]


def test_event_just_under_512_kb_is_accepted_and_opens_its_incident(platform: Platform) -> None:
    event, body = _big_trigger(LIMIT - 2048)
    assert len(body) <= LIMIT

    response = platform.anonymous.post("/v2/enqueue", content=body)

    assert response.status_code == 202, response.text
    listed = platform.await_incident("checkout", event["dedup_key"])
    # Too large for the incident's DynamoDB item: the details live in the payload bucket, shown whole.
    incident = platform.api.get(f"/v1/incidents/{listed['id']}").json()
    assert incident["details"] == event["payload"]["custom_details"]
    assert incident["details_ref"]


# --- Alertmanager webhook --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "headers", "mentioned"),
    [
        pytest.param("/v1/integrations/alertmanager", {}, "missing integration key", id="no key"),
        pytest.param(
            "/v1/integrations/alertmanager",
            {"Authorization": "Bearer WRONG"},
            "not the key of any",
            id="wrong key",
        ),
        pytest.param(
            "/v1/integrations/alertmanager",
            {"Authorization": f"Bearer {CHECKOUT_KEY}"},
            "not the key of any",
            id="key of a PagerDuty integration",
        ),
        pytest.param(
            "/v1/integrations/alertmanager/WRONG-KEY", {}, "not the key of any", id="wrong key in the URL"
        ),
        pytest.param(
            "/v1/integrations/grafana",
            {"Authorization": f"Bearer {ALERTMANAGER_KEY}"},
            "not the key of any grafana integration",
            id="key used for another kind",
        ),
    ],
)
def test_webhook_with_a_wrong_integration_key_is_unauthorized(
    platform: Platform, path: str, headers: dict[str, str], mentioned: str
) -> None:
    response = platform.anonymous.post(path, content=_json(webhook()), headers=headers)

    body = assert_refused(response, 401)
    assert mentioned in body["message"]
    assert ALERTMANAGER_KEY not in response.text


def test_an_unknown_integration_kind_is_a_400_naming_the_known_ones(platform: Platform) -> None:
    response = platform.anonymous.post(
        "/v1/integrations/nagios",
        content=_json(webhook()),
        headers={"Authorization": f"Bearer {ALERTMANAGER_KEY}"},
    )
    body = assert_refused(response, 400)
    assert body["message"] == "unknown integration kind 'nagios'"
    assert body["errors"] == ["kind is one of alertmanager, cloudwatch, datadog, generic, grafana, sentry"]


@pytest.mark.parametrize(
    ("body", "mentioned"),
    [
        pytest.param(b"{not JSON", "not JSON", id="not JSON"),
        pytest.param(_json(["alerts"]), "JSON object", id="array instead of object"),
        pytest.param(_json({}), "groupKey", id="missing fields"),
        pytest.param(_json(webhook(alerts="web-1 is down")), "alerts", id="alerts not a list"),
        pytest.param(_json(webhook(alerts=[])), "alerts", id="no alerts"),
        pytest.param(_json(webhook(status="exploding")), "status", id="unknown status"),
        pytest.param(
            _json(webhook(alerts=[{"status": "firing", "labels": {"n": 1}, "fingerprint": "f"}])),
            "labels",
            id="label value not a string",
        ),
        pytest.param(_json(webhook(version="3")), "version", id="unsupported version"),
        pytest.param(
            _json(webhook(alerts=[{"status": "firing", "labels": {}, "fingerprint": "f", "endsAt": "soon"}])),
            "endsAt",
            id="endsAt not a time",
        ),
    ],
)
def test_invalid_webhook_is_refused_with_every_problem(
    platform: Platform, body: bytes, mentioned: str
) -> None:
    response = platform.anonymous.post(
        "/v1/integrations/alertmanager", content=body, headers={"Authorization": f"Bearer {ALERTMANAGER_KEY}"}
    )

    refused = assert_refused(response, 400)
    assert mentioned in json.dumps(refused)


def test_webhook_over_512_kb_is_refused_as_too_large(platform: Platform) -> None:
    oversize = _json(webhook(commonAnnotations={"description": "x" * LIMIT}))

    response = platform.anonymous.post(
        "/v1/integrations/alertmanager",
        content=oversize,
        headers={"Authorization": f"Bearer {ALERTMANAGER_KEY}"},
    )

    body = assert_refused(response, 413)
    assert "512 KB" in " ".join(body["errors"])
