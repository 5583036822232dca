"""The outbox relay (issue 13 §2): in order, at least once, from the first record not published."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from klaxon.events import DetailType, IncidentChanged
from klaxon.services.incident.outbox import OutboxRelay
from tests.fakes.memory import RecordingBus
from tests.unit.test_router_service import alert, world  # noqa: F401 - fixture


class Changes:
    """Records are {"seq": n, "event": (type, detail) | None | "garbage"}."""

    def event(self, record: Mapping[str, Any]) -> tuple[DetailType, IncidentChanged] | None:
        if record["event"] == "garbage":
            raise ValueError("unreadable")
        return record["event"]

    def position(self, record: Mapping[str, Any]) -> str:
        return str(record["seq"])


def _records(world) -> list[dict[str, Any]]:  # noqa: F811
    router, incidents, _, _ = world
    router.route(alert())
    return [{"seq": n, "event": found} for n, found in enumerate(incidents.outbox)]


def test_every_event_is_published_in_order(world):  # noqa: F811
    records = _records(world) * 3
    bus = RecordingBus()
    done = OutboxRelay(Changes(), bus).relay(records)
    assert (done.published, done.retry_from) == (3, None)
    assert bus.types() == [DetailType.INCIDENT_TRIGGERED] * 3


def test_a_failed_publish_names_its_record_and_publishes_nothing_after_it(world):  # noqa: F811
    records = [{**r, "seq": n} for n, r in enumerate(_records(world) * 3)]
    bus = RecordingBus()
    bus.fail_next = 1
    first = OutboxRelay(Changes(), bus).relay(records)
    assert (first.published, first.retry_from, bus.events) == (0, "0", [])
    again = OutboxRelay(Changes(), bus).relay(records)  # the stream delivers the batch again
    assert (again.published, again.retry_from) == (3, None)


def test_writes_without_an_event_are_passed_and_unreadable_records_skipped(world):  # noqa: F811
    (triggered,) = _records(world)
    records = [{"seq": 0, "event": None}, {"seq": 1, "event": "garbage"}, {**triggered, "seq": 2}]
    bus = RecordingBus()
    done = OutboxRelay(Changes(), bus).relay(records)
    assert (done.published, done.without_event, done.unreadable) == (1, 1, ["1"])
    assert bus.types() == [DetailType.INCIDENT_TRIGGERED]
