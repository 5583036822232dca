"""The Klaxon API: incidents, their timeline, configuration, and the OpenAPI document."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon.http.api_app import app, logger

__all__ = ["app", "handler"]


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
