"""The config table's sparse `live` index (moto): a kind of record a timer sweeps is read through it, so a
timer reads the open records, not every one ever kept; records kept from before the index are marked once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from klaxon.domain.chat.rooms import ChatRoom
from klaxon.domain.postmortem.models import ActionItem, Postmortem, PostmortemStatus
from tests.unit.postmortem import factories
from tests.unit.postmortem.factories import NOW, TICKET


@pytest.fixture
def config(moto_alone: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from klaxon.adapters import live_index
    from klaxon.adapters.tables import ConfigItem

    ConfigItem.create_table(wait=True)
    monkeypatch.setattr(live_index, "_marked", set())  # a fresh process
    monkeypatch.setattr(live_index, "_settled", set())
    monkeypatch.setattr(live_index, "_unmarked_until", {})
    yield ConfigItem


def postmortem(incident_id: str, status: PostmortemStatus, *items: ActionItem) -> Postmortem:
    number = int(incident_id[3:])
    return factories.postmortem(
        incident_id=incident_id, incident_number=number, status=status, due=NOW, action_items=list(items)
    )


def test_only_post_mortems_a_timer_has_work_in_are_read_and_they_leave_when_done(config: Any) -> None:
    from klaxon.adapters.postmortem_store import DynamoPostmortems

    store = DynamoPostmortems()
    done = ActionItem(id="a1", title="Add a canary", ticket=TICKET, done_at=NOW)
    store.put(postmortem("inc1", PostmortemStatus.DRAFT), version=None)
    store.put(postmortem("inc2", PostmortemStatus.PUBLISHED, done), version=None)
    open_ticket = done.model_copy(update={"done_at": None})
    version = store.put(postmortem("inc3", PostmortemStatus.PUBLISHED, open_ticket), version=None)
    assert {p.incident_id for p in store.live()} == {"inc1", "inc3"}
    assert {p.incident_id for p in store.all()} == {"inc1", "inc2", "inc3"}

    store.put(postmortem("inc3", PostmortemStatus.PUBLISHED, done), version=version)  # its ticket is done

    assert {p.incident_id for p in store.live()} == {"inc1"}
    assert config.get("postmortem", "inc3").live is None  # out of the index: the write removed the key


def test_only_open_rooms_are_read(config: Any) -> None:
    from klaxon.adapters.chat_rooms import DynamoChatRooms

    rooms = DynamoChatRooms()
    rooms.put(ChatRoom(incident_id="inc1", room="C1"), version=None)
    rooms.put(ChatRoom(incident_id="inc2"), version=None)  # not made yet
    version = rooms.put(ChatRoom(incident_id="inc3", room="C3", archive_at=NOW), version=None)
    assert [r.incident_id for r in rooms.due_for_archive(NOW)] == ["inc3"]

    rooms.put(ChatRoom(incident_id="inc3", room="C3", archive_at=NOW, archived=True), version=version)

    assert [r.incident_id for r in rooms.open_rooms()] == ["inc1"]
    assert rooms.due_for_archive(NOW) == []


def test_records_kept_from_before_the_index_are_marked_once(config: Any, monkeypatch: Any) -> None:
    from klaxon.adapters import live_index
    from klaxon.adapters.postmortem_store import DynamoPostmortems

    def written_before_the_index(p: Postmortem, version: int) -> None:
        config(pk="postmortem", sk=p.incident_id, doc=p.model_dump(mode="json"), value=version).save()

    written_before_the_index(postmortem("inc1", PostmortemStatus.DRAFT), 3)
    written_before_the_index(postmortem("inc2", PostmortemStatus.PUBLISHED), 1)
    store = DynamoPostmortems()

    assert [p.incident_id for p in store.live()] == ["inc1"]  # the first read marks the live one

    assert config.get("postmortem", "inc1").value == 3  # its version kept: no writer is made to conflict
    assert config.get(live_index.MARK_PK, "postmortem").pk == live_index.MARK_PK
    monkeypatch.setattr(live_index, "_marked", set())  # another process: it reads the mark
    clock = live_index.time.time
    monkeypatch.setattr(live_index.time, "time", lambda: clock() + live_index.SETTLING_SECONDS)
    written_before_the_index(postmortem("inc4", PostmortemStatus.DRAFT), 1)
    assert [p.incident_id for p in store.live()] == ["inc1"]  # an hour on: the marking is not redone


def test_the_marking_leaves_a_record_written_meanwhile_to_its_writer(config: Any, monkeypatch: Any) -> None:
    from klaxon.adapters import live_index
    from klaxon.adapters.postmortem_store import DynamoPostmortems

    old = postmortem("inc1", PostmortemStatus.DRAFT)
    config(pk="postmortem", sk="inc1", doc=old.model_dump(mode="json"), value=1).save()
    store = DynamoPostmortems()
    query, writes = config.query, [old.model_copy(update={"status": PostmortemStatus.PUBLISHED})]

    def a_writer_publishes_it_after_the_read(*args: Any, **kwargs: Any) -> Any:
        read = list(query(*args, **kwargs))
        while writes:  # after the marking's read of the partition (the index is queried through it too)
            store.put(writes.pop(), version=1)
        return read

    monkeypatch.setattr(config, "query", a_writer_publishes_it_after_the_read)

    assert store.live() == []
    assert config.get("postmortem", "inc1").live is None  # the writer's word stands: not live
    assert config.get(live_index.MARK_PK, "postmortem") is not None


def window(window_id: str, *, days_ahead: int = 1, added: int = 0) -> Any:
    """A 15-minute window `days_ahead` days after NOW (the timer's time when it marks)."""
    from datetime import UTC, datetime, timedelta

    from klaxon.domain.noise.maintenance import MaintenanceWindow

    start = NOW + timedelta(days=days_ahead)
    created = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=added)
    return MaintenanceWindow(
        id=window_id,
        name="Deploy",
        services=("checkout",),
        start=start,
        end=start + timedelta(minutes=15),
        created_at=created,
    )


def kept_from_before(config: Any, window_doc: Any) -> None:
    """A window as the version before the index wrote it: no `live`, no `value`."""
    from klaxon.adapters.maintenance_store import WINDOW_PK

    config(pk=WINDOW_PK, sk=window_doc.id, doc=window_doc.model_dump(mode="json")).save()


def test_a_retired_window_is_not_current_and_stays_listed(config: Any) -> None:
    from klaxon.adapters.maintenance_store import DynamoMaintenanceStore

    store = DynamoMaintenanceStore()
    for window_id in ("w1", "w2"):
        store.add(window(window_id))
    assert len(store.current(NOW, marking=True)) == 2  # the timer's read, before it retires what ended

    store.retire(window("w1"))
    store.retire(window("gone"))  # removed meanwhile: nothing to do

    assert [w.id for w in store.current(NOW)] == ["w2"]
    assert sorted(w.id for w in store.list()) == ["w1", "w2"]


def test_retiring_leaves_a_window_added_again_under_the_same_id(config: Any) -> None:
    from klaxon.adapters.maintenance_store import DynamoMaintenanceStore

    store = DynamoMaintenanceStore()
    first = window("deploy", added=1)
    store.add(first)
    store.current(NOW, marking=True)
    store.remove("deploy")
    store.add(window("deploy", added=2))  # the pipeline's next deploy, between the timer's read and write

    store.retire(first)

    assert [w.created_at for w in store.current(NOW)] == [window("deploy", added=2).created_at]


def test_until_the_timer_marks_the_kept_windows_the_router_reads_them_all_and_writes_nothing(
    config: Any, monkeypatch: Any
) -> None:
    from klaxon.adapters import live_index
    from klaxon.adapters.maintenance_store import WINDOW_PK, DynamoMaintenanceStore, stamp

    kept_from_before(config, window("kept"))
    kept_from_before(config, window("over", days_ahead=-1))  # ended yesterday
    store = DynamoMaintenanceStore()

    assert [w.id for w in store.current(NOW)] == ["kept"]  # the router's read: the partition, as before
    assert config.get(WINDOW_PK, "kept").live is None
    assert list(config.query(live_index.MARK_PK)) == []

    asked, marked_at = [], live_index._marked_at
    monkeypatch.setattr(live_index, "_marked_at", lambda pk: asked.append(pk) or marked_at(pk))
    assert [w.id for w in store.current(NOW)] == ["kept"]
    assert asked == []  # it asked a moment ago: it asks again a minute later, not on every new incident

    assert [w.id for w in store.current(NOW, marking=True)] == ["kept"]  # the timer's: marks, then the index

    assert (config.get(WINDOW_PK, "kept").live, config.get(WINDOW_PK, "kept").value) == (
        WINDOW_PK,
        stamp(window("kept")),
    )
    assert config.get(WINDOW_PK, "over").live is None  # ended: never marked, never retired
    monkeypatch.setattr(live_index, "_marked", set())  # a router started after the mark
    monkeypatch.setattr(live_index, "_unmarked_until", {})
    kept_from_before(config, window("late"))
    assert [w.id for w in store.current(NOW)] == ["kept"]  # marked: the router reads the index alone


def test_the_marking_reader_marks_again_while_a_deployment_may_still_be_rolling_out(
    config: Any, monkeypatch: Any
) -> None:
    from klaxon.adapters import live_index
    from klaxon.adapters.maintenance_store import DynamoMaintenanceStore

    store = DynamoMaintenanceStore()
    store.current(NOW, marking=True)  # the first mark: nothing kept from before
    kept_from_before(config, window("old-code"))  # an API still on the previous version adds one

    assert [w.id for w in store.current(NOW, marking=True)] == ["old-code"]  # marked at the timer's next run

    clock = live_index.time.time
    monkeypatch.setattr(live_index.time, "time", lambda: clock() + live_index.SETTLING_SECONDS)
    kept_from_before(config, window("much-later"))
    assert [w.id for w in store.current(NOW, marking=True)] == ["old-code"]  # settled: no more marking


def test_a_process_that_forgot_the_marks_reads_them_again(config: Any, monkeypatch: Any) -> None:
    """`forget`: as a process started afresh, it reads the mark's date again (bench_growth dates it)."""
    from klaxon.adapters import live_index
    from klaxon.adapters.maintenance_store import DynamoMaintenanceStore

    store = DynamoMaintenanceStore()
    store.current(NOW, marking=True)  # the first mark, dated now
    clock = live_index.time.time
    monkeypatch.setattr(live_index.time, "time", lambda: clock() + live_index.SETTLING_SECONDS)
    store.current(NOW, marking=True)  # an hour on: settled, in this process
    kept_from_before(config, window("old-code"))
    assert store.current(NOW, marking=True) == []  # settled: the timer reads the index alone

    for mark in config.query(live_index.MARK_PK):  # dated now again: the hour after a deployment
        mark.update(actions=[config.value.set(int(live_index.time.time()))])
    assert store.current(NOW, marking=True) == []  # this process still believes it settled
    live_index.forget()
    assert [w.id for w in store.current(NOW, marking=True)] == ["old-code"]  # settling: it marks again


def test_while_the_index_is_being_built_readers_read_the_partition(config: Any, monkeypatch: Any) -> None:
    from botocore.exceptions import ClientError
    from pynamodb.exceptions import QueryError

    from klaxon.adapters.maintenance_store import DynamoMaintenanceStore

    store = DynamoMaintenanceStore()
    store.add(window("w1"))
    store.current(NOW, marking=True)
    refusal = ClientError({"Error": {"Code": "ValidationException", "Message": "no such index"}}, "Query")

    def building(*args: Any, **kwargs: Any) -> Any:
        raise QueryError("Failed to query items", cause=refusal)

    monkeypatch.setattr(config.by_live, "query", building)
    assert [w.id for w in store.current(NOW)] == ["w1"]
