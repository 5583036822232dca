"""The CLI reads a timeline page by page: `show` follows `next` to the end, and `watch` reads on from the
page it reached, so a war room of thousands of messages is neither cut short nor read whole each second."""

from __future__ import annotations

from typing import Any

import pytest

from klaxon.cli import common


class PagedTimeline:
    """The API's paging of a timeline (pages of 2, `next` only when something follows), and what was asked."""

    def __init__(self, count: int) -> None:
        self.entries = [{"n": n} for n in range(count)]
        self.asked: list[str | None] = []

    def __call__(self, api: str, token: str, method: str, path: str, params: Any = None) -> dict[str, Any]:
        cursor = (params or {}).get("next")
        self.asked.append(cursor)
        start = int(cursor) if cursor else 0
        following = start + 2 < len(self.entries)
        return {"timeline": self.entries[start : start + 2], "next": str(start + 2) if following else None}


def test_every_page_follows_next_to_the_last(monkeypatch: pytest.MonkeyPatch) -> None:
    api = PagedTimeline(5)
    monkeypatch.setattr(common, "call", api)
    assert common.every_page("http://api", "t", "/v1/incidents/i/timeline", "timeline") == api.entries
    assert api.asked == [None, "2", "4"]


def test_watch_reads_on_from_the_page_it_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    api = PagedTimeline(5)
    monkeypatch.setattr(common, "call", api)
    follower = common.TimelineFollower("http://api", "t", "i")
    assert [e["n"] for e in follower.new_entries()] == [0, 1, 2, 3, 4]
    api.entries += [{"n": 5}, {"n": 6}]  # the last page fills, and a new one begins
    api.asked.clear()
    assert [e["n"] for e in follower.new_entries()] == [5, 6]
    assert api.asked == ["4", "6"]  # from the page it was on, not from the first
    assert follower.new_entries() == []
