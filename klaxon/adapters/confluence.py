"""Post-mortems published to a Confluence Cloud space as pages (REST API v2, under `<site>/wiki/api/v2`,
HTTP Basic with an Atlassian account's email and API token): the page titled `Post-mortem #<number>:
<title>` is looked up in the space (`GET /pages`), updated in place with the next version number if it is
there (`PUT /pages/{id}`), else created, under the target's parent page if one is set (`POST /pages`). The
body is the post-mortem's Markdown converted to Confluence's storage format (XHTML) by Python-Markdown."""

from __future__ import annotations

import html.entities
import re
from typing import Any

import httpx
import markdown
from markdown.extensions import Extension

from klaxon.adapters.publishing import PublishFailed, json_call
from klaxon.domain.postmortem.models import ConfluenceTarget, Postmortem

TIMEOUT_SECONDS = 15
MAX_TITLE = 255  # characters: Confluence refuses a longer page title
EXTENSIONS = ("tables", "fenced_code", "sane_lists")

# Characters XML 1.0 has no place for (control characters, lone surrogates): dropped from the Markdown.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A character reference Python-Markdown passes through as it was written (`&nbsp;`, `&#169;`).
_REFERENCE = re.compile(r"&(?:#[xX]([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z][A-Za-z0-9]*));")
_XML_NAMES = frozenset({"amp", "lt", "gt", "quot", "apos"})

__all__ = ["ConfluencePublisher", "PublishFailed", "page_title", "storage_format"]


class _RawHtmlAsText(Extension):
    """Raw HTML in the Markdown is shown as text rather than passed through (Python-Markdown's documented
    replacement for the `safe_mode` it dropped): a person's `<br>` or stray `<div>` is not well-formed
    XHTML, and Confluence refuses a storage body that is not."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def _xml_reference(match: re.Match[str]) -> str:
    """A character reference as XML reads it without a DTD: HTML's named ones as numbers, one naming no
    character (or one XML does not allow) escaped to show as written."""
    hexadecimal, decimal, name = match.groups()
    if name is not None:
        if name in _XML_NAMES:
            return match.group(0)
        text = html.entities.html5.get(f"{name};")
        if text is None:
            return "&amp;" + match.group(0)[1:]
        return "".join(f"&#{ord(c)};" for c in text)
    code = int(hexadecimal, 16) if hexadecimal is not None else int(decimal)
    if code > 0x10FFFF or _NOT_XML.match(chr(code)):
        return "&amp;" + match.group(0)[1:]
    return match.group(0)


def storage_format(text: str) -> str:
    """Markdown as Confluence storage format: the XHTML Python-Markdown makes of it (with tables, fenced
    code and plain lists), raw HTML shown as text and character references XML can read, so the body is
    well-formed as Confluence requires."""
    converter = markdown.Markdown(extensions=[*EXTENSIONS, _RawHtmlAsText()], output_format="xhtml")
    return _REFERENCE.sub(_xml_reference, converter.convert(_NOT_XML.sub("", text)))


def page_title(postmortem: Postmortem) -> str:
    return f"Post-mortem #{postmortem.incident_number}: {postmortem.title}"[:MAX_TITLE]


class ConfluencePublisher:
    kind = "confluence"

    def __init__(self, target: ConfluenceTarget, email: str, api_token: str) -> None:
        self.target = target
        self.site = target.site.rstrip("/").removesuffix("/wiki")  # the site, whether or not with /wiki
        self.client = httpx.Client(
            base_url=f"{self.site}/wiki/api/v2",
            auth=(email, api_token),
            headers={"Accept": "application/json"},
            timeout=TIMEOUT_SECONDS,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return json_call(self.client, "Confluence", method, path, **kwargs)

    def find(self, title: str) -> dict[str, Any] | None:
        """The current page titled `title` in the space, if there is one."""
        params = {"space-id": self.target.space_id, "title": title, "status": "current"}
        results = self._call("GET", "/pages", params=params).get("results") or []
        return next(
            (
                page
                for page in results
                if page.get("title") == title and str(page.get("spaceId")) == self.target.space_id
            ),
            None,
        )

    def publish(self, postmortem: Postmortem) -> str:
        """Create or update the post-mortem's page; its web address."""
        title = page_title(postmortem)
        body = {"representation": "storage", "value": storage_format(postmortem.markdown)}
        existing = self.find(title)
        if existing is None:
            page: dict[str, Any] = {
                "spaceId": self.target.space_id,
                "status": "current",
                "title": title,
                "body": body,
            }
            if self.target.parent_id:
                page["parentId"] = self.target.parent_id
            answer = self._call("POST", "/pages", json=page)
        else:
            page_id = str(existing["id"])
            version = int((existing.get("version") or {}).get("number") or 0)
            update = {
                "id": page_id,
                "status": "current",
                "title": title,
                "body": body,
                "version": {
                    "number": version + 1,
                    "message": f"Published from Klaxon by {postmortem.updated_by}",
                },
            }
            answer = self._call("PUT", f"/pages/{page_id}", json=update)
        return self.address(answer)

    def address(self, page: dict[str, Any]) -> str:
        """The page's web address: `_links.base` + `_links.webui` as Confluence answers them, else the
        site's address of the page by id."""
        links = page.get("_links") or {}
        if links.get("base") and links.get("webui"):
            return f"{links['base']}{links['webui']}"
        return f"{self.site}/wiki/pages/viewpage.action?pageId={page.get('id')}"
