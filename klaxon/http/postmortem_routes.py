"""Post-mortem routes of the API function: an incident's post-mortem, edited with its version, and the
internal index of them all (docs/postmortems.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import Field

from klaxon.domain.incident.models import Priority
from klaxon.domain.model import Model
from klaxon.domain.postmortem.models import (
    MAX_MARKDOWN,
    ActionItem,
    Postmortem,
    PostmortemChange,
    PostmortemStatus,
)
from klaxon.http import auth, deps

router = Router()


class VersionedPostmortem(Model):
    version: int = Field(description="Send it back with an edit: a newer one means someone saved since.")
    postmortem: Postmortem


class PostmortemEdit(Model):
    version: int = Field(ge=1, description="The version the edit was made on (from GET).")
    markdown: str | None = Field(default=None, min_length=1, max_length=MAX_MARKDOWN)
    owner: str | None = Field(default=None, min_length=1, max_length=64)
    status: PostmortemStatus | None = None
    due: datetime | None = None
    action_items: list[ActionItem] | None = Field(default=None, max_length=100)


class PostmortemSummary(Model):
    incident_id: str
    incident_number: int
    title: str
    service: str
    priority: Priority
    owner: str
    status: PostmortemStatus
    due: datetime
    overdue: bool
    action_items: int


class PostmortemList(Model):
    postmortems: list[PostmortemSummary]


@router.get(
    "/v1/incidents/<incident_id>/postmortem",
    tags=["post-mortems"],
    summary="The incident's post-mortem and its version",
)
def handle_get_postmortem(
    incidents: deps.Incidents, postmortems: deps.Postmortems, incident_id: str
) -> VersionedPostmortem:
    incidents.get(incident_id)
    postmortem, version = postmortems.get(incident_id)
    return VersionedPostmortem(version=version, postmortem=postmortem)


@router.put(
    "/v1/incidents/<incident_id>/postmortem",
    tags=["post-mortems"],
    summary="Edit the post-mortem (conditional on the version read)",
    description="Fields left out stay as they are. 409 when it changed since `version`: read it again.",
)
def handle_put_postmortem(
    incidents: deps.Incidents,
    postmortems: deps.Postmortems,
    incident_id: str,
    edit: Annotated[PostmortemEdit, Body()],
) -> VersionedPostmortem:
    incidents.get(incident_id)
    change = PostmortemChange(
        markdown=edit.markdown,
        owner=edit.owner,
        status=edit.status,
        due=edit.due,
        action_items=edit.action_items,
    )
    postmortem, version = postmortems.update(incident_id, change, edit.version, auth.principal(router).actor)
    return VersionedPostmortem(version=version, postmortem=postmortem)


@router.get("/v1/postmortems", tags=["post-mortems"], summary="Every post-mortem, newest first, searchable")
def handle_list_postmortems(
    postmortems: deps.Postmortems,
    clock: deps.ClockNow,
    service: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    priority: Annotated[Priority | None, Query()] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, description="words in title or text")
    ] = None,
    overdue: Annotated[bool, Query(description="only those past due and not published")] = False,
) -> PostmortemList:
    now = clock.now()
    found = postmortems.find(service=service, priority=priority, text=q, overdue=overdue)
    return PostmortemList(
        postmortems=[
            PostmortemSummary(
                **p.model_dump(include=set(PostmortemSummary.model_fields) - {"overdue", "action_items"}),
                overdue=p.overdue(now),
                action_items=len(p.action_items),
            )
            for p in found
        ]
    )
