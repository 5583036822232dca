"""Escalation routes of the API function: who was paged, fire drills."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import Field

from klaxon.domain.incident.models import Incident
from klaxon.domain.model import Model
from klaxon.domain.paging.drill import MAX_TIME_SCALE
from klaxon.domain.paging.pages import Notification
from klaxon.http import auth, deps

router = Router()


class NotificationList(Model):
    notifications: list[Notification]


class Reassignment(Model):
    user: str | None = None
    escalation_policy: str | None = None


class DrillRequest(Model):
    policy: str
    service: str | None = None
    time_scale: float = Field(
        default=1.0, ge=1.0, le=MAX_TIME_SCALE, description="Run the policy's waits this many times faster"
    )


@router.get("/v1/incidents/<incident_id>/notifications", tags=["escalation"], summary="Every page sent")
def handle_list_notifications(
    incidents: deps.Incidents, records: deps.Records, incident_id: str
) -> NotificationList:
    incidents.get(incident_id)
    return NotificationList(notifications=records.list(incident_id))


@router.post("/v1/incidents/<incident_id>/escalate", tags=["escalation"], summary="Page the next step now")
def handle_escalate_now(control: deps.Control, incident_id: str) -> Incident:
    return control.escalate_now(incident_id, auth.principal(router).actor)


@router.post("/v1/incidents/<incident_id>/reassign", tags=["escalation"], summary="Hand to a user or policy")
def handle_reassign(control: deps.Control, incident_id: str, to: Annotated[Reassignment, Body()]) -> Incident:
    return control.reassign(
        incident_id, user=to.user, policy=to.escalation_policy, actor=auth.principal(router).actor
    )


@router.post(
    "/v1/drills", tags=["escalation"], summary="Open a drill incident that walks a policy", status_code=201
)
def handle_start_drill(drills: deps.Drills, drill: Annotated[DrillRequest, Body()]) -> Incident:
    return drills.start(
        drill.policy, drill.service, auth.principal(router).actor, time_scale=drill.time_scale
    )
