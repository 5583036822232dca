"""The words of public updates: templates with `{placeholders}`, their defaults, and how they are filled."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum

from klaxon.domain.statuspage.models import ComponentStatus


class TemplateKind(StrEnum):
    TITLE = "title"
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    MAINTENANCE = "maintenance"


# Each template must read well with every placeholder at its default value, for one component or many.
DEFAULT_TEMPLATES: Mapping[TemplateKind, str] = {
    TemplateKind.TITLE: "{impact} of {affected_service}",
    TemplateKind.INVESTIGATING: "We are investigating problems with {affected_service}. "
    "We will post an update within {next_update}.",
    TemplateKind.IDENTIFIED: "We have found the cause of the problems with {affected_service} and are "
    "working on a fix. Estimated time to resolution: {estimated_time}.",
    TemplateKind.MONITORING: "A fix for the problems with {affected_service} is in place and we are "
    "monitoring the results.",
    TemplateKind.RESOLVED: "This incident has been resolved: service is back to normal for "
    "{affected_service}. It lasted {duration}.",
    TemplateKind.MAINTENANCE: "We will be performing scheduled maintenance on {affected_service} from "
    "{start} to {end}. The service may be unavailable for short periods during this time.",
}

PLACEHOLDERS: Mapping[str, str] = {
    "affected_service": "The affected components as customers know them (`Checkout and Payments`).",
    "impact": "The impact in a few words, capitalised (`Major outage`, `Degraded performance`).",
    "estimated_time": "When a fix is expected, as given with the update; `to be confirmed` when not.",
    "next_update": "When the next update will come, as given with the update; `30 minutes` when not.",
    "started_at": "When the incident started, in UTC (`27 Nov 2026, 14:05 UTC`).",
    "duration": "How long the incident has lasted (`1 h 25 min`).",
    "page_name": "The status page's name.",
    "start": "Maintenance only: when the window opens, in UTC.",
    "end": "Maintenance only: when the window closes, in UTC.",
}
DEFAULT_VALUES: Mapping[str, str] = {"estimated_time": "to be confirmed", "next_update": "30 minutes"}

IMPACT_WORDS: Mapping[ComponentStatus, str] = {
    ComponentStatus.MAJOR_OUTAGE: "Major outage",
    ComponentStatus.PARTIAL_OUTAGE: "Partial outage",
    ComponentStatus.DEGRADED_PERFORMANCE: "Degraded performance",
    ComponentStatus.UNDER_MAINTENANCE: "Maintenance",
    ComponentStatus.OPERATIONAL: "Service notice",
}

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([a-z_]+)\}")


def placeholders_in(template: str) -> list[str]:
    """The placeholder names a template uses, in order (`{{` and `}}` are literal braces)."""
    return [m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1)]


def unknown_placeholders(template: str) -> list[str]:
    """Names in `template` that are not placeholders: a typo such as `{afected_service}`."""
    return [name for name in placeholders_in(template) if name not in PLACEHOLDERS]


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace each `{name}` with its value (or its default); an unknown name stays as written."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        found = values.get(name) or DEFAULT_VALUES.get(name)
        return found if found is not None else match.group(0)

    return _PLACEHOLDER.sub(replace, template)


def join_names(names: Iterable[str]) -> str:
    """`A`, `A and B`, `A, B and C`."""
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def format_utc(at: datetime, *, seconds: bool = False) -> str:
    """`27 Nov 2026, 14:05 UTC`: a time every reader can place, whatever their zone (`14:05:09` with
    `seconds`)."""
    return at.astimezone(UTC).strftime(f"%d %b %Y, %H:%M{':%S' if seconds else ''} UTC").lstrip("0")


def span_needs_seconds(start: datetime, end: datetime) -> bool:
    """Whether `start` to `end` must be written with seconds: to the minute, the two would read the same."""
    return format_utc(start) == format_utc(end)


def format_span(start: datetime, end: datetime) -> tuple[str, str]:
    """The two ends of a span as `format_utc` writes them, with seconds when they would otherwise read the
    same (an incident resolved within its minute): never "10:19 to 10:19"."""
    seconds = span_needs_seconds(start, end)
    return format_utc(start, seconds=seconds), format_utc(end, seconds=seconds)


def format_duration(seconds: float) -> str:
    """`under a minute`, `45 min`, `1 h 25 min`, `2 d 3 h`: whole minutes, rounded; never "1 min" for
    something that took seconds."""
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
