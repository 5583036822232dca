"""Heartbeats: a cron job or service pings; silence longer than its interval plus grace opens an incident."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import ConfigDict

from klaxon.domain.incident.dedup import heartbeat_key
from klaxon.domain.incident.models import Alert, AlertAction, Severity
from klaxon.domain.model import Model

SOURCE_KIND = "heartbeat"


class HeartbeatStatus(StrEnum):
    WAITING = "waiting"  # never pinged yet; the interval runs from when Klaxon first knew of it
    OK = "ok"
    MISSED = "missed"


class Heartbeat(Model):
    """What is expected: a ping at least every `interval`, with `grace` for a slow run."""

    model_config = ConfigDict(frozen=True)

    id: str
    service: str
    interval: timedelta
    grace: timedelta = timedelta(0)
    summary: str | None = None
    severity: Severity = Severity.CRITICAL


class HeartbeatState(Model):
    """What was seen: the last ping, since when it is watched, and whether it is missed now."""

    model_config = ConfigDict(frozen=True)

    heartbeat: str
    watched_since: datetime
    last_seen: datetime | None = None
    status: HeartbeatStatus = HeartbeatStatus.WAITING
    missed_at: datetime | None = None


def due_at(heartbeat: Heartbeat, state: HeartbeatState) -> datetime:
    """The last ping (or when watching began) plus interval and grace: silence past this is a miss."""
    return (state.last_seen or state.watched_since) + heartbeat.interval + heartbeat.grace


def is_missed(heartbeat: Heartbeat, state: HeartbeatState, now: datetime) -> bool:
    """Missed once `now` is past due; an already missed heartbeat is not missed again until it pings."""
    return state.status is not HeartbeatStatus.MISSED and now >= due_at(heartbeat, state)


def dedup_key(heartbeat: Heartbeat) -> str:
    return heartbeat_key(heartbeat.id)


def integration(heartbeat: Heartbeat) -> str:
    return f"heartbeat-{heartbeat.id}"


def missed_alert(heartbeat: Heartbeat, state: HeartbeatState, *, alert_id: str, now: datetime) -> Alert:
    """The trigger a missed heartbeat sends: it opens (or joins) the heartbeat's incident."""
    last = state.last_seen.isoformat() if state.last_seen else "never"
    summary = heartbeat.summary or f"Heartbeat {heartbeat.id} missed"
    return Alert(
        id=alert_id,
        action=AlertAction.TRIGGER,
        dedup_key=dedup_key(heartbeat),
        service=heartbeat.service,
        integration=integration(heartbeat),
        source_kind=SOURCE_KIND,
        received_at=now,
        summary=f"{summary} (last seen: {last})",
        source=integration(heartbeat),
        severity=heartbeat.severity,
        labels={"heartbeat": heartbeat.id},
        custom_details={
            "last_seen": state.last_seen.isoformat() if state.last_seen else None,
            "due_at": due_at(heartbeat, state).isoformat(),
            "interval_seconds": int(heartbeat.interval.total_seconds()),
            "grace_seconds": int(heartbeat.grace.total_seconds()),
        },
    )


def recovered_alert(heartbeat: Heartbeat, *, alert_id: str, now: datetime) -> Alert:
    """The resolve the next ping after a miss sends."""
    return Alert(
        id=alert_id,
        action=AlertAction.RESOLVE,
        dedup_key=dedup_key(heartbeat),
        service=heartbeat.service,
        integration=integration(heartbeat),
        source_kind=SOURCE_KIND,
        received_at=now,
        labels={"heartbeat": heartbeat.id},
    )
