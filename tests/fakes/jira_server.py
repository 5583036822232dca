"""A threaded mock of Jira Cloud's REST API v3 for incident tickets (create an issue, read it, search by key):
every request is checked against Atlassian's own description (tests/fixtures/jira/rest-api-v3.json,
trimmed) - the operation must be described, its path and query parameters described and required ones
present, its JSON body valid against the operation's schema, and an issue's `fields.description` valid
Atlassian Document Format (tests/fixtures/jira/adf-schema.json, Atlassian's ADF JSON schema) - and one that
is not is answered 422 and recorded in `violations`, which tests assert empty. The mock's own answers are
checked against the operation's response schema the same way."""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import itertools
import json
import re
import time
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
from jsonschema.exceptions import ValidationError

from tests.fakes.mock_http import (
    MockHandler,
    MockServer,
    MockState,
    check_openapi_request,
    compile_paths,
    schema_problems,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "jira"
SPEC = json.loads((FIXTURES / "rest-api-v3.json").read_text())
ADF = json.loads((FIXTURES / "adf-schema.json").read_text())
# The ADF schema is draft-04 (its `$schema`) and every `$ref` in it points into its own `definitions`: a
# Draft4Validator over the whole document resolves them (jsonschema's `referencing`, no retrieval).
ADF_VALIDATOR = jsonschema.Draft4Validator(ADF)

CREATE = "/rest/api/3/issue"
ISSUE = "/rest/api/3/issue/{issueIdOrKey}"
SEARCH = "/rest/api/3/search/jql"

TO_DO = {"name": "To Do", "statusCategory": {"key": "new", "name": "To Do"}}
DONE = {"name": "Done", "statusCategory": {"key": "done", "name": "Done"}}
STATUS_IDS = {"To Do": "10000", "Done": "10001"}  # the statuses' ids in webhook changelogs (made up)
JQL_KEYS = re.compile(r"\s*key\s+in\s*\(([^()]*)\)\s*", re.IGNORECASE)
UNAUTHENTICATED = {"errorMessages": ["Client must be authenticated to access this resource."]}
NOT_FOUND = {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}
_changelog_ids = itertools.count(10100)


ROUTES = compile_paths(SPEC["paths"])


def _explain(error: ValidationError) -> ValidationError:
    """ADF's `anyOf`s are told apart by each node's `type`: follow the branches whose `type` matched down to
    the deepest error, rather than stop at "is not valid under any of the given schemas"."""
    branches: dict[Any, list[ValidationError]] = {}
    for e in error.context or []:
        branches.setdefault(e.schema_path[0], []).append(e)
    alive = [
        e
        for errors in branches.values()
        if not any(x.validator == "enum" and list(x.relative_path) == ["type"] for x in errors)
        for e in errors
    ]
    if not alive:
        return error
    return max((_explain(e) for e in alive), key=lambda e: len(e.absolute_path))


def adf_problems(document: Any) -> list[str]:
    """What makes `document` not Atlassian Document Format, each with where in it (`$.content[0]`)."""
    found = []
    for error in ADF_VALIDATOR.iter_errors(document):
        best = _explain(error)
        found.append(f"{best.json_path}: {best.message[:200]}")
    return found


def check_request(method: str, url: str, body: Any) -> tuple[str | None, dict[str, str], list[str]]:
    """The described path the request is for, its path parameters, and what is wrong with it."""
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    path, values, problems = check_openapi_request(SPEC, ROUTES, method, url, query, body)
    fields = body.get("fields") if isinstance(body, dict) else None
    if path == CREATE and isinstance(fields, dict) and fields.get("description") is not None:
        problems += [
            f"{method} {path}: body: fields.description is not ADF: {p}"
            for p in adf_problems(fields["description"])
        ]
    return path, values, problems


def check_answer(method: str, path: str, status: int, body: Any) -> list[str]:
    """What is wrong with an answer the mock gives, by the operation's response schema for that status."""
    response = SPEC["paths"][path][method.lower()]["responses"].get(str(status))
    if response is None:
        return [f"{method} {path}: answer {status} is not described"]
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return []
    return schema_problems(SPEC, schema, body, f"{method} {path}: answer {status}")


def jira_time(moment: datetime | None = None) -> str:
    """A time as Jira's REST API writes one: `2026-12-06T09:30:00.000+0000`."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _names(selection: list[str], default: str) -> list[str]:
    names = [n.strip() for item in selection for n in item.split(",") if n.strip()]
    return names or [default]


def view(issue: dict[str, Any], selection: list[str], default: str = "*all") -> dict[str, Any]:
    """An issue as Jira answers it for a `fields` selection (`*all`, `*navigable`, names, `-name`); `id`
    alone (the search's default) is the issue's id and nothing else."""
    names = _names(selection, default)
    if names == ["id"]:
        return {"id": issue["id"]}
    fields = issue["fields"]
    chosen = set(fields) if {"*all", "*navigable"} & set(names) else {n for n in names if n in fields}
    chosen -= {n[1:] for n in names if n.startswith("-")}
    return {
        "id": issue["id"],
        "key": issue["key"],
        "self": issue["self"],
        "fields": copy.deepcopy({k: v for k, v in fields.items() if k in chosen}),
    }


class JiraState(MockState[tuple[str, str]]):
    """The site: its projects and issues, every call made, and what was wrong with any of them. A failure
    (`fail`, 503: Jira unavailable) answers a described, valid request, creating nothing."""

    def __init__(self, email: str, token: str, url: str = "") -> None:
        super().__init__()
        self.email = email
        self.token = token
        self.url = url  # the site's URL, for issues' `self` links (JiraServer sets it)
        self.issues: dict[str, dict[str, Any]] = {}  # by key: {"id", "key", "self", "fields"}
        self.projects: set[str] = {"OPS"}
        self._ids = itertools.count(10001)
        self._numbers: dict[str, int] = {}  # project key -> last issue number

    def complete(self, key: str) -> dict[str, Any]:
        """Move the issue to Done, as a person closing the ticket in Jira would; the issue, for webhooks."""
        with self.lock:
            issue = self.issues[key]
            now = jira_time()
            issue["fields"].update(status=copy.deepcopy(DONE), resolutiondate=now, updated=now)
            return copy.deepcopy(issue)

    def authenticated(self, header: str) -> bool:
        scheme, _, credentials = header.partition(" ")
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True)
        except binascii.Error:
            return False
        return scheme.lower() == "basic" and hmac.compare_digest(
            decoded, f"{self.email}:{self.token}".encode()
        )

    def answer(
        self, method: str, path: str, v: dict[str, str], query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        """The answer to a described, authenticated request (called with the lock held)."""
        if path == CREATE:
            return self._create(body["fields"] if isinstance(body.get("fields"), dict) else {})
        if path == ISSUE:
            wanted = v["issueIdOrKey"]
            issue = self.issues.get(wanted) or next(
                (i for i in self.issues.values() if i["id"] == wanted), None
            )
            if issue is None:
                return 404, NOT_FOUND
            return 200, view(issue, query.get("fields", []))
        jql = body.get("jql") or ""
        match = JQL_KEYS.fullmatch(jql)
        if match is None:
            self.violations.append(
                f"{method} {path}: unsupported JQL {jql!r} (the mock knows `key in (...)`)"
            )
            return 400, {"errorMessages": [f"The mock does not understand the JQL {jql!r}."], "errors": {}}
        keys = [k.strip().strip("'\"") for k in match.group(1).split(",")]
        missing = [k for k in keys if k not in self.issues]
        if missing:  # as Jira: a key that does not exist (a deleted issue) fails the whole query
            message = f"An issue with key '{missing[0]}' does not exist for field 'key'."
            return 400, {"errorMessages": [message], "errors": {}}
        found = [view(self.issues[k], body.get("fields") or [], "id") for k in keys]
        return 200, {"issues": found, "isLast": True}

    def _create(self, fields: dict[str, Any]) -> tuple[int, Any]:
        errors: dict[str, str] = {}
        project = fields.get("project")
        project_key = project.get("key") if isinstance(project, dict) else None
        if project_key not in self.projects:
            errors["project"] = "valid project is required"
        if not fields.get("summary"):
            errors["summary"] = "You must specify a summary of the issue."
        if not fields.get("issuetype"):
            errors["issuetype"] = "Specify an issue type"
        if errors or not isinstance(project_key, str):
            return 400, {"errorMessages": [], "errors": errors}
        number = self._numbers[project_key] = self._numbers.get(project_key, 0) + 1
        issue_id, key, now = str(next(self._ids)), f"{project_key}-{number}", jira_time()
        link = f"{self.url}/rest/api/3/issue/{issue_id}"
        self.issues[key] = {
            "id": issue_id,
            "key": key,
            "self": link,
            "fields": {
                **copy.deepcopy(fields),
                "status": copy.deepcopy(TO_DO),
                "created": now,
                "updated": now,
                "resolutiondate": None,
            },
        }
        return 201, {"id": issue_id, "key": key, "self": link}


def _error_body(status: int) -> dict[str, Any]:
    if status == 503:
        return {"errorMessages": ["Service Unavailable"]}
    return {"errorMessages": [HTTPStatus(status).phrase], "errors": {}}


def jira_webhook(issue: dict[str, Any], secret: str) -> tuple[bytes, dict[str, str]]:
    """A `jira:issue_updated` delivery for `issue` (its status changed to the one it has now), as Jira Cloud
    posts it for an admin webhook registered with a secret: the raw body and the headers. Jira signs the raw
    body with HMAC-SHA256 keyed by the secret and sends `X-Hub-Signature: sha256=<hex digest>` (WebSub's
    `method=signature`): https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
    (and, spelt out with an example header, the Data Center page
    https://confluence.atlassian.com/adminjiraserver/managing-webhooks-938846912.html, "Securing your
    webhook"). `X-Atlassian-Webhook-Identifier` names the delivery (unchanged across retries)."""
    now = issue["fields"].get("status", {}).get("name", "To Do")
    before = "To Do" if now != "To Do" else "Done"
    body = {
        "timestamp": int(time.time() * 1000),
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": {"accountId": "557058:klaxon-test-user", "displayName": "Klaxon Tester", "active": True},
        "issue": issue,
        "changelog": {
            "id": str(next(_changelog_ids)),
            "items": [
                {
                    "field": "status",
                    "fieldtype": "jira",
                    "fieldId": "status",
                    "from": STATUS_IDS.get(before),
                    "fromString": before,
                    "to": STATUS_IDS.get(now),
                    "toString": now,
                }
            ],
        },
    }
    raw = json.dumps(body).encode()
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {
        "Content-Type": "application/json; charset=UTF-8",
        "X-Atlassian-Webhook-Identifier": str(uuid.uuid4()),
        "X-Atlassian-Webhook-Flow": "Primary",
        "X-Hub-Signature": f"sha256={signature}",
    }


class _Handler(MockHandler):
    state: JiraState
    content_type = "application/json;charset=UTF-8"

    not_json = "body is not JSON"

    def json_type_problem(self) -> str | None:
        if self.headers.get_content_type() == "application/json":
            return None
        return f"Content-Type {self.headers.get('Content-Type')!r} is not application/json"

    def serve(self, method: str) -> None:
        body, unreadable = self.read_json(method)
        path, values, problems = check_request(method, self.path, body)
        problems = unreadable + problems
        state = self.state
        failure = state.record((method, self.path), problems, failing=not problems and path is not None)
        if problems or path is None:
            self.send_json(422, {"errorMessages": problems, "errors": {}})
            return
        if failure is not None:
            self.send_json(failure, _error_body(failure))
            return
        if not state.authenticated(self.headers.get("Authorization", "")):
            self.send_json(401, UNAUTHENTICATED)
            return
        with state.lock:
            query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            status, answer = state.answer(method, path, values, query, body)
            state.violations += check_answer(method, path, status, answer)
        self.send_json(status, answer)


class JiraServer(MockServer[JiraState]):
    """`with JiraServer() as jira:` serves a Jira Cloud site at `jira.url` (its REST API under /rest/api/3),
    for HTTP Basic `email:token` (an Atlassian account's email and API token)."""

    def __init__(self, email: str = "klaxon@acme.test", token: str = "jira-test-token") -> None:
        super().__init__(JiraState(email, token), _Handler, poll_interval=0.05)
        self.state.url = self.url
