"""A request's raw body, as the sender signed it: decoding is the parser's job, so bad UTF-8 becomes a
400, not a crash."""

from __future__ import annotations

import base64

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent


def raw_body(event: APIGatewayProxyEvent) -> bytes:
    if event.body is None:
        return b""
    return base64.b64decode(event.body) if event.is_base64_encoded else event.body.encode()
