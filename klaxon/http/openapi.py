"""The OpenAPI document of the whole HTTP API, generated from the route definitions of every function."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from pydantic import BaseModel

from klaxon import __version__
from klaxon.http import schemas
from klaxon.topology import Access, access_of, role_of

_BODIES: dict[tuple[str, str], type[BaseModel]] = {
    ("/v2/enqueue", "post"): schemas.PagerDutyEvent,
    ("/v2/change/enqueue", "post"): schemas.PagerDutyChangeEvent,
    ("/v1/integrations/{kind}", "post"): schemas.AlertmanagerWebhook,
    ("/v1/integrations/{kind}/{key}", "post"): schemas.AlertmanagerWebhook,
}
_INGEST_RESPONSES: dict[str, tuple[str, type[BaseModel]]] = {
    "202": ("Accepted: the alert is on the bus and will not be lost", schemas.PagerDutyAccepted),
    "400": ("Invalid event: every problem is listed in `errors`", schemas.PagerDutyInvalid),
    "413": ("Body over 512 KB", schemas.PagerDutyInvalid),
    "429": (
        "The integration key sent too fast: retry after `Retry-After` seconds",
        schemas.PagerDutyThrottled,
    ),
}
_INTEGRATION_RESPONSES: dict[str, tuple[str, type[BaseModel]]] = {
    "200": (
        "A repeated acknowledge or resolve delivery (a retry or a replay): taken before, nothing changed",
        schemas.IntegrationAccepted,
    ),
    "202": (
        "Accepted: on the bus and will not be lost (or ignored, or dropped by a rule)",
        schemas.IntegrationAccepted,
    ),
    "400": ("Invalid webhook: every problem is listed in `errors`", schemas.ApiError),
    "401": ("Missing or unknown integration key, or a bad signature", schemas.ApiError),
    "413": ("Body over 512 KB", schemas.ApiError),
    "429": ("The integration key sent too fast: retry after `Retry-After` seconds", schemas.ApiError),
}
# What any route of the api function may answer besides its success: the body is always ApiError.
_API_ERRORS = {
    "400": "Invalid request: every problem is listed in `errors`",
    "401": "Missing, unknown, expired or revoked API token",
    "403": "The token's role (or service scope) does not cover this route",
    "404": "No such thing, or no such route",
    "409": "The thing is not in a state that allows it",
    "413": "Body over the size limit",
    "415": "A multipart body: the API reads JSON",
    # Any route: a token or heartbeat over its rate limit, or API Gateway's (and the WAF's) own throttle.
    "429": "Too many requests: retry after `Retry-After` seconds",
}
# The routes whose transactions may stay contended (klaxon.adapters.transactions.commit_for_request: a new
# incident, a change to one, an override, a configuration): Busy, a 503 with Retry-After.
_BUSY = "Other changes to the same items kept this one from being written: send it again after `Retry-After`"
MAY_BE_BUSY = frozenset(
    {
        ("put", "/v1/config"),
        ("post", "/v1/drills"),
        ("post", "/v1/incidents/{incident_id}/acknowledge"),
        ("post", "/v1/incidents/{incident_id}/resolve"),
        ("post", "/v1/incidents/{incident_id}/escalate"),
        ("post", "/v1/incidents/{incident_id}/reassign"),
        ("put", "/v1/incidents/{incident_id}/priority"),
        ("put", "/v1/incidents/{incident_id}/roles/{role}"),
        ("post", "/v1/schedules/{schedule_id}/overrides"),
        ("delete", "/v1/schedules/{schedule_id}/overrides/{override_id}"),
    }
)
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before sending it again (429: until the rate limit's window ends)",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components.setdefault(name, sub)
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def document(
    api: APIGatewayRestResolver, ingest: APIGatewayRestResolver, trackers: APIGatewayRestResolver
) -> dict[str, Any]:
    """One document for the functions behind the API: the api function's routes, ingest's, the trackers'
    webhooks, and Slack's."""
    doc: dict[str, Any] = json.loads(
        api.get_openapi_json_schema(
            title="Klaxon API",
            version=__version__,
            description="Incidents, on-call and alert ingestion. PagerDuty Events API v2 compatible at /v2.",
            security_schemes={"bearer": {"type": "http", "scheme": "bearer"}},  # type: ignore[dict-item]
            security=[{"bearer": []}],
        )
    )
    ingest_doc = json.loads(ingest.get_openapi_json_schema(title="Klaxon API", version=__version__))
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    for path, operations in ingest_doc["paths"].items():
        for method, operation in operations.items():
            model = _BODIES.get((path, method))
            if model is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(model, components)}},
                }
            answers = _INTEGRATION_RESPONSES if path.startswith("/v1/integrations/") else _INGEST_RESPONSES
            operation["responses"] = {
                code: {
                    "description": text,
                    "content": {"application/json": {"schema": _ref(body, components)}},
                    **({"headers": RETRY_AFTER} if code == "429" else {}),
                }
                for code, (text, body) in sorted(answers.items())
            }
            operation["security"] = [] if path.startswith("/v2/") else [{"bearer": []}]
            operation.setdefault("tags", ["ingest"])
        doc["paths"][path] = operations
    for public in ("/healthz",):
        for operation in doc["paths"].get(public, {}).values():
            operation["security"] = []
    _document_errors(doc, components)
    doc["paths"][SLACK_EVENTS] = {"post": _slack_events(components)}
    tracker_doc = json.loads(trackers.get_openapi_json_schema(title="Klaxon API", version=__version__))
    for path, operations in tracker_doc["paths"].items():
        for operation in operations.values():
            operation.update(_tracker_webhook(components))
        doc["paths"][path] = operations
    return doc


def _tracker_webhook(components: dict[str, Any]) -> dict[str, Any]:
    """A tracker's webhook (klaxon/http/tracker_app.py): signed by the tracker, not by a token."""
    error = {"content": {"application/json": {"schema": _ref(schemas.ApiError, components)}}}
    received = {
        "type": "object",
        "properties": {"received": {"type": "integer"}, "matched": {"type": "integer"}},
        "required": ["received", "matched"],
    }
    return {
        "tags": ["trackers"],
        "security": [],
        "description": "Sent by the tracker and verified by its signature before anything is read "
        "(docs/postmortems.md#completion-flows-back). A ticket no action item holds: 200, left alone.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {
            "200": {
                "description": "Taken: how many tickets it named, and how many were action items",
                "content": {"application/json": {"schema": received}},
            },
            "400": {"description": "Not a JSON object", **error},
            "401": {"description": "A missing or bad signature (Linear: or a stale delivery)", **error},
            "404": {
                "description": "No tracker of that kind and id is configured (Asana: or a wrong token)",
                **error,
            },
        },
    }


SLACK_EVENTS = "/slack/events"


def _slack_events(components: dict[str, Any]) -> dict[str, Any]:
    """The slack function's one route (Bolt, not Powertools: described here, docs/slack.md)."""
    error = {"content": {"application/json": {"schema": _ref(schemas.ApiError, components)}}}
    header = {"in": "header", "required": True, "schema": {"type": "string", "maxLength": 200}}
    form = {"type": "object", "additionalProperties": {"type": "string"}}
    return {
        "tags": ["slack"],
        "summary": "Slack's requests: Events API, the /klaxon command, buttons and shortcuts",
        "description": "Sent by Slack, signed with the app's signing secret (docs/slack.md). Answered within "
        "3 seconds; the work follows asynchronously.",
        "operationId": "slack_events",
        "security": [],
        "parameters": [
            {**header, "name": "X-Slack-Signature", "description": "v0=HMAC-SHA256 of v0:<timestamp>:<body>"},
            {
                **header,
                "name": "X-Slack-Request-Timestamp",
                "description": "Epoch seconds; over 5 minutes: 401",
            },
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": form},
                "application/json": {"schema": {"type": "object"}},
            },
        },
        "responses": {
            "200": {
                "description": "Taken: an empty body, or the answer only its author sees (a usage message)"
            },
            "401": {"description": "A missing, bad or stale signature"},
            "404": {"description": "Slack is not set up for this Klaxon", **error},
        },
    }


def _document_errors(doc: dict[str, Any], components: dict[str, Any]) -> None:
    """Powertools documents a 422 the API never sends; say instead what each refusal looks like."""
    error = {"content": {"application/json": {"schema": _ref(schemas.ApiError, components)}}}
    for path, operations in doc["paths"].items():
        if path.startswith(("/v2/", "/v1/integrations/")):
            continue
        for method, operation in operations.items():
            if access_of(method, path) in {Access.TOKEN, Access.OPTIONAL}:
                operation["x-klaxon-role"] = role_of(method, path).value  # the least role that may call it
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for code, text in _API_ERRORS.items():
                headers = {"headers": RETRY_AFTER} if code == "429" else {}
                responses.setdefault(code, {"description": text, **error, **headers})
            if (method, path) in MAY_BE_BUSY:
                responses.setdefault("503", {"description": _BUSY, **error, "headers": RETRY_AFTER})
    if "HTTPValidationError" not in json.dumps(doc["paths"]):
        components.pop(
            "HTTPValidationError", None
        )  # its ValidationError stays: ResponseValidationError uses it
