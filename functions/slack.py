"""`POST /slack/events`: the Slack app's Events API, `/klaxon` command, buttons and shortcut, one URL
(klaxon.http.slack_app). Bolt's lazy listeners invoke this function again, asynchronously, for the work
that follows each 3-second acknowledgement. Without Slack credentials the URL answers 404."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon.http import slack_app

logger = Logger(service="klaxon-slack")
NOT_SET_UP = {"message": "Slack is not set up for this Klaxon (docs/slack.md)"}


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    bolt = slack_app.handler()
    if bolt is None:
        return {
            "statusCode": 404,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps(NOT_SET_UP),
        }
    answer: dict[str, Any] = bolt.handle(event, context)
    return answer
