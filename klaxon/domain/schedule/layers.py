"""Layers and overrides stacked into one schedule, PagerDuty's way.

A layer is a rotation clipped to its restrictions. Layers stack in order: a later (higher) layer
wins wherever it has someone on call, and where it is restricted off or empty the layers below show
through. Overrides sit above every layer and win for exactly their window; where overrides overlap,
the most recently created wins (undated ones count as oldest, then later in the list wins).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from klaxon.domain.schedule.models import Layer, Override, Schedule, Shift
from klaxon.domain.schedule.restrictions import restriction_windows
from klaxon.domain.schedule.rotation import rotation_spans
from klaxon.domain.schedule.spans import Span, clip, join, overlay, to_shifts
from klaxon.domain.schedule.zones import as_utc, zone

OVERRIDE = "override"
"""The `layer` of a shift that comes from an override."""


def layer_spans(layer: Layer, start: datetime, end: datetime, position: int = 0) -> list[Span]:
    """The layer's rotation over [start, end), clipped to its restrictions (if it has any)."""
    start, end = as_utc(start), as_utc(end)
    spans = rotation_spans(layer.rotation, start, end, layer.name, position)
    if not layer.restrictions or not spans:
        return spans
    tz = zone(layer.rotation.time_zone)
    return clip(spans, restriction_windows(layer.restrictions, tz, start, end))


def layer_shifts(layer: Layer, start: datetime, end: datetime) -> list[Shift]:
    """Who the layer alone puts on call over [start, end), before other layers and overrides."""
    return to_shifts(join(layer_spans(layer, start, end), by_layer=True))


def _created(pair: tuple[int, Override]) -> tuple[datetime, int]:
    position, override = pair
    created = override.created_at or datetime.min
    return (created if created.tzinfo else created.replace(tzinfo=UTC), position)


def _overlaps(override: Override, start: datetime, end: datetime) -> bool:
    try:  # aware datetimes compare across zones; converting all of them first is the slow part
        return override.start < end and override.end > start
    except TypeError:
        as_utc(override.start), as_utc(override.end)  # says which one is naive
        raise


def override_spans(
    schedule_id: str, overrides: Sequence[Override], start: datetime, end: datetime
) -> list[Span]:
    """The schedule's overrides clipped to [start, end), stacked so the most recently created wins."""
    relevant = [
        (position, override)
        for position, override in enumerate(overrides)
        if override.schedule == schedule_id and _overlaps(override, start, end)
    ]
    stacked: list[Span] = []
    for _, override in sorted(relevant, key=_created):
        lo, hi = max(as_utc(override.start), start), min(as_utc(override.end), end)
        if lo < hi:
            stacked = overlay(stacked, [Span(lo, hi, override.user, OVERRIDE)])
    return stacked


def final_spans(
    schedule: Schedule, overrides: Sequence[Override], start: datetime, end: datetime
) -> list[Span]:
    """Who is on call over [start, end): layers stacked bottom to top, then overrides on top."""
    start, end = as_utc(start), as_utc(end)
    if start >= end:
        return []
    spans: list[Span] = []
    for position, layer in enumerate(schedule.layers):
        spans = overlay(spans, layer_spans(layer, start, end, position))
    return overlay(spans, override_spans(schedule.id, overrides, start, end))
