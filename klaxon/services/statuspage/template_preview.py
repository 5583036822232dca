"""The status page templates filled in: for a new public incident, and for an example one (`klaxon statuspage
preview`), so a team sees what an incident will say before one happens."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from klaxon.domain.statuspage.lifecycle import open_incident
from klaxon.domain.statuspage.models import (
    ComponentStatus,
    PublicIncident,
)
from klaxon.domain.statuspage.status import worst
from klaxon.domain.statuspage.templates import (
    IMPACT_WORDS,
    TemplateKind,
    fill,
    format_duration,
    format_utc,
    join_names,
)

if TYPE_CHECKING:
    from klaxon.config.statuspage import StatusPageConfig


def public_id(incident_id: str) -> str:
    """The public incident's id: derived, so the internal id never appears on the page."""
    return hashlib.sha256(f"status:{incident_id}".encode()).hexdigest()[:12]


def template_values(
    config: StatusPageConfig, components: Mapping[str, ComponentStatus], started: datetime, now: datetime
) -> dict[str, str]:
    names = {c.id: c.name for c in config.components}
    return {
        "affected_service": join_names(names.get(c, c) for c in components),
        "impact": IMPACT_WORDS[worst(components.values())],
        "started_at": format_utc(started),
        "duration": format_duration((now - started).total_seconds()),
        "page_name": config.name,
    }


def _example(
    config: StatusPageConfig, service: str | None, now: datetime
) -> tuple[dict[str, ComponentStatus], dict[str, str]]:
    components = (config.components_of(service) if service else []) or [config.components[0].id]
    affected = dict.fromkeys(components, config.priorities.P1)
    return affected, template_values(config, affected, now - timedelta(minutes=42), now)


def example_incident(config: StatusPageConfig, service: str | None, now: datetime) -> PublicIncident:
    """A P1 incident on `service` (or the first component), opened 42 minutes before `now`."""
    affected, values = _example(config, service, now)
    return open_incident(
        public_id="example",
        incident_id="example",
        title=fill(config.templates.text(TemplateKind.TITLE), values),
        body=fill(config.templates.text(TemplateKind.INVESTIGATING), values),
        components=affected,
        names={c.id: c.name for c in config.components},
        before={},
        now=now,
        started_at=now - timedelta(minutes=42),
        update_id="example",
    )


def preview(config: StatusPageConfig, service: str | None, now: datetime) -> dict[TemplateKind, str]:
    """Every template filled in for the example incident, and for a maintenance window in two days."""
    _, values = _example(config, service, now)
    texts = {kind: fill(config.templates.text(kind), values) for kind in TemplateKind}
    window = {
        "start": format_utc(now + timedelta(days=2)),
        "end": format_utc(now + timedelta(days=2, hours=2)),
    }
    texts[TemplateKind.MAINTENANCE] = fill(config.templates.text(TemplateKind.MAINTENANCE), values | window)
    return texts
