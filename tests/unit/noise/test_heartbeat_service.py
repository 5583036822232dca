"""Heartbeat pings and checks: a miss sends one trigger, the next ping its resolve, over the bus."""

from __future__ import annotations

from datetime import timedelta

import pytest

from klaxon.config.secrets import hash_key
from klaxon.domain.errors import Unauthorized
from klaxon.domain.incident.models import AlertAction
from klaxon.domain.noise.heartbeats import Heartbeat, HeartbeatStatus
from klaxon.events import AlertReceived
from klaxon.services.noise.heartbeats import HeartbeatService
from tests.fakes.memory import CountingIds, FixedClock, PepperedDigest, RecordingBus
from tests.fakes.noise import MemoryHeartbeats

KEY = "BACKUP-HEARTBEAT-KEY-000001"
BACKUP = Heartbeat(id="backup", service="platform", interval=timedelta(hours=1), grace=timedelta(minutes=5))


@pytest.fixture
def service() -> HeartbeatService:
    return HeartbeatService(
        heartbeats=lambda: {PepperedDigest().digest(hash_key(KEY)): BACKUP},
        keyed=PepperedDigest(),
        store=MemoryHeartbeats(),
        bus=RecordingBus(),
        clock=FixedClock(),
        ids=CountingIds(),
    )


def actions(service: HeartbeatService) -> list[AlertAction]:
    bus = service.bus
    assert isinstance(bus, RecordingBus)
    found = []
    for _, detail in bus.events:
        assert isinstance(detail, AlertReceived) and detail.alert is not None
        found.append(detail.alert.action)
    return found


def later(service: HeartbeatService, **delta: float) -> None:
    clock = service.clock
    assert isinstance(clock, FixedClock)
    clock.advance(**delta)


def test_an_unknown_key_is_refused(service: HeartbeatService) -> None:
    with pytest.raises(Unauthorized):
        service.ping("NOT-A-HEARTBEAT-KEY-0000")


def test_a_ping_records_the_job_alive(service: HeartbeatService) -> None:
    view = service.ping(KEY)

    assert (view.status, view.last_seen) == (HeartbeatStatus.OK, service.clock.now())


def test_the_first_check_only_starts_watching(service: HeartbeatService) -> None:
    assert service.check() == []


def test_silence_past_interval_and_grace_triggers_once(service: HeartbeatService) -> None:
    service.check()
    later(service, hours=1, minutes=5)

    assert service.check() == ["backup"]
    assert service.check() == []
    assert actions(service) == [AlertAction.TRIGGER]


def test_a_ping_in_time_prevents_a_miss(service: HeartbeatService) -> None:
    service.check()
    later(service, minutes=50)
    service.ping(KEY)
    later(service, minutes=50)

    assert service.check() == []


def test_the_ping_after_a_miss_resolves_it(service: HeartbeatService) -> None:
    service.check()
    later(service, hours=2)
    service.check()

    service.ping(KEY)

    assert actions(service) == [AlertAction.TRIGGER, AlertAction.RESOLVE]


def test_a_ping_without_a_miss_sends_nothing(service: HeartbeatService) -> None:
    service.ping(KEY)

    assert actions(service) == []
