"""Maintenance window use cases: list, add and remove windows; remind owners; release incidents after."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import Field, ValidationError

from klaxon.domain.errors import Conflict, InvalidInput, NotFound
from klaxon.domain.incident.models import Priority
from klaxon.domain.instants import Instant
from klaxon.domain.model import Model
from klaxon.domain.noise.maintenance import (
    MaintenanceWindow,
    current_occurrence,
    ended,
    ending_soon,
    next_occurrence,
)
from klaxon.domain.paging.pages import DeliveryFailed, Page
from klaxon.domain.paging.policy import Channel
from klaxon.events import DetailType, MaintenanceWindowChanged
from klaxon.ports import Clock, EventBus, IdGenerator, Notifier
from klaxon.ports.noise import MaintenanceStore

log = logging.getLogger(__name__)
REMINDER_LEAD = timedelta(minutes=15)
REMINDER_CHANNELS = (Channel.EMAIL, Channel.PUSH, Channel.SMS)  # the first the owner has
_SLUG = re.compile(r"[^a-z0-9]+")


class NewWindow(Model):
    """A maintenance window to add: one occurrence, or the first of a recurring series (`rrule`)."""

    id: str | None = Field(default=None, description="Short lowercase id; absent, one is made from the name")
    name: str = Field(min_length=1)
    services: list[str] = Field(min_length=1)
    start: Instant
    end: Instant
    rrule: str | None = Field(default=None, description="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=SU")
    time_zone: str = Field(default="UTC", description="IANA zone the rule repeats in")
    owner: str | None = Field(default=None, description="User id reminded before each occurrence ends")
    announce: bool = Field(default=False, description="Show it on the status page as scheduled maintenance")


class WindowView(Model):
    """A window as the API shows it: where it was declared, whether it is on now, and what comes next."""

    id: str
    name: str
    services: list[str]
    start: datetime
    end: datetime
    rrule: str | None
    time_zone: str
    owner: str | None
    created_by: str | None
    created_at: datetime | None = Field(default=None, description="When it was added (API windows)")
    announce: bool
    source: Literal["config", "api"]
    active: bool
    next_start: datetime | None
    next_end: datetime | None


@dataclass(frozen=True)
class Contact:
    name: str
    contacts: Mapping[Channel, str]


@dataclass
class MaintenanceService:
    store: MaintenanceStore
    declared: Callable[[], tuple[MaintenanceWindow, ...]]  # from the configuration
    services: Callable[[], frozenset[str]]
    people: Callable[[], Mapping[str, Contact]]
    notifier: Notifier
    clock: Clock
    ids: IdGenerator
    release: Callable[[datetime], Sequence[object]] | None = None  # NoiseControl.release_lapsed
    # Told of every window added or removed, so the status page publishes an announced one at once.
    bus: EventBus | None = None

    def windows(self) -> list[WindowView]:
        now = self.clock.now()
        views = [self._view(w, "config", now) for w in self.declared()]
        views += [self._view(w, "api", now) for w in self.store.list()]
        return sorted(views, key=lambda v: (v.next_start or datetime.max.replace(tzinfo=UTC), v.id))

    def add(self, request: NewWindow, actor: str) -> WindowView:
        problems = [f"services: no service {s!r}" for s in request.services if s not in self.services()]
        if request.owner is not None and request.owner not in self.people():
            problems.append(f"owner: no user {request.owner!r}")
        if problems:
            raise InvalidInput("invalid maintenance window", problems)
        window_id = request.id or self._id_for(request.name)
        if any(w.id == window_id for w in self.declared()):
            raise Conflict(f"maintenance window {window_id!r} is declared in the configuration")
        try:
            window = MaintenanceWindow.model_validate(
                {**request.model_dump(), "id": window_id, "created_by": actor, "created_at": self.clock.now()}
            )
        except ValidationError as exc:
            raise InvalidInput("invalid maintenance window", [e["msg"] for e in exc.errors()]) from exc
        self.store.add(window)
        self._changed(window, "added")
        return self._view(window, "api", self.clock.now())

    def remove(self, window_id: str) -> WindowView:
        if any(w.id == window_id for w in self.declared()):
            raise Conflict(
                f"maintenance window {window_id!r} is declared in the configuration: edit it there"
            )
        removed = self.store.remove(window_id)
        self._changed(removed, "removed")
        return self._view(removed, "api", self.clock.now())

    def _changed(self, window: MaintenanceWindow, change: Literal["added", "removed"]) -> None:
        if self.bus is not None:
            detail = MaintenanceWindowChanged(window_id=window.id, change=change, announce=window.announce)
            self.bus.publish(DetailType.MAINTENANCE_WINDOW_CHANGED, detail)

    def get(self, window_id: str) -> WindowView:
        for view in self.windows():
            if view.id == window_id:
                return view
        raise NotFound(f"no maintenance window {window_id!r}")

    def tick(self) -> dict[str, int]:
        """The scheduled run: retire stored windows that ended (the router reads only the others), remind
        owners of windows ending soon, page for incidents left after one."""
        now = self.clock.now()
        stored = self.store.current(now, marking=True)
        retired: list[MaintenanceWindow] = []
        kept: list[MaintenanceWindow] = []
        for window in stored:
            (retired if ended(window, now) else kept).append(window)
        for window in retired:
            self.store.retire(window)
        windows = [*self.declared(), *kept]
        reminded = sum(
            1 for window, ends in ending_soon(windows, now, REMINDER_LEAD) if self._remind(window, ends)
        )
        released = len(self.release(now)) if self.release is not None else 0
        return {"reminded": reminded, "released": released, "retired": len(retired)}

    def _remind(self, window: MaintenanceWindow, ends: datetime) -> bool:
        person = self.people().get(window.owner or "")
        channel = next((c for c in REMINDER_CHANNELS if person and c in person.contacts), None)
        if window.owner is None or person is None or channel is None:
            return False
        if not self.store.reserve_reminder(window.id, ends):
            return False
        minutes = max(int((ends - self.clock.now()).total_seconds() // 60), 0)
        page = Page.notice(
            about=f"maintenance:{window.id}",
            number=0,
            text=f"Maintenance window {window.name!r} ({', '.join(window.services)}) ends at "
            f"{ends:%H:%M} UTC, in {minutes} min: alerts page again after it. Extend it if the work goes on.",
            service=window.services[0],
            priority=Priority.P4,
            user=window.owner,
            user_name=person.name,
            channel=channel,
            address=person.contacts[channel],
        )
        try:
            self.notifier.send(page)
        except DeliveryFailed:
            log.warning("could not remind %s that maintenance window %s ends", window.owner, window.id)
            return False
        return True

    def _id_for(self, name: str) -> str:
        slug = _SLUG.sub("-", name.lower()).strip("-")[:40] or "window"
        return f"{slug}-{self.ids.new_id()[:6]}"

    @staticmethod
    def _view(window: MaintenanceWindow, source: Literal["config", "api"], now: datetime) -> WindowView:
        upcoming = next_occurrence(window, now)
        return WindowView(
            **window.model_dump(),
            source=source,
            active=current_occurrence(window, now) is not None,
            next_start=upcoming[0] if upcoming else None,
            next_end=upcoming[1] if upcoming else None,
        )
