"""A threaded mock of Linear's GraphQL API (`POST /graphql`) for the issue tracker link: issues, created
with `issueCreate` and read with `issue` and `issues`.

Every request is checked against Linear's own published schema (tests/fixtures/linear/schema.graphql,
trimmed from the SDK's, with every input type whole) by graphql-core: the document must parse and
validate, the operation must be found, the variables must coerce. A request that fails any of these is
answered as Linear answers it - HTTP 400 with `{"errors": [...]}` - and each error is recorded in
`violations`, which tests assert empty. A valid request is executed by graphql-core against the same
schema, with resolvers on the Query/Mutation fields and the default resolvers reading the stored dicts.

Authentication is a personal API key, sent bare in `Authorization` (no "Bearer"; that is for OAuth
tokens): https://linear.app/developers/graphql#authentication. A missing or wrong key is answered 401
with the body Linear sends for either."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    build_schema,
    execute_sync,
    get_operation_ast,
    parse,
    validate,
)

from tests.fakes.mock_http import MockHandler, MockServer, MockState

SDL = (Path(__file__).parents[1] / "fixtures" / "linear" / "schema.graphql").read_text()
CHECKING = build_schema(SDL)  # no resolvers: coerces a request's variables without any effect
SCHEMA = build_schema(SDL)  # the resolvers below are attached to this one

TEAM_ID = "6f0e2b1c-4c53-4f7a-9d2e-8a1b3c5d7e90"  # the default team, key ENG
ORGANIZATION_ID = "0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
WEBHOOK_ID = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
ACTOR = {
    "id": "8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5968",
    "name": "Ada Oncall",
    "email": "ada@acme.example",
    "url": "https://linear.app/acme/profiles/ada",
    "type": "user",
}
WORKFLOW = (  # name, type, color: a new team's states in Linear
    ("Backlog", "backlog", "#bec2c8"),
    ("Todo", "unstarted", "#e2e2e2"),
    ("In Progress", "started", "#f2c94c"),
    ("Done", "completed", "#5e6ad2"),
    ("Canceled", "canceled", "#95a2b3"),
)
PRIORITY_LABELS = {0: "No priority", 1: "Urgent", 2: "High", 3: "Medium", 4: "Low"}
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# What Linear answers for a missing or wrong key (HTTP 401), as captured from api.linear.app.
AUTHENTICATION_ERROR = {
    "message": "Authentication required, not authenticated",
    "extensions": {
        "type": "authentication error",
        "code": "AUTHENTICATION_ERROR",
        "statusCode": 401,
        "userError": True,
        "userPresentableMessage": "You need to authenticate to access this operation.",
        "meta": {},
        "http": {"status": 401},
    },
}


def now() -> str:
    """A timestamp as Linear writes a DateTime."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].rstrip("-")


def input_error(message: str, shown: str, code: str = "INPUT_ERROR") -> GraphQLError:
    """An error Linear raises while executing (an unknown entity, a bad id): HTTP 400."""
    return GraphQLError(
        message,
        extensions={
            "type": "invalid input",
            "code": code,
            "statusCode": 400,
            "userError": True,
            "userPresentableMessage": shown,
        },
    )


def not_found(entity: str) -> GraphQLError:
    return input_error(f"Entity not found: {entity}", f"Could not find referenced {entity}.")


def unsupported(what: str) -> GraphQLError:
    """Valid for Linear, but this mock does not do it: a loud 501 rather than a wrong answer."""
    return GraphQLError(
        f"the Linear mock does not implement {what}",
        extensions={"code": "MOCK_UNSUPPORTED", "statusCode": 501},
    )


class LinearState(MockState[dict[str, Any]]):
    """The workspace: its teams, their workflow states and issues; each request's JSON body in `calls`
    (`{"raw": ...}` if not JSON). A failure (`fail`) answers a POST /graphql, without effect."""

    def __init__(self, api_key: str) -> None:
        super().__init__()
        self.api_key = api_key
        self.issues: dict[str, dict[str, Any]] = {}  # by id
        self.teams: dict[str, dict[str, Any]] = {}  # by id: {id, key, name}
        self.workflow_states: dict[str, list[dict[str, Any]]] = {}  # by team id: [{id, name, type, color}]
        self._numbers: dict[str, itertools.count[int]] = {}
        self._sync_ids = itertools.count(1000)
        self.add_team("ENG", "Engineering", TEAM_ID)

    def add_team(self, key: str, name: str, team_id: str | None = None) -> dict[str, Any]:
        team = {"id": team_id or str(uuid.uuid4()), "key": key, "name": name}
        self.teams[team["id"]] = team
        self.workflow_states[team["id"]] = [
            {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{team['id']}/{n}")), "name": n, "type": t, "color": c}
            for n, t, c in WORKFLOW
        ]
        self._numbers[team["id"]] = itertools.count(1)
        return team

    def find(self, id_or_identifier: str) -> dict[str, Any] | None:
        """An issue by id, or by identifier (`ENG-1`) as `issue(id:)` also takes."""
        if id_or_identifier in self.issues:
            return self.issues[id_or_identifier]
        wanted = id_or_identifier.upper()
        return next((i for i in self.issues.values() if i["identifier"] == wanted), None)

    def _state(self, team_id: str, kind: str) -> dict[str, Any]:
        return dict(next(s for s in self.workflow_states[team_id] if s["type"] == kind))

    def complete(self, id_or_identifier: str) -> dict[str, Any]:
        """Move an issue to Done (as someone does in Linear's UI), completedAt now."""
        return self._move(id_or_identifier, "completed", "completedAt")

    def cancel(self, id_or_identifier: str) -> dict[str, Any]:
        """Move an issue to Canceled, canceledAt now."""
        return self._move(id_or_identifier, "canceled", "canceledAt")

    def _move(self, id_or_identifier: str, kind: str, stamp: str) -> dict[str, Any]:
        with self.lock:
            issue = self.find(id_or_identifier)
            if issue is None:
                raise KeyError(id_or_identifier)
            issue["state"] = self._state(issue["team"]["id"], kind)
            issue[stamp] = issue["updatedAt"] = now()
            return issue

    # Resolvers of the Query and Mutation fields (graphql-core calls them under `lock`).

    def resolve_issue(self, _root: Any, _info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
        issue = self.find(id)
        if issue is None:
            raise not_found("Issue")
        return issue

    def resolve_issues(self, _root: Any, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        if args.get("sort"):
            raise unsupported("issues(sort:)")
        order = args.get("orderBy") or "createdAt"
        nodes = sorted(
            (i for i in self.issues.values() if _matches(i, args.get("filter"))), key=lambda i: i[order]
        )
        ids = [i["id"] for i in nodes]
        for cursor, cut in ((args.get("after"), 1), (args.get("before"), 0)):
            if cursor is not None:
                if cursor not in ids:
                    raise input_error(
                        "Invalid cursor", "The pagination cursor is not valid.", "INVALID_INPUT"
                    )
                at = ids.index(cursor)
                nodes = nodes[at + 1 :] if cut else nodes[:at]
        first, last = args.get("first"), args.get("last")
        if first is None and last is None:
            first = 50
        more_after = more_before = False
        if first is not None:
            more_after, nodes = len(nodes) > first, nodes[:first]
        if last is not None:
            more_before, nodes = len(nodes) > last, (nodes[-last:] if last else [])
        return {
            "nodes": nodes,
            "pageInfo": {
                "hasNextPage": more_after,
                "hasPreviousPage": more_before,
                "startCursor": nodes[0]["id"] if nodes else None,
                "endCursor": nodes[-1]["id"] if nodes else None,
            },
        }

    def resolve_issue_create(
        self, _root: Any, _info: GraphQLResolveInfo, input: dict[str, Any]
    ) -> dict[str, Any]:
        for field in ("teamId", "id", "stateId"):
            if input.get(field) is not None and not UUID.match(input[field]):
                raise input_error("Argument Validation Error", f"{field} must be a UUID.", "INVALID_INPUT")
        team = self.teams.get(input["teamId"])
        if team is None:
            raise not_found("Team")
        issue_id = input.get("id") or str(uuid.uuid4())
        if issue_id in self.issues:
            raise input_error(
                "conflict on insert of Issue", f"Entity Issue with id {issue_id} already exists."
            )
        states = self.workflow_states[team["id"]]
        if input.get("stateId") is None:
            state = self._state(team["id"], "unstarted")
        else:
            found = next((s for s in states if s["id"] == input["stateId"]), None)
            if found is None:
                raise not_found("WorkflowState")
            state = dict(found)
        number = next(self._numbers[team["id"]])
        identifier = f"{team['key']}-{number}"
        title = input.get("title") or ""
        created = now()
        issue = {
            "id": issue_id,
            "identifier": identifier,
            "number": number,
            "title": title,
            "description": input.get("description"),
            "url": f"https://linear.app/acme/issue/{identifier}/{_slug(title)}".rstrip("/"),
            "priority": input.get("priority") or 0,
            "createdAt": created,
            "updatedAt": created,
            "startedAt": created if state["type"] == "started" else None,
            "completedAt": created if state["type"] == "completed" else None,
            "canceledAt": created if state["type"] == "canceled" else None,
            "archivedAt": None,
            "state": state,
            "team": team,
        }
        self.issues[issue_id] = issue
        return {"success": True, "issue": issue, "lastSyncId": float(next(self._sync_ids))}


def _attach(name: str, field: str, resolve: Callable[..., Any]) -> None:
    root = SCHEMA.get_type(name)
    assert isinstance(root, GraphQLObjectType)
    root.fields[field].resolve = resolve


def _resolver(method: str) -> Callable[..., Any]:
    def resolve(root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        return getattr(info.context, method)(root, info, **args)

    return resolve


_attach("Query", "issue", _resolver("resolve_issue"))
_attach("Query", "issues", _resolver("resolve_issues"))
_attach("Mutation", "issueCreate", _resolver("resolve_issue_create"))

_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda v, x: v == x,
    "neq": lambda v, x: v != x,
    "in": lambda v, x: v in x,
    "nin": lambda v, x: v not in x,
    "null": lambda v, x: (v is None) == x,
    "lt": lambda v, x: v is not None and v < x,
    "lte": lambda v, x: v is not None and v <= x,
    "gt": lambda v, x: v is not None and v > x,
    "gte": lambda v, x: v is not None and v >= x,
    "eqIgnoreCase": lambda v, x: v is not None and v.lower() == x.lower(),
    "neqIgnoreCase": lambda v, x: v is None or v.lower() != x.lower(),
    "contains": lambda v, x: v is not None and x in v,
    "containsIgnoreCase": lambda v, x: v is not None and x.lower() in v.lower(),
    "notContains": lambda v, x: v is None or x not in v,
    "notContainsIgnoreCase": lambda v, x: v is None or x.lower() not in v.lower(),
    "startsWith": lambda v, x: v is not None and v.startswith(x),
    "startsWithIgnoreCase": lambda v, x: v is not None and v.lower().startswith(x.lower()),
    "notStartsWith": lambda v, x: v is None or not v.startswith(x),
    "endsWith": lambda v, x: v is not None and v.endswith(x),
    "notEndsWith": lambda v, x: v is None or not v.endswith(x),
}


def _matches(node: dict[str, Any], conditions: dict[str, Any] | None) -> bool:
    """Whether a stored issue (or its state, its team) passes an IssueFilter (WorkflowStateFilter,
    TeamFilter): `and`/`or`, a comparator per stored field, a nested filter per stored entity."""
    for key, condition in (conditions or {}).items():
        if condition is None:
            continue
        if key == "and":
            ok = all(_matches(node, c) for c in condition)
        elif key == "or":
            ok = any(_matches(node, c) for c in condition)
        elif key not in node:
            raise unsupported(f"the filter field {key!r}")
        elif isinstance(node[key], dict):
            ok = _matches(node[key], condition)
        else:
            ok = _compare(key, node[key], condition)
        if not ok:
            return False
    return True


def _compare(key: str, value: Any, comparator: dict[str, Any]) -> bool:
    for name, operand in comparator.items():
        if operand is None:
            continue
        if name not in _COMPARATORS:
            raise unsupported(f"the comparator {key}.{name}")
        if not _COMPARATORS[name](value, operand):
            return False
    return True


def _request_error(message: str, code: str, error: GraphQLError | None = None) -> dict[str, Any]:
    """A request error (before execution) as Linear's Apollo server words it: HTTP 400."""
    formatted: dict[str, Any] = dict(error.formatted) if error is not None else {"message": message}
    formatted["extensions"] = {
        "http": {"status": 400, "headers": {}},
        "code": code,
        "type": "graphql error",
        "userError": True,
    }
    return formatted


def check_request(
    content_type: str, raw: bytes
) -> tuple[dict[str, Any], DocumentNode | None, list[dict[str, Any]]]:
    """The request's JSON body, its parsed document, and the errors Linear would answer 400 with."""
    if content_type.partition(";")[0].strip().lower() != "application/json":
        return (
            {"raw": raw.decode(errors="replace")},
            None,
            [_request_error(f"Content-Type {content_type!r} is not application/json", "BAD_REQUEST")],
        )
    try:
        body = json.loads(raw)
    except ValueError:
        return (
            {"raw": raw.decode(errors="replace")},
            None,
            [_request_error("The body is not JSON", "BAD_REQUEST")],
        )
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return (
            {"raw": body},
            None,
            [_request_error("The body must be an object with a string `query`", "BAD_REQUEST")],
        )
    variables, operation_name = body.get("variables"), body.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        return body, None, [_request_error("`variables` must be an object", "BAD_REQUEST")]
    if operation_name is not None and not isinstance(operation_name, str):
        return body, None, [_request_error("`operationName` must be a string", "BAD_REQUEST")]
    try:
        document = parse(body["query"])
    except GraphQLError as error:
        return body, None, [_request_error(error.message, "GRAPHQL_PARSE_FAILED", error)]
    invalid = validate(CHECKING, document)
    if invalid:
        return body, None, [_request_error(e.message, "GRAPHQL_VALIDATION_FAILED", e) for e in invalid]
    if get_operation_ast(document, operation_name) is None:
        message = (
            f'Unknown operation named "{operation_name}".'
            if operation_name
            else "Must provide operation name if query contains multiple operations."
        )
        return body, None, [_request_error(message, "OPERATION_RESOLUTION_FAILURE")]
    # Executed against the schema without resolvers, only to coerce the variables: an error with no
    # path is a request error (a variable of the wrong type, a missing required one, an unknown field).
    dry = execute_sync(CHECKING, document, variable_values=variables, operation_name=operation_name)
    coercion = [e for e in dry.errors or [] if not e.path]
    if coercion:
        return body, None, [_request_error(e.message, "BAD_USER_INPUT", e) for e in coercion]
    return body, document, []


class _Handler(MockHandler):
    state: LinearState
    methods = frozenset({"GET", "POST", "PUT"})

    def serve(self, method: str) -> None:
        if method != "POST":
            self._refuse(405, method)
            return
        if urlsplit(self.path).path != "/graphql":
            self._refuse(404, "POST")
            return
        raw = self.read_body()
        body, document, errors = check_request(self.headers.get("Content-Type", ""), raw)
        state = self.state
        failure = state.record(body, [f"{e['extensions']['code']}: {e['message']}" for e in errors])
        if failure is not None:
            self._fail(failure)
            return
        if errors or document is None:
            self.send_json(400, {"errors": errors})
            return
        if self.headers.get("Authorization") != state.api_key:
            self.send_json(401, {"errors": [AUTHENTICATION_ERROR]})
            return
        with state.lock:
            result = execute_sync(
                SCHEMA,
                document,
                context_value=state,
                variable_values=body.get("variables"),
                operation_name=body.get("operationName"),
            )
        if not result.errors:
            self.send_json(200, {"data": result.data})
            return
        formatted: list[dict[str, Any]] = [dict(e.formatted) for e in result.errors]
        status = formatted[0].get("extensions", {}).get("statusCode", 500)
        self.send_json(status, {"errors": formatted, "data": result.data})

    def _refuse(self, status: int, method: str) -> None:
        problem = f"{method} {self.path}: Linear's API is POST /graphql"
        self.state.record({"raw": f"{method} {self.path}"}, [problem], failing=False)
        self.send_json(status, {"errors": [{"message": HTTPStatus(status).phrase}]})

    def _fail(self, status: int) -> None:
        code = "RATELIMITED" if status == 429 else "INTERNAL_SERVER_ERROR"
        message = "Rate limit exceeded" if status == 429 else HTTPStatus(status).phrase
        self.send_json(status, {"errors": [{"message": message, "extensions": {"code": code}}]})


def linear_webhook(
    issue: dict[str, Any],
    secret: str,
    action: str = "update",
    at_ms: int | None = None,
    updated_from: dict[str, Any] | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of the delivery Linear POSTs to a webhook for an Issue change
    (https://linear.app/developers/webhooks): an EntityWebhookPayload whose `data` is an
    IssueWebhookPayload (both described in Linear's schema), `updatedFrom` holding the previous values
    of what changed when `action` is "update" (by default the issue's state before `complete()`).

    `Linear-Signature` is the hex HMAC-SHA256 of the raw body keyed with the webhook's signing secret,
    as Linear's SDK verifies it (`LinearWebhookClient.verify`, packages/sdk/src/webhooks/client.ts of
    linear/linear; https://linear.app/developers/sdk-webhooks); the receiver should also refuse a
    `webhookTimestamp` (ms) more than a minute from now. `Linear-Delivery` is a fresh id per delivery
    and `Linear-Event` the entity type."""
    at_ms = int(time.time() * 1000) if at_ms is None else at_ms
    state, team = issue["state"], issue["team"]
    data = {
        "id": issue["id"],
        "createdAt": issue["createdAt"],
        "updatedAt": issue["updatedAt"],
        "archivedAt": issue.get("archivedAt"),
        "number": issue["number"],
        "title": issue["title"],
        "description": issue.get("description"),
        "priority": issue.get("priority", 0),
        "priorityLabel": PRIORITY_LABELS.get(issue.get("priority", 0), "No priority"),
        "sortOrder": -float(issue["number"]),
        "prioritySortOrder": -float(issue["number"]),
        "startedAt": issue.get("startedAt"),
        "completedAt": issue.get("completedAt"),
        "canceledAt": issue.get("canceledAt"),
        "teamId": team["id"],
        "stateId": state["id"],
        "previousIdentifiers": [],
        "creatorId": ACTOR["id"],
        "labelIds": [],
        "subscriberIds": [ACTOR["id"]],
        "reactionData": [],
        "identifier": issue["identifier"],
        "url": issue["url"],
        "state": {k: state[k] for k in ("id", "color", "name", "type") if k in state},
        "team": {k: team[k] for k in ("id", "key", "name")},
        "labels": [],
    }
    payload: dict[str, Any] = {
        "action": action,
        "actor": ACTOR,
        "createdAt": datetime.fromtimestamp(at_ms / 1000, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "data": data,
        "url": issue["url"],
        "type": "Issue",
        "organizationId": ORGANIZATION_ID,
        "webhookTimestamp": at_ms,
        "webhookId": WEBHOOK_ID,
    }
    if action == "update":
        if updated_from is None:
            updated_from = {"updatedAt": issue["updatedAt"]}
            if state.get("type") in ("completed", "canceled"):
                todo = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{team['id']}/Todo"))
                updated_from |= {"stateId": todo, f"{state['type']}At": None}
        payload["updatedFrom"] = updated_from
    body = json.dumps(payload, separators=(",", ":")).encode()
    return body, {
        "Content-Type": "application/json; charset=utf-8",
        "Linear-Delivery": str(uuid.uuid4()),
        "Linear-Event": "Issue",
        "Linear-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
        "Linear-Timestamp": str(at_ms),
        "User-Agent": "Linear-Webhook",
    }


class LinearServer(MockServer[LinearState]):
    """`with LinearServer() as linear:` serves Linear's GraphQL API at `linear.url + "/graphql"`."""

    def __init__(self, api_key: str = "lin_api_test") -> None:
        super().__init__(LinearState(api_key), _Handler)
