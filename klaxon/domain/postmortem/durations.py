"""An incident's durations, from its record and timeline: time to detect, acknowledge, mitigate, resolve.

Impact starts at the opening alert's own time (its `startsAt` or event timestamp) when it gave one, else
when the incident opened; mitigation is the first public `monitoring` update (or an explicit mark). Each
is a timestamp and minutes since the one before it counts from; a missing end is None, never negative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from klaxon.domain.incident.models import Incident, TimelineEntry
from klaxon.domain.model import Model

MITIGATED_KINDS = ("mitigated",)  # an explicit mark (`klaxon postmortem` or the API, later)


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime | None

    @property
    def minutes(self) -> float | None:
        if self.end is None:
            return None
        return round(max((self.end - self.start).total_seconds(), 0.0) / 60, 1)


@dataclass(frozen=True)
class Durations:
    impact_start: datetime
    detect: Span  # impact start -> the incident opened
    acknowledge: Span  # opened -> first acknowledged
    mitigate: Span  # opened -> first `monitoring` update or mark
    resolve: Span  # opened -> resolved


def mitigated_at(timeline: Iterable[TimelineEntry]) -> datetime | None:
    """The first public `monitoring` update, or an explicit mark of mitigation."""
    for entry in sorted(timeline, key=lambda e: e.at):
        if entry.kind in MITIGATED_KINDS:
            return entry.at
        if entry.kind == "status update" and entry.data.get("status") == "monitoring":
            return entry.at
    return None


def durations(
    incident: Incident,
    timeline: Iterable[TimelineEntry],
    *,
    impact_start: datetime | None = None,
    mitigated: datetime | None = None,
) -> Durations:
    """The durations; `impact_start` and `mitigated` are a person's explicit marks, which win."""
    opened = incident.created_at
    impact = min(incident.started_at, opened) if incident.started_at else opened
    return Durations(
        impact_start=impact_start or impact,
        detect=Span(impact_start or impact, opened),
        acknowledge=Span(opened, incident.acknowledged_at),
        mitigate=Span(opened, mitigated or mitigated_at(timeline)),
        resolve=Span(opened, incident.resolved_at),
    )


class DurationFigures(Model):
    """The durations as the post-mortem keeps them: each end's time and minutes (None: not reached)."""

    impact_start: datetime
    detected_at: datetime
    acknowledged_at: datetime | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    detect_minutes: float | None
    acknowledge_minutes: float | None
    mitigate_minutes: float | None
    resolve_minutes: float | None

    @classmethod
    def of(cls, found: Durations) -> DurationFigures:
        return cls(
            impact_start=found.impact_start,
            detected_at=found.acknowledge.start,
            acknowledged_at=found.acknowledge.end,
            mitigated_at=found.mitigate.end,
            resolved_at=found.resolve.end,
            detect_minutes=found.detect.minutes,
            acknowledge_minutes=found.acknowledge.minutes,
            mitigate_minutes=found.mitigate.minutes,
            resolve_minutes=found.resolve.minutes,
        )
