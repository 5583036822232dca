"""The api function's routes: incidents, their timeline, configuration, and the OpenAPI document."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.openapi.params import Query

from klaxon import __version__
from klaxon.domain import json_text
from klaxon.domain.access.tokens import listed_service
from klaxon.domain.errors import InvalidInput, NotFound
from klaxon.domain.incident.models import Incident, IncidentStatus
from klaxon.http import (
    access_routes,
    ack_routes,
    auth,
    deps,
    errors,
    escalation_routes,
    incident_routes,
    noise_routes,
    paging,
    postmortem_routes,
    report_routes,
    schedule_routes,
    service_routes,
    sla_routes,
    statuspage_routes,
    subscriber_routes,
)
from klaxon.http.schemas import ChatMessageOut, ChatRoomOut, Health, IncidentChat, IncidentList, Timeline
from klaxon.ports import IncidentQuery

logger = Logger(service="klaxon-api")
app = auth.KlaxonResolver(enable_validation=True, json_body_deserializer=json_text.loads)
errors.register(app)
app.include_router(access_routes.router)
app.include_router(schedule_routes.router)
app.include_router(escalation_routes.router)
app.include_router(incident_routes.router)
app.include_router(report_routes.router)
app.include_router(ack_routes.router)
app.include_router(statuspage_routes.router)
app.include_router(subscriber_routes.router)
app.include_router(noise_routes.router)
app.include_router(postmortem_routes.router)
app.include_router(sla_routes.router)
app.include_router(service_routes.router)


@app.get("/healthz", tags=["health"], summary="Liveness check (no token needed)")
def handle_get_health() -> Health:
    return Health(version=__version__)


@app.get("/v1/incidents", tags=["incidents"], summary="List incidents, newest first")
def handle_list_incidents(
    incidents: deps.Incidents,
    status: Annotated[IncidentStatus | None, Query()] = None,
    service: Annotated[str | None, Query(min_length=1, max_length=255)] = None,
    dedup_key: Annotated[str | None, Query(min_length=1, max_length=255)] = None,
    number: Annotated[int | None, Query(ge=1, description="the incident with this number")] = None,
    id_prefix: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="incidents whose id starts so (reads every incident: for people typing ids)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    next: Annotated[str | None, Query(description="cursor from the previous page")] = None,
) -> IncidentList:
    query = IncidentQuery(
        status=status,
        service=listed_service(auth.principal(app).services, service),
        dedup_key=dedup_key,
        number=number,
        id_prefix=id_prefix,
        limit=limit,
        cursor=next,
    )
    page = incidents.find(query)
    return IncidentList(incidents=page.incidents, next=page.next)


@app.get("/v1/incidents/<incident_id>", tags=["incidents"], summary="One incident")
def handle_get_incident(incidents: deps.Incidents, incident_id: str) -> Incident:
    return incidents.get_with_details(incident_id)


@app.post(
    "/v1/incidents/<incident_id>/acknowledge", tags=["incidents"], summary="Acknowledge (stops escalation)"
)
def handle_acknowledge_incident(incidents: deps.Incidents, incident_id: str) -> Incident:
    return incidents.acknowledge(incident_id, auth.principal(app).actor)


@app.post("/v1/incidents/<incident_id>/resolve", tags=["incidents"], summary="Resolve")
def handle_resolve_incident(incidents: deps.Incidents, incident_id: str) -> Incident:
    return incidents.resolve(incident_id, auth.principal(app).actor)


@app.get(
    "/v1/incidents/<incident_id>/timeline",
    tags=["incidents"],
    summary="Every action on the incident, oldest first",
    description="Its war room's messages too, so a long incident's runs to thousands of entries: `next` "
    "pages through them.",
)
def handle_get_timeline(
    incidents: deps.Incidents,
    incident_id: str,
    limit: paging.TimelineLimit = paging.TIMELINE_PAGE,
    next: paging.Cursor = None,
) -> Timeline:
    page = incidents.history(incident_id, next, limit)
    return Timeline(timeline=page.entries, next=page.next)


@app.get(
    "/v1/incidents/<incident_id>/chat",
    tags=["incidents"],
    summary="The incident's chat room and its messages",
    description="Significant incidents (the `chat` section's priorities) get a room: a Slack channel when "
    "Slack is set up, else a log of what Klaxon would have said there. `next` pages through its messages.",
)
def handle_get_chat(
    incidents: deps.Incidents,
    rooms: deps.ChatRooms,
    incident_id: str,
    next: Annotated[str | None, Query(max_length=512, description="cursor from the previous page")] = None,
) -> IncidentChat:
    incidents.get(incident_id)
    room, page = rooms.view(incident_id, next)
    return IncidentChat(
        room=None
        if room is None
        else ChatRoomOut.model_validate(room.model_dump(include=set(ChatRoomOut.model_fields))),
        messages=[
            ChatMessageOut(
                id=m.id,
                author=m.author,
                text=m.text,
                at=datetime.fromtimestamp(m.at_epoch, UTC),
                pinned=m.extra.get("pinned") == "true",
            )
            for m in page.messages
        ],
        next=page.next,
    )


@app.put(
    "/v1/config",
    tags=["config"],
    summary="Replace the running configuration (stored form: keys hashed)",
    description="The body is the form `klaxon config apply` sends: keys as their SHA-256 (`key_hash`), "
    "signing secrets in the clear. An integration or heartbeat that gives no key keeps the one it has, and "
    'an integration with no `secret` field keeps its signing secret (`"secret": null` removes it), so '
    "what `GET /v1/config` shows can be edited and put back. A changed signing secret is rotated: the old "
    "one verifies for 24 hours. A configuration one DynamoDB transaction cannot hold (over 100 items, an "
    "item over 400 KB, 4 MB in all) is refused with 400 naming the limit, and nothing changes.",
)
def handle_put_config(
    statuspage: deps.StatusPage, applier: deps.Applier, directory: deps.Directory
) -> dict[str, object]:
    try:
        body = json_text.loads(app.current_event.body) if app.current_event.body else None
    except ValueError as exc:
        raise InvalidInput("the configuration is not JSON", [f"request body: {exc}"]) from exc
    counts = applier.apply_body(body, directory.config_document())
    statuspage.request_publish()  # new components and windows show at once
    logger.info("configuration applied", extra={"by": auth.principal(app).actor, **counts})
    return {"applied": counts}


@app.get("/v1/config", tags=["config"], summary="The running configuration, without secrets")
def handle_get_config(directory: deps.Directory) -> dict[str, object]:
    from klaxon.config.loader import validate_document

    document = directory.config_document()
    if document is None:
        raise NotFound("no configuration has been applied yet")
    return validate_document(document, "stored configuration").public_view()


@app.get("/v1/openapi.json", tags=["meta"], summary="This API's OpenAPI document", include_in_schema=False)
def handle_get_openapi() -> dict[str, object]:
    return openapi_document()


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of both functions behind the API, built once."""
    from klaxon.http import ingest_app, tracker_app
    from klaxon.http.openapi import document

    return document(app, ingest_app.app, tracker_app.app)
