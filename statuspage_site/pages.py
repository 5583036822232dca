"""render(snapshot, now): every file of the static site, as {path: bytes}; pure, so the output is testable."""

from __future__ import annotations

import hashlib
import urllib.parse
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from klaxon.domain.statuspage.colours import text_on
from klaxon.domain.statuspage.models import Indicator, Maintenance, PublicIncident, Snapshot
from klaxon.domain.statuspage.status import (
    UNDER_MAINTENANCE,
    component_statuses,
    maintenance_status,
    page_status,
)
from klaxon.domain.statuspage.templates import format_duration, format_utc, join_names, span_needs_seconds
from statuspage_site import api, feeds, views
from statuspage_site.site import HASHED_PREFIX, local_time_script, static_text

HISTORY_PAGE_SIZE = 50
_BANNER_ICONS = {Indicator.NONE: "✓", Indicator.MINOR: "▲", Indicator.MAJOR: "▲", Indicator.CRITICAL: "✕"}
_FAVICON_COLOURS = {
    Indicator.NONE: "#1a7f37",
    Indicator.MINOR: "#9a6700",
    Indicator.MAJOR: "#bc4c00",
    Indicator.CRITICAL: "#cf222e",
}


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("statuspage_site", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["utc"] = format_utc
    env.globals["needs_seconds"] = span_needs_seconds
    env.filters["iso"] = lambda at: at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    env.filters["day"] = lambda d: f"{d.day} {d:%B %Y}"
    return env


@cache
def _stylesheet(accent: str | None) -> tuple[str, bytes]:
    """The CSS under a name carrying its hash, so CDNs and browsers may keep it for a year; with the
    page's accent colour and the text colour that reads on it (the CSP allows no inline style)."""
    css = static_text("status.css")
    if accent:
        css += f":root{{--accent:{accent};--on-accent:{text_on(accent)}}}\n"
    body = css.encode()
    return f"{HASHED_PREFIX}status.{hashlib.sha256(body).hexdigest()[:12]}.css", body


def _favicon(indicator: Indicator) -> str:
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>"
        f"<circle cx='8' cy='8' r='7' fill='{_FAVICON_COLOURS[indicator]}'/></svg>"
    )
    return "data:image/svg+xml," + urllib.parse.quote(svg)


# Resolved incidents' pages as last rendered in this process: id -> (what they were rendered from, bytes).
_incident_pages: dict[str, tuple[bytes, bytes]] = {}


class _Site:
    def __init__(self, snapshot: Snapshot, now: datetime) -> None:
        self.snapshot = snapshot
        self.now = now
        self.statuses = component_statuses(snapshot, now)
        self.indicator, self.description = page_status(snapshot, now)
        self.names = {c.id: c.name for c in snapshot.components}
        self.css_path, self.css = _stylesheet(snapshot.page.accent_colour)
        self.json = api.StatuspageJson(snapshot, now, self.statuses)
        self.incidents = views.newest_first(snapshot.incidents)
        shared = (
            snapshot.page.model_dump_json(),
            self.css_path,
            self.indicator.value,
            sorted(self.names.items()),
        )
        self.shared_key = repr(shared)  # what every incident page shows besides its incident

    def _affected_names(self, ids: Iterable[str]) -> str:
        return join_names(self.names.get(c, c) for c in ids)

    def _duration(self, incident: PublicIncident) -> str:
        end = incident.resolved_at or self.now
        return format_duration((end - incident.started_at).total_seconds())

    def _maintenance_label(self, window: Maintenance) -> str:
        return views.state_label(maintenance_status(window, self.now))

    def _page(self, template: str, root: str, **context: Any) -> bytes:
        common = {
            "page": self.snapshot.page,
            "root": root,
            "css": self.css_path,
            "script": local_time_script(),
            "favicon": _favicon(self.indicator),
            "icons": views.ICONS,
            "days": views.UPTIME_DAYS,
            "impact_label": views.impact_label,
            "affected": lambda incident: self._affected_names(incident.components),
            "affected_names": self._affected_names,
            "duration": self._duration,
            "maintenance_label": self._maintenance_label,
        }
        return _environment().get_template(template).render(**common, **context).encode()

    def index(self) -> bytes:
        component_views = views.component_views(self.snapshot, self.statuses, self.now)
        under_maintenance = self.description == UNDER_MAINTENANCE
        return self._page(
            "index.html.j2",
            "",
            now=self.json.updated_at,  # the last change: a render that changes nothing uploads nothing
            banner="maintenance" if under_maintenance else self.indicator.value,
            banner_icon="◆" if under_maintenance else _BANNER_ICONS[self.indicator],
            description=self.description,
            active=[i for i in self.incidents if i.is_open],
            maintenances=views.open_maintenances(self.snapshot.maintenances, self.now),
            rows=views.rows(self.snapshot.components, self.snapshot.groups, component_views),
            past=views.past_days(self.incidents, self.now),
        )

    def history(self) -> dict[str, bytes]:
        pages = [
            self.incidents[start : start + HISTORY_PAGE_SIZE]
            for start in range(0, max(len(self.incidents), 1), HISTORY_PAGE_SIZE)
        ]
        names = ["history.html", *(f"history-{n}.html" for n in range(2, len(pages) + 1))]
        out = {}
        for n, (name, incidents) in enumerate(zip(names, pages, strict=True)):
            months: dict[str, list[PublicIncident]] = {}
            for incident in incidents:
                months.setdefault(f"{incident.started_at.astimezone(UTC):%B %Y}", []).append(incident)
            out[name] = self._page(
                "history.html.j2",
                "",
                months=list(months.items()),
                newer=names[n - 1] if n > 0 else None,
                older=names[n + 1] if n + 1 < len(names) else None,
            )
        return out

    def incident_page(self, incident: PublicIncident) -> bytes:
        """A resolved incident's page is kept per process while neither it nor what every page shows (the
        page's settings and favicon, the stylesheet, the components' names) changes: a warm publisher
        renders only the incidents that did, not years of history again on every update. An open one
        shows its duration so far (`now`): rendered every time."""
        if incident.is_open:
            return self._page("incident.html.j2", "../", incident=incident)
        key = hashlib.sha256(f"{self.shared_key}\n{incident.model_dump_json()}".encode()).digest()
        kept = _incident_pages.get(incident.id)
        if kept is None or kept[0] != key:
            kept = key, self._page("incident.html.j2", "../", incident=incident)
            _incident_pages[incident.id] = kept
        return kept[1]

    def files(self) -> dict[str, bytes]:
        out = {"index.html": self.index(), self.css_path: self.css, **self.history()}
        for incident in self.incidents:
            out[f"incidents/{incident.id}.html"] = self.incident_page(incident)
        for gone in _incident_pages.keys() - {i.id for i in self.incidents}:
            _incident_pages.pop(gone, None)
        for window in self.snapshot.maintenances:
            out[f"incidents/{window.id}.html"] = self._page("maintenance.html.j2", "../", window=window)
        for path, document in self.json.documents().items():
            out[f"api/v2/{path}"] = api.encode(document)
        out["history.rss"] = feeds.rss(self.snapshot.page, self.incidents, self.json.updated_at)
        out["history.atom"] = feeds.atom(self.snapshot.page, self.incidents, self.json.updated_at)
        return out


def render(snapshot: Snapshot, now: datetime) -> dict[str, bytes]:
    """Every file of the site for `snapshot` at `now`. Incident pages do not depend on `now`, so an
    unchanged incident renders to the same bytes and is not uploaded again."""
    return _Site(snapshot, now).files()
