"""Ingest: PagerDuty Events v2 and integration webhooks in, 202 once the bus has the alert."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon.http.ingest_app import app, metrics

logger = Logger(service="klaxon-ingest")
__all__ = ["app", "handler"]


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def _handle(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)


def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    try:
        return _handle(event, context)
    finally:
        if is_metrics_disabled():
            # Powertools keeps metrics while disabled (`klaxon up`) and prints them at 100: drop them.
            metrics.clear_metrics()
