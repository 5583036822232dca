"""Action items as tickets: filed on publish or at once when added, retried with a growing wait while the
tracker fails (never lost), completed by webhook or poll, and edits that keep what only Klaxon writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klaxon.domain.postmortem.actions import (
    RETRY_MOST,
    Completion,
    Filing,
    Ticket,
    TrackerFailed,
    TrackerKind,
    TrackerPolicy,
    TrackerTarget,
    retry_after,
)
from klaxon.domain.postmortem.models import (
    ActionItem,
    Postmortem,
    PostmortemChange,
    PostmortemPolicy,
    PostmortemStatus,
    edited_items,
)
from klaxon.events import DetailType
from klaxon.services.postmortem.actions import ActionService
from klaxon.services.postmortem.postmortems import PostmortemService
from tests.fakes.memory import CountingIds, FixedClock, MemoryPostmortems, RecordingBus
from tests.unit.postmortem import factories
from tests.unit.postmortem.factories import NOW

OPS = TrackerTarget(id="ops-jira", kind=TrackerKind.JIRA, site="https://jira.test", project="OPS")
POLICY = PostmortemPolicy(trackers=TrackerPolicy(trackers={OPS.id: OPS}, default=OPS.id))


@dataclass
class FakeTracker:
    failing: int = 0  # the next this many calls fail
    filed: list[str] = field(default_factory=list)
    done: dict[str, datetime | None] = field(default_factory=dict)

    def file(self, item: ActionItem, postmortem: Postmortem, link: str) -> Ticket:
        if self.failing:
            self.failing -= 1
            raise TrackerFailed("Jira answered POST /rest/api/3/issue with 503")
        key = f"OPS-{len(self.filed) + 1}"
        self.filed.append(f"{item.title} <{link}>")
        return Ticket(tracker=OPS.id, kind=TrackerKind.JIRA, key=key, id=key, url=f"https://jira.test/{key}")

    def completions(self, tickets: Sequence[Ticket]) -> dict[str, datetime | None]:
        if self.failing:
            self.failing -= 1
            raise TrackerFailed("Jira could not be reached")
        return {t.key: self.done.get(t.key) for t in tickets}


class MemoryIndex:
    def __init__(self) -> None:
        self.tickets: dict[tuple[str, str], tuple[str, str]] = {}

    def put(self, ticket: Ticket, incident_id: str, item_id: str) -> None:
        self.tickets[(ticket.tracker, ticket.key)] = (incident_id, item_id)

    def find(self, tracker: str, key: str) -> tuple[str, str] | None:
        return self.tickets.get((tracker, key))


class World:
    def __init__(self, policy: PostmortemPolicy = POLICY, credentials: bool = True) -> None:
        self.store, self.clock, self.bus = MemoryPostmortems(), FixedClock(NOW), RecordingBus()
        self.tracker, self.index, self.ids = FakeTracker(), MemoryIndex(), CountingIds()
        self.actions = ActionService(
            store=self.store,
            policy=lambda: policy,
            trackers=lambda target: self.tracker if credentials else None,
            index=self.index,
            clock=self.clock,
            ids=self.ids,
            link=lambda incident_id: f"https://klaxon.test/v1/incidents/{incident_id}/postmortem",
            bus=self.bus,
        )
        self.store.put(postmortem(), version=None)

    def items(self) -> list[ActionItem]:
        found = self.store.get("inc1")
        assert found is not None
        return found[0].action_items

    def publish(self, *items: ActionItem) -> None:
        current, version = self.store.get("inc1") or (None, None)
        assert current is not None
        service = PostmortemService(
            store=self.store,
            incidents=None,  # type: ignore[arg-type]
            timeline=None,  # type: ignore[arg-type]
            public_incident=lambda _: None,
            policy=lambda: POLICY,
            clock=self.clock,
            ids=self.ids,
        )
        change = PostmortemChange(status=PostmortemStatus.PUBLISHED, action_items=list(items))
        service.update("inc1", change, version or 0, "dave")


def postmortem(**fields: object) -> Postmortem:
    return factories.postmortem(**fields)


def test_a_published_post_mortems_items_are_filed_once_each_with_a_link_back():
    world = World()
    world.publish(ActionItem(title="Alert on queue depth"), ActionItem(title="Canary deploys"))
    world.actions.file("inc1")
    world.actions.file("inc1")  # the event again: nothing is filed twice

    assert world.tracker.filed == [
        "Alert on queue depth <https://klaxon.test/v1/incidents/inc1/postmortem>",
        "Canary deploys <https://klaxon.test/v1/incidents/inc1/postmortem>",
    ]
    assert [(i.ticket.key if i.ticket else None) for i in world.items()] == ["OPS-1", "OPS-2"]
    assert world.index.find("ops-jira", "OPS-2") == ("inc1", world.items()[1].id)


def test_filing_reads_the_post_mortem_once_and_writes_the_claim_and_the_results(monkeypatch):
    world = World()
    world.publish(ActionItem(title="Alert on queue depth"), ActionItem(title="Canary deploys"))
    calls: list[str] = []
    get, put = world.store.get, world.store.put
    monkeypatch.setattr(world.store, "get", lambda *a, **k: (calls.append("get"), get(*a, **k))[1])
    monkeypatch.setattr(world.store, "put", lambda *a, **k: (calls.append("put"), put(*a, **k))[1])
    world.actions.file("inc1")
    assert calls == ["get", "put", "put"]
    assert all(i.ticket is not None for i in world.items())


def test_a_write_that_meets_another_writer_reads_again_and_files_each_item_once(monkeypatch):
    world = World()
    world.publish(ActionItem(title="Alert on queue depth"))
    put = world.store.put
    raced = []

    def edited_meanwhile(postmortem, *, version):
        if not raced:  # someone saves the post-mortem between our read and our claim
            raced.append(True)
            current, now = world.store.get("inc1") or (None, None)
            put(current.model_copy(update={"markdown": "# Edited\n"}), version=now)
        return put(postmortem, version=version)

    monkeypatch.setattr(world.store, "put", edited_meanwhile)
    world.actions.file("inc1")
    assert len(world.tracker.filed) == 1 and world.items()[0].ticket is not None
    found = world.store.get("inc1")
    assert found is not None and found[0].markdown == "# Edited\n"  # their edit kept


def test_a_drafts_items_wait_for_publishing_but_an_added_one_is_filed_at_once():
    world = World()
    current, version = world.store.get("inc1") or (None, 0)
    assert current is not None
    world.store.put(
        current.model_copy(update={"action_items": [ActionItem(title="Later", id="a")]}), version=version
    )
    added = world.actions.add("inc1", ActionItem(title="Now", owner="erin", due=date(2026, 12, 24)), "dave")

    assert added.id and added.filing == Filing(next_at=NOW)
    assert world.bus.types() == [DetailType.ACTION_ITEMS_ADDED]
    world.actions.file("inc1")
    assert [i.title for i in world.items() if i.ticket] == ["Now"]
    assert [
        w.item.title for w in world.actions.waiting()
    ] == []  # "Later" waits for publishing, not a tracker


def test_a_failing_tracker_leaves_items_waiting_and_retries_them_with_a_growing_wait():
    world = World()
    world.tracker.failing = 3
    world.publish(ActionItem(title="Alert on queue depth"))
    world.actions.file("inc1")

    (item,) = world.items()
    assert item.ticket is None and item.filing is not None
    assert (item.filing.attempts, item.filing.next_at) == (1, NOW + timedelta(minutes=1))
    assert "503" in (item.filing.error or "")
    assert [w.item.id for w in world.actions.waiting()] == [item.id]

    assert world.actions.file_due() == []  # its wait is not over
    world.clock.at = NOW + timedelta(minutes=1)
    assert world.actions.file_due() == ["inc1"]
    assert world.items()[0].filing == Filing(
        attempts=2, next_at=world.clock.at + timedelta(minutes=2), error=item.filing.error
    )
    world.clock.at += timedelta(minutes=2)
    world.actions.file_due()
    world.clock.at += timedelta(minutes=4)
    world.actions.file_due()

    (item,) = world.items()
    assert item.ticket is not None and item.filing is None
    assert world.actions.waiting() == []


def test_without_credentials_items_wait_and_nothing_is_lost():
    world = World(credentials=False)
    world.publish(ActionItem(title="Alert on queue depth"))
    world.actions.file("inc1")
    assert [w.item.title for w in world.actions.waiting()] == ["Alert on queue depth"]


def test_a_service_no_tracker_takes_keeps_its_items_in_klaxon():
    world = World(policy=PostmortemPolicy())
    world.publish(ActionItem(title="Alert on queue depth"))
    world.actions.file("inc1")
    assert world.tracker.filed == []


def test_webhooks_and_the_poll_mark_items_done_and_a_reopened_ticket_open_again():
    world = World()
    world.publish(ActionItem(title="A"), ActionItem(title="B"))
    world.actions.file("inc1")
    done = NOW + timedelta(days=3)

    assert world.actions.completed(Completion("ops-jira", "OPS-1", done))
    assert not world.actions.completed(Completion("ops-jira", "OPS-99", done))  # not ours: ignored
    assert [i.done_at for i in world.items()] == [done, None]

    world.tracker.done = {"OPS-1": done, "OPS-2": done + timedelta(hours=1)}
    assert world.actions.poll() == 1  # only B changed: a webhook never came for it
    assert [i.done_at for i in world.items()] == [done, done + timedelta(hours=1)]

    world.actions.completed(Completion("ops-jira", "OPS-1", None))
    assert world.items()[0].done_at is None


def test_a_poll_while_the_tracker_is_down_changes_nothing():
    world = World()
    world.publish(ActionItem(title="A"))
    world.actions.file("inc1")
    world.tracker.failing, world.tracker.done = 1, {"OPS-1": NOW}
    assert world.actions.poll() == 0
    assert world.items()[0].done_at is None


def test_an_edit_keeps_each_items_ticket_and_gives_new_items_ids():
    ticket = Ticket(tracker="ops-jira", kind=TrackerKind.JIRA, key="OPS-1", id="1", url="u")
    current = [ActionItem(id="a", title="A", ticket=ticket, done_at=NOW, created_at=NOW)]
    edited = [
        ActionItem(id="a", title="A, renamed", ticket=None, done_at=None),  # a client cannot drop the ticket
        ActionItem(title="New", ticket=ticket),  # nor give a new item one
    ]
    ids = iter(["b"])
    result = edited_items(current, edited, NOW + timedelta(hours=1), lambda: next(ids))
    assert [(i.id, i.title, i.ticket, i.done_at) for i in result] == [
        ("a", "A, renamed", ticket, NOW),
        ("b", "New", None, None),
    ]
    assert result[1].created_at == NOW + timedelta(hours=1)


@given(st.integers(min_value=1, max_value=10_000))
def test_the_wait_grows_and_never_passes_six_hours(attempts):
    assert timedelta(minutes=1) <= retry_after(attempts) <= RETRY_MOST
    assert retry_after(attempts + 1) >= retry_after(attempts)


def test_a_stored_item_without_an_id_gets_one_before_it_is_filed():
    world = World()
    current, version = world.store.get("inc1") or (None, 0)
    assert current is not None
    old = current.model_copy(
        update={"status": PostmortemStatus.PUBLISHED, "action_items": [ActionItem(title="Old")]}
    )
    world.store.put(old, version=version)
    world.actions.file("inc1")
    (item,) = world.items()
    assert item.id and item.ticket is not None


@pytest.mark.parametrize("published", [False, True])
def test_a_hundredth_item_is_the_last(published):
    world = World()
    current, version = world.store.get("inc1") or (None, 0)
    assert current is not None
    items = [ActionItem(id=str(n), title=f"item {n}") for n in range(100)]
    world.store.put(current.model_copy(update={"action_items": items}), version=version)
    from klaxon.domain.errors import Conflict

    with pytest.raises(Conflict, match="100 action items"):
        world.actions.add("inc1", ActionItem(title="one more"), "dave")


def test_two_runs_at_once_file_an_item_once_and_a_dead_runs_hold_ends():
    world = World()
    world.publish(ActionItem(title="Alert on queue depth"))
    real = world.tracker.file

    def file_while_another_run_starts(item, postmortem, link):
        world.actions.file("inc1")  # the retries' timer, at the same moment: finds the item held
        return real(item, postmortem, link)

    world.tracker.file = file_while_another_run_starts  # type: ignore[method-assign]
    world.actions.file("inc1")
    assert len(world.tracker.filed) == 1

    dead = World()
    dead.publish(ActionItem(title="Canary deploys"))

    def die(item, postmortem, link):
        raise SystemExit("the run died mid-call")

    dead.tracker.file = die  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        dead.actions.file("inc1")
    dead.tracker.file = FakeTracker().file  # type: ignore[method-assign]
    assert dead.actions.file_due() == []  # held by the dead run
    dead.clock.at = NOW + timedelta(minutes=2)
    assert dead.actions.file_due() == ["inc1"]
    assert dead.items()[0].ticket is not None
