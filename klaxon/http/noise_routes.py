"""Noise control routes of the API function: maintenance windows, heartbeats and the noise report."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from klaxon.domain.instants import LaxInstant
from klaxon.domain.model import Model
from klaxon.domain.noise.report import NoiseReport
from klaxon.http import auth, deps
from klaxon.services.noise.heartbeats import HeartbeatView
from klaxon.services.noise.maintenance import NewWindow, WindowView

router = Router()


class WindowList(Model):
    windows: list[WindowView]


class HeartbeatList(Model):
    heartbeats: list[HeartbeatView]


@router.get(
    "/v1/maintenance-windows",
    tags=["maintenance"],
    summary="Maintenance windows, from the config and the API",
)
def handle_list_maintenance_windows(maintenance: deps.Maintenance) -> WindowList:
    return WindowList(windows=maintenance.windows())


@router.post(
    "/v1/maintenance-windows",
    tags=["maintenance"],
    summary="Add a one-off or recurring (RRULE) window: alerts of its services inside it page nobody",
    status_code=201,
)
def handle_add_maintenance_window(
    maintenance: deps.Maintenance, window: Annotated[NewWindow, Body()]
) -> WindowView:
    return maintenance.add(window, auth.principal(router).actor)


@router.get("/v1/maintenance-windows/<window_id>", tags=["maintenance"], summary="One maintenance window")
def handle_get_maintenance_window(maintenance: deps.Maintenance, window_id: str) -> WindowView:
    return maintenance.get(window_id)


@router.delete(
    "/v1/maintenance-windows/<window_id>", tags=["maintenance"], summary="Remove a window added by the API"
)
def handle_remove_maintenance_window(maintenance: deps.Maintenance, window_id: str) -> WindowView:
    return maintenance.remove(window_id)


@router.get("/v1/heartbeats", tags=["heartbeats"], summary="Every heartbeat: last ping, status, when due")
def handle_list_heartbeats(heartbeats: deps.Heartbeats) -> HeartbeatList:
    return HeartbeatList(heartbeats=heartbeats.list())


@router.post(
    "/v1/heartbeats/<key>",
    tags=["heartbeats"],
    summary="Ping a heartbeat (no API token: the heartbeat's key is the credential); resolves a miss",
)
def handle_ping_heartbeat(heartbeats: deps.Heartbeats, key: str) -> HeartbeatView:
    return heartbeats.ping(key)


@router.get(
    "/v1/reports/noise",
    tags=["reports"],
    summary="Per alert source and service: alerts, incidents, pages, ack rate, time to ack, noisiest keys",
)
def handle_get_noise_report(
    noise_report: deps.NoiseReport,
    start: Annotated[LaxInstant, Query()],
    end: Annotated[LaxInstant, Query()],
    top: Annotated[int, Query(ge=1, le=100, description="How many of the noisiest dedup keys")] = 10,
) -> NoiseReport:
    return noise_report.report(start, end, top)
