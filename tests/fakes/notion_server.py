"""A threaded mock of Notion's REST API for publishing post-mortems as pages (list a page's child blocks,
create a page, append blocks, move a page to the trash): every request is checked against Notion's own
OpenAPI description (tests/fixtures/notion/rest-api.json, trimmed from notion-mcp-server's) - the
operation must be described, its query parameters described and of their types, its JSON body valid
against the operation's schema - and one that is not is answered 400 (`validation_error`) and recorded in
`violations`, which tests assert empty. The mock's own answers are checked against the operation's
response schemas the same way.

The request bodies the description names by `$ref` are read in place (an indirection), and the description
is read with one extension of the mock's own, said in tests/fixtures/notion/README.md: it describes only
two block types a request may create (`paragraph` and `bulleted_list_item`, whose rich text has no
annotations), where Notion's block reference documents many. The mock adds, beside those two and in their
shape, `heading_1`, `heading_2`, `heading_3`, `numbered_list_item`, `quote`, `code` (its `language` one of
Notion's) and `divider`, and a rich text object's optional `annotations` (bold, italic, strikethrough,
underline, code, color); no other block type (a table, say) is taken. The description's `children` of
`POST /v1/pages` are strings (the MCP server's reading) where Notion takes block objects, so the mock takes
no children there: blocks are appended to the page.

As Notion does, it answers a request without `Notion-Version` 400 (`missing_version`), one with a version
that is not Notion's 400 (`validation_error`; the mock serves only the version the description states,
2025-09-03, and records another of Notion's versions as a violation), a token that is not the integration's
401 (`unauthorized`), a page or block it does not know 404 (`object_not_found`), and 400 (`validation_error`)
a request beyond Notion's request limits: more than 100 blocks appended at once, a rich text object's
content over 2,000 characters (UTF-16 code units, as Notion counts), a link over 2,000, more than 100 rich
text objects, a body over 500 KB; a page in the trash cannot be edited, nor children appended to a block
type that holds none. Pages in the trash are not listed among their parent's children."""

from __future__ import annotations

import contextlib
import copy
import hmac
import json
import re
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from tests.fakes.mock_http import (
    MockHandler,
    MockServer,
    MockState,
    check_openapi_request,
    compile_paths,
    deref,
    schema_problems,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "notion"
PAGES = "/v1/pages"
PAGE = "/v1/pages/{page_id}"
CHILDREN = "/v1/blocks/{block_id}/children"
PARENT = "5f2c6b1e-8d4a-4c3b-9e7f-1a2b3c4d5e6f"  # the "Post-mortems" page, shared with the integration
BOT = "0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e"  # the integration's bot user
NOTION_VERSIONS = frozenset(
    {"2021-05-11", "2021-05-13", "2021-08-16", "2022-02-22", "2022-06-28", "2025-09-03", "2026-03-11"}
)
MAX_TEXT = 2000  # UTF-16 code units of a rich text object's content, and characters of a URL
MAX_ITEMS = 100  # blocks appended at once, rich text objects in one block
MAX_BODY = 500_000  # bytes of a request's body
HOLDS_CHILDREN = frozenset(
    {"paragraph", "bulleted_list_item", "numbered_list_item", "quote", "toggle", "to_do", "child_page"}
)
COLORS = [
    c + suffix
    for suffix in ("", "_background")
    for c in ("gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red")
] + ["default"]
_LANGUAGE_WORDS = (
    "abap arduino bash basic c clojure coffeescript c++ c# css dart diff docker elixir elm erlang flow "
    "fortran f# gherkin glsl go graphql groovy haskell html java javascript json julia kotlin latex less "
    "lisp livescript lua makefile markdown markup matlab mermaid nix objective-c ocaml pascal perl php "
    "powershell prolog protobuf python r reason ruby rust sass scala scheme scss shell sql swift "
    "typescript vb.net verilog vhdl webassembly xml yaml"
)
LANGUAGES = sorted({*_LANGUAGE_WORDS.split(), "plain text", "visual basic", "java/c/c++/c#"})  # Notion's
ARCHIVED = "Can't edit block that is archived. You must unarchive the block before editing."


def _rich_text_array() -> dict[str, Any]:
    return {"type": "array", "items": {"$ref": "#/components/schemas/richTextRequest"}, "maxItems": 100}


def _block_schema(kind: str, content: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """A block request of `kind` in the description's own shape (`{"type": kind, kind: {...}}`)."""
    body = {"type": "object", "properties": content, "additionalProperties": False, "required": required}
    return {
        "type": "object",
        "properties": {kind: body, "type": {"enum": [kind], "type": "string"}},
        "required": [kind],
        "additionalProperties": False,
    }


def _text_block(kind: str, **more: Any) -> dict[str, Any]:
    content = {"rich_text": _rich_text_array(), "color": {"type": "string", "enum": COLORS}, **more}
    return _block_schema(kind, content, ["rich_text"])


# The mock's extension of the description (see the module's doc): block types Notion documents.
EXTENSION_BLOCKS = {
    "heading1BlockRequest": _text_block("heading_1", is_toggleable={"type": "boolean"}),
    "heading2BlockRequest": _text_block("heading_2", is_toggleable={"type": "boolean"}),
    "heading3BlockRequest": _text_block("heading_3", is_toggleable={"type": "boolean"}),
    "numberedListItemBlockRequest": _text_block("numbered_list_item"),
    "quoteBlockRequest": _text_block("quote"),
    "codeBlockRequest": _block_schema(
        "code",
        {
            "rich_text": _rich_text_array(),
            "caption": _rich_text_array(),
            "language": {"type": "string", "enum": LANGUAGES},
        },
        ["rich_text"],
    ),
    "dividerBlockRequest": _block_schema("divider", {}, []),
}
ANNOTATIONS = {
    "type": "object",
    "properties": {
        **{name: {"type": "boolean"} for name in ("bold", "italic", "strikethrough", "underline", "code")},
        "color": {"type": "string", "enum": COLORS},
    },
    "additionalProperties": False,
}


def _request_bodies_inline(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with each operation's `requestBody` that is a `$ref` replaced by what it names, as
    mock_http's check reads a body's schema."""
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation["requestBody"] = deref(spec, operation["requestBody"])
    return spec


def _extended(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with the mock's extension (see the module's doc) beside what it describes."""
    schemas = spec["components"]["schemas"]
    schemas.update(copy.deepcopy(EXTENSION_BLOCKS))
    schemas["blockObjectRequest"]["anyOf"] += [
        {"$ref": f"#/components/schemas/{name}"} for name in EXTENSION_BLOCKS
    ]
    schemas["richTextRequest"]["properties"]["annotations"] = ANNOTATIONS
    return spec


RAW_SPEC = json.loads((FIXTURES / "rest-api.json").read_text())
SPEC = _extended(_request_bodies_inline(copy.deepcopy(RAW_SPEC)))
ROUTES = compile_paths(SPEC["paths"])
VERSION = deref(SPEC, SPEC["paths"][PAGES]["post"]["parameters"][0])["schema"]["default"]


def parameter_problems(method: str, path: str, query: dict[str, list[str]]) -> list[str]:
    """What is wrong with the values of the operation's query parameters by their schemas."""
    problems = []
    for described in SPEC["paths"][path][method.lower()].get("parameters", []):
        parameter = deref(SPEC, described)
        name, schema = parameter["name"], parameter.get("schema", {})
        if parameter["in"] != "query" or name not in query:
            continue
        where = f"{method} {path}: query {name!r}"
        if len(query[name]) > 1:
            problems.append(f"{where} is given {len(query[name])} times")
            continue
        value: Any = query[name][0]
        if schema.get("type") == "integer":
            with contextlib.suppress(ValueError):
                value = int(value)
        problems += schema_problems(SPEC, schema, value, where)
    return problems


def body_problems(method: str, path: str, body: Any) -> list[str]:
    """What the mock cannot take though the description allows it (see the module's doc)."""
    if path == PAGES and method == "POST" and isinstance(body, dict) and body.get("children"):
        return [
            f"{method} {path}: body.children: the description has strings, Notion block objects: "
            "the mock takes none here (append them)"
        ]
    return []


def check_request(method: str, url: str, body: Any) -> tuple[str | None, dict[str, str], list[str]]:
    """The described path the request is for, its path parameters, and what is wrong with it."""
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    path, values, problems = check_openapi_request(SPEC, ROUTES, method, url, query, body)
    if path is not None:
        problems += parameter_problems(method, path, query)
        problems += body_problems(method, path, body)
    return path, values, problems


def check_answer(method: str, path: str, status: int, body: Any) -> list[str]:
    """What is wrong with an answer the mock gives, by the operation's response schema for its status."""
    response = SPEC["paths"][path][method.lower()]["responses"].get(str(status))
    if response is None:
        return []
    schema = response["content"]["application/json"]["schema"]
    return schema_problems(SPEC, schema, body, f"{method} {path}: answer {status}")


def error(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    """An error answer as Notion gives one."""
    codes = {
        400: "validation_error",
        401: "unauthorized",
        403: "restricted_resource",
        404: "object_not_found",
        409: "conflict_error",
        429: "rate_limited",
        500: "internal_server_error",
        502: "bad_gateway",
        503: "service_unavailable",
        504: "gateway_timeout",
    }
    return {
        "object": "error",
        "status": status,
        "code": code or codes.get(status, HTTPStatus(status).name.lower()),
        "message": message,
        "request_id": str(uuid.uuid4()),
    }


def not_found(kind: str, ident: str) -> dict[str, Any]:
    """Notion's answer about a page or block it does not know, or has not shared with the integration."""
    message = (
        f"Could not find {kind} with ID: {ident}. "
        "Make sure the relevant pages and databases are shared with your integration."
    )
    return error(404, message)


def notion_time(moment: datetime | None = None) -> str:
    """A time as Notion writes one: `2026-12-06T09:30:00.000Z`."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def plain(items: list[dict[str, Any]]) -> str:
    """The text of rich text as sent."""
    return "".join(item["text"]["content"] for item in items)


def text_of(block: dict[str, Any]) -> str:
    """The text of a kept block's rich text (a child page's title)."""
    if block["type"] == "child_page":
        return str(block["child_page"]["title"])
    return plain(block[block["type"]].get("rich_text", []))


def rich_text_problems(items: Any, where: str) -> list[str]:
    """How rich text breaks Notion's request limits (see the module's doc), as Notion words them."""
    if not isinstance(items, list):
        return []
    problems = []
    if len(items) > MAX_ITEMS:
        problems.append(f"{where}.length should be ≤ `{MAX_ITEMS}`, instead was `{len(items)}`.")
    for i, item in enumerate(items):
        text = item.get("text") if isinstance(item, dict) else None
        if not isinstance(text, dict):
            continue
        content = text.get("content")
        if isinstance(content, str) and utf16(content) > MAX_TEXT:
            problems.append(
                f"{where}[{i}].text.content.length should be ≤ `{MAX_TEXT}`, instead was `{utf16(content)}`."
            )
        url = (text.get("link") or {}).get("url")
        if isinstance(url, str):
            parts = urlsplit(url)
            if len(url) > MAX_TEXT:
                problems.append(f"{where}[{i}].text.link.url.length should be ≤ `{MAX_TEXT}`.")
            elif not parts.scheme or not (parts.netloc or parts.scheme == "mailto"):
                problems.append(f"Invalid URL for link: {where}[{i}].text.link.url")
    return problems


def block_type(block: dict[str, Any]) -> str | None:
    """The type of a block in a request: its `type`, or its one content key."""
    if "type" in block:
        return str(block["type"])
    keys = [k for k in block if k != "object"]
    return keys[0] if len(keys) == 1 else None


class NotionState(MockState[tuple[str, str]]):
    """The workspace as the integration sees it: its pages (by id, the "Post-mortems" parent among them),
    every call made, and what was wrong with any of them. A failure (`fail`, 503: Notion unavailable)
    answers a described, valid request, changing nothing.

    A page is kept as {"id", "title", "parent" (its parent page's id, None at the workspace's top),
    "in_trash", "created_time", "blocks"}; a block as {"id", "type", <type>: its content as sent, "children"}
    (a child page as a `child_page` block, its id the page's, in its parent's blocks)."""

    def __init__(self, token: str, version: str = VERSION) -> None:
        super().__init__()
        self.token = token
        self.version = version
        self.pages: dict[str, dict[str, Any]] = {}
        self.blocks: dict[str, dict[str, Any]] = {}  # every block but pages, by id, at any depth
        self.add_page("Post-mortems", page_id=PARENT)

    def authenticated(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), self.token.encode())

    def add_page(
        self,
        title: str,
        parent: str | None = None,
        page_id: str | None = None,
        in_trash: bool = False,
    ) -> str:
        """A page made in Notion by a person (a parent for the post-mortems, an earlier copy); its id."""
        with self.lock:
            return self._add_page(title, parent, page_id or str(uuid.uuid4()), in_trash)["id"]

    def _add_page(self, title: str, parent: str | None, page_id: str, in_trash: bool) -> dict[str, Any]:
        page = self.pages[page_id] = {
            "id": page_id,
            "title": title,
            "parent": parent,
            "in_trash": in_trash,
            "created_time": notion_time(),
            "blocks": [],
            "title_text": [{"type": "text", "text": {"content": title}}],
        }
        if parent is not None:
            self.pages[parent]["blocks"].append(
                {"id": page_id, "type": "child_page", "child_page": {"title": title}, "children": []}
            )
        return page

    def live_pages(self, parent: str = PARENT) -> list[dict[str, Any]]:
        """The pages under `parent` not in the trash, oldest first."""
        return [p for p in self.pages.values() if p["parent"] == parent and not p["in_trash"]]

    def _normalised(self, value: str) -> str | None:
        try:
            return str(uuid.UUID(value))
        except ValueError:
            return None

    # Answers.

    def url_of(self, page: dict[str, Any]) -> str:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", page["title"]).strip("-")
        return f"https://www.notion.so/{slug + '-' if slug else ''}{page['id'].replace('-', '')}"

    def view_page(self, page: dict[str, Any]) -> dict[str, Any]:
        """A page as Notion answers it."""
        user = {"object": "user", "id": BOT}
        parent = (
            {"type": "page_id", "page_id": page["parent"]}
            if page["parent"] is not None
            else {"type": "workspace", "workspace": True}
        )
        return {
            "object": "page",
            "id": page["id"],
            "created_time": page["created_time"],
            "last_edited_time": notion_time(),
            "created_by": user,
            "last_edited_by": user,
            "cover": None,
            "icon": None,
            "parent": parent,
            "archived": page["in_trash"],
            "in_trash": page["in_trash"],
            "is_locked": False,
            "properties": {
                "title": {"id": "title", "type": "title", "title": self.view_rich_text(page["title_text"])}
            },
            "url": self.url_of(page),
            "public_url": None,
            "request_id": str(uuid.uuid4()),
        }

    def view_rich_text(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        viewed = []
        for item in items:
            text = item["text"]
            link = text.get("link")
            annotations = {
                "bold": False,
                "italic": False,
                "strikethrough": False,
                "underline": False,
                "code": False,
                "color": "default",
                **item.get("annotations", {}),
            }
            viewed.append(
                {
                    "type": "text",
                    "text": {"content": text["content"], "link": link},
                    "annotations": annotations,
                    "plain_text": text["content"],
                    "href": link["url"] if link else None,
                }
            )
        return viewed

    def view_block(self, block: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
        """A block as Notion answers it, under `parent` ({"type": "page_id", ...} or block_id)."""
        kind = block["type"]
        content = dict(block[kind])
        if "rich_text" in content:
            content["rich_text"] = self.view_rich_text(content["rich_text"])
        if kind not in {"code", "divider", "child_page"}:
            content.setdefault("color", "default")
        in_trash = self.pages[block["id"]]["in_trash"] if kind == "child_page" else False
        user = {"object": "user", "id": BOT}
        children = self.pages[block["id"]]["blocks"] if kind == "child_page" else block["children"]
        return {
            "object": "block",
            "id": block["id"],
            "parent": parent,
            "created_time": notion_time(),
            "last_edited_time": notion_time(),
            "created_by": user,
            "last_edited_by": user,
            "has_children": bool(children),
            "archived": in_trash,
            "in_trash": in_trash,
            "type": kind,
            kind: content,
        }

    def _container(self, block_id: str) -> tuple[list[dict[str, Any]], dict[str, Any], str, bool] | None:
        """What block `block_id` (a page's, or a block's) holds, its parent reference for its children,
        its type, and whether it is in the trash."""
        if block_id in self.pages:
            page = self.pages[block_id]
            return page["blocks"], {"type": "page_id", "page_id": block_id}, "child_page", page["in_trash"]
        if block_id in self.blocks:
            block = self.blocks[block_id]
            return block["children"], {"type": "block_id", "block_id": block_id}, block["type"], False
        return None

    def answer(
        self, method: str, path: str, v: dict[str, str], query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        """The answer to a described, valid, authenticated request (called with the lock held)."""
        if path == PAGES:
            return self._create(body)
        ident = v.get("page_id") or v.get("block_id") or ""
        block_id = self._normalised(ident)
        if block_id is None:
            name = "page_id" if "page_id" in v else "block_id"
            message = f'path failed validation: path.{name} should be a valid uuid, instead was `"{ident}"`.'
            return 400, error(400, message)
        if path == PAGE:
            return self._update(block_id, body)
        if method == "GET":
            return self._children(block_id, query)
        return self._append(block_id, body)

    def _create(self, body: dict[str, Any]) -> tuple[int, Any]:
        parent_id = (body.get("parent") or {}).get("page_id")
        if parent_id is None:
            self.violations.append("POST /v1/pages: the mock keeps pages under pages only")
            return 400, error(400, "The mock keeps pages under pages only.")
        parent = self._normalised(str(parent_id))
        if parent is None:
            message = "body failed validation: body.parent.page_id should be a valid uuid, instead was "
            return 400, error(400, f'{message}`"{parent_id}"`.')
        if parent not in self.pages:
            return 404, not_found("page", parent)
        if self.pages[parent]["in_trash"]:
            return 400, error(400, ARCHIVED)
        items, refused = self._title(body["properties"])
        if refused is not None:
            return 400, refused
        page = self._add_page(plain(items or []), parent, str(uuid.uuid4()), False)
        page["title_text"] = copy.deepcopy(items or [])
        return 200, self.view_page(page)

    def _title(self, properties: dict[str, Any]) -> tuple[list[dict[str, Any]] | None, dict[str, Any] | None]:
        """The title's rich text among a page's properties (None: not given), or Notion's refusal: a page
        under a page has no property but its title."""
        if set(properties) - {"title"}:
            extra = sorted(set(properties) - {"title"})[0]
            return None, error(400, f"{extra} is not a property that exists.")
        if "title" not in properties:
            return None, None
        value = properties["title"]
        items = value.get("title") if isinstance(value, dict) else None
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance((i.get("text") or {}).get("content"), str) for i in items
        ):
            message = "body failed validation: body.properties.title.title should be an array of rich text."
            return None, error(400, message)
        if problems := rich_text_problems(items, "body.properties.title.title"):
            return None, error(400, "body failed validation: " + " ".join(problems))
        return items, None

    def _update(self, page_id: str, body: dict[str, Any]) -> tuple[int, Any]:
        page = self.pages.get(page_id)
        if page is None:
            return 404, not_found("page", page_id)
        trash = body.get("in_trash", body.get("archived"))
        if page["in_trash"] and trash is None:  # an edit of a page in the trash, not taking it out
            return 400, error(400, ARCHIVED)
        items, refused = self._title(body.get("properties") or {})
        if refused is not None:
            return 400, refused
        if items is not None:
            page.update(title=plain(items), title_text=copy.deepcopy(items))
            if page["parent"] is not None:
                [block] = [b for b in self.pages[page["parent"]]["blocks"] if b["id"] == page_id]
                block["child_page"]["title"] = page["title"]
        if trash is not None:
            page["in_trash"] = trash
        return 200, self.view_page(page)

    def _children(self, block_id: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        found = self._container(block_id)
        if found is None:
            return 404, not_found("block", block_id)
        children, parent, _, _ = found
        size = int(query.get("page_size", ["100"])[0])
        if not 1 <= size <= MAX_ITEMS:
            message = (
                f"body failed validation: body.page_size should be ≤ `{MAX_ITEMS}`, instead was `{size}`."
            )
            return 400, error(400, message)
        live = [c for c in children if not (c["type"] == "child_page" and self.pages[c["id"]]["in_trash"])]
        start = 0
        if "start_cursor" in query:
            ids = [c["id"] for c in live]
            if query["start_cursor"][0] not in ids:
                return 400, error(400, "The start_cursor provided is invalid: " + query["start_cursor"][0])
            start = ids.index(query["start_cursor"][0])
        shown = live[start : start + size]
        more = start + size < len(live)
        return 200, {
            "object": "list",
            "results": [self.view_block(c, parent) for c in shown],
            "next_cursor": live[start + size]["id"] if more else None,
            "has_more": more,
            "type": "block",
            "block": {},
            "request_id": str(uuid.uuid4()),
        }

    def _append(self, block_id: str, body: dict[str, Any]) -> tuple[int, Any]:
        found = self._container(block_id)
        if found is None:
            return 404, not_found("block", block_id)
        children, parent, kind, in_trash = found
        if in_trash:
            return 400, error(400, ARCHIVED)
        if kind not in HOLDS_CHILDREN:
            return 400, error(400, f"Block type {kind} does not support children.")
        new = body["children"]
        problems = []
        if len(new) > MAX_ITEMS:
            problems.append(f"body.children.length should be ≤ `{MAX_ITEMS}`, instead was `{len(new)}`.")
        kept = []
        for i, block in enumerate(new):
            kind_i = block_type(block)
            if kind_i is None or kind_i not in block:
                problems.append(f"body.children[{i}] should have one block type's content.")
                continue
            where = f"body.children[{i}].{kind_i}.rich_text"
            problems += rich_text_problems(block[kind_i].get("rich_text"), where)
            content = copy.deepcopy(block[kind_i])
            kept.append({"id": str(uuid.uuid4()), "type": kind_i, kind_i: content, "children": []})
        if problems:
            return 400, error(400, "body failed validation: " + " ".join(problems))
        at = len(children)
        if "after" in body:
            ids = [c["id"] for c in children]
            if body["after"] not in ids:
                return 400, error(400, f"body failed validation: body.after {body['after']} is not a child.")
            at = ids.index(body["after"]) + 1
        children[at:at] = kept
        for block in kept:
            self.blocks[block["id"]] = block
        return 200, {
            "object": "list",
            "results": [self.view_block(b, parent) for b in kept],
            "next_cursor": None,
            "has_more": False,
            "type": "block",
            "block": {},
            "request_id": str(uuid.uuid4()),
        }


class _Handler(MockHandler):
    state: NotionState
    methods: ClassVar[frozenset[str]] = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def json_type_problem(self) -> str | None:
        if self.headers.get_content_type() == "application/json":
            return None
        return f"Content-Type {self.headers.get('Content-Type')!r} is not application/json"

    def version_refusal(self) -> dict[str, Any] | None:
        """Notion's answer to a request without a version it serves, if it is one (see the module's doc)."""
        version = self.headers.get("Notion-Version")
        if version is None:
            message = (
                "Notion-Version header failed validation: Notion-Version header should be defined, "
                "instead was `undefined`."
            )
            return error(400, message, "missing_version")
        if version not in NOTION_VERSIONS:
            message = f"Notion-Version header failed validation: `{version}` is not a Notion version."
            return error(400, message)
        if version != self.state.version:
            with self.state.lock:
                self.state.violations.append(
                    f"Notion-Version {version}: the mock serves {self.state.version}, as described"
                )
            return error(400, f"The mock serves Notion-Version {self.state.version} only.")
        return None

    def serve(self, method: str) -> None:
        raw_length = int(self.headers.get("Content-Length") or 0)
        body, unreadable = self.read_json(method)
        path, values, problems = check_request(method, self.path, body)
        problems = unreadable + problems
        state = self.state
        failure = state.record((method, self.path), problems, failing=not problems and path is not None)
        if path is None:
            self.send_json(400, error(400, "Invalid request URL.", "invalid_request_url"))
            return
        if problems:
            self.send_json(400, error(400, "; ".join(problems)))
            return
        if failure is not None:
            self.send_json(failure, error(failure, HTTPStatus(failure).phrase))
            return
        if (refused := self.version_refusal()) is not None:
            self.send_json(400, refused)
            return
        if not state.authenticated(self.headers.get("Authorization", "")):
            self.send_json(401, error(401, "API token is invalid."))
            return
        if raw_length > MAX_BODY:
            message = f"Request body too large: {raw_length} bytes, at most {MAX_BODY}."
            self.send_json(400, error(400, message))
            return
        with state.lock:
            query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            status, answer = state.answer(method, path, values, query, body)
            state.violations += check_answer(method, path, status, answer)
        self.send_json(status, answer)


class NotionServer(MockServer[NotionState]):
    """`with NotionServer() as notion:` serves Notion's API at `notion.url` (`/v1/...`) for an integration
    whose token is `token` (`Authorization: Bearer <token>`), with one page shared with it, PARENT
    ("Post-mortems")."""

    def __init__(self, token: str = "secret_notion_test") -> None:
        super().__init__(NotionState(token), _Handler, poll_interval=0.05)
