"""Report use cases: on-call load and pay per person, from every schedule's final shifts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel

from klaxon.domain.errors import InvalidInput
from klaxon.domain.schedule.load import PersonLoad, oncall_load
from klaxon.services.schedules import ScheduleService

MAX_RANGE = timedelta(days=366)
PAGES_NOT_RECORDED = "pages are not yet recorded: paging arrives with escalation, so pages show as 0"

PageLog = Callable[[datetime, datetime], Mapping[str, Sequence[datetime]]]
"""When each user was paged in [start, end); escalation provides it once notifications are stored."""


class LoadReport(BaseModel):
    start: datetime
    end: datetime
    weekly_rate: Decimal | None
    currency: str
    pages_recorded: bool
    notes: list[str]
    people: list[PersonLoad]


@dataclass
class ReportService:
    schedules: ScheduleService
    time_zones: Callable[[], Mapping[str, str]]
    pages: PageLog | None = None

    def oncall_load(
        self, start: datetime, end: datetime, weekly_rate: Decimal | None = None, currency: str = "USD"
    ) -> LoadReport:
        """Everyone's load over [start, end) across every schedule, overrides included."""
        _check_range(start, end)
        schedules = self.schedules
        found = [s for schedule in schedules.all() for s in schedules.shifts(schedule.id, start, end)]
        pages = self.pages(start, end) if self.pages is not None else {}
        people = oncall_load(found, self.time_zones(), start, end, weekly_rate, pages)
        return LoadReport(
            start=start,
            end=end,
            weekly_rate=weekly_rate,
            currency=currency,
            pages_recorded=self.pages is not None,
            notes=[] if self.pages is not None else [PAGES_NOT_RECORDED],
            people=people,
        )


def _check_range(start: datetime, end: datetime) -> None:
    naive = [name for name, at in (("start", start), ("end", end)) if at.tzinfo is None]
    if naive:
        raise InvalidInput("times need an offset", [f"{n}: give a UTC offset or Z" for n in naive])
    if end <= start:
        raise InvalidInput("end must be after start", ["end: must be after start"])
    if end - start > MAX_RANGE:
        raise InvalidInput("range too long", [f"end: at most {MAX_RANGE.days} days after start"])
