"""A threaded mock of Asana's REST API for incident follow-up tasks (create a task, read it back): every
request is checked against Asana's own description (tests/fixtures/asana/rest-api.json, trimmed) - the
operation must be described under the spec's server path (/api/1.0), its path and query parameters
described, of their types and required ones present, its JSON body valid against the operation's schema -
and one that is not is answered 422 and recorded in `violations`, which tests assert empty. The mock's own
answers are checked against the operation's response schemas too (a mismatch is recorded in `violations`).

Asana's schemas are OpenAPI 3.0, not JSON Schema: they are flattened here (`$ref` resolved, `allOf` merged)
and translated - `nullable` admits null, a `readOnly` property is refused in a request and never required
of it (`writeOnly` likewise in an answer), and an object with described properties admits no others, so an
undescribed field is a violation rather than silently ignored.

Also the two requests Asana makes to a webhook's target (Klaxon's endpoint), shaped as Asana's webhooks
guide describes them: `asana_handshake` and `asana_events`."""

from __future__ import annotations

import hashlib
import hmac
import html
import itertools
import json
import re
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
from jsonschema import ValidationError

from tests.fakes.mock_http import MockHandler, MockServer, MockState, compile_paths, deref, find_operation

SPEC = json.loads((Path(__file__).parents[1] / "fixtures" / "asana" / "rest-api.json").read_text())
BASE = urlsplit(SPEC["servers"][0]["url"]).path  # /api/1.0

_ANNOTATIONS = {"description", "example", "examples", "title", "deprecated", "externalDocs", "xml"}


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two flattened schemas that must both hold (members of an `allOf`) as one."""
    out = dict(a)
    for key, value in b.items():
        if key not in out:
            out[key] = value
        elif key == "properties":
            mine = out[key]
            out[key] = {**mine, **{n: _merge(mine[n], s) if n in mine else s for n, s in value.items()}}
        elif key == "required":
            out[key] = sorted({*out[key], *value})
        elif key in ("nullable", "readOnly", "writeOnly"):
            out[key] = out[key] or value
        elif out[key] != value:
            out.setdefault("allOf", []).append({key: value})
    return out


def _flatten(node: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI schema with every `$ref` resolved and every `allOf` merged, annotations dropped."""
    if "$ref" in node:
        return _flatten(deref(SPEC, node))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _ANNOTATIONS or key.startswith("x-") or key == "allOf":
            continue
        if key == "properties":
            out[key] = {name: _flatten(schema) for name, schema in value.items()}
        elif key in ("items", "not") or (key == "additionalProperties" and isinstance(value, dict)):
            out[key] = _flatten(value)
        elif key in ("anyOf", "oneOf"):
            out[key] = [_flatten(v) for v in value]
        else:
            out[key] = value
    for member in node.get("allOf", []):
        out = _merge(out, _flatten(member))
    return out


def _json_schema(node: dict[str, Any], refused: str) -> dict[str, Any]:
    """A flattened OpenAPI schema as JSON Schema, for a request (`refused="readOnly"`) or an answer
    (`refused="writeOnly"`): null admitted where nullable, the refused properties not required, objects
    with described properties closed."""
    out = {k: v for k, v in node.items() if k not in ("nullable", "readOnly", "writeOnly")}
    if node.get(refused):
        out[refused] = True  # checked by the validator: present at all is wrong
    if "properties" in node:
        out["properties"] = {n: _json_schema(s, refused) for n, s in node["properties"].items()}
        out.setdefault("additionalProperties", False)
        required = [n for n in node.get("required", []) if not node["properties"].get(n, {}).get(refused)]
        if required:
            out["required"] = required
        else:
            out.pop("required", None)
    for key in ("items", "not", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = _json_schema(out[key], refused)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in out:
            out[key] = [_json_schema(v, refused) for v in out[key]]
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def _refuse(why: str) -> Any:
    def check(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Any:
        if value:
            yield ValidationError(f"{instance!r} is {why}")

    return check


_RequestValidator = jsonschema.validators.extend(
    jsonschema.Draft7Validator, {"readOnly": _refuse("read-only: Asana sets it, a request may not")}
)
_AnswerValidator = jsonschema.validators.extend(
    jsonschema.Draft7Validator, {"writeOnly": _refuse("write-only: Asana never answers it")}
)


_validators: dict[tuple[int, str], Any] = {}  # by the spec's schema object and the direction


def _problems(schema: dict[str, Any] | None, instance: Any, where: str, refused: str) -> list[str]:
    if schema is None:
        return []
    validator = _validators.get((id(schema), refused))
    if validator is None:
        cls = _RequestValidator if refused == "readOnly" else _AnswerValidator
        validator = cls(_json_schema(_flatten(schema), refused), format_checker=cls.FORMAT_CHECKER)
        _validators[(id(schema), refused)] = validator
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{where}{''.join(f'.{p}' for p in e.absolute_path)}: {_message(e)}" for e in errors]


def _message(error: ValidationError) -> str:
    if error.validator == "enum" and len(error.validator_value) > 10:  # opt_fields lists 120 names
        return f"{error.instance!r} is not one of the {len(error.validator_value)} values described"
    return error.message


ROUTES = compile_paths(SPEC["paths"], prefix=BASE)


def _parameters(path: str, method: str) -> list[dict[str, Any]]:
    """The path item's parameters, overridden by the operation's (same name and location)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for node in [
        *SPEC["paths"][path].get("parameters", []),
        *SPEC["paths"][path][method].get("parameters", []),
    ]:
        parameter = deref(SPEC, node)
        found[(parameter["in"], parameter["name"])] = parameter
    return list(found.values())


def _value(parameter: dict[str, Any], given: list[str]) -> Any:
    """A query or path parameter's text as the value its schema describes (OpenAPI `form` style)."""
    kind = _flatten(parameter.get("schema", {})).get("type")
    if kind == "array":
        explode = parameter.get("explode", parameter.get("style", "form") == "form")
        return given if explode else [v for text in given for v in text.split(",")]
    text = given[-1]
    if kind == "boolean":
        if text == "" and parameter.get("allowEmptyValue"):
            return True
        return {"true": True, "false": False}.get(text, text)
    if kind == "integer" and re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text):
        return float(text)
    return text


def check_request(method: str, url: str, body: Any) -> tuple[str | None, dict[str, str], list[str]]:
    """The described path the request is for, its path parameters, and what is wrong with it."""
    path, values, problems = find_operation(SPEC, ROUTES, method, url)
    if path is None:
        return path, values, problems
    operation = SPEC["paths"][path][method.lower()]
    parameters = _parameters(path, method.lower())
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    described = {p["name"]: p for p in parameters if p["in"] == "query"}
    problems += [f"{method} {path}: query {q!r} is not described" for q in query if q not in described]
    for p in parameters:
        given = [values[p["name"]]] if p["in"] == "path" and p["name"] in values else query.get(p["name"])
        where = f"{method} {path}: {p['in']} parameter {p['name']!r}"
        if not given:
            if p.get("required"):
                problems.append(f"{where} is missing")
            continue
        if len(given) > 1 and _flatten(p.get("schema", {})).get("type") != "array":
            problems.append(f"{where} is given {len(given)} times")
        if given[-1] == "" and not p.get("allowEmptyValue"):
            problems.append(f"{where} is empty")
            continue
        problems += _problems(p.get("schema"), _value(p, given), where, "readOnly")
    request_body = operation.get("requestBody", {})
    schema = request_body.get("content", {}).get("application/json", {}).get("schema")
    if body is None:
        if request_body.get("required"):
            problems.append(f"{method} {path}: a JSON body is required")
    elif schema is None:
        problems.append(f"{method} {path}: takes no body")
    else:
        problems += _problems(schema, body, f"{method} {path}: body", "readOnly")
    return path, values, problems


def check_answer(method: str, path: str, status: int, body: Any) -> list[str]:
    """What is wrong with an answer, against the operation's response of that status (if it describes one)."""
    response = SPEC["paths"][path][method.lower()]["responses"].get(str(status))
    if response is None:
        return []
    response = deref(SPEC, response)
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    return _problems(schema, body, f"{method} {path}: answer {status}", "writeOnly")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _error(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message}]}


def _only(value: Any, fields: set[str]) -> Any:
    """A nested resource (or list of them) cut to `fields`, its gid always kept."""
    if isinstance(value, list):
        return [_only(v, fields) for v in value]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k == "gid" or k in fields}
    return value


def select(task: dict[str, Any], opt_fields: str | None) -> dict[str, Any]:
    """A task as Asana answers it for `opt_fields` (comma-separated, `projects.name` for a nested field):
    all of it without, else only those fields, its gid always included."""
    if not opt_fields:
        return dict(task)
    wanted: dict[str, set[str] | None] = {}
    for name in opt_fields.split(","):
        top, _, sub = name.partition(".")
        if sub:
            nested = wanted.setdefault(top, set())
            if nested is not None:
                nested.add(sub)
        else:
            wanted[top] = None
    out = {"gid": task["gid"]}
    for name, nested in wanted.items():
        if name in task:
            out[name] = task[name] if nested is None else _only(task[name], nested)
    return out


class AsanaState(MockState[tuple[str, str]]):
    """The mock's data: `tasks` by gid (each as Asana answers it), the `projects` tasks may be created in,
    every request in `calls`, every spec violation in `violations`. A failure (`fail`) answers any request
    with Asana's error body and no effect, before authentication (a violation among them is still
    recorded)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.workspace = "1200000000000000"
        self.projects: set[str] = {"1200000000000001"}
        self.tasks: dict[str, dict[str, Any]] = {}
        self._gids = itertools.count(1200000000001001)

    def complete(self, gid: str) -> None:
        """Mark a task completed, as someone ticking it in Asana would."""
        with self.lock:
            task = self.tasks[gid]
            task["completed"], task["completed_at"] = True, _now()
            task["modified_at"] = task["completed_at"]

    def answer(
        self, method: str, path: str, v: dict[str, str], query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        opt_fields = ",".join(query.get("opt_fields", [])) or None
        if method == "GET":  # /tasks/{task_gid}
            task = self.tasks.get(v["task_gid"])
            if task is None:
                return 404, _error(f"task: Unknown object: {v['task_gid']}")
            return 200, {"data": select(task, opt_fields)}
        data = body.get("data") or {}
        projects = data.get("projects") or []
        if not projects and not data.get("workspace") and not data.get("parent"):
            return 400, _error("You should specify one of workspace, parent, projects")
        for gid in projects:
            if gid not in self.projects:
                return 400, _error(f"projects: Not a recognized ID: {gid}")
        if data.get("workspace") not in (None, self.workspace):
            return 400, _error(f"workspace: Not a recognized ID: {data['workspace']}")
        gid = str(next(self._gids))
        notes, html_notes = data.get("notes"), data.get("html_notes")
        if html_notes is None:
            html_notes = f"<body>{html.escape(notes or '', quote=False)}</body>"
        if notes is None:
            notes = html.unescape(re.sub(r"<[^>]*>", "", html_notes))
        completed, now = bool(data.get("completed", False)), _now()
        self.tasks[gid] = task = {
            "gid": gid,
            "resource_type": "task",
            "resource_subtype": data.get("resource_subtype", "default_task"),
            "name": data.get("name", ""),
            "notes": notes,
            "html_notes": html_notes,
            "due_on": data.get("due_on"),
            "due_at": data.get("due_at"),
            "completed": completed,
            "completed_at": now if completed else None,
            "created_at": now,
            "modified_at": now,
            "projects": [{"gid": p, "resource_type": "project"} for p in projects],
            "workspace": {"gid": self.workspace, "resource_type": "workspace"},
            "permalink_url": f"https://app.asana.com/0/{projects[0] if projects else 0}/{gid}",
        }
        return 201, {"data": select(task, opt_fields)}


class _Handler(MockHandler):
    state: AsanaState
    content_type = "application/json; charset=UTF-8"

    def json_type_problem(self) -> str | None:
        if self.headers.get("Content-Type", "").startswith("application/json"):
            return None
        return "the body is not application/json"

    def serve(self, method: str) -> None:
        body, unreadable = self.read_json(method)
        path, values, problems = check_request(method, self.path, body)
        problems = unreadable + problems
        state = self.state
        failure = state.record((method, self.path), problems)
        if failure is not None:
            self._send(failure, _error(HTTPStatus(failure).phrase))
            return
        if problems or path is None:
            self._send(422, {"errors": [{"message": p} for p in problems]})
            return
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        if self.headers.get("Authorization") != f"Bearer {state.token}":
            status, answer = 401, _error("Not Authorized")
        else:
            with state.lock:
                status, answer = state.answer(method, path, values, query, body)
        wrong = check_answer(method, path, status, answer)
        if wrong:
            with state.lock:
                state.violations += wrong
        self._send(status, answer, pretty="opt_pretty" in query and query["opt_pretty"][-1] != "false")

    def _send(self, status: int, body: Any, pretty: bool = False) -> None:
        """Asana's answer: a 429 says when to retry, `opt_pretty` indents."""
        retry = {"Retry-After": "1"} if status == 429 else None
        self.send_json(status, body, retry, indent=2 if pretty else None)


class AsanaServer(MockServer[AsanaState]):
    """`with AsanaServer() as asana:` serves Asana's REST API at `asana.url + "/api/1.0"`."""

    def __init__(self, token: str = "asana-test-token") -> None:
        super().__init__(AsanaState(token), _Handler)


# The requests Asana makes to a webhook's target. Asana's webhooks guide,
# https://developers.asana.com/docs/webhooks-guide, and "Establish a webhook",
# https://developers.asana.com/reference/createwebhook: when a webhook is created Asana POSTs to its target
# with an `X-Hook-Secret` header, which the target must echo in a 200 or 204 answer; every later delivery
# is a POST of `{"events": [...]}` signed in `X-Hook-Signature`, the hex SHA-256 HMAC of the raw body keyed
# by that secret (as Asana's example receiver checks it: github.com/Asana/devrel-examples,
# python/webhooks_v5/server.py). Each event is the spec's EventResponse as webhooks deliver it: compact
# `resource` and `user` (gid and resource_type), `parent` null for a change, `change.field` and
# `change.action`.

WEBHOOK_USER = "1200000000000100"


def asana_handshake(secret: str) -> tuple[bytes, dict[str, str]]:
    """The first POST Asana makes to a new webhook's target: no body, the secret in `X-Hook-Secret`."""
    return b"", {"X-Hook-Secret": secret}


def asana_events(task_gid: str, secret: str, field: str = "completed") -> tuple[bytes, dict[str, str]]:
    """A signed delivery of one event: `field` of task `task_gid` changed."""
    event = {
        "user": {"gid": WEBHOOK_USER, "resource_type": "user"},
        "created_at": _now(),
        "action": "changed",
        "resource": {"gid": task_gid, "resource_type": "task", "resource_subtype": "default_task"},
        "parent": None,
        "change": {"field": field, "action": "changed"},
    }
    body = json.dumps({"events": [event]}).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-Hook-Signature": signature}
