"""Spans of who is on call, and the interval arithmetic that clips, stacks and joins them."""

from __future__ import annotations

from datetime import UTC, datetime
from heapq import merge
from operator import attrgetter
from typing import NamedTuple

from klaxon.domain.schedule.models import Shift

Window = tuple[datetime, datetime]

_DAWN = datetime.min.replace(tzinfo=UTC)
_DUSK = datetime.max.replace(tzinfo=UTC)
_BY_START = attrgetter("start")


class Span(NamedTuple):
    """`user` on call for [start, end) from `layer`; `turn` is (layer position, rotation shift index)."""

    start: datetime
    end: datetime
    user: str
    layer: str
    turn: tuple[int, int] | None = None


def merge_windows(windows: list[Window]) -> list[Window]:
    """Sorted windows with overlapping and touching ones joined; empty ones dropped."""
    out: list[Window] = []
    for lo, hi in sorted(w for w in windows if w[0] < w[1]):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def clip(spans: list[Span], windows: list[Window]) -> list[Span]:
    """The parts of `spans` inside `windows`; both sorted, neither overlapping itself."""
    out: list[Span] = []
    j = 0
    for span in spans:
        while j < len(windows) and windows[j][1] <= span.start:
            j += 1
        k = j
        while k < len(windows) and windows[k][0] < span.end:
            lo, hi = max(span.start, windows[k][0]), min(span.end, windows[k][1])
            if lo < hi:
                out.append(span._replace(start=lo, end=hi))
            k += 1
    return out


def holes(spans: list[Span], start: datetime = _DAWN, end: datetime = _DUSK) -> list[Window]:
    """The parts of [start, end) that no span covers; `spans` sorted and non-overlapping."""
    out: list[Window] = []
    at = start
    for span in spans:
        if span.start > at:
            out.append((at, min(span.start, end)))
        at = max(at, span.end)
        if at >= end:
            return [w for w in out if w[0] < w[1]]
    if at < end:
        out.append((at, end))
    return [w for w in out if w[0] < w[1]]


def overlay(base: list[Span], top: list[Span]) -> list[Span]:
    """`top` wins wherever it has someone on call; `base` shows through its holes."""
    if not top:
        return base
    return list(merge(clip(base, holes(top)), top, key=_BY_START))


def join(spans: list[Span], *, by_layer: bool) -> list[Span]:
    """Touching spans of the same user joined (and of the same layer, if `by_layer`)."""
    out: list[Span] = []
    for span in spans:
        last = out[-1] if out else None
        if (
            last is not None
            and last.end == span.start
            and last.user == span.user
            and (last.layer == span.layer or not by_layer)
        ):
            out[-1] = last._replace(end=span.end)
        else:
            out.append(span)
    return out


def to_shifts(spans: list[Span]) -> list[Shift]:
    """The public shape of spans."""
    return [Shift(user=s.user, start=s.start, end=s.end, layer=s.layer) for s in spans]
