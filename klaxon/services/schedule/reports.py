"""Report use cases: on-call load and pay per person, from every schedule's final shifts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from klaxon.domain.model import Model
from klaxon.domain.report_window import check_range
from klaxon.domain.schedule.load import PersonLoad, oncall_load
from klaxon.services.schedule.schedules import ScheduleService

PAGES_NOT_RECORDED = "pages are not yet recorded: paging arrives with escalation, so pages show as 0"

PageLog = Callable[[datetime, datetime], Mapping[str, Sequence[datetime]]]
"""When each user was paged in [start, end); escalation provides it once notifications are stored."""


class LoadReport(Model):
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
        check_range(start, end)
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
