"""Status page routes of the API function: post public updates on an incident, see them, ask for a publish."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import Field

from klaxon.domain.model import Model
from klaxon.domain.statuspage.models import MAX_PUBLIC_POSTMORTEM, PublicIncident, PublicStatus
from klaxon.http import auth, deps

router = Router()


class UpdateStatus(StrEnum):
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class NewStatusUpdate(Model):
    status: UpdateStatus = Field(
        description="What the public reads next: identified, monitoring or resolved."
    )
    text: str | None = Field(
        default=None, min_length=1, max_length=5000, description="The update; absent, the status's template."
    )
    estimated_time: str | None = Field(
        default=None,
        max_length=100,
        description="Fills `{estimated_time}` in the template (`about 30 minutes`).",
    )
    next_update: str | None = Field(
        default=None, max_length=100, description="Fills `{next_update}` in the template (`1 hour`)."
    )


class PublicPostmortem(Model):
    body: str = Field(
        min_length=1,
        max_length=MAX_PUBLIC_POSTMORTEM,
        description="What customers read under the incident: what happened, what it affected, what changes.",
    )


class PublishRequested(Model):
    message: str


@router.post(
    "/v1/incidents/<incident_id>/status-updates",
    tags=["status page"],
    summary="Post a public update (identified, monitoring, resolved) on the incident's status page entry",
    status_code=201,
)
def handle_post_status_update(
    incidents: deps.Incidents,
    statuspage: deps.StatusPage,
    incident_id: str,
    update: Annotated[NewStatusUpdate, Body()],
) -> PublicIncident:
    incidents.get(incident_id)  # 404 for an unknown incident
    return statuspage.post_update(
        incident_id,
        PublicStatus(update.status.value),
        update.text,
        actor=auth.principal(router).actor,
        estimated_time=update.estimated_time,
        next_update=update.next_update,
    )


@router.get(
    "/v1/incidents/<incident_id>/status-updates",
    tags=["status page"],
    summary="The incident as the status page shows it, with every public update",
)
def handle_get_status_updates(
    incidents: deps.Incidents, statuspage: deps.StatusPage, incident_id: str
) -> PublicIncident:
    incidents.get(incident_id)
    return statuspage.get(incident_id)


@router.post(
    "/v1/statuspage/publish",
    tags=["status page"],
    summary="Render and publish the status page again (after a configuration change)",
    status_code=202,
)
def handle_publish_status_page(statuspage: deps.StatusPage) -> PublishRequested:
    statuspage.request_publish()
    return PublishRequested(message="the status page will be published within seconds")


@router.put(
    "/v1/incidents/<incident_id>/postmortem/public",
    tags=["status page"],
    summary="Post (or replace) the customer-facing post-mortem on the incident's status page entry",
    description="Only on this explicit request: the internal post-mortem never reaches the page by itself. "
    "The incident must be resolved on the page (409 otherwise); the page is published again.",
)
def handle_put_public_postmortem(
    incidents: deps.Incidents,
    statuspage: deps.StatusPage,
    incident_id: str,
    postmortem: Annotated[PublicPostmortem, Body()],
) -> PublicIncident:
    incidents.get(incident_id)
    return statuspage.post_postmortem(incident_id, postmortem.body, auth.principal(router).actor)
