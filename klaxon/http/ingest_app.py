"""The ingest function's routes: PagerDuty Events v2 and integration webhooks in, 202 once the bus has it."""

from __future__ import annotations

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.metrics import MetricUnit

from klaxon import wiring
from klaxon.domain import json_text
from klaxon.http import errors
from klaxon.http.bodies import raw_body

metrics = Metrics(namespace="Klaxon", service="ingest")
app = APIGatewayRestResolver(enable_validation=True, json_body_deserializer=json_text.loads)
errors.register(app)


def _body() -> bytes:
    return raw_body(app.current_event)


def _accepted(body: dict[str, object], status: int = 202) -> Response[dict[str, object]]:
    """202: on the bus, to be handled; 200: a repeated delivery, answered and left alone."""
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.post("/v2/enqueue")
def handle_enqueue_event() -> Response[dict[str, object]]:
    dedup_key = wiring.container().ingest_service.enqueue_pagerduty(_body())
    metrics.add_metric(name="AlertsAccepted", unit=MetricUnit.Count, value=1)
    return _accepted({"status": "success", "message": "Event processed", "dedup_key": dedup_key})


@app.post("/v2/change/enqueue")
def handle_enqueue_change() -> Response[dict[str, object]]:
    wiring.container().ingest_service.enqueue_change(_body())
    return _accepted({"status": "success", "message": "Change event processed"})


def _bearer() -> str | None:
    header = app.current_event.headers.get("authorization") or app.current_event.headers.get("Authorization")
    if header and header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


@app.post("/v1/integrations/<kind>")
def handle_integration_alert(kind: str) -> Response[dict[str, object]]:
    return _integration(kind, _bearer())


@app.post("/v1/integrations/<kind>/<key>")
def handle_integration_alert_with_key(kind: str, key: str) -> Response[dict[str, object]]:
    # For tools that cannot set headers; the key never reaches a log line.
    return _integration(kind, _bearer() or key)


def _headers() -> dict[str, str]:
    """Request headers with lowercase names: signatures travel in them (Sentry-Hook-Signature, ...)."""
    return {name.lower(): value for name, value in (app.current_event.headers or {}).items()}


def _integration(kind: str, key: str | None) -> Response[dict[str, object]]:
    accepted = wiring.container().ingest_service.enqueue_integration(kind, key, _body(), _headers())
    answer: dict[str, object] = {"status": "success", "message": accepted.message}
    if accepted.alert is not None:
        metrics.add_metric(name="AlertsAccepted", unit=MetricUnit.Count, value=1)
        answer["dedup_key"] = accepted.alert.dedup_key
    return _accepted(answer, status=200 if accepted.repeat else 202)
