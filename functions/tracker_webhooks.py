"""`POST /trackers/...`: Jira, Linear and Asana webhooks saying an action item's ticket is done or open
again (klaxon.http.tracker_app)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon.http.tracker_app import app

logger = Logger(service="klaxon-tracker-webhooks")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
