"""One audit record per change made through the API (services.access.audit), written by the resolver
(klaxon/http/auth.py) around every mutating route a token called.

Where the thing changed can be read (the config, an incident, a maintenance window, a token), it is read
before and after the route runs and the record holds the difference; otherwise the answer is the change:
what a POST created, or what a DELETE removed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Route
from pydantic import BaseModel

from klaxon.domain.access.audit import target_of
from klaxon.domain.errors import DomainError
from klaxon.http import deps
from klaxon.ports import ApiPrincipal
from klaxon.services.access.audit import Request

log = logging.getLogger(__name__)
Reader = Callable[[], Any]


def _dump(found: Any) -> Any:
    return found.model_dump(mode="json") if isinstance(found, BaseModel) else found


def _reader(app: APIGatewayRestResolver, route: Route, arguments: dict[str, str]) -> Reader | None:
    """How to read what the route changes, if it can be read on its own."""
    if route.openapi_path == "/v1/config":
        return lambda: deps.outside_route(app, deps.directory).config_document()
    if "incident_id" in arguments:
        return lambda: deps.outside_route(app, deps.incidents).get(arguments["incident_id"])
    if "window_id" in arguments:
        return lambda: deps.outside_route(app, deps.maintenance).get(arguments["window_id"])
    if "token_id" in arguments:
        tokens = deps.outside_route(app, deps.tokens)
        return lambda: next((t for t in tokens.list() if t.id == arguments["token_id"]), None)
    return None


def _read(reader: Reader | None) -> Any:
    if reader is None:
        return None
    try:
        return _dump(reader())
    except DomainError:  # gone (a DELETE), or not there yet
        return None


def _body(response: Response[Any]) -> Any:
    body = response.body
    if isinstance(body, str | bytes):
        try:
            return json.loads(body)
        except ValueError:
            return None
    return _dump(body)


def _request(app: APIGatewayRestResolver, route: Route, arguments: dict[str, str]) -> Request:
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    identity = (event.raw_event.get("requestContext") or {}).get("identity") or {}
    return Request(
        method=route.method,
        route=f"{route.method} {route.openapi_path}",
        target=target_of(route.openapi_path, arguments),
        source_ip=identity.get("sourceIp"),
        user_agent=headers.get("user-agent"),
    )


@dataclass
class Trail:
    app: APIGatewayRestResolver
    who: ApiPrincipal
    request: Request
    reader: Reader | None
    before: Any

    def end(self, response: Response[Any]) -> None:
        """Record the request, now answered with `response`."""
        request = self.request
        answer = _body(response)
        ok = response.status_code < 400
        if not ok:
            before = after = None
        elif self.reader is not None:
            before, after = self.before, _read(self.reader)
        elif request.method == "DELETE":
            before, after = answer, None
        else:
            before, after = None, answer
        if ok and request.target == request.route.split(" ", 1)[1] and isinstance(answer, dict):
            created = answer.get("id") or (answer.get("token") or {}).get("id")
            if isinstance(created, str):
                request = Request(**{**vars(request), "target": created})
        deps.outside_route(self.app, deps.audit).record(
            self.who, request, response.status_code, before, after
        )


def begin(app: APIGatewayRestResolver, who: ApiPrincipal, route: Route, arguments: dict[str, str]) -> Trail:
    """Read the state before the route runs; `end` the trail with the route's answer."""
    reader = _reader(app, route, arguments)
    return Trail(app, who, _request(app, route, arguments), reader, _read(reader))


def refused(
    app: APIGatewayRestResolver,
    who: ApiPrincipal,
    route: Route,
    arguments: dict[str, str],
    response: Response[Any],
) -> None:
    """Record a change refused before the route ran (a role or scope that does not cover it)."""
    Trail(app, who, _request(app, route, arguments), None, None).end(response)
