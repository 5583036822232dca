"""SLA check, every 5 minutes: each customer's budget that passed a threshold in its window raises that
threshold's alert once, into the pipeline (klaxon.services.sla.alerts)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring

logger = Logger(service="klaxon-sla")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    raised = wiring.container().sla_alerts.check()
    if raised:
        logger.warning("SLA budget thresholds passed", extra={"alerts": raised})
    return {"raised": raised}
