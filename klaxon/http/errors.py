"""Domain errors become HTTP responses here, once, for every API function."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from klaxon.domain.errors import (
    Busy,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
)
from klaxon.domain.intake.pagerduty import INVALID_EVENT, THROTTLED, THROTTLED_MESSAGE


def _json(status: int, body: dict[str, object], headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, separators=(",", ":")),
        headers=headers,
    )


def _is_pagerduty_path(app: APIGatewayRestResolver) -> bool:
    return app.current_event.path.startswith("/v2/")


def register(app: APIGatewayRestResolver) -> None:
    """PagerDuty's paths answer in PagerDuty's error format; every other path in ours."""

    @app.exception_handler(PayloadTooLarge)
    def handle_too_large(exc: PayloadTooLarge) -> Response[str]:
        if _is_pagerduty_path(app):
            return _json(413, {"status": "invalid event", "message": exc.message, "errors": exc.errors})
        return _json(413, {"message": exc.message, "errors": exc.errors})

    @app.exception_handler(UnsupportedMediaType)
    def handle_media_type(exc: UnsupportedMediaType) -> Response[str]:
        return _json(415, {"message": exc.message, "errors": exc.errors})

    @app.exception_handler(InvalidInput)
    def handle_invalid(exc: InvalidInput) -> Response[str]:
        if _is_pagerduty_path(app):
            return _json(
                400,
                {"status": "invalid event", "message": exc.message or INVALID_EVENT, "errors": exc.errors},
            )
        return _json(400, {"message": exc.message, "errors": exc.errors})

    @app.exception_handler(UnicodeDecodeError)
    def handle_not_utf8(exc: UnicodeDecodeError) -> Response[str]:
        """A body Powertools cannot decode before validating it (bytes that are not UTF-8)."""
        problems = [f"request body: byte {exc.start} is not UTF-8"]
        if _is_pagerduty_path(app):
            return _json(400, {"status": "invalid event", "message": INVALID_EVENT, "errors": problems})
        return _json(400, {"message": "the request body is not UTF-8 text", "errors": problems})

    @app.exception_handler(RequestValidationError)
    def handle_bad_request(exc: RequestValidationError) -> Response[str]:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return _json(400, {"message": "invalid request", "errors": problems})

    @app.exception_handler(Unauthorized)
    def handle_unauthorized(exc: Unauthorized) -> Response[str]:
        return _json(401, {"message": str(exc)}, {"WWW-Authenticate": "Bearer"})

    @app.exception_handler(Forbidden)
    def handle_forbidden(exc: Forbidden) -> Response[str]:
        return _json(403, {"message": str(exc)})

    @app.exception_handler(NotFound)
    def handle_not_found(exc: NotFound) -> Response[str]:
        return _json(404, {"message": str(exc)})

    @app.exception_handler(TooManyRequests)
    def handle_too_many(exc: TooManyRequests) -> Response[str]:
        """429 with Retry-After. PagerDuty clients retry a 429 with backoff whatever its body says (the
        official `pagerduty` client retries it without limit), so on /v2 the body is PagerDuty's words."""
        headers = {"Retry-After": str(exc.retry_after)}
        if _is_pagerduty_path(app):
            body: dict[str, object] = {
                "status": THROTTLED,
                "message": THROTTLED_MESSAGE,
                "errors": [exc.message],
            }
            return _json(429, body, headers)
        return _json(429, {"message": exc.message}, headers)

    @app.exception_handler(Conflict)
    def handle_conflict(exc: Conflict) -> Response[str]:
        return _json(409, {"message": str(exc)})

    @app.exception_handler(Busy)
    def handle_busy(exc: Busy) -> Response[str]:
        """503 with Retry-After: the same request may succeed in a moment (DynamoDB contention)."""
        return _json(503, {"message": exc.message}, {"Retry-After": str(exc.retry_after)})

    @app.not_found
    def handle_no_route(_: Exception) -> Response[str]:
        return _json(
            404, {"message": f"no route for {app.current_event.http_method} {app.current_event.path}"}
        )
