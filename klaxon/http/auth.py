"""Authentication for the Klaxon API, decided from the route the request matched (klaxon/topology.py).

`KlaxonResolver` authenticates as soon as Powertools has matched the route, before the request is
validated, so a request without a valid token gets 401 and never a 400 that reveals the schema.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder, Route, Router

from klaxon.domain.access.rate_limits import Subject
from klaxon.domain.access.roles import permits
from klaxon.domain.access.tokens import may_reach
from klaxon.domain.errors import (
    DomainError,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
)
from klaxon.http import audit_trail, deps
from klaxon.ports import ApiPrincipal
from klaxon.topology import Access, access_of, is_mutating, role_of

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
        raise Unauthorized("unknown, expired or revoked API token")
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
    principal = deps.outside_route(app, deps.tokens).principal(token)
    if principal is None:
        raise Unauthorized("unknown, expired or revoked API token")
    return principal


def admit(app: APIGatewayRestResolver, who: ApiPrincipal) -> None:
    """Count the request against the token's rate limit (429 past it), before its role is even checked:
    every request a token makes spends its budget, and no other token's."""
    deps.outside_route(app, deps.rate_limiter).admit(Subject.TOKEN, who.token_id or who.name, who.name)


def authorize(
    app: APIGatewayRestResolver, who: ApiPrincipal, route: Route, arguments: dict[str, str]
) -> None:
    """Refuse (403) what the token's role does not cover; an incident or a service outside its service
    scope is a 404, as if it did not exist, and a scoped token changes nothing that is not one of its
    incidents."""
    needed = role_of(route.method, route.openapi_path)
    if not permits(who.role, needed):
        raise Forbidden(
            f"this token's role is {who.role.value}; {route.method} {route.openapi_path} needs {needed.value}"
        )
    if not who.services:
        return
    incident_id, service_id = arguments.get("incident_id"), arguments.get("service_id")
    if incident_id is not None:
        service = deps.outside_route(app, deps.incidents).get(incident_id).service
        if not may_reach(who.services, service):
            raise NotFound(f"incident {incident_id} not found")
    elif service_id is not None and not may_reach(who.services, service_id):
        raise NotFound(f"service {service_id} not found")
    elif is_mutating(route.method, route.openapi_path):
        raise Forbidden(
            f"this token is scoped to services {', '.join(who.services)}: it may change their incidents only"
        )


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
        principal = None
        try:
            principal = authenticate(self, access_of(route.method, route.openapi_path))
            if principal is not None:
                admit(self, principal)
                authorize(self, principal, route, route_arguments)
            refuse_multipart(self)
        except DomainError as exc:
            answer = self._call_exception_handler(exc, route)
            assert answer is not None, "errors.register(app) handles every domain error"
            # A refusal for speed is not audited: a flood would otherwise write one record per request.
            audited = not isinstance(exc, TooManyRequests) and is_mutating(route.method, route.openapi_path)
            if principal is not None and audited:
                audit_trail.refused(self, principal, route, route_arguments, answer.response)
            return answer
        if principal is None:
            return super()._call_route(route, route_arguments)
        self.append_context(**{PRINCIPAL_KEY: principal})
        if not is_mutating(route.method, route.openapi_path):
            return super()._call_route(route, route_arguments)
        trail = audit_trail.begin(self, principal, route, route_arguments)
        answer = super()._call_route(route, route_arguments)
        trail.end(answer.response)
        return answer


def principal(app: APIGatewayRestResolver | Router) -> ApiPrincipal:
    found = app.context.get(PRINCIPAL_KEY)
    if not isinstance(found, ApiPrincipal):
        raise Unauthorized("not authenticated")
    return found
