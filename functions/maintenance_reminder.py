"""Maintenance tick, every minute: remind owners of windows about to end; page for incidents left after."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring

logger = Logger(service="klaxon-maintenance")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    done = wiring.container().maintenance_service.tick()
    logger.info("maintenance tick", extra=done)
    return done
