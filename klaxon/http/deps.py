"""What the routes depend on: each a part of this process's container, through Powertools' `Depends`.

A route names its services as parameters (`incidents: deps.Incidents`), never reaching for the container
itself, so a test replaces one with `app.dependency_overrides[deps.incidents] = lambda: fake`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Depends

from klaxon import wiring

if TYPE_CHECKING:
    from klaxon.adapters.directory import DynamoDirectory
    from klaxon.adapters.notifications import DynamoNotificationRepository
    from klaxon.adapters.timeline import DynamoTimelineRepository
    from klaxon.ports import Clock
    from klaxon.services.access.audit import AuditService
    from klaxon.services.access.rate_limits import RateLimiter
    from klaxon.services.access.secrets import SecretService
    from klaxon.services.access.tokens import TokenService
    from klaxon.services.chat.rooms import ChatRoomService
    from klaxon.services.configuration import ConfigApplier
    from klaxon.services.incident.incidents import IncidentService
    from klaxon.services.noise.heartbeats import HeartbeatService
    from klaxon.services.noise.maintenance import MaintenanceService
    from klaxon.services.noise.report import NoiseReportService
    from klaxon.services.paging.acks import AckService
    from klaxon.services.paging.control import EscalationControl
    from klaxon.services.paging.drills import DrillService
    from klaxon.services.postmortem.actions import ActionService
    from klaxon.services.postmortem.postmortems import PostmortemService
    from klaxon.services.postmortem.reports import LearningReports
    from klaxon.services.schedule.reports import ReportService
    from klaxon.services.schedule.schedules import ScheduleService
    from klaxon.services.sla.budgets import SlaService
    from klaxon.services.statuspage.public_incidents import StatusPageService
    from klaxon.services.statuspage.subscribers import SubscriberService

T = TypeVar("T")


def outside_route(app: APIGatewayRestResolver, dependency: Callable[[], T]) -> T:
    """For middleware, which `Depends` does not reach: the app's override of `dependency`, if it has one."""
    return app.dependency_overrides.get(dependency, dependency)()


def incidents() -> IncidentService:
    return wiring.container().incident_service


def records() -> DynamoNotificationRepository:
    return wiring.container().notification_records


def control() -> EscalationControl:
    return wiring.container().escalation_control


def drills() -> DrillService:
    return wiring.container().drill_service


def maintenance() -> MaintenanceService:
    return wiring.container().maintenance_service


def heartbeats() -> HeartbeatService:
    return wiring.container().heartbeat_service


def noise_report() -> NoiseReportService:
    return wiring.container().noise_report_service


def reports() -> ReportService:
    return wiring.container().report_service


def schedules() -> ScheduleService:
    return wiring.container().schedule_service


def timeline() -> DynamoTimelineRepository:
    return wiring.container().timeline_repository


def statuspage() -> StatusPageService:
    return wiring.container().statuspage_service


def subscribers() -> SubscriberService:
    return wiring.container().subscriber_service


def acks() -> AckService:
    return wiring.container().ack_service


def directory() -> DynamoDirectory:
    return wiring.container().directory


def config_applier() -> ConfigApplier:
    return wiring.container().config_applier


def tokens() -> TokenService:
    return wiring.container().token_service


def rate_limiter() -> RateLimiter:
    return wiring.container().rate_limiter


def secrets() -> SecretService:
    return wiring.container().secret_service


def audit() -> AuditService:
    return wiring.container().audit_service


def postmortems() -> PostmortemService:
    return wiring.container().postmortem_service


def actions() -> ActionService:
    return wiring.container().action_service


def learning() -> LearningReports:
    return wiring.container().learning_reports


def sla() -> SlaService:
    return wiring.container().sla_service


def chat_rooms() -> ChatRoomService:
    return wiring.container().chat_room_service


def clock() -> Clock:
    return wiring.container().clock


# A cold start imports no service: at runtime the parameter types are Any (Depends alone picks what is
# injected); mypy sees the real ones.
if TYPE_CHECKING:
    Incidents = Annotated[IncidentService, Depends(incidents)]
    Records = Annotated[DynamoNotificationRepository, Depends(records)]
    Control = Annotated[EscalationControl, Depends(control)]
    Drills = Annotated[DrillService, Depends(drills)]
    Maintenance = Annotated[MaintenanceService, Depends(maintenance)]
    Heartbeats = Annotated[HeartbeatService, Depends(heartbeats)]
    NoiseReport = Annotated[NoiseReportService, Depends(noise_report)]
    Reports = Annotated[ReportService, Depends(reports)]
    Schedules = Annotated[ScheduleService, Depends(schedules)]
    TimelineLog = Annotated[DynamoTimelineRepository, Depends(timeline)]
    StatusPage = Annotated[StatusPageService, Depends(statuspage)]
    Subscribers = Annotated[SubscriberService, Depends(subscribers)]
    Acks = Annotated[AckService, Depends(acks)]
    Directory = Annotated[DynamoDirectory, Depends(directory)]
    Applier = Annotated[ConfigApplier, Depends(config_applier)]
    ClockNow = Annotated[Clock, Depends(clock)]
    Tokens = Annotated[TokenService, Depends(tokens)]
    Audit = Annotated[AuditService, Depends(audit)]
    Secrets = Annotated[SecretService, Depends(secrets)]
    ChatRooms = Annotated[ChatRoomService, Depends(chat_rooms)]
    Postmortems = Annotated[PostmortemService, Depends(postmortems)]
    Actions = Annotated[ActionService, Depends(actions)]
    Learning = Annotated[LearningReports, Depends(learning)]
    Sla = Annotated[SlaService, Depends(sla)]
else:
    Incidents = Annotated[Any, Depends(incidents)]
    Records = Annotated[Any, Depends(records)]
    Control = Annotated[Any, Depends(control)]
    Drills = Annotated[Any, Depends(drills)]
    Maintenance = Annotated[Any, Depends(maintenance)]
    Heartbeats = Annotated[Any, Depends(heartbeats)]
    NoiseReport = Annotated[Any, Depends(noise_report)]
    Reports = Annotated[Any, Depends(reports)]
    Schedules = Annotated[Any, Depends(schedules)]
    TimelineLog = Annotated[Any, Depends(timeline)]
    StatusPage = Annotated[Any, Depends(statuspage)]
    Subscribers = Annotated[Any, Depends(subscribers)]
    Acks = Annotated[Any, Depends(acks)]
    Directory = Annotated[Any, Depends(directory)]
    Applier = Annotated[Any, Depends(config_applier)]
    ClockNow = Annotated[Any, Depends(clock)]
    Tokens = Annotated[Any, Depends(tokens)]
    Audit = Annotated[Any, Depends(audit)]
    Secrets = Annotated[Any, Depends(secrets)]
    ChatRooms = Annotated[Any, Depends(chat_rooms)]
    Postmortems = Annotated[Any, Depends(postmortems)]
    Actions = Annotated[Any, Depends(actions)]
    Learning = Annotated[Any, Depends(learning)]
    Sla = Annotated[Any, Depends(sla)]
