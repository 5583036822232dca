"""Heartbeat check, every minute: each heartbeat past due sends a trigger that opens its incident."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring

logger = Logger(service="klaxon-heartbeats")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    missed = wiring.container().heartbeat_service.check()
    if missed:
        logger.warning("heartbeats missed", extra={"heartbeats": missed})
    return {"missed": missed}
