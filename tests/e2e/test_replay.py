"""A captured resolve, replayed once a newer incident has opened on its key, leaves that incident paging.

For each source: incident A opens and resolves (the resolve is captured, signature and all), incident B
opens on the same key, and the capture is sent again. Where the delivery is remembered (Grafana,
Sentry, SNS, Alertmanager) the replay gets 200 and does nothing; where a source sends the same body for
every resolve (generic JSON signed with `sha256=`), or a replay comes with its body changed (an
unsigned Alertmanager), the resolve predates B and is ignored as stale, on B's timeline. Either way B
stays triggered and is paged.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from klaxon.domain.incident.dedup import group_key_hash, sentry_issue_key
from tests.conftest import FIXTURES
from tests.e2e.support import Platform, wait_for
from tests.fakes.sources import (
    GENERIC,
    GRAFANA,
    SENTRY,
    Delivery,
    alarm,
    encode,
    generic_headers,
    grafana_headers,
    load,
    sentry_headers,
    sns_sign,
)

pytestmark = pytest.mark.e2e
ALERTMANAGER_KEY = "KLAXON-DEMO-ALERTMANAGER-KEY-001"


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _grafana(token: str, status: str, starts: datetime, ends: datetime | None) -> Delivery:
    body = load("grafana-firing" if status == "firing" else "grafana-resolved")
    body["groupKey"] += f"/{token}"
    body["commonLabels"]["severity"] = "critical"  # a page, so B can be seen still paging
    for alert in body["alerts"]:
        alert["labels"]["severity"] = "critical"
        alert["startsAt"] = _iso(starts)
        alert["endsAt"] = _iso(ends) if ends else "0001-01-01T00:00:00Z"
    raw = encode(body)
    headers = {"Authorization": f"Bearer {GRAFANA[0]}", **grafana_headers(raw, GRAFANA[1])}
    return Delivery("/v1/integrations/grafana", raw, headers)


def _sentry(token: str, status: str, at: datetime) -> Delivery:
    if status == "firing":
        body, resource = load("sentry-issue-alert"), "event_alert"
        body["data"]["event"]["issue_id"] = token
        body["data"]["event"]["datetime"] = _iso(at)
    else:
        body, resource = load("sentry-issue-resolved"), "issue"
        body["data"]["issue"]["id"] = token
        body["data"]["issue"]["lastSeen"] = _iso(at)
    raw = encode(body)
    headers = sentry_headers(raw, SENTRY[1], resource) | {"Request-ID": str(uuid.uuid4())}
    return Delivery(f"/v1/integrations/sentry/{SENTRY[0]}", raw, headers)


def _generic(token: str, status: str, at: datetime) -> Delivery:
    body = load("generic-firing" if status == "firing" else "generic-resolved")
    body |= {"id": token, "started_at": _iso(at)}
    raw = encode(body)
    headers = {"Authorization": f"Bearer {GENERIC[0]}", **generic_headers(raw, GENERIC[1])}
    return Delivery("/v1/integrations/generic", raw, headers)


def _alertmanager(token: str, status: str, starts: datetime, ends: datetime | None) -> Delivery:
    body = json.loads((FIXTURES / f"alertmanager-v4-{status}.json").read_text())
    body["groupKey"] += f"/{token}"
    for alert in body["alerts"]:
        alert["startsAt"] = _iso(starts)
        alert["endsAt"] = _iso(ends) if ends else "0001-01-01T00:00:00Z"
    headers = {"Authorization": f"Bearer {ALERTMANAGER_KEY}", "Content-Type": "application/json"}
    return Delivery("/v1/integrations/alertmanager", encode(body), headers)


def _cloudwatch(token: str, status: str, at: datetime) -> Delivery:
    envelope = alarm("ALARM" if status == "firing" else "OK", name=f"checkout-5xx-{token}")
    message = json.loads(envelope["Message"])
    message["StateChangeTime"] = at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    envelope = sns_sign({**envelope, "Message": json.dumps(message), "MessageId": str(uuid.uuid4())})
    headers = {"x-amz-sns-message-type": "Notification"}
    return Delivery("/v1/integrations/cloudwatch/KLAXON-DEMO-CLOUDWATCH-KEY-00001", encode(envelope), headers)


def _send(on: Platform, delivery: Delivery) -> httpx.Response:
    return on.anonymous.post(delivery.path, content=delivery.body, headers=delivery.headers)


def _group_key(fixture: str, token: str) -> str:
    path = FIXTURES / (f"{fixture}.json" if fixture.startswith("alertmanager") else f"sources/{fixture}.json")
    return group_key_hash(json.loads(path.read_text())["groupKey"] + f"/{token}")


@dataclass(frozen=True)
class Case:
    service: str
    key: Callable[[str], str]
    fire: Callable[[str, datetime], Delivery]
    resolve: Callable[[str, datetime, datetime], Delivery]  # token, A's start, A's end
    caught: str  # "repeat": remembered, answered 200; "stale": taken, then ignored on B's timeline


CASES = {
    "grafana": Case(
        "checkout",
        lambda t: _group_key("grafana-firing", t),
        lambda t, at: _grafana(t, "firing", at, None),
        lambda t, started, ended: _grafana(t, "resolved", started, ended),
        "repeat",
    ),
    "sentry": Case(
        "checkout",
        sentry_issue_key,
        lambda t, at: _sentry(t, "firing", at),
        lambda t, started, ended: _sentry(t, "resolved", ended),
        "repeat",
    ),
    "alertmanager": Case(
        "checkout",
        lambda t: _group_key("alertmanager-v4-firing", t),
        lambda t, at: _alertmanager(t, "firing", at, None),
        lambda t, started, ended: _alertmanager(t, "resolved", started, ended),
        "repeat",
    ),
    "generic": Case(
        "platform",
        lambda t: t,
        lambda t, at: _generic(t, "firing", at),
        lambda t, started, ended: _generic(t, "resolved", ended),
        "stale",
    ),
    "cloudwatch": Case(
        "checkout",
        lambda t: f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx-{t}",
        lambda t, at: _cloudwatch(t, "firing", at),
        lambda t, started, ended: _cloudwatch(t, "resolved", ended),
        "repeat",
    ),
}


def _a_then_b(
    on: Platform, case: Case, token: str, now: datetime
) -> tuple[dict[str, Any], dict[str, Any], Delivery]:
    """Incident A opens and resolves (its resolve captured), then B opens on the same key."""
    started, ended = now - timedelta(minutes=3), now - timedelta(minutes=2)
    assert _send(on, case.fire(token, started)).status_code == 202
    a = on.await_incident(case.service, case.key(token))
    capture = case.resolve(token, started, ended)
    assert _send(on, capture).status_code == 202
    on.await_status(a["id"], "resolved")
    assert _send(on, case.fire(token, now)).status_code == 202
    b = on.await_incident(case.service, case.key(token), lambda i: i["id"] != a["id"])
    return a, b, capture


@pytest.fixture
def on(request: pytest.FixtureRequest, platform: Platform) -> Platform:
    kind = request.node.callspec.params["kind"]
    return request.getfixturevalue("sns_platform") if kind == "cloudwatch" else platform


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_replayed_resolve_leaves_the_newer_incident_on_its_key_triggered_and_paging(on: Platform, kind):
    case = CASES[kind]
    _, b, capture = _a_then_b(on, case, uuid.uuid4().hex[:12], datetime.now(UTC))

    replay = _send(on, capture)

    assert replay.status_code == (200 if case.caught == "repeat" else 202), replay.text
    if case.caught == "stale":
        wait_for(lambda: _ignored_on_timeline(on, b["id"]), timeout=20.0, what="the stale resolve on B")
    pages = wait_for(
        lambda: on.api.get(f"/v1/incidents/{b['id']}/notifications").json()["notifications"],
        timeout=30.0,
        what="a page for incident B",
    )
    assert pages
    assert on.incident(b["id"])["status"] == "triggered"


def test_a_changed_replay_of_an_unsigned_resolve_is_ignored_as_stale(platform: Platform):
    """An Alertmanager resolve with its body changed is a new delivery; its own time still gives it away."""
    _, b, capture = _a_then_b(platform, CASES["alertmanager"], uuid.uuid4().hex[:12], datetime.now(UTC))
    changed = json.loads(capture.body) | {"receiver": "someone-else"}

    assert _send(platform, Delivery(capture.path, encode(changed), capture.headers)).status_code == 202

    entry = wait_for(lambda: _ignored_on_timeline(platform, b["id"]), timeout=20.0, what="the stale resolve")
    assert entry["message"].startswith("Ignored: stale resolve from alertmanager")
    assert platform.incident(b["id"])["status"] == "triggered"


def _ignored_on_timeline(on: Platform, incident_id: str) -> dict[str, Any] | None:
    timeline = on.api.get(f"/v1/incidents/{incident_id}/timeline").json()["timeline"]
    return next((e for e in timeline if e["kind"] == "ignored"), None)
