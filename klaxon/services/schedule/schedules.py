"""Schedule use cases: who is on call, shifts, overrides (audited), and calendar feeds."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from klaxon.domain.errors import InvalidInput, NotFound, Unauthorized
from klaxon.domain.incident.models import TimelineEntry
from klaxon.domain.schedule.feeds import feed_token, read_feed_token
from klaxon.domain.schedule.models import OnCall, Override, Schedule, Shift
from klaxon.domain.schedule.oncall import SEARCH_HORIZON, on_call, shifts
from klaxon.domain.schedule.runs import OnCallRuns, build_runs, month_of, reach
from klaxon.events import DetailType, ScheduleChanged
from klaxon.ports import (
    CalendarRenderer,
    Clock,
    EventBus,
    FeedState,
    IdGenerator,
    Keyring,
    OverrideRepository,
    TimelinePage,
    TimelineRepository,
)
from klaxon.services.schedule.oncall_runs import RunsCache

log = logging.getLogger(__name__)


def _subject(schedule_id: str) -> str:
    """The timeline subject of a schedule's audit trail."""
    return f"schedule:{schedule_id}"


MAX_RANGE = timedelta(days=366)
FEED_PAST, FEED_AHEAD = timedelta(days=30), timedelta(days=180)
FEED_LOOKBACK = timedelta(days=35)  # longer than any sane shift, so the oldest shift in a feed is whole


@dataclass(frozen=True)
class Roster:
    """What schedules need of the configuration: the schedules and the users' display names."""

    schedules: dict[str, Schedule]
    users: dict[str, str]


@dataclass
class ScheduleService:
    roster: Callable[[], Roster]
    overrides: OverrideRepository
    timeline: TimelineRepository
    feeds: FeedState
    keys: Keyring  # the link-signing secret feeds are signed with
    clock: Clock
    ids: IdGenerator
    calendar: CalendarRenderer  # renders the iCalendar feeds (klaxon.adapters.ical)
    runs: RunsCache = field(default_factory=RunsCache)  # on-call runs built, a month at a time
    bus: EventBus | None = None  # "Schedule Changed" after each override added or removed

    def all(self) -> list[Schedule]:
        return list(self.roster().schedules.values())

    def get(self, schedule_id: str) -> Schedule:
        schedule = self.roster().schedules.get(schedule_id)
        if schedule is None:
            raise NotFound(f"no schedule {schedule_id!r}")
        return schedule

    def on_call(self, schedule_id: str, at: datetime | None = None) -> tuple[datetime, list[OnCall]]:
        """Who is on call at `at` (now if None): what escalation asks at every tick.

        Answered from the month's on-call runs, built once per schedule definition and overrides
        revision; the revision is read first, so runs are never labelled newer than their overrides.
        """
        schedule = self.get(schedule_id)
        at = _aware(at or self.clock.now(), "at")
        revision = self.overrides.revision(schedule_id)
        runs = self.runs.find(schedule, revision, at) or self._build_runs(schedule, revision, at)
        found = runs.on_call(at) if runs is not None else None
        if found is None:  # within a month of the ends of time: no month to build around `at`
            window = self.overrides.list(schedule_id, at - SEARCH_HORIZON, at + SEARCH_HORIZON)
            return at, on_call(schedule, window, at)
        return at, found

    def _build_runs(self, schedule: Schedule, revision: int, at: datetime) -> OnCallRuns | None:
        month = month_of(at)
        if month is None:
            return None
        runs = build_runs(schedule, self.overrides.list(schedule.id, *reach(*month)), *month)
        self.runs.keep(schedule, revision, runs)
        return runs

    def shifts(self, schedule_id: str, start: datetime, end: datetime) -> list[Shift]:
        schedule = self.get(schedule_id)
        start, end = _range(start, end)
        return shifts(schedule, self.overrides.list(schedule_id, start, end), start, end)

    def add_override(
        self, schedule_id: str, user: str, start: datetime, end: datetime, actor: str
    ) -> Override:
        self.get(schedule_id)
        start, end = _range(start, end)
        if user not in self.roster().users:
            raise InvalidInput("unknown user", [f"user: no user {user!r}"])
        override = Override(
            id=self.ids.new_id(),
            schedule=schedule_id,
            user=user,
            start=start,
            end=end,
            created_by=actor,
            created_at=self.clock.now(),
        )
        self.overrides.add(override)
        self._audit(
            schedule_id,
            "override added",
            actor,
            f"{user} takes {schedule_id} from {start} to {end}",
            override,
        )
        return override

    def list_overrides(
        self, schedule_id: str, start: datetime | None, end: datetime | None
    ) -> list[Override]:
        self.get(schedule_id)
        return self.overrides.list(schedule_id, start, end)

    def remove_override(self, schedule_id: str, override_id: str, actor: str) -> Override:
        self.get(schedule_id)
        removed = self.overrides.remove(schedule_id, override_id)
        self._audit(schedule_id, "override removed", actor, f"override of {removed.user} removed", removed)
        return removed

    def history(self, schedule_id: str, cursor: str | None, limit: int) -> TimelinePage:
        """A page of the schedule's audit trail (its overrides), oldest first; NotFound for none such."""
        self.get(schedule_id)
        return self.timeline.page(_subject(schedule_id), cursor, limit)

    def _audit(self, schedule_id: str, kind: str, actor: str, message: str, override: Override) -> None:
        """The override's timeline entry, and "Schedule Changed" (chat user groups follow it; the timer of
        chat_sync catches up within minutes if this publish fails)."""
        if self.bus is not None:
            try:
                self.bus.publish(DetailType.SCHEDULE_CHANGED, ScheduleChanged(schedule_id=schedule_id))
            except Exception:  # the override is stored: the group catches up at the next timer
                log.warning("Schedule Changed not published for %s", schedule_id, exc_info=True)
        self.timeline.add(
            TimelineEntry(
                subject=_subject(schedule_id),
                at=self.clock.now(),
                kind=kind,
                actor=actor,
                message=message,
                data={"override": override.model_dump(mode="json")},
            )
        )

    # Calendar feeds: the URL carries a signed token; revoking bumps the subject's version.
    def feed_token(self, subject: str) -> str:
        self._require_subject(subject)
        return feed_token(self.keys.current(), subject, self.feeds.version(subject))

    def revoke_feed(self, subject: str) -> str:
        self._require_subject(subject)
        self.feeds.revoke(subject)
        return self.feed_token(subject)

    def _require_subject(self, subject: str) -> None:
        """A link is only made for a calendar that exists: `user:<id>` or `schedule:<id>`."""
        kind, _, name = subject.partition(":")
        if kind == "user" and name not in self.roster().users:
            raise NotFound(f"no user {name!r}")
        if kind == "schedule":
            self.get(name)

    def check_feed_token(self, subject: str, token: str) -> None:
        signed = next((s for key in self.keys.accepted() if (s := read_feed_token(key, token))), None)
        if signed is None or signed[0] != subject or signed[1] != self.feeds.version(subject):
            raise Unauthorized("this calendar link is not valid (revoked or for another calendar)")

    def schedule_calendar(self, schedule_id: str) -> bytes:
        schedule = self.get(schedule_id)
        entries = [(schedule_id, s) for s in self._feed_shifts(schedule_id)]
        title = f"On call: {schedule.name or schedule_id}"
        return self.calendar(title, schedule.time_zone, entries, self.roster().users, self.clock.now())

    def user_calendar(self, user: str) -> bytes:
        roster = self.roster()
        if user not in roster.users:
            raise NotFound(f"no user {user!r}")
        entries = [
            (schedule.id, s)
            for schedule in roster.schedules.values()
            for s in self._feed_shifts(schedule.id)
            if s.user == user
        ]
        entries.sort(key=lambda e: e[1].start)
        zone = next(iter(roster.schedules.values())).time_zone if roster.schedules else "UTC"
        return self.calendar(f"On call: {roster.users[user]}", zone, entries, roster.users, self.clock.now())

    def _feed_shifts(self, schedule_id: str) -> list[Shift]:
        """Shifts overlapping the feed window, unclipped at its start: a shift's UID is built from its real
        start, so the oldest event must not get a new start (and UID) every time the clock moves."""
        now = self.clock.now()
        start, end = now - FEED_PAST, now + FEED_AHEAD
        return [s for s in self.shifts(schedule_id, start - FEED_LOOKBACK, end) if s.end > start]


def _aware(at: datetime, name: str) -> datetime:
    if at.tzinfo is None:
        raise InvalidInput(
            "times need an offset", [f"{name}: give a UTC offset or Z, e.g. 2026-03-09T09:00:00-04:00"]
        )
    return at


def _range(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    start, end = _aware(start, "start"), _aware(end, "end")
    if end <= start:
        raise InvalidInput("end must be after start", ["end: must be after start"])
    if end - start > MAX_RANGE:
        raise InvalidInput("range too long", [f"end: at most {MAX_RANGE.days} days after start"])
    return start, end
