"""Post-mortems published to Notion as pages (Notion's REST API, `Notion-Version: 2025-09-03`, an internal
integration's token as `Authorization: Bearer`): a page titled `Post-mortem #<number>: <title>` under the
target's parent page, its content the post-mortem's Markdown as Notion blocks (markdown-it-py parses it).

Publishing again makes no second page: the parent's child pages of that title (`child_page` blocks, listed
with `GET /v1/blocks/{parent}/children`) are moved to the trash once the new page is whole, so a failure
half-way leaves the old page live and the next publish tidies up what this one left. The page is created
empty (`POST /v1/pages`) and its blocks appended (`PATCH /v1/blocks/{id}/children`) in batches Notion
takes (100 blocks, well under its 500 KB a request); a block's own children (a nested list, a second
paragraph in a list item) are appended to it once it exists, which needs no nesting in any request."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from klaxon.adapters.publishing import PublishFailed, json_call
from klaxon.domain.postmortem.models import NotionTarget, Postmortem

DEFAULT_API_URL = "https://api.notion.com"
NOTION_VERSION = "2025-09-03"  # the version Notion's OpenAPI description (notion-mcp-server) states
TIMEOUT_SECONDS = 15
MAX_TEXT = 2000  # UTF-16 code units in one rich text object's content (Notion's request limits)
MAX_URL = 2000  # characters of a link's URL
MAX_RICH_TEXT = 100  # rich text objects in one block
MAX_CHILDREN = 100  # blocks in one append request
MAX_BLOCK_BYTES = 250_000  # of one block's JSON as sent, so that a batch of blocks ...
MAX_REQUEST_BYTES = 450_000  # ... stays under Notion's 500 KB a request
HEADINGS = {"h1": "heading_1", "h2": "heading_2"}  # h3 to h6: heading_3, Notion's smallest
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# The languages Notion's code blocks take; another fence's language is shown as plain text.
_LANGUAGE_WORDS = (
    "abap arduino bash basic c clojure coffeescript c++ c# css dart diff docker elixir elm erlang flow "
    "fortran f# gherkin glsl go graphql groovy haskell html java javascript json julia kotlin latex less "
    "lisp livescript lua makefile markdown markup matlab mermaid nix objective-c ocaml pascal perl php "
    "powershell prolog protobuf python r reason ruby rust sass scala scheme scss shell sql swift "
    "typescript vb.net verilog vhdl webassembly xml yaml"
)
LANGUAGES = frozenset({*_LANGUAGE_WORDS.split(), "plain text", "visual basic", "java/c/c++/c#"})
LANGUAGE_ALIASES = {
    "py": "python",
    "js": "javascript",
    "ts": "typescript",
    "sh": "shell",
    "zsh": "shell",
    "console": "shell",
    "yml": "yaml",
    "md": "markdown",
    "golang": "go",
    "rs": "rust",
    "dockerfile": "docker",
    "text": "plain text",
    "txt": "plain text",
    "plaintext": "plain text",
}

__all__ = ["NotionPublisher", "PublishFailed", "blocks", "page_title", "rich_text"]

Annotations = tuple[tuple[str, bool], ...]  # the annotations set, as ("bold", True), ...


def _utf16(text: str) -> int:
    """The length Notion counts (JavaScript's): UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _chunks(text: str, limit: int = MAX_TEXT) -> Iterator[str]:
    """`text` in pieces of at most `limit` UTF-16 code units, never splitting a character."""
    start, size = 0, 0
    for i, char in enumerate(text):
        width = 2 if ord(char) > 0xFFFF else 1
        if size + width > limit:
            yield text[start:i]
            start, size = i, 0
        size += width
    if start < len(text) or not text:
        yield text[start:]


def _size(value: Any) -> int:
    """The bytes of `value` as JSON, as httpx sends it."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _text_object(content: str, marks: Annotations, link: str | None) -> dict[str, Any]:
    text: dict[str, Any] = {"content": content}
    if link is not None:
        text["link"] = {"url": link}
    item: dict[str, Any] = {"type": "text", "text": text}
    if marks:
        item["annotations"] = dict(marks)
    return item


def rich_text(segments: Iterable[tuple[str, Annotations, str | None]]) -> list[dict[str, Any]]:
    """Notion rich text of (text, annotations, link) segments: neighbours alike merged, none empty, each
    text object at most 2,000 characters (a longer one split)."""
    merged: list[tuple[str, Annotations, str | None]] = []
    for text, given, link in segments:
        if not text:
            continue
        marks = tuple(sorted(set(given)))
        if merged and merged[-1][1:] == (marks, link):
            merged[-1] = (merged[-1][0] + text, marks, link)
        else:
            merged.append((text, marks, link))
    return [_text_object(piece, marks, link) for text, marks, link in merged for piece in _chunks(text)]


def _link(href: str) -> str | None:
    """A Markdown link's target as Notion takes one (an absolute http, https or mailto URL), else None:
    the text is kept without its link."""
    parts = urlsplit(href.strip())
    if parts.scheme.lower() not in LINK_SCHEMES or len(href) > MAX_URL:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return href.strip()


def _inline(
    node: SyntaxTreeNode, marks: Annotations = (), link: str | None = None
) -> Iterator[tuple[str, Annotations, str | None]]:
    """The segments of an inline node's children, each with the annotations and link around it."""
    for child in node.children:
        kind = child.type
        if kind == "text":
            yield child.content, marks, link
        elif kind == "softbreak":
            yield " ", marks, link
        elif kind == "hardbreak":
            yield "\n", marks, link
        elif kind == "code_inline":
            yield child.content, (*marks, ("code", True)), link
        elif kind in {"strong", "em", "s"}:
            mark = {"strong": "bold", "em": "italic", "s": "strikethrough"}[kind]
            inner = marks if (mark, True) in marks else (*marks, (mark, True))
            yield from _inline(child, inner, link)
        elif kind == "link":
            yield from _inline(child, marks, _link(str(child.attrs.get("href", ""))) or link)
        elif kind == "image":
            yield from _inline(child, marks, _link(str(child.attrs.get("src", ""))) or link)
        else:  # html_inline (raw HTML is off, so none), anything markdown-it adds later: its text
            yield child.content, marks, link
            yield from _inline(child, marks, link)


@dataclass
class Block:
    """A Notion block to create: its type, its content (`{"rich_text": [...]}`, ...), and the blocks to
    append to it once it exists."""

    type: str
    content: dict[str, Any]
    children: list[Block] = field(default_factory=list)

    def request(self) -> dict[str, Any]:
        return {"type": self.type, self.type: self.content}


def _text_blocks(kind: str, items: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> list[Block]:
    """Blocks of `kind` holding `items`, as many as Notion's limits on one block's rich text need."""
    found: list[Block] = []
    current: list[dict[str, Any]] = []
    size = 0
    for item in items:
        weight = _size(item)
        if current and (len(current) == MAX_RICH_TEXT or size + weight > MAX_BLOCK_BYTES):
            found.append(Block(kind, {"rich_text": current, **(extra or {})}))
            current, size = [], 0
        current.append(item)
        size += weight
    found.append(Block(kind, {"rich_text": current, **(extra or {})}))
    return found


def _language(info: str) -> str:
    word = info.strip().split(maxsplit=1)[0].lower() if info.strip() else ""
    word = LANGUAGE_ALIASES.get(word, word)
    return word if word in LANGUAGES else "plain text"


def _item_blocks(kind: str, node: SyntaxTreeNode) -> list[Block]:
    """A list item or quote: its first paragraph as the block's text, the rest as its children."""
    parts = list(node.children)
    items: list[dict[str, Any]] = []
    if parts and parts[0].type == "paragraph":
        items = rich_text(_inline(parts[0].children[0]))
        parts = parts[1:]
    made = _text_blocks(kind, items)
    made[-1].children = [block for part in parts for block in _node_blocks(part)]
    return made


def _table_blocks(node: SyntaxTreeNode) -> list[Block]:
    """A table as a paragraph a row, its cells between ` | `, the header's bold: the block types Notion's
    description names do not include tables."""
    found: list[Block] = []
    for section in node.children:
        header = section.type == "thead"
        for row in section.children:
            segments: list[tuple[str, Annotations, str | None]] = []
            for i, cell in enumerate(row.children):
                if i:
                    segments.append((" | ", (), None))
                marks: Annotations = (("bold", True),) if header else ()
                segments += _inline(cell.children[0], marks) if cell.children else []
            found += _text_blocks("paragraph", rich_text(segments))
    return found


def _node_blocks(node: SyntaxTreeNode) -> list[Block]:
    """The blocks of one block-level Markdown node."""
    kind = node.type
    if kind == "heading":
        return _text_blocks(HEADINGS.get(node.tag, "heading_3"), rich_text(_inline(node.children[0])))
    if kind == "paragraph":
        return _text_blocks("paragraph", rich_text(_inline(node.children[0])))
    if kind in {"bullet_list", "ordered_list"}:
        item = "bulleted_list_item" if kind == "bullet_list" else "numbered_list_item"
        return [block for child in node.children for block in _item_blocks(item, child)]
    if kind in {"fence", "code_block"}:
        code = node.content.removesuffix("\n")
        language = _language(node.info) if kind == "fence" else "plain text"
        return _text_blocks("code", rich_text([(code, (), None)]), {"language": language})
    if kind == "blockquote":
        return _item_blocks("quote", node)
    if kind == "table":
        return _table_blocks(node)
    if kind == "hr":
        return [Block("divider", {})]
    # html_block (raw HTML is off, so none), anything markdown-it adds later: its text as a paragraph
    return _text_blocks("paragraph", rich_text([(node.content, (), None)])) if node.content else []


def blocks(markdown: str) -> list[Block]:
    """The Markdown as Notion blocks: headings, paragraphs, bulleted and numbered list items (nested ones
    as their children), code blocks, quotes, dividers, and tables as paragraphs, inline bold, italic,
    strikethrough, code and links as rich text annotations. Raw HTML is shown as text."""
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    tree = SyntaxTreeNode(parser.parse(markdown))
    return [block for node in tree.children for block in _node_blocks(node)]


def page_title(postmortem: Postmortem) -> str:
    return f"Post-mortem #{postmortem.incident_number}: {postmortem.title}"


def _batches(made: list[Block]) -> Iterator[list[Block]]:
    """`made` in order, in requests Notion takes: at most 100 blocks and 450 KB each."""
    batch: list[Block] = []
    size = 0
    for block in made:
        weight = _size(block.request()) + 1
        if batch and (len(batch) == MAX_CHILDREN or size + weight > MAX_REQUEST_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(block)
        size += weight
    if batch:
        yield batch


def _page_id(value: str) -> str:
    """A page id as Notion writes ids (a UUID with hyphens) if it is one in any form (hyphens or not), else
    as given."""
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return value.strip()


def _id_in(answer: dict[str, Any], call: str) -> str:
    """The id of the page or block Notion answered `call` with, or PublishFailed."""
    ident = answer.get("id")
    if not isinstance(ident, str) or not ident:
        raise PublishFailed(f"Notion answered {call} with no id")
    return ident


class NotionPublisher:
    kind = "notion"

    def __init__(self, target: NotionTarget, token: str, api_url: str = DEFAULT_API_URL) -> None:
        self.target = target
        self.parent_id = _page_id(target.parent_page_id)
        self.client = httpx.Client(
            base_url=api_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {token}",
                "Notion-Version": NOTION_VERSION,
                "Accept": "application/json",
            },
            timeout=TIMEOUT_SECONDS,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return json_call(self.client, "Notion", method, path, **kwargs)

    def children(self, block_id: str) -> Iterator[dict[str, Any]]:
        """The block's (or page's) child blocks, every page of them."""
        path = f"/v1/blocks/{quote(block_id, safe='')}/children"
        params: dict[str, Any] = {"page_size": 100}
        while True:
            answer = self._call("GET", path, params=params)
            yield from answer.get("results") or []
            if not answer.get("has_more") or not answer.get("next_cursor"):
                return
            params = {"page_size": 100, "start_cursor": answer["next_cursor"]}

    def find(self, title: str) -> list[str]:
        """The ids of the parent's child pages titled `title` (Notion lists no page in the trash)."""
        return [
            str(block["id"])
            for block in self.children(self.parent_id)
            if block.get("type") == "child_page"
            and (block.get("child_page") or {}).get("title") == title
            and not block.get("in_trash")
            and not block.get("archived")
        ]

    def append(self, block_id: str, made: list[Block]) -> None:
        """Append `made` to the block (or page), then each one's children to it."""
        path = f"/v1/blocks/{quote(block_id, safe='')}/children"
        for batch in _batches(made):
            answer = self._call("PATCH", path, json={"children": [block.request() for block in batch]})
            results = answer.get("results") or []
            if len(results) != len(batch):
                raise PublishFailed(
                    f"Notion answered PATCH {path} with {len(results)} blocks for {len(batch)}"
                )
            for block, created in zip(batch, results, strict=True):
                if block.children:
                    self.append(_id_in(created, f"PATCH {path}"), block.children)

    def publish(self, postmortem: Postmortem) -> str:
        """Create the post-mortem's page under the parent, trashing any earlier one; its address."""
        title = page_title(postmortem)
        earlier = self.find(title)
        page = self._call(
            "POST",
            "/v1/pages",
            json={
                "parent": {"page_id": self.parent_id},
                "properties": {"title": {"title": rich_text([(title, (), None)])}},
            },
        )
        url = page.get("url")
        if not isinstance(url, str) or not url:
            raise PublishFailed("Notion answered POST /v1/pages with no url")
        self.append(_id_in(page, "POST /v1/pages"), blocks(postmortem.markdown))
        for page_id in earlier:
            self._call("PATCH", f"/v1/pages/{quote(page_id, safe='')}", json={"in_trash": True})
        return url
