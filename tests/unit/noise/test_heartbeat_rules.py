"""Heartbeat rules: due a last ping (or watching began) plus interval and grace after; one miss a silence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from klaxon.domain.incident.models import AlertAction
from klaxon.domain.noise.heartbeats import (
    Heartbeat,
    HeartbeatState,
    HeartbeatStatus,
    due_at,
    is_missed,
    missed_alert,
    recovered_alert,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
BACKUP = Heartbeat(id="backup", service="platform", interval=timedelta(hours=1), grace=timedelta(minutes=5))


def state(**changes: object) -> HeartbeatState:
    return HeartbeatState(heartbeat="backup", watched_since=NOW, **changes)  # type: ignore[arg-type]


def test_a_never_pinged_heartbeat_is_due_an_interval_and_grace_after_watching_began() -> None:
    assert due_at(BACKUP, state()) == NOW + timedelta(hours=1, minutes=5)


def test_a_ping_moves_the_due_time() -> None:
    assert due_at(BACKUP, state(last_seen=NOW + timedelta(hours=2))) == NOW + timedelta(hours=3, minutes=5)


def test_silence_past_due_is_a_miss() -> None:
    assert is_missed(BACKUP, state(), NOW + timedelta(hours=1, minutes=5))


def test_silence_within_grace_is_not_a_miss() -> None:
    assert not is_missed(BACKUP, state(), NOW + timedelta(hours=1, minutes=4))


def test_a_missed_heartbeat_is_not_missed_again() -> None:
    assert not is_missed(BACKUP, state(status=HeartbeatStatus.MISSED), NOW + timedelta(days=1))


def test_a_miss_triggers_on_the_heartbeats_dedup_key() -> None:
    alert = missed_alert(BACKUP, state(), alert_id="a1", now=NOW)

    assert (alert.action, alert.dedup_key, alert.service) == (
        AlertAction.TRIGGER,
        "heartbeat:backup",
        "platform",
    )


def test_a_recovery_resolves_the_same_dedup_key() -> None:
    alert = recovered_alert(BACKUP, alert_id="a2", now=NOW)

    assert (alert.action, alert.dedup_key) == (AlertAction.RESOLVE, "heartbeat:backup")
