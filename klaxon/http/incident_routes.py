"""Incident routes that change what an incident is, besides its status: its priority and its roles."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import Field

from klaxon import wiring
from klaxon.domain.errors import NotFound
from klaxon.domain.incident.models import Incident, Priority
from klaxon.domain.model import Model
from klaxon.http import auth, deps

router = Router()


class PriorityChange(Model):
    priority: Priority = Field(description="The new priority; the urgency (and so the paging) stays.")


class RoleHolder(Model):
    user: str = Field(min_length=1, max_length=64, description="A user id of the configuration.")


@router.put(
    "/v1/incidents/<incident_id>/priority",
    tags=["incidents"],
    summary="Change an open incident's priority",
    description="Recorded on the timeline (`priority changed`) and published as `Incident Updated`; "
    "the incident's chat room summary follows. 409 when the incident is resolved.",
)
def handle_set_priority(
    incidents: deps.Incidents, incident_id: str, change: Annotated[PriorityChange, Body()]
) -> Incident:
    return incidents.set_priority(incident_id, change.priority, auth.principal(router).actor)


@router.put(
    "/v1/incidents/<incident_id>/roles/<role>",
    tags=["incidents"],
    summary="Give an incident role (commander, comms, scribe) to a user",
    description="Whoever held the role before no longer does. Recorded on the timeline (`role assigned`) "
    "and published as `Incident Updated`. 400 for another role, 404 for an unknown user, 409 when the "
    "incident is resolved.",
)
def handle_assign_role(
    incidents: deps.Incidents, incident_id: str, role: str, holder: Annotated[RoleHolder, Body()]
) -> Incident:
    if holder.user not in wiring.container().config_views.policies_and_people().people:
        raise NotFound(f"no user {holder.user!r}")
    return incidents.assign_role(incident_id, role, holder.user, auth.principal(router).actor)
