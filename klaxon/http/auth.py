"""Authentication for the Klaxon API, decided from the route the request matched (klaxon/topology.py).

`KlaxonResolver` authenticates as soon as Powertools has matched the route, before the request is
validated, so a request without a valid token gets 401 and never a 400 that reveals the schema.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder, Route, Router

from klaxon.domain.errors import Unauthorized, UnsupportedMediaType
from klaxon.http import deps
from klaxon.ports import ApiPrincipal
from klaxon.topology import Access, access_of

PRINCIPAL_KEY = "principal"
MAX_TOKEN_LENGTH = 512


def bearer_token(app: APIGatewayRestResolver) -> str | None:
    """The bearer token sent, if any; one that cannot be a token (not printable ASCII) is refused."""
    headers = app.current_event.headers or {}
    header = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if not header or not header.lower().startswith("bearer "):
        return None
    token = header[7:].strip()
    if not token:
        return None
    if len(token) > MAX_TOKEN_LENGTH or not (token.isascii() and token.isprintable()):
        raise Unauthorized("unknown API token")
    return token


def authenticate(app: APIGatewayRestResolver, access: Access) -> ApiPrincipal | None:
    """Check what `access` asks of the request; the caller's principal, when a token was checked."""
    if access in (Access.PUBLIC, Access.LINK):
        return None
    if access is Access.FEED and (app.current_event.query_string_parameters or {}).get("token"):
        return None  # the route checks the feed's signed token
    token = bearer_token(app)
    if token is None:
        if access is Access.OPTIONAL:
            return None
        raise Unauthorized("missing API token: send 'Authorization: Bearer <token>'")
    principal = deps.outside_route(app, deps.directory).principal_for_token(token)
    if principal is None:
        raise Unauthorized("unknown API token")
    return principal


def refuse_multipart(app: APIGatewayRestResolver) -> None:
    """The API reads JSON (and, as curl sends it by default, a form-encoded type is read as given): a
    multipart body, which no route takes and which Powertools cannot even split without its boundary,
    is a 415."""
    event = app.current_event
    declared = next((v for k, v in (event.headers or {}).items() if k.lower() == "content-type"), "")
    kind = declared.split(";")[0].strip().lower()
    if event.body and kind.startswith("multipart/"):
        raise UnsupportedMediaType(f"the body must be JSON (Content-Type: application/json), not {kind!r}")


class KlaxonResolver(APIGatewayRestResolver):
    """Powertools' REST resolver, authenticating on the matched route before anything else runs."""

    def _call_route(self, route: Route, route_arguments: dict[str, str]) -> ResponseBuilder[Any]:
        try:
            principal = authenticate(self, access_of(route.method, route.openapi_path))
            refuse_multipart(self)
        except (Unauthorized, UnsupportedMediaType) as exc:
            answer = self._call_exception_handler(exc, route)
            assert answer is not None, "errors.register(app) handles both"
            return answer
        if principal is not None:
            self.append_context(**{PRINCIPAL_KEY: principal})
        return super()._call_route(route, route_arguments)


def principal(app: APIGatewayRestResolver | Router) -> ApiPrincipal:
    found = app.context.get(PRINCIPAL_KEY)
    if not isinstance(found, ApiPrincipal):
        raise Unauthorized("not authenticated")
    return found
