"""Bearer-token authentication for the Klaxon API, as a Powertools middleware."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from klaxon import wiring
from klaxon.domain.errors import Unauthorized
from klaxon.ports import ApiPrincipal

PUBLIC_PATHS = frozenset({"/healthz", "/v1/openapi.json"})
SIGNED_LINK_PREFIX = "/a/"  # acknowledge links: the signed token in the path is the credential
PRINCIPAL_KEY = "principal"


def bearer_token(app: APIGatewayRestResolver) -> str | None:
    headers = app.current_event.headers or {}
    header = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if header and header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def _is_signed_feed(app: APIGatewayRestResolver) -> bool:
    """Calendar apps cannot send headers: a feed URL carries a signed token the route itself checks."""
    params = app.current_event.query_string_parameters or {}
    return app.current_event.path.endswith("/ical") and bool(params.get("token"))


def require_token(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[object]:
    path = app.current_event.path
    if path not in PUBLIC_PATHS and not path.startswith(SIGNED_LINK_PREFIX) and not _is_signed_feed(app):
        token = bearer_token(app)
        if token is None:
            raise Unauthorized("missing API token: send 'Authorization: Bearer <token>'")
        principal = wiring.directory().principal_for_token(token)
        if principal is None:
            raise Unauthorized("unknown API token")
        app.append_context(**{PRINCIPAL_KEY: principal})
    return next_middleware(app)


def principal(app: APIGatewayRestResolver | Router) -> ApiPrincipal:
    found = app.context.get(PRINCIPAL_KEY)
    if not isinstance(found, ApiPrincipal):
        raise Unauthorized("not authenticated")
    return found


AuthMiddleware = Callable[[APIGatewayRestResolver, NextMiddleware], Response[object]]
