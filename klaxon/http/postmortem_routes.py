"""Post-mortem routes of the API function: an incident's post-mortem, edited with its version, and the
internal index of them all (docs/postmortems.md)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import AwareDatetime, Field

from klaxon.domain.incident.models import Priority
from klaxon.domain.model import Model
from klaxon.domain.postmortem.models import (
    MAX_MARKDOWN,
    ActionItem,
    ActionKind,
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
    impact_start: AwareDatetime | None = Field(
        default=None,
        description="Impact began here (else the first alert's own time): detect is measured from it.",
    )
    mitigated_at: AwareDatetime | None = Field(
        default=None, description="Impact was mitigated here (else the first `monitoring` status update)."
    )


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
        impact_start=edit.impact_start,
        mitigated_at=edit.mitigated_at,
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


class NewActionItem(Model):
    title: str = Field(min_length=1, max_length=255)
    owner: str | None = Field(default=None, min_length=1, max_length=64)
    due: date | None = None
    priority: Priority = Priority.P3
    kind: ActionKind = ActionKind.PREVENT


class ItemState(StrEnum):
    OPEN = "open"  # its ticket is not done (or not filed yet)
    DONE = "done"


class ActionItemRow(Model):
    incident_id: str
    incident_number: int
    service: str
    postmortem_status: PostmortemStatus
    item: ActionItem


class ActionItemList(Model):
    action_items: list[ActionItemRow]


@router.post(
    "/v1/incidents/<incident_id>/postmortem/actions",
    tags=["post-mortems"],
    summary="Add an action item, filed in its service's tracker at once",
    description="Unlike items written with the post-mortem (filed when it is published), this one is filed "
    "now, whatever the post-mortem's status. 201 with the item; its ticket follows within seconds.",
    status_code=201,
)
def handle_add_action_item(
    incidents: deps.Incidents, actions: deps.Actions, incident_id: str, new: Annotated[NewActionItem, Body()]
) -> ActionItem:
    incidents.get(incident_id)
    return actions.add(incident_id, ActionItem(**new.model_dump()), auth.principal(router).actor)


@router.get("/v1/actions", tags=["post-mortems"], summary="Action items across post-mortems")
def handle_list_action_items(
    postmortems: deps.Postmortems,
    actions: deps.Actions,
    unsynced: Annotated[
        bool, Query(description="only those waiting for their ticket (a tracker down, or refusing)")
    ] = False,
    incident_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    status: Annotated[
        ItemState | None, Query(description="open: not done yet; done: its ticket is done")
    ] = None,
    owner: Annotated[str | None, Query(min_length=1, max_length=64, description="only this owner's")] = None,
) -> ActionItemList:
    if unsynced:
        pairs = [(w.postmortem, w.item) for w in actions.waiting()]
    elif incident_id is not None:  # one post-mortem read, not all of them
        one = postmortems.of(incident_id)
        pairs = [(one, i) for i in one.action_items] if one is not None else []
    else:
        pairs = [(p, i) for p in postmortems.find() for i in p.action_items]
    return ActionItemList(
        action_items=[
            ActionItemRow(
                incident_id=p.incident_id,
                incident_number=p.incident_number,
                service=p.service,
                postmortem_status=p.status,
                item=item,
            )
            for p, item in pairs
            if (incident_id is None or p.incident_id == incident_id)
            and (status is None or item.done == (status is ItemState.DONE))
            and (owner is None or item.owner == owner)
        ]
    )
