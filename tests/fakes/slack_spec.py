"""Slack's Web API description (tests/fixtures/slack/web-api.json), as the mock server checks calls and
its own answers against it."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

SPEC = json.loads((Path(__file__).parents[1] / "fixtures" / "slack" / "web-api.json").read_text())
# Fields Slack answers with that its 2021 description lacks (the description forbids unknown ones):
# removed before an answer is checked against it, and documented by Slack's method pages.
SPEC_GAPS = {"conversations.history": {"response_metadata"}}
# Arguments Slack takes on every method but its 2021 description lists on few: `team_id` names the
# workspace of an org-wide token, and Bolt's per-request client adds it to every call it makes.
EVERY_METHOD = {"team_id": {"name": "team_id", "in": "formData", "type": "string"}}
# Arguments that are JSON text in a form body and plain JSON in a JSON body (Slack's docs say both).
JSON_ENCODED = {"blocks", "attachments"}


# Socket Mode came after the vendored description (2021): its one method is written out here from Slack's
# method page (https://docs.slack.dev/reference/methods/apps.connections.open): no arguments (the app-level
# token is the Authorization header), answering `ok` and the WebSocket `url`.
LATER_METHODS: dict[str, dict[str, Any]] = {
    "/apps.connections.open": {
        "post": {
            "parameters": [{"name": "token", "in": "header", "type": "string", "required": True}],
            "responses": {
                "200": {
                    "schema": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"ok": {"enum": [True]}, "url": {"type": "string"}},
                        "required": ["ok", "url"],
                    }
                },
                "default": {
                    "schema": {
                        "type": "object",
                        "properties": {"ok": {"enum": [False]}, "error": {"type": "string"}},
                        "required": ["ok", "error"],
                    }
                },
            },
        }
    }
}


def _operation(method: str, verb: str) -> dict[str, Any] | None:
    """The method's description. Slack takes every method by POST too (form or JSON arguments), and
    slack-sdk always POSTs, so a POST to a method described as GET is checked against that description."""
    described = SPEC["paths"].get(f"/{method}") or LATER_METHODS.get(f"/{method}", {})
    found = described.get(verb.lower())
    if found is None and verb == "POST" and list(described) == ["get"]:
        found = described["get"]
    return found


def _type_ok(kind: str | None, name: str, value: Any, json_body: bool) -> bool:
    if kind == "string":
        return isinstance(value, str) or (json_body and name in JSON_ENCODED and isinstance(value, list))
    if kind == "boolean":
        return isinstance(value, bool) or value in {"true", "false", "1", "0"}
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or str(value).isdigit()
    if kind == "number":
        try:
            float(value)
        except (TypeError, ValueError):
            return False
        return True
    return True


def check_call(method: str, verb: str, arguments: dict[str, Any], json_body: bool) -> list[str]:
    """What is wrong with this call, by Slack's description of the method (nothing: an empty list)."""
    operation = _operation(method, verb)
    if operation is None:
        described = sorted(SPEC["paths"].get(f"/{method}", {}))
        return [f"{verb} {method} is not described (described: {described or 'no such method'})"]
    params = {**EVERY_METHOD, **{p["name"]: p for p in operation["parameters"] if p["name"] != "token"}}
    problems = [f"{method}: argument {name!r} is not described" for name in arguments if name not in params]
    for name, param in params.items():
        if name not in arguments:
            if param.get("required"):
                problems.append(f"{method}: required argument {name!r} is missing")
        elif not _type_ok(param.get("type"), name, arguments[name], json_body):
            problems.append(f"{method}: {name}={arguments[name]!r} is not a {param.get('type')}")
    return problems


@functools.cache
def _answer_validator(method: str, verb: str, ok: bool) -> jsonschema.Draft4Validator:
    """Swagger 2.0 schemas are JSON Schema draft 4 (where `items` as a list types each position)."""
    operation = _operation(method, verb)
    assert operation is not None
    schema = operation["responses"]["200" if ok else "default"]["schema"]
    return jsonschema.Draft4Validator({**schema, "definitions": SPEC["definitions"]})


def check_answer(method: str, verb: str, body: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError unless `body` is an answer Slack describes for the method."""
    trimmed = {k: v for k, v in body.items() if k not in SPEC_GAPS.get(method, set())}
    _answer_validator(method, verb, bool(body.get("ok"))).validate(trimmed)
