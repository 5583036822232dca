"""The one place that builds adapters and services; used by functions/ and by klaxon.local alike.

Everything is built on first use and kept for the life of the process (a Lambda container).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from klaxon.adapters.directory import DynamoDirectory
    from klaxon.adapters.maintenance_store import DynamoMaintenanceStore
    from klaxon.adapters.notifications import DynamoNotificationRepository
    from klaxon.adapters.notifiers import ChannelNotifier
    from klaxon.config.statuspage import StatusPageConfig
    from klaxon.domain.heartbeats import Heartbeat
    from klaxon.domain.statuspage.models import PublicIncident
    from klaxon.ports import Clock, EventBus, IdGenerator, PayloadStore, TimelineRepository
    from klaxon.services.acks import AckService
    from klaxon.services.drills import DrillService
    from klaxon.services.escalation import (
        EscalationControl,
        EscalationService,
        EscalationStopper,
        PoliciesAndPeople,
    )
    from klaxon.services.heartbeats import HeartbeatService
    from klaxon.services.incidents import IncidentService
    from klaxon.services.ingest import IngestService
    from klaxon.services.maintenance import MaintenanceService
    from klaxon.services.noise import NoiseControl
    from klaxon.services.noise_report import NoiseReportService
    from klaxon.services.reports import ReportService
    from klaxon.services.router import RouterService
    from klaxon.services.schedules import Roster, ScheduleService
    from klaxon.services.statuspage import StatusPageService
    from klaxon.services.subscribers import SubscriberService


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


def clock() -> Clock:
    """The clock every service here reads."""
    return _common().clock


@functools.cache
def ingest_service() -> IngestService:
    from klaxon.adapters.sns_verify import HttpSubscriptionConfirmer, SnsSignatureVerifier
    from klaxon.services.ingest import IngestService

    c = _common()
    return IngestService(
        directory=directory(),
        bus=c.bus,
        payloads=c.payloads,
        clock=c.clock,
        ids=c.ids,
        sns=SnsSignatureVerifier.from_environment(),
        confirmer=HttpSubscriptionConfirmer(),
    )


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
        noise=noise_control(),
    )


@functools.cache
def incident_service() -> IncidentService:
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
    from klaxon.adapters.timeline import DynamoTimelineRepository
    from klaxon.services.incidents import IncidentService

    c = _common()
    return IncidentService(
        incidents=DynamoIncidentRepository(),
        timeline=DynamoTimelineRepository(),
        bus=c.bus,
        clock=c.clock,
        payloads=c.payloads,
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
    from klaxon.adapters.ical import calendar
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
        calendar=calendar,
    )


def report_service() -> ReportService:
    """Not cached: it only holds the cached schedule service, so `reset` has nothing of its own to drop."""
    from klaxon.services.reports import ReportService

    def time_zones() -> dict[str, str]:
        config = directory().config()
        return {} if config is None else {u.id: u.time_zone for u in config.users}

    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
    from klaxon.services.escalation import page_log

    pages = page_log(DynamoIncidentRepository(), notification_records())
    return ReportService(schedules=schedule_service(), time_zones=time_zones, pages=pages)


@functools.cache
def notifier() -> ChannelNotifier:
    """Every paging channel, configured from the environment (KLAXON_SMS_ORIGINATION and the like)."""
    from klaxon.adapters.notifiers import ChannelNotifier

    return ChannelNotifier.from_environment()


@functools.cache
def ack_service() -> AckService:
    """SMS replies and signed acknowledge links; links are absolute when KLAXON_PUBLIC_URL is set."""
    import os

    from klaxon.adapters.overrides import DynamoFeedState
    from klaxon.services.acks import AckService, phone_book

    def phones() -> dict[str, str]:
        config = directory().config()
        return {} if config is None else phone_book(config.users)

    return AckService(
        incidents=incident_service(),
        phones=phones,
        secret=functools.cache(DynamoFeedState().secret),  # created once per deployment, never rotated
        clock=_common().clock,
        public_url=os.environ.get("KLAXON_PUBLIC_URL"),
    )


def escalation_stopper() -> EscalationStopper:
    """Built per call: the runner reads the state machine's ARN, which the local platform sets late."""
    from klaxon.adapters.escalation_runner import StepFunctionsRunner
    from klaxon.services.escalation import EscalationStopper

    return EscalationStopper(runner=StepFunctionsRunner(), directory=escalation_directory)


def escalation_directory() -> PoliciesAndPeople:
    """Policies, each service's policy, and how to reach each person, from the applied configuration."""
    from klaxon.domain.escalation import Rule
    from klaxon.domain.policy import Channel
    from klaxon.services.escalation import Person, PoliciesAndPeople

    config = directory().config()
    if config is None:
        return PoliciesAndPeople(policies={}, service_policy={}, people={})
    people = {}
    for user in config.users:
        contacts: dict[Channel, str] = {}
        for method in user.contact_methods:
            contacts.setdefault(method.type, method.address)
        rules = tuple(
            Rule(channel=r.channel, delay_minutes=r.delay_minutes)
            for r in user.effective_notification_rules()
        )
        people[user.id] = Person(id=user.id, name=user.name, contacts=contacts, rules=rules)
    return PoliciesAndPeople(
        policies={p.id: p for p in config.escalation_policies},
        service_policy={s.id: s.escalation_policy for s in config.services},
        people=people,
    )


@functools.cache
def notification_records() -> DynamoNotificationRepository:
    from klaxon.adapters.notifications import DynamoNotificationRepository

    return DynamoNotificationRepository()


@functools.cache
def escalation_service() -> EscalationService:
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
    from klaxon.services.escalation import EscalationService

    def on_call(schedule: str, at: datetime) -> list[str]:
        return [person.user for person in schedule_service().on_call(schedule, at)[1]]

    c = _common()
    return EscalationService(
        incidents=DynamoIncidentRepository(),
        records=notification_records(),
        timeline=timeline_repository(),
        directory=escalation_directory,
        on_call=on_call,
        notifier=notifier(),
        clock=c.clock,
        ids=c.ids,
        ack_url=lambda incident, user: ack_service().link_for(incident.id, user),
        bus=c.bus,
    )


@functools.cache
def escalation_control() -> EscalationControl:
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
    from klaxon.services.escalation import EscalationControl

    c = _common()
    return EscalationControl(
        incidents=DynamoIncidentRepository(),
        records=notification_records(),
        directory=escalation_directory,
        bus=c.bus,
        clock=c.clock,
    )


@functools.cache
def drill_service() -> DrillService:
    from klaxon.services.drills import DrillService

    c = _common()
    return DrillService(router=router_service(), directory=escalation_directory, clock=c.clock, ids=c.ids)


@functools.cache
def statuspage_service() -> StatusPageService:
    """Public status incidents; the configuration's `statuspage` section says what the page shows."""
    from klaxon.adapters.statuspage_store import DynamoStatusIncidents
    from klaxon.services.statuspage import StatusPageService
    from klaxon.services.subscribers import announcer

    def settings() -> StatusPageConfig | None:
        config = directory().config()
        if config is None or config.statuspage is None:
            return None
        import os

        url = os.environ.get("KLAXON_STATUSPAGE_URL")  # `klaxon up` serves the page on its own port
        return config.statuspage.model_copy(update={"url": url}) if url else config.statuspage

    c = _common()
    return StatusPageService(
        store=DynamoStatusIncidents(),
        settings=settings,
        bus=c.bus,
        clock=c.clock,
        ids=c.ids,
        windows=lambda: noise_control().windows(),
        announce=announcer(c.bus),
        introductions=lambda: directory().introductions(),
    )


@functools.cache
def subscriber_service() -> SubscriberService:
    """Status page subscribers; links in their emails are absolute when KLAXON_PUBLIC_URL is set."""
    import os

    from klaxon.adapters.overrides import DynamoFeedState
    from klaxon.adapters.subscriber_email import SesEmailSender
    from klaxon.adapters.subscriber_store import DynamoSubscriberStore
    from klaxon.adapters.webhooks import UrllibWebhookPoster
    from klaxon.services.subscribers import SubscriberService

    statuspage = statuspage_service()

    def public_incident(incident_id: str) -> PublicIncident | None:
        found = statuspage.store.get(incident_id)
        return None if found is None else found[0]

    c = _common()
    return SubscriberService(
        store=DynamoSubscriberStore(),
        settings=statuspage.settings,
        public_incident=public_incident,
        snapshot=statuspage.snapshot,
        email=SesEmailSender.from_environment(),
        webhooks=UrllibWebhookPoster(),
        bus=c.bus,
        clock=c.clock,
        ids=c.ids,
        secret=functools.cache(DynamoFeedState().secret),  # the deployment's link-signing secret
        public_url=os.environ.get("KLAXON_PUBLIC_URL"),
        # Outside Lambda (klaxon up, tests) a webhook may be http://127.0.0.1; in AWS only https.
        allow_loopback_http="AWS_LAMBDA_FUNCTION_NAME" not in os.environ,
    )


@functools.cache
def maintenance_store() -> DynamoMaintenanceStore:
    from klaxon.adapters.maintenance_store import DynamoMaintenanceStore

    return DynamoMaintenanceStore()


@functools.cache
def noise_control() -> NoiseControl:
    """Grouping, maintenance windows and inhibition for the router, from the applied configuration."""
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
    from klaxon.config.noise import grouping_of
    from klaxon.services.noise import NoiseControl, NoiseSettings

    built: list[tuple[object, NoiseSettings]] = []

    def settings() -> NoiseSettings:
        config = directory().config()
        if built and built[0][0] is config:
            return built[0][1]
        fresh = (
            NoiseSettings()
            if config is None
            else NoiseSettings(
                grouping=grouping_of(config),
                inhibition=tuple(r.to_domain() for r in config.inhibition_rules),
                windows=tuple(w.to_domain() for w in config.maintenance_windows),
            )
        )
        built[:] = [(config, fresh)]
        return fresh

    c = _common()
    return NoiseControl(
        incidents=DynamoIncidentRepository(),
        settings=settings,
        stored_windows=maintenance_store().list,
        bus=c.bus,
        clock=c.clock,
    )


@functools.cache
def maintenance_service() -> MaintenanceService:
    """Maintenance windows: declared in the configuration or added through the API; owner reminders."""
    from klaxon.services.maintenance import Contact, MaintenanceService

    def people() -> dict[str, Contact]:
        found = escalation_directory().people
        return {p.id: Contact(name=p.name, contacts=p.contacts) for p in found.values()}

    c = _common()
    return MaintenanceService(
        store=maintenance_store(),
        declared=lambda: noise_control().settings().windows,
        services=lambda: directory().services(),
        people=people,
        notifier=notifier(),
        clock=c.clock,
        ids=c.ids,
        release=noise_control().release_ended_windows,
        bus=c.bus,
    )


@functools.cache
def heartbeat_service() -> HeartbeatService:
    """Heartbeats from the configuration, looked up by the SHA-256 of their key."""
    from klaxon.adapters.heartbeat_store import DynamoHeartbeatStore
    from klaxon.config.noise import heartbeats_by_key_hash
    from klaxon.services.heartbeats import HeartbeatService

    def heartbeats() -> dict[str, Heartbeat]:
        config = directory().config()
        return {} if config is None else heartbeats_by_key_hash(config)

    c = _common()
    return HeartbeatService(
        heartbeats=heartbeats, store=DynamoHeartbeatStore(), bus=c.bus, clock=c.clock, ids=c.ids
    )


def noise_report_service() -> NoiseReportService:
    """Not cached: it holds only cached adapters."""
    from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
    from klaxon.services.noise_report import NoiseReportService

    return NoiseReportService(incidents=DynamoIncidentRepository(), records=notification_records())


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
        notifier,
        ack_service,
        notification_records,
        escalation_service,
        drill_service,
        statuspage_service,
        subscriber_service,
        escalation_control,
        maintenance_store,
        noise_control,
        maintenance_service,
        heartbeat_service,
    ):
        built.cache_clear()
