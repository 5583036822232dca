"""Every webhook source through the local platform's HTTP front door, ingest and router, in process."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from klaxon import wiring
from klaxon.local.platform import LocalPlatform, Options
from klaxon.settings import Settings
from tests.conftest import DEMO_CONFIG
from tests.fakes.sources import (
    CASES,
    GRAFANA,
    TOPIC,
    Delivery,
    SourceCase,
    encode,
    grafana_headers,
    load,
    pin_certificate,
    subscription_confirmation,
)

CERT_DIR_ENV = Settings.env_name("sns_cert_dir")
TOKEN = "integration-token"


@dataclass
class RecordingConfirmer:
    urls: list[str] = field(default_factory=list)

    def confirm(self, subscribe_url: str) -> None:
        self.urls.append(subscribe_url)


@dataclass
class Running:
    platform: LocalPlatform
    http: httpx.Client  # sends the API token
    anonymous: httpx.Client  # sends only what a monitoring tool would

    def send(self, delivery: Delivery) -> httpx.Response:
        return self.anonymous.post(delivery.path, content=delivery.body, headers=delivery.headers)

    def incident(self, service: str, dedup_key: str) -> dict[str, Any]:
        assert self.platform.drain()
        found = self.http.get("/v1/incidents", params={"service": service, "dedup_key": dedup_key}).json()
        assert len(found["incidents"]) == 1, found
        return found["incidents"][0]  # type: ignore[no-any-return]

    def no_incident(self, dedup_key: str) -> bool:
        assert self.platform.drain()
        return self.http.get("/v1/incidents", params={"dedup_key": dedup_key}).json()["incidents"] == []


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One platform for the module (each test uses its own dedup keys), trusting the test SNS certificate."""
    folder = tmp_path_factory.mktemp("sns-certs")
    pin_certificate(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CERT_DIR_ENV, str(folder))
        platform = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token=TOKEN)).start()
        try:
            api_headers = {"Authorization": f"Bearer {TOKEN}"}
            with (
                httpx.Client(base_url=platform.url, headers=api_headers, timeout=10) as api,
                httpx.Client(base_url=platform.url, timeout=10) as anonymous,
            ):
                yield Running(platform, api, anonymous)
        finally:
            platform.stop()
    assert CERT_DIR_ENV not in os.environ or os.environ[CERT_DIR_ENV] != str(folder)


def token() -> str:
    return uuid.uuid4().hex[:12]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_trigger_opens_an_incident_on_the_sources_service(running: Running, case: SourceCase) -> None:
    t = token()

    response = running.send(case.fire(t))

    assert response.status_code == 202, response.text
    assert response.json() == {
        "status": "success",
        "message": "Alert accepted",
        "dedup_key": case.dedup_key(t),
    }
    incident = running.incident(case.service, case.dedup_key(t))
    assert (incident["status"], incident["integration"]) == ("triggered", case.kind)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_retrigger_joins_the_open_incident(running: Running, case: SourceCase) -> None:
    t = token()
    running.send(case.fire(t))
    running.incident(case.service, case.dedup_key(t))

    assert running.send(case.fire(t)).status_code == 202

    assert running.incident(case.service, case.dedup_key(t))["alert_count"] == 2


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_resolve_resolves_the_incident(running: Running, case: SourceCase) -> None:
    t = token()
    running.send(case.fire(t))
    running.incident(case.service, case.dedup_key(t))

    assert running.send(case.resolve(t)).status_code == 202

    incident = running.incident(case.service, case.dedup_key(t))
    assert (incident["status"], incident["resolved_by"]) == ("resolved", f"integration:{case.kind}")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_bad_signature_is_refused_with_401_and_opens_nothing(running: Running, case: SourceCase) -> None:
    t = token()

    response = running.send(case.forged(t))

    assert response.status_code == 401, response.text
    assert case.refused_because in response.json()["message"]
    assert running.no_incident(case.dedup_key(t))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_malformed_body_is_refused_with_400_naming_the_field(running: Running, case: SourceCase) -> None:
    response = running.send(case.malformed(token()))

    assert response.status_code == 400, response.text
    assert case.malformed_error in response.json()["errors"]


def test_a_subscription_to_the_allowed_topic_is_confirmed(running: Running) -> None:
    confirmer = RecordingConfirmer()
    wiring.container().ingest_service.confirmer = confirmer
    body = subscription_confirmation()

    response = running.send(
        Delivery("/v1/integrations/cloudwatch/KLAXON-DEMO-CLOUDWATCH-KEY-00001", encode(body), {})
    )

    assert response.json() == {"status": "success", "message": f"Subscription to {TOPIC} confirmed"}
    assert confirmer.urls == [body["SubscribeURL"]]


def test_a_grafana_alert_from_the_test_environment_is_dropped_by_its_rule(running: Running) -> None:
    t = token()
    body = load("grafana-firing")
    body["groupKey"] += t
    body["commonLabels"]["env"] = "test"
    raw = encode(body)
    headers = {"Authorization": f"Bearer {GRAFANA[0]}", **grafana_headers(raw, GRAFANA[1], int(time.time()))}

    response = running.send(Delivery("/v1/integrations/grafana", raw, headers))

    assert response.json()["message"] == "Alert dropped by a routing rule"
    assert running.no_incident(hashlib.sha256(body["groupKey"].encode()).hexdigest())


def test_a_sentry_delivery_is_accepted_without_waiting_for_its_incident(running: Running) -> None:
    # Sentry wants an answer within a second: ingest only verifies and publishes (202); the incident is
    # made later by the router. How fast that answer is, bench/bench_routing.py measures.
    sentry = next(case for case in CASES if case.kind == "sentry")

    response = running.send(sentry.fire(token()))

    assert response.status_code == 202
    assert response.json()["status"] == "success"
