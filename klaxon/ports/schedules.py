"""Ports of schedules: overrides, calendar feed state, the iCalendar renderer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from klaxon.domain.schedule.models import Override, Shift


class OverrideRepository(Protocol):
    def add(self, override: Override) -> None: ...

    def list(
        self, schedule: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[Override]:
        """Overrides of `schedule` that overlap [start, end) (all of them without bounds)."""

    def remove(self, schedule: str, override_id: str) -> Override:
        """Delete and return the override; NotFound if it does not exist."""

    def revision(self, schedule: str) -> int:
        """A number that changes whenever the schedule's overrides do: what is computed from them may be
        kept until it changes. It may lag a change made by another process by a second (the adapter
        says how long); a change made through this repository shows at once.
        """


class FeedState(Protocol):
    def version(self, subject: str) -> int: ...

    def revoke(self, subject: str) -> int: ...


class CalendarRenderer(Protocol):
    """Shifts as an iCalendar feed calendar apps subscribe to."""

    def __call__(
        self,
        name: str,
        time_zone: str,
        entries: Iterable[tuple[str, Shift]],
        names: dict[str, str],
        now: datetime,
    ) -> bytes: ...
