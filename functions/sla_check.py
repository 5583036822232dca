"""SLA check, every 5 minutes: each customer's budget that passed a threshold in its window raises that
threshold's alert once, into the pipeline (klaxon.services.sla.alerts); each alert-driven SLO's burn-rate
rules raise and resolve theirs (klaxon.services.sla.burn)."""

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
    burns = wiring.container().sla_burn.check()
    if burns:
        logger.warning("SLO burn rates changed", extra={"rules": burns})
    return {"raised": raised, "burn_rates": burns}
