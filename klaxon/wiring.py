"""The one place that builds adapters and services; used by functions/ and by klaxon.local alike.

Everything is built on first use and kept for the life of the process (a Lambda container).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from klaxon.adapters.directory import DynamoDirectory
    from klaxon.ports import Clock, EventBus, IdGenerator, PayloadStore, TimelineRepository
    from klaxon.services.incidents import IncidentService
    from klaxon.services.ingest import IngestService
    from klaxon.services.router import RouterService
    from klaxon.services.schedules import Roster, ScheduleService


@dataclass(frozen=True)
class _Common:
    bus: EventBus
    payloads: PayloadStore
    clock: Clock
    ids: IdGenerator


@functools.cache
def directory() -> DynamoDirectory:
    from klaxon.adapters.directory import DynamoDirectory

    return DynamoDirectory()


@functools.cache
def _common() -> _Common:
    from klaxon.adapters.eventbridge import EventBridgeBus
    from klaxon.adapters.s3_payloads import S3PayloadStore
    from klaxon.adapters.system import SystemClock, UuidIds

    return _Common(bus=EventBridgeBus(), payloads=S3PayloadStore(), clock=SystemClock(), ids=UuidIds())


@functools.cache
def ingest_service() -> IngestService:
    from klaxon.services.ingest import IngestService

    c = _common()
    return IngestService(directory=directory(), bus=c.bus, payloads=c.payloads, clock=c.clock, ids=c.ids)


@functools.cache
def router_service() -> RouterService:
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
    from klaxon.adapters.timeline import DynamoTimelineRepository
    from klaxon.services.router import RouterService

    c = _common()
    return RouterService(
        incidents=DynamoIncidentRepository(),
        timeline=DynamoTimelineRepository(),
        bus=c.bus,
        payloads=c.payloads,
        clock=c.clock,
        ids=c.ids,
    )


@functools.cache
def incident_service() -> IncidentService:
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
    from klaxon.adapters.timeline import DynamoTimelineRepository
    from klaxon.services.incidents import IncidentService

    c = _common()
    return IncidentService(
        incidents=DynamoIncidentRepository(), timeline=DynamoTimelineRepository(), bus=c.bus, clock=c.clock
    )


@functools.cache
def timeline_repository() -> TimelineRepository:
    from klaxon.adapters.timeline import DynamoTimelineRepository

    return DynamoTimelineRepository()


def roster() -> Roster:
    """Schedules and user names from the applied configuration (cached with it)."""
    from klaxon.services.schedules import Roster

    config = directory().config()
    if config is None:
        return Roster(schedules={}, users={})
    return Roster(schedules={s.id: s for s in config.schedules}, users={u.id: u.name for u in config.users})


@functools.cache
def schedule_service() -> ScheduleService:
    from klaxon.adapters.overrides import DynamoFeedState, DynamoOverrideRepository
    from klaxon.services.schedules import ScheduleService

    c = _common()
    return ScheduleService(
        roster=roster,
        overrides=DynamoOverrideRepository(),
        timeline=timeline_repository(),
        feeds=DynamoFeedState(),
        clock=c.clock,
        ids=c.ids,
    )


def reset() -> None:
    """Forget every built adapter (the local runtime and tests rebuild them against a new backend)."""
    for built in (
        directory,
        _common,
        ingest_service,
        router_service,
        incident_service,
        timeline_repository,
        schedule_service,
    ):
        built.cache_clear()
