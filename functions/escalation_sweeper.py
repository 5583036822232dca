"""Escalation sweeper, every minute: every triggered incident that pages has an escalation running; and,
after the deployment that adds it, the open incidents are marked in inhibition's index of sources."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring

logger = Logger(service="klaxon-sweeper")
metrics = Metrics(namespace="Klaxon", service="escalation-sweeper")


@metrics.log_metrics
@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    restored = wiring.container().escalation_sweeper.sweep()
    # Alarmed on: each is an incident that was triggered with nobody paging until now.
    metrics.add_metric(name="EscalationsRestored", unit=MetricUnit.Count, value=len(restored))
    if restored:
        logger.warning("escalations restored", extra={"incidents": restored})
    # Last, so that a failure here (the run fails, and the next minute's marks again) loses no restoration's
    # metric: inhibition's index of open incidents, after the deployment that adds it.
    wiring.container().mark_incident_sources()
    return {"restored": restored}
