"""The OpenAPI document of the whole HTTP API, generated from the route definitions of every function."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from pydantic import BaseModel

from klaxon import __version__
from klaxon.http import schemas

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
}


def _ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components.setdefault(name, sub)
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def document(api: APIGatewayRestResolver, ingest: APIGatewayRestResolver) -> dict[str, Any]:
    """One document for the two functions behind the API: the api function's routes, then ingest's."""
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
            answers = dict(_INGEST_RESPONSES)
            if path.startswith("/v1/integrations/"):
                answers["200"] = (
                    "A repeated acknowledge or resolve delivery (a retry or a replay): taken before, "
                    "nothing changed",
                    schemas.PagerDutyAccepted,
                )
            operation["responses"] = {
                code: {
                    "description": text,
                    "content": {"application/json": {"schema": _ref(body, components)}},
                }
                for code, (text, body) in sorted(answers.items())
            }
            operation["security"] = [] if path.startswith("/v2/") else [{"bearer": []}]
            operation.setdefault("tags", ["ingest"])
        doc["paths"][path] = operations
    for public in ("/healthz",):
        for operation in doc["paths"].get(public, {}).values():
            operation["security"] = []
    return doc
