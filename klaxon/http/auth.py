"""Bearer-token authentication for the Klaxon API, as a Powertools middleware."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from klaxon.domain.errors import Unauthorized
from klaxon.http import deps
from klaxon.ports import ApiPrincipal

PUBLIC_PATHS = frozenset({"/healthz", "/v1/openapi.json"})
SIGNED_LINK_PREFIX = "/a/"  # acknowledge links: the signed token in the path is the credential
HEARTBEAT_PING_PREFIX = "/v1/heartbeats/"  # POST /v1/heartbeats/<key>: the heartbeat's key is the credential
# Status page subscribers: anyone may subscribe (a token, when sent, is checked: it may add webhooks), and
# the signed token in a confirm or unsubscribe link's path is the credential, which the route checks.
SUBSCRIBE_PATH = "/v1/statuspage/subscribers"
SUBSCRIBER_LINK_PREFIXES = (f"{SUBSCRIBE_PATH}/confirm/", f"{SUBSCRIBE_PATH}/unsubscribe/")
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


def _is_heartbeat_ping(app: APIGatewayRestResolver) -> bool:
    """A cron job pings `POST /v1/heartbeats/<key>`: the key is the credential, which the route checks."""
    path = app.current_event.path
    return (
        app.current_event.http_method == "POST"
        and path.startswith(HEARTBEAT_PING_PREFIX)
        and path.count("/") == 3
    )


def _is_public_subscription(app: APIGatewayRestResolver) -> bool:
    """A subscription without a token, or a confirm or unsubscribe link (signed)."""
    path = app.current_event.path
    anonymous = app.current_event.http_method == "POST" and bearer_token(app) is None
    return path.startswith(SUBSCRIBER_LINK_PREFIXES) or (path == SUBSCRIBE_PATH and anonymous)


def require_token(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[object]:
    path = app.current_event.path
    keyed = path.startswith(SIGNED_LINK_PREFIX) or _is_signed_feed(app) or _is_heartbeat_ping(app)
    keyed = keyed or _is_public_subscription(app)
    if path not in PUBLIC_PATHS and not keyed:
        token = bearer_token(app)
        if token is None:
            raise Unauthorized("missing API token: send 'Authorization: Bearer <token>'")
        principal = deps.outside_route(app, deps.directory).principal_for_token(token)
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
