"""Chat rooms: every incident event, and every public update of its status page incident, brings the
incident's room up to date (opens it for a significant incident, invites who is on call, updates its pinned
summary and announcement card); a timer every 5 minutes reminds rooms to post status updates, archives
rooms whose time after resolution has come and keeps on-call user groups current (as does each "Schedule
Changed"). The rules are klaxon.services.chat's."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring
from klaxon.events import (
    INCIDENT_DETAIL_TYPES,
    DetailType,
    IncidentChanged,
    ScheduleChanged,
    StatusUpdatePosted,
)

logger = Logger(service="klaxon-chat")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    container = wiring.container()
    service = container.chat_room_service
    if event.get("detail-type") == DetailType.SCHEDULE_CHANGED:
        changed_schedule = ScheduleChanged.model_validate(event["detail"]).schedule_id
        return {"groups": container.oncall_groups.sync(changed_schedule)}
    detail_type = event.get("detail-type")
    if detail_type in INCIDENT_DETAIL_TYPES or detail_type == DetailType.STATUS_UPDATE_POSTED:
        if detail_type == DetailType.STATUS_UPDATE_POSTED:  # the public incident's components, for SLA lines
            incident_id = StatusUpdatePosted.model_validate(event["detail"]).incident_id
        else:
            incident_id = IncidentChanged.model_validate(event["detail"]).incident.id
        room = service.sync(incident_id)
        if room is None:
            return {"room": None}
        logger.info(
            "room in sync", extra={"incident": room.incident_id, "room": room.room, "name": room.name}
        )
        return {"room": room.room, "name": room.name}
    archived = service.archive_due()
    reminded = container.chat_reminders.remind_due()
    groups = container.oncall_groups.sync()
    if archived or reminded or groups:
        logger.info("chat housekeeping", extra={"archived": archived, "reminded": reminded, "groups": groups})
    return {"archived": archived, "reminded": reminded, "groups": groups}
