"""Schedule routes of the API function: on-call lookups, shifts, overrides and calendar feeds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from klaxon.domain.instants import LaxInstant
from klaxon.domain.model import Model
from klaxon.domain.schedule.models import OnCall, Override, Schedule, Shift
from klaxon.http import auth, deps, paging
from klaxon.http.schemas import Timeline

router = Router()


class OnCallAnswer(Model):
    schedule: str
    at: datetime
    on_call: list[OnCall]


class ScheduleList(Model):
    schedules: list[Schedule]


class ShiftList(Model):
    schedule: str
    start: datetime
    end: datetime
    shifts: list[Shift]


class NewOverride(Model):
    user: str
    start: LaxInstant
    end: LaxInstant


class OverrideList(Model):
    overrides: list[Override]


class FeedLink(Model):
    url: str


class ScheduleTimeline(Timeline):
    """A page of the schedule's overrides and changes, oldest first."""


def _principal_actor() -> str:
    return auth.principal(router).actor


@router.get("/v1/oncall", tags=["schedules"], summary="Who is on call for a schedule now, or at `at`")
def handle_get_oncall(
    schedules: deps.Schedules,
    schedule: Annotated[str, Query()],
    at: Annotated[LaxInstant | None, Query()] = None,
) -> OnCallAnswer:
    when, people = schedules.on_call(schedule, at)
    return OnCallAnswer(schedule=schedule, at=when, on_call=people)


@router.get("/v1/schedules", tags=["schedules"], summary="Every schedule")
def handle_list_schedules(schedules: deps.Schedules) -> ScheduleList:
    return ScheduleList(schedules=schedules.all())


@router.get("/v1/schedules/<schedule_id>", tags=["schedules"], summary="One schedule's layers")
def handle_get_schedule(schedules: deps.Schedules, schedule_id: str) -> Schedule:
    return schedules.get(schedule_id)


@router.get("/v1/schedules/<schedule_id>/shifts", tags=["schedules"], summary="Final shifts in [start, end)")
def handle_get_shifts(
    schedules: deps.Schedules,
    schedule_id: str,
    start: Annotated[LaxInstant, Query()],
    end: Annotated[LaxInstant, Query()],
) -> ShiftList:
    found = schedules.shifts(schedule_id, start, end)
    return ShiftList(schedule=schedule_id, start=start, end=end, shifts=found)


@router.post(
    "/v1/schedules/<schedule_id>/overrides", tags=["schedules"], summary="Add an override", status_code=201
)
def handle_add_override(
    schedules: deps.Schedules, schedule_id: str, override: Annotated[NewOverride, Body()]
) -> Override:
    return schedules.add_override(
        schedule_id, override.user, override.start, override.end, _principal_actor()
    )


@router.get(
    "/v1/schedules/<schedule_id>/overrides", tags=["schedules"], summary="Overrides, optionally in a window"
)
def handle_list_overrides(
    schedules: deps.Schedules,
    schedule_id: str,
    start: Annotated[LaxInstant | None, Query()] = None,
    end: Annotated[LaxInstant | None, Query()] = None,
) -> OverrideList:
    return OverrideList(overrides=schedules.list_overrides(schedule_id, start, end))


@router.get("/v1/schedules/<schedule_id>/overrides/<override_id>", tags=["schedules"], summary="One override")
def handle_get_override(schedules: deps.Schedules, schedule_id: str, override_id: str) -> Override:
    from klaxon.domain.errors import NotFound

    for override in schedules.list_overrides(schedule_id, None, None):
        if override.id == override_id:
            return override
    raise NotFound(f"no override {override_id!r} on schedule {schedule_id!r}")


@router.delete("/v1/schedules/<schedule_id>/overrides/<override_id>", tags=["schedules"], summary="Remove")
def handle_remove_override(schedules: deps.Schedules, schedule_id: str, override_id: str) -> Override:
    return schedules.remove_override(schedule_id, override_id, _principal_actor())


@router.get("/v1/schedules/<schedule_id>/timeline", tags=["schedules"], summary="Audit trail of overrides")
def handle_get_schedule_timeline(
    schedules: deps.Schedules,
    schedule_id: str,
    limit: paging.TimelineLimit = paging.TIMELINE_PAGE,
    next: paging.Cursor = None,
) -> ScheduleTimeline:
    page = schedules.history(schedule_id, next, limit)
    return ScheduleTimeline(timeline=page.entries, next=page.next)


def _calendar(body: bytes) -> Response[bytes]:
    return Response(status_code=200, content_type="text/calendar; charset=utf-8", body=body)


def _feed_url(path: str, token: str) -> str:
    """The absolute URL a calendar app subscribes to, as seen by the caller (host, stage, scheme)."""
    event = router.current_event
    headers = {k.lower(): v for k, v in event.headers.items()}
    stage = str((event.get("requestContext") or {}).get("stage", "local"))
    proto = headers.get("x-forwarded-proto") or ("http" if stage == "local" else "https")
    prefix = "" if stage in ("local", "$default") else f"/{stage}"
    return f"{proto}://{headers.get('host', 'localhost')}{prefix}{path}?token={token}"


@router.get(
    "/v1/schedules/<schedule_id>/ical", tags=["calendars"], summary="Shifts as iCalendar (token or bearer)"
)
def handle_get_schedule_ical(
    schedules: deps.Schedules, schedule_id: str, token: Annotated[str | None, Query()] = None
) -> Response[bytes]:
    if token is not None:
        schedules.check_feed_token(f"schedule:{schedule_id}", token)
    return _calendar(schedules.schedule_calendar(schedule_id))


@router.post("/v1/schedules/<schedule_id>/ical/link", tags=["calendars"], summary="A subscribable feed URL")
def handle_get_schedule_feed_link(schedules: deps.Schedules, schedule_id: str) -> FeedLink:
    schedules.get(schedule_id)
    token = schedules.feed_token(f"schedule:{schedule_id}")
    return FeedLink(url=_feed_url(f"/v1/schedules/{schedule_id}/ical", token))


@router.delete(
    "/v1/schedules/<schedule_id>/ical/link", tags=["calendars"], summary="Revoke; returns a new URL"
)
def handle_revoke_schedule_feed_link(schedules: deps.Schedules, schedule_id: str) -> FeedLink:
    schedules.get(schedule_id)
    token = schedules.revoke_feed(f"schedule:{schedule_id}")
    return FeedLink(url=_feed_url(f"/v1/schedules/{schedule_id}/ical", token))


@router.get("/v1/users/<user_id>/ical", tags=["calendars"], summary="A user's shifts in every schedule")
def handle_get_user_ical(
    schedules: deps.Schedules, user_id: str, token: Annotated[str | None, Query()] = None
) -> Response[bytes]:
    if token is not None:
        schedules.check_feed_token(f"user:{user_id}", token)
    return _calendar(schedules.user_calendar(user_id))


@router.post(
    "/v1/users/<user_id>/ical/link", tags=["calendars"], summary="A subscribable feed URL for a user"
)
def handle_get_user_feed_link(schedules: deps.Schedules, user_id: str) -> FeedLink:
    token = schedules.feed_token(f"user:{user_id}")
    return FeedLink(url=_feed_url(f"/v1/users/{user_id}/ical", token))


@router.delete("/v1/users/<user_id>/ical/link", tags=["calendars"], summary="Revoke; returns a new URL")
def handle_revoke_user_feed_link(schedules: deps.Schedules, user_id: str) -> FeedLink:
    token = schedules.revoke_feed(f"user:{user_id}")
    return FeedLink(url=_feed_url(f"/v1/users/{user_id}/ical", token))
