"""A threaded mock of Confluence Cloud's REST API v2 for publishing post-mortems as pages (find a page by
title in a space, create one, update one): every request is checked against Atlassian's own description
(tests/fixtures/confluence/rest-api-v2.json, trimmed) - the operation must be described, its path and
query parameters described, required ones present and their values of the described types, its JSON body
valid against the operation's schema - and one that is not is answered 400 and recorded in `violations`,
which tests assert empty. The mock's own 200 answers are checked against the operation's response schema
the same way.

The request bodies the description names by `$ref` are read in place (an indirection), and one reading
of the description is loosened: a page's `body` is described as `oneOf` the flat
`PageBodyWrite` (`{"representation", "value"}`) and the nested `PageNestedBodyWrite` (`{"storage": {...}}`),
but neither requires any property nor forbids others, so every object is valid under both and strict
`oneOf` refuses them all. The mock reads that `oneOf` as `anyOf` and checks the shape itself (one of the
two, with a `representation` and a `value`).

As Confluence does, it answers a storage body that is not well-formed XHTML 400, a new page whose title a
current page of the space has 400, an update whose `version.number` is not the page's next 409, a space
it does not know 404."""

from __future__ import annotations

import base64
import binascii
import hmac
import html.entities
import itertools
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

from tests.fakes.mock_http import (
    MockHandler,
    MockServer,
    MockState,
    check_openapi_request,
    compile_paths,
    deref,
    schema_problems,
)

API = "/wiki/api/v2"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "confluence"
PAGES = "/pages"
PAGE = "/pages/{id}"
BODY_CHOICE = [
    {"$ref": "#/components/schemas/PageBodyWrite"},
    {"$ref": "#/components/schemas/PageNestedBodyWrite"},
]
REPRESENTATIONS = ("storage", "atlas_doc_format", "wiki")
# Storage format's own namespaces (macros, resource identifiers), declared on the root a body is read in.
STORAGE_ROOT = (
    '<root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">'
)
NAMED_REFERENCE = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
XML_NAMES = frozenset({"amp", "lt", "gt", "quot", "apos"})
TITLE_TAKEN = "A page with this title already exists: A page already exists with the same TITLE in this space"


def _loosen_body_choice(node: Any) -> Any:
    """`node` with each `oneOf` of the two page body shapes read as `anyOf` (see the module's doc)."""
    if isinstance(node, list):
        return [_loosen_body_choice(n) for n in node]
    if not isinstance(node, dict):
        return node
    loosened = {k: _loosen_body_choice(v) for k, v in node.items()}
    choice = loosened.get("oneOf")
    if isinstance(choice, list) and sorted(choice, key=json.dumps) == sorted(BODY_CHOICE, key=json.dumps):
        loosened["anyOf"] = loosened.pop("oneOf")
    return loosened


def _request_bodies_inline(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with each operation's `requestBody` that is a `$ref` (`#/components/requestBodies/...`, as
    Atlassian writes them) replaced by what it names, as mock_http's check reads a body's schema."""
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation["requestBody"] = deref(spec, operation["requestBody"])
    return spec


RAW_SPEC = json.loads((FIXTURES / "rest-api-v2.json").read_text())
SPEC = _request_bodies_inline(_loosen_body_choice(RAW_SPEC))
ROUTES = compile_paths(SPEC["paths"], prefix=API)


def _typed(value: str, schema: dict[str, Any]) -> Any:
    """A query or path value as the type its schema describes (the value itself if it is not one)."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    return value


def parameter_problems(
    method: str, path: str, values: dict[str, str], query: dict[str, list[str]]
) -> list[str]:
    """What is wrong with the values of the operation's path and query parameters by their schemas; an
    array's items may be repeated or comma-separated (Confluence takes `space-id=1,2`)."""
    problems = []
    for described in SPEC["paths"][path][method.lower()].get("parameters", []):
        parameter = deref(SPEC, described)
        name, schema = parameter["name"], deref(SPEC, parameter.get("schema", {}))
        raw = [values[name]] if parameter["in"] == "path" and name in values else query.get(name)
        if parameter["in"] not in {"path", "query"} or not raw:
            continue
        if schema.get("type") == "array":
            items = deref(SPEC, schema.get("items", {}))
            value: Any = [_typed(v, items) for each in raw for v in each.split(",")]
        elif len(raw) > 1:
            problems.append(f"{method} {path}: {parameter['in']} {name!r} is given {len(raw)} times")
            continue
        else:
            value = _typed(raw[0], schema)
        where = f"{method} {path}: {parameter['in']} {name!r}"
        problems += schema_problems(SPEC, schema, value, where)
    return problems


def body_problems(method: str, path: str, body: Any) -> list[str]:
    """What is wrong with a page body's shape, beyond the schema (see the module's doc): the flat shape
    with a `representation` and a `value`, or the nested one with one representation, either valid as a
    PageBodyWrite."""
    page_body = body.get("body") if isinstance(body, dict) else None
    if not isinstance(page_body, dict):
        return []
    where = f"{method} {path}: body.body"
    nested = [r for r in REPRESENTATIONS if r in page_body]
    if nested and set(page_body) - set(REPRESENTATIONS):
        return [f"{where}: mixes the nested shape ({', '.join(nested)}) with {sorted(page_body)}"]
    if len(nested) > 1:
        return [f"{where}: more than one representation ({', '.join(nested)})"]
    shape = page_body[nested[0]] if nested else page_body
    if not isinstance(shape, dict) or not {"representation", "value"} <= set(shape):
        return [f"{where}: needs a `representation` and a `value`"]
    if nested and shape["representation"] != nested[0]:
        return [f"{where}: {nested[0]} holds a {shape['representation']!r} representation"]
    return schema_problems(SPEC, BODY_CHOICE[0], shape, where)  # the shape it is, read strictly


def storage_value(body: Any) -> tuple[str | None, str | None]:
    """The storage-format value of a (checked) request's page body, or what the mock cannot take: it keeps
    storage format only."""
    page_body = body.get("body") if isinstance(body, dict) else None
    if not isinstance(page_body, dict):
        return None, None
    shape = page_body.get("storage", page_body)
    if shape.get("representation") != "storage":
        return None, f"the mock takes storage format only, not {shape.get('representation')!r}"
    return str(shape.get("value", "")), None


def check_request(method: str, url: str, body: Any) -> tuple[str | None, dict[str, str], list[str]]:
    """The described path the request is for, its path parameters, and what is wrong with it."""
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    path, values, problems = check_openapi_request(SPEC, ROUTES, method, url, query, body)
    if path is not None:
        problems += parameter_problems(method, path, values, query)
        problems += body_problems(method, path, body)
    return path, values, problems


def check_answer(method: str, path: str, status: int, body: Any) -> list[str]:
    """What is wrong with a 200 answer the mock gives, by the operation's response schema."""
    if status != 200:
        return []
    response = SPEC["paths"][path][method.lower()]["responses"]["200"]
    schema = response["content"]["application/json"]["schema"]
    return schema_problems(SPEC, schema, body, f"{method} {path}: answer 200")


def xhtml_problem(value: str) -> str | None:
    """Why Confluence would refuse `value` as a storage body (it is not well-formed XHTML), if it would:
    read as XML, with the storage format's namespaces declared and HTML's named references known."""

    def numeric(match: re.Match[str]) -> str:
        text = html.entities.html5.get(f"{match.group(1)};")
        if match.group(1) in XML_NAMES or text is None:
            return match.group(0)  # XML's own, or one no XHTML knows (a parse error below)
        return "".join(f"&#{ord(c)};" for c in text)

    try:
        ET.fromstring(f"{STORAGE_ROOT}{NAMED_REFERENCE.sub(numeric, value)}</root>")
    except ET.ParseError as error:
        return f"Error parsing xhtml: {error}"
    return None


def confluence_time(moment: datetime | None = None) -> str:
    """A time as Confluence's REST API v2 writes one: `2026-12-06T09:30:00.000Z`."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def errors(status: int, title: str, code: str | None = None) -> dict[str, Any]:
    """An error answer as REST API v2 gives one."""
    default = HTTPStatus(status).name
    return {"errors": [{"status": status, "code": code or default, "title": title, "detail": None}]}


class ConfluenceState(MockState[tuple[str, str]]):
    """The site: its spaces (by id) and pages (by id), every call made, and what was wrong with any of them.
    A failure (`fail`, 503: Confluence unavailable) answers a described, valid request, changing nothing.

    A page is kept as {"id", "title", "spaceId", "parentId" (None: none), "status", "version" (its number),
    "body" (the storage-format value), "createdAt", "message" (its version's)}."""

    def __init__(self, email: str, token: str, url: str = "") -> None:
        super().__init__()
        self.email = email
        self.token = token
        self.url = url  # the site's URL, for pages' links (ConfluenceServer sets it)
        self.spaces: set[str] = {"65537"}
        self.space_keys: dict[str, str] = {"65537": "OPS"}  # for pages' web links (a space's id otherwise)
        self.pages: dict[str, dict[str, Any]] = {}
        self.account_id = "557058:klaxon-test-user"
        self._ids = itertools.count(393217)

    def authenticated(self, header: str) -> bool:
        scheme, _, credentials = header.partition(" ")
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True)
        except binascii.Error:
            return False
        return scheme.lower() == "basic" and hmac.compare_digest(
            decoded, f"{self.email}:{self.token}".encode()
        )

    def add_page(self, title: str, space_id: str = "65537", body: str = "<p />", **fields: Any) -> str:
        """A page made in Confluence by a person (a parent for the post-mortems, say); its id."""
        with self.lock:
            page_id = str(next(self._ids))
            self.pages[page_id] = {
                "id": page_id,
                "title": title,
                "spaceId": space_id,
                "parentId": None,
                "status": "current",
                "version": 1,
                "body": body,
                "createdAt": confluence_time(),
                "message": "",
                **fields,
            }
            return page_id

    def view(self, page: dict[str, Any], with_body: bool) -> dict[str, Any]:
        """A page as REST API v2 answers it (PageSingle, PageBulk)."""
        key = self.space_keys.get(page["spaceId"], page["spaceId"])
        webui = f"/spaces/{key}/pages/{page['id']}/{quote_plus(page['title'])}"
        answer: dict[str, Any] = {
            "id": page["id"],
            "status": page["status"],
            "title": page["title"],
            "spaceId": page["spaceId"],
            "authorId": self.account_id,
            "ownerId": self.account_id,
            "createdAt": page["createdAt"],
            "version": {
                "number": page["version"],
                "message": page["message"],
                "minorEdit": False,
                "authorId": self.account_id,
                "createdAt": confluence_time(),
            },
            "_links": {
                "webui": webui,
                "editui": f"/pages/resumedraft.action?draftId={page['id']}",
                "tinyui": f"/x/{page['id']}",
            },
        }
        if page["parentId"] is not None:
            answer.update(parentId=page["parentId"], parentType="page")
        if with_body:
            answer["body"] = {"storage": {"representation": "storage", "value": page["body"]}}
        return answer

    def answer(
        self, method: str, path: str, v: dict[str, str], query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        """The answer to a described, valid, authenticated request (called with the lock held)."""
        base = f"{self.url}/wiki"
        if path == PAGES and method == "GET":
            return 200, {"results": self._find(query), "_links": {"base": base}}
        value, unsupported = storage_value(body)
        if unsupported is not None:
            self.violations.append(f"{method} {path}: {unsupported}")
            return 400, errors(400, unsupported, "INVALID_REQUEST_PARAMETER")
        if value is not None and (problem := xhtml_problem(value)) is not None:
            return 400, errors(400, problem, "INVALID_REQUEST_PARAMETER")
        if path == PAGES:
            status, page = self._create(body, value or "")
        else:
            status, page = self._update(v["id"], body, value)
        if status != 200:
            return status, page
        return 200, {**(view := self.view(page, with_body=True)), "_links": {**view["_links"], "base": base}}

    def _ids_of(self, query: dict[str, list[str]], name: str) -> set[str] | None:
        if name not in query:
            return None
        return {v.strip() for each in query[name] for v in each.split(",") if v.strip()}

    def _find(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        statuses = self._ids_of(query, "status") or {"current", "archived"}
        spaces, ids = self._ids_of(query, "space-id"), self._ids_of(query, "id")
        title = query.get("title", [None])[0]
        limit = int(query.get("limit", ["25"])[0])
        found = [
            self.view(page, with_body=query.get("body-format") == ["storage"])
            for page in sorted(self.pages.values(), key=lambda p: int(p["id"]))
            if page["status"] in statuses
            and (spaces is None or page["spaceId"] in spaces)
            and (ids is None or page["id"] in ids)
            and (title is None or page["title"] == title)
        ]
        return found[:limit]

    def _taken(self, space_id: str, title: str, but: str | None = None) -> bool:
        return any(
            p["spaceId"] == space_id and p["title"] == title and p["status"] == "current" and p["id"] != but
            for p in self.pages.values()
        )

    def _parent_problem(self, parent_id: Any, space_id: str) -> tuple[int, Any] | None:
        parent = self.pages.get(str(parent_id)) if parent_id is not None else None
        if parent_id is not None and (parent is None or parent["spaceId"] != space_id):
            return 404, errors(404, f"No parent page {parent_id} in space {space_id}.")
        return None

    def _create(self, body: dict[str, Any], value: str) -> tuple[int, Any]:
        space_id = body["spaceId"]
        if space_id not in self.spaces:
            return 404, errors(404, f"Space {space_id} does not exist or you cannot create pages in it.")
        status, title = body.get("status", "current"), body.get("title")
        if status == "current" and not title:
            return 400, errors(400, "A published page must have a title.", "INVALID_REQUEST_PARAMETER")
        if title and self._taken(space_id, title):
            return 400, errors(400, TITLE_TAKEN, "INVALID_REQUEST_PARAMETER")
        if (refused := self._parent_problem(body.get("parentId"), space_id)) is not None:
            return refused
        page_id = str(next(self._ids))
        page = self.pages[page_id] = {
            "id": page_id,
            "title": title or "",
            "spaceId": space_id,
            "parentId": body.get("parentId"),
            "status": status,
            "version": 1,
            "body": value,
            "createdAt": confluence_time(),
            "message": "",
        }
        return 200, page

    def _update(self, page_id: str, body: dict[str, Any], value: str | None) -> tuple[int, Any]:
        page = self.pages.get(page_id)
        if page is None or page["status"] in {"deleted", "historical"}:
            return 404, errors(404, f"No page {page_id}.")
        if body["id"] != page_id:
            return 400, errors(
                400, f"The id {body['id']} is not the page's {page_id}.", "INVALID_REQUEST_PARAMETER"
            )
        if body.get("spaceId") not in (None, page["spaceId"]):
            return 400, errors(400, "A page cannot be moved to another space.", "INVALID_REQUEST_PARAMETER")
        number = (body.get("version") or {}).get("number")
        if number != page["version"] + 1:
            message = f"Version must be incremented on update. Current version is: {page['version']}"
            return 409, errors(409, message)
        if self._taken(page["spaceId"], body["title"], but=page_id):
            return 400, errors(400, TITLE_TAKEN, "INVALID_REQUEST_PARAMETER")
        if (refused := self._parent_problem(body.get("parentId"), page["spaceId"])) is not None:
            return refused
        page.update(
            title=body["title"],
            status=body["status"],
            version=number,
            message=(body.get("version") or {}).get("message", ""),
            parentId=body.get("parentId", page["parentId"]),
        )
        if value is not None:
            page["body"] = value
        return 200, page


class _Handler(MockHandler):
    state: ConfluenceState
    content_type = "application/json;charset=UTF-8"

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
        if path is None:
            self.send_json(404, errors(404, "; ".join(problems)))
            return
        if problems:
            self.send_json(400, errors(400, "; ".join(problems), "INVALID_REQUEST_PARAMETER"))
            return
        if failure is not None:
            self.send_json(failure, errors(failure, HTTPStatus(failure).phrase))
            return
        if not state.authenticated(self.headers.get("Authorization", "")):
            self.send_json(401, errors(401, "Unauthorized", "UNAUTHORIZED"))
            return
        with state.lock:
            query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            status, answer = state.answer(method, path, values, query, body)
            state.violations += check_answer(method, path, status, answer)
        self.send_json(status, answer)


class ConfluenceServer(MockServer[ConfluenceState]):
    """`with ConfluenceServer() as confluence:` serves a Confluence Cloud site at `confluence.url` (its REST
    API v2 under /wiki/api/v2), for HTTP Basic `email:token` (an Atlassian account's email and API token),
    with one space, 65537 (key OPS)."""

    def __init__(self, email: str = "klaxon@acme.test", token: str = "confluence-test-token") -> None:
        super().__init__(ConfluenceState(email, token), _Handler, poll_interval=0.05)
        self.state.url = self.url
