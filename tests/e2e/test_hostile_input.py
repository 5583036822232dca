"""The hand corpus of hostile inputs: each gets a 4xx with a JSON body saying why, never a 5xx.

Deep nesting, integers past Python's digit limit, lone UTF-16 surrogates, non-ASCII bytes in tokens,
signatures and feed tokens, forged and truncated cursors, huge arrays and wrong content types, sent
to the ingest routes, the API and the public subscribe route of the running platform.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

import httpx
import pytest

from tests.e2e.support import ALERTMANAGER_KEY, CHECKOUT_KEY, Platform, unique

pytestmark = pytest.mark.e2e

DEEP = b"[" * 10_000 + b"]" * 10_000
HUGE = b"1" + b"0" * 5_000
TOKEN = {"Authorization": "Bearer klaxon-dev-token"}
ALERTMANAGER = {"Authorization": f"Bearer {ALERTMANAGER_KEY}", "Content-Type": "application/json"}


def _event(payload: bytes) -> bytes:
    return (
        b'{"routing_key": "'
        + CHECKOUT_KEY.encode()
        + b'", "event_action": "trigger", "payload": '
        + payload
        + b"}"
    )


def _window(value: bytes) -> bytes:
    return b'{"start": "2030-01-01T00:00:00Z", "end": "2030-01-01T01:00:00Z", "services": ' + value + b"}"


@dataclass(frozen=True)
class Hostile:
    name: str
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str | bytes] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


CREATED_KEY = {"id": {"S": "x"}, "kind": {"S": "incident"}, "created_key": {"S": "x"}}  # the by-created shape


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


CORPUS = [
    # Nesting deeper than any reader should follow.
    Hostile("deep json to events v2", "POST", "/v2/enqueue", _event(DEEP)),
    Hostile("deep json as a whole event", "POST", "/v2/enqueue", DEEP),
    Hostile("deep json to alertmanager", "POST", "/v1/integrations/alertmanager", DEEP, ALERTMANAGER),
    Hostile("deep json as the configuration", "PUT", "/v1/config", DEEP, TOKEN),
    Hostile("deep json to a validated body", "POST", "/v1/maintenance-windows", _window(DEEP), TOKEN),
    Hostile("deep json to the public subscribe", "POST", "/v1/statuspage/subscribers", DEEP),
    # Integers past the 4,300-digit limit of int().
    Hostile("a 5,000-digit integer in an event", "POST", "/v2/enqueue", _event(HUGE)),
    Hostile("a 5,000-digit integer in the configuration", "PUT", "/v1/config", HUGE, TOKEN),
    Hostile(
        "a 5,000-digit integer in a validated body", "POST", "/v1/maintenance-windows", _window(HUGE), TOKEN
    ),
    # Text that is not Unicode.
    Hostile(
        "a lone surrogate in an event",
        "POST",
        "/v2/enqueue",
        _event(b'{"summary": "\\ud800", "source": "x", "severity": "error"}'),
    ),
    Hostile(
        "a lone surrogate in a webhook",
        "POST",
        "/v1/integrations/alertmanager",
        b'{"version": "4", "status": "firing", "groupKey": "\\udfff", "alerts": '
        b'[{"status": "firing", "labels": {"a": "\\ud800"}, "fingerprint": "f"}]}',
        ALERTMANAGER,
    ),
    Hostile(
        "a lone surrogate in a subscription",
        "POST",
        "/v1/statuspage/subscribers",
        b'{"email": "\\ud800@example.com"}',
    ),
    Hostile(
        "a lone surrogate in a validated body",
        "POST",
        "/v1/maintenance-windows",
        _window(b'["\\ud800"]'),
        TOKEN,
    ),
    # Bytes that are not ASCII where a credential goes.
    Hostile(
        "non-ascii bearer token",
        "GET",
        "/v1/incidents",
        headers={"Authorization": "Bearer \u00e9\u00e9".encode()},
    ),
    Hostile(
        "non-ascii integration key",
        "POST",
        "/v1/integrations/alertmanager",
        b"{}",
        {"Authorization": b"Bearer \xff\xfe"},
    ),
    Hostile(
        "non-ascii grafana signature",
        "POST",
        "/v1/integrations/grafana",
        b"{}",
        {
            "Authorization": "Bearer KLAXON-DEMO-GRAFANA-KEY-00000001",
            "X-Grafana-Alerting-Signature": "\u00e9".encode(),
        },
    ),
    Hostile(
        "non-ascii sentry signature",
        "POST",
        "/v1/integrations/sentry/KLAXON-DEMO-SENTRY-KEY-000000001",
        b"{}",
        {"Sentry-Hook-Signature": "\u00e9t\u00e9".encode(), "Sentry-Hook-Resource": "issue"},
    ),
    Hostile(
        "non-ascii generic signature",
        "POST",
        "/v1/integrations/generic",
        b"{}",
        {
            "Authorization": "Bearer KLAXON-DEMO-GENERIC-KEY-00000001",
            "X-Klaxon-Signature": "sha256=\u00e9".encode(),
        },
    ),
    Hostile(
        "non-ascii datadog secret",
        "POST",
        "/v1/integrations/datadog",
        b"{}",
        {"Authorization": "Bearer KLAXON-DEMO-DATADOG-KEY-00000001", "X-Klaxon-Secret": "\u00e9".encode()},
    ),
    Hostile("non-ascii feed token", "GET", "/v1/schedules/primary/ical?token=%C3%A9%C3%A9"),
    Hostile("non-ascii acknowledge link", "GET", "/a/%C3%A9.%C3%A9"),
    Hostile("non-ascii unsubscribe link", "GET", "/v1/statuspage/subscribers/unsubscribe/%C3%A9.x"),
    # Cursors this API never gave.
    Hostile("a cursor that is not base64", "GET", "/v1/incidents?next=%25%25%25", headers=TOKEN),
    Hostile("a forged cursor", "GET", f"/v1/incidents?next={_cursor({'a': 1})}", headers=TOKEN),
    Hostile(
        "a cursor of another index",
        "GET",
        f"/v1/incidents?status=triggered&next={_cursor(CREATED_KEY)}",
        headers=TOKEN,
    ),
    Hostile(
        "a cursor with a number",
        "GET",
        f"/v1/incidents?next={_cursor(CREATED_KEY | {'id': {'N': '1'}})}",
        headers=TOKEN,
    ),
    Hostile(
        "a truncated cursor",
        "GET",
        f"/v1/incidents?next={_cursor(CREATED_KEY)[:-6]}",
        headers=TOKEN,
    ),
    Hostile(
        "a deep cursor", "GET", f"/v1/incidents?next={base64.urlsafe_b64encode(DEEP).decode()}", headers=TOKEN
    ),
    # Huge arrays and the wrong content.
    Hostile(
        "12,000 services in a window",
        "POST",
        "/v1/maintenance-windows",
        _window(json.dumps(["x"] * 12_000).encode()),
        TOKEN,
    ),
    Hostile(
        "12,000 alerts without fingerprints",
        "POST",
        "/v1/integrations/alertmanager",
        json.dumps(
            {
                "version": "4",
                "status": "firing",
                "groupKey": "g",
                "alerts": [{"status": "firing", "labels": {}}] * 12_000,
            }
        ).encode(),
        ALERTMANAGER,
    ),
    Hostile(
        "form data to a json route",
        "POST",
        "/v1/maintenance-windows",
        b"start=now&end=later",
        {**TOKEN, "Content-Type": "application/x-www-form-urlencoded"},
    ),
    Hostile(
        "multipart without a boundary",
        "POST",
        "/v1/maintenance-windows",
        b"--x--",
        {**TOKEN, "Content-Type": "multipart/form-data"},
    ),
    Hostile(
        "plain text as the configuration",
        "PUT",
        "/v1/config",
        b"services: []",
        {**TOKEN, "Content-Type": "text/plain"},
    ),
    Hostile("an empty body to a validated route", "POST", "/v1/maintenance-windows", b"", TOKEN),
    Hostile("not json to the public subscribe", "POST", "/v1/statuspage/subscribers", b"\xff\xfe\x00"),
]


@pytest.mark.parametrize("hostile", CORPUS, ids=str)
def test_a_hostile_input_gets_a_4xx_saying_why(platform: Platform, hostile: Hostile) -> None:
    with httpx.Client(base_url=platform.url, timeout=30) as client:
        answer = client.request(hostile.method, hostile.path, content=hostile.body, headers=hostile.headers)

    assert 400 <= answer.status_code < 500, f"{answer.status_code}: {answer.text[:300]}"
    if answer.headers.get("content-type", "").startswith("application/json"):
        assert answer.json()["message"].strip()
    else:  # the signed-link routes answer people with a page
        assert answer.headers["content-type"].startswith("text/html"), answer.headers


def test_the_platform_still_pages_after_the_corpus(platform: Platform) -> None:
    key = unique("after-corpus")
    event = {
        "routing_key": CHECKOUT_KEY,
        "event_action": "trigger",
        "dedup_key": key,
        "payload": {"summary": "still paging", "source": "corpus", "severity": "critical"},
    }
    assert platform.anonymous.post("/v2/enqueue", json=event).status_code == 202
    assert platform.await_incident("checkout", key)["status"] == "triggered"
