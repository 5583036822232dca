"""history.rss (RSS 2.0) and history.atom (RFC 4287): one entry per incident, newest first."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from klaxon.domain.statuspage.models import Page, PublicIncident
from klaxon.domain.statuspage.templates import format_utc

FEED_LIMIT = 50
ATOM = "http://www.w3.org/2005/Atom"


def feed_title(page: Page) -> str:
    """`Acme Status - Incident History`: the page's own name, as Statuspage titles its feeds (the name
    usually says "Status" already, so nothing is added to it)."""
    return f"{page.name} - Incident History"


def _summary(incident: PublicIncident) -> str:
    """The updates, newest first, as HTML (escaped once here; the feed escapes it again as text)."""
    return "".join(
        f"<p><small>{html.escape(format_utc(u.created_at))}</small><br>"
        f"<strong>{u.status.value.capitalize()}</strong> - {html.escape(u.body)}</p>"
        for u in reversed(incident.updates)
    )


def _link(page: Page, incident: PublicIncident) -> str:
    return f"{page.url.rstrip('/')}/incidents/{incident.id}.html"


def _xml(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def rss(page: Page, incidents: Sequence[PublicIncident], updated: datetime) -> bytes:
    root = ET.Element("rss", version="2.0")
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = feed_title(page)
    ET.SubElement(channel, "link").text = page.url
    ET.SubElement(channel, "description").text = f"Statuspage updates for {page.name}"
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(updated.astimezone(UTC), usegmt=True)
    for incident in incidents[:FEED_LIMIT]:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = incident.name
        ET.SubElement(item, "description").text = _summary(incident)
        ET.SubElement(item, "pubDate").text = format_datetime(
            incident.created_at.astimezone(UTC), usegmt=True
        )
        ET.SubElement(item, "link").text = _link(page, incident)
        ET.SubElement(item, "guid", isPermaLink="true").text = _link(page, incident)
    return _xml(root)


def atom(page: Page, incidents: Sequence[PublicIncident], updated: datetime) -> bytes:
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        node.text = text
        return node

    root = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "en-US"})
    base = page.url.rstrip("/")
    sub(root, "id", f"{base}/history")
    sub(root, "link", rel="alternate", type="text/html", href=f"{base}/history.html")
    sub(root, "link", rel="self", type="application/atom+xml", href=f"{base}/history.atom")
    sub(root, "title", feed_title(page))
    sub(root, "updated", updated.astimezone(UTC).isoformat().replace("+00:00", "Z"))
    author = sub(root, "author")
    sub(author, "name", page.name)
    for incident in incidents[:FEED_LIMIT]:
        entry = sub(root, "entry")
        sub(entry, "id", _link(page, incident))
        sub(entry, "published", incident.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"))
        sub(entry, "updated", incident.updated_at.astimezone(UTC).isoformat().replace("+00:00", "Z"))
        sub(entry, "link", rel="alternate", type="text/html", href=_link(page, incident))
        sub(entry, "title", incident.name)
        sub(entry, "content", _summary(incident), type="html")
    return _xml(root)
