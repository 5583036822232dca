"""Publishing the status page: only a change renders, at most once a second, the last change always, and
never two renders at once (klaxon.domain.statuspage.render_gate, klaxon.services.statuspage.publisher)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from klaxon.domain.statuspage.render_gate import (
    LEASE,
    MIN_INTERVAL,
    POLL,
    Done,
    Render,
    RenderMark,
    WaitUntil,
    clock_key,
    digest_of,
    next_step,
)
from klaxon.ports import Published
from klaxon.services.statuspage.public_incidents import StatusPageService
from klaxon.services.statuspage.publisher import GIVE_UP, PublishBehind, StatusPagePublisher
from tests.fakes.memory import CountingIds, FixedClock, RecordingBus
from tests.fakes.statuspage import MemoryRenderMarks, MemorySite, MemoryStatusIncidents
from tests.unit.statuspage.test_statuspage_service import DEMO, RESOLVED, TRIGGERED, snap

NOW = FixedClock().now()


# --- the rule -----------------------------------------------------------------------------------------------


def test_a_state_already_published_is_done_unless_forced():
    mark = RenderMark("d1", NOW - timedelta(minutes=5))
    assert next_step(mark, "d1", NOW, forced=False) == Done()
    assert next_step(mark, "d1", NOW, forced=True) == Render()


def test_a_change_renders_at_once_after_a_quiet_second():
    assert next_step(RenderMark(), "d1", NOW, forced=False) == Render()
    assert next_step(RenderMark("d0", NOW - MIN_INTERVAL), "d1", NOW, forced=False) == Render()


def test_a_change_within_a_second_of_the_last_render_waits_for_the_second_to_pass():
    rendered = NOW - timedelta(milliseconds=300)
    assert next_step(RenderMark("d0", rendered), "d1", NOW, forced=False) == WaitUntil(
        rendered + MIN_INTERVAL
    )


def test_a_render_under_way_is_waited_on_a_little_at_a_time_until_its_lease_ends():
    long_lease = RenderMark("d0", NOW - timedelta(seconds=5), lease_until=NOW + LEASE)
    assert next_step(long_lease, "d1", NOW, forced=True) == WaitUntil(NOW + POLL)
    ending = RenderMark("d0", NOW - timedelta(seconds=5), lease_until=NOW + timedelta(milliseconds=100))
    assert next_step(ending, "d1", NOW, forced=False) == WaitUntil(NOW + timedelta(milliseconds=100))


def test_a_lapsed_lease_no_longer_holds_anyone_back():
    lapsed = RenderMark("d0", NOW - timedelta(minutes=3), lease_until=NOW - timedelta(seconds=1))
    assert next_step(lapsed, "d1", NOW, forced=False) == Render()


# --- the publisher ------------------------------------------------------------------------------------------


class Rig:
    def __init__(self) -> None:
        self.clock = FixedClock()
        self.sleeps: list[float] = []
        self.service = StatusPageService(
            store=MemoryStatusIncidents(), settings=lambda: DEMO, bus=RecordingBus(), clock=self.clock,
            ids=CountingIds(),
        )  # fmt: skip
        self.marks = MemoryRenderMarks()
        self.publisher = StatusPagePublisher(
            snapshot=self.service.snapshot, marks=self.marks, clock=self.clock, sleep=self._sleep
        )
        self.site = MemorySite()
        self.during_sleep: list[object] = []  # callables run while a publisher sleeps (others' work)

    def _sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.clock.advance(seconds=seconds)
        while self.during_sleep:
            self.during_sleep.pop(0)()  # type: ignore[operator]

    def open(self, n: int) -> None:
        self.service.on_incident(TRIGGERED, snap(n))

    def shown(self) -> list[str]:
        return [i["name"] for i in json.loads(self.site.files["api/v2/summary.json"])["incidents"]]


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_publishing_renders_the_page_with_the_open_incident(rig):
    rig.open(1)
    rig.publisher.publish(rig.site)
    assert rig.shown() == ["Major outage of Checkout"]
    assert rig.marks.mark.lease_until is None and rig.marks.mark.rendered_at == rig.clock.now()


def test_an_event_that_changes_nothing_public_renders_nothing(rig):
    rig.open(1)
    rig.publisher.publish(rig.site)
    rig.clock.advance(seconds=20)  # the same minute: the open incident's duration reads the same
    assert rig.publisher.publish(rig.site) == Published()
    assert len(rig.site.uploads) == 1 and rig.sleeps == []


def test_a_forced_publish_renders_an_unchanged_page_again(rig):
    rig.open(1)
    rig.publisher.publish(rig.site)
    rig.clock.advance(seconds=20)
    rig.publisher.publish(rig.site, forced=True)
    assert len(rig.site.uploads) == 2


def test_while_an_incident_is_open_the_next_event_a_minute_later_renders_its_duration_anew(rig):
    rig.open(1)
    rig.publisher.publish(rig.site)
    rig.clock.advance(minutes=1)
    rig.publisher.publish(rig.site)
    assert len(rig.site.uploads) == 2 and "index.html" in rig.site.uploads[1]


def test_with_every_incident_resolved_only_a_new_day_renders_an_unchanged_page(rig):
    rig.open(1)
    rig.service.on_incident(RESOLVED, snap(1))
    rig.publisher.publish(rig.site)
    rig.clock.advance(hours=1)
    rig.publisher.publish(rig.site)
    assert len(rig.site.uploads) == 1
    rig.clock.advance(days=1)
    rig.publisher.publish(rig.site)
    assert len(rig.site.uploads) == 2


def test_a_change_within_a_second_of_a_render_is_rendered_once_the_second_has_passed(rig):
    rig.open(1)
    rig.publisher.publish(rig.site)
    rig.clock.advance(seconds=0.25)
    rig.open(2)
    rig.publisher.publish(rig.site)
    assert rig.sleeps == [0.75]
    assert len(rig.shown()) == 2 and len(rig.site.uploads) == 2


def test_changes_made_while_a_publisher_waits_are_rendered_by_its_one_render(rig):
    rig.open(1)
    rig.publisher.publish(rig.site)
    rig.open(2)
    rig.during_sleep += [lambda: rig.open(3), lambda: rig.open(4)]
    rig.publisher.publish(rig.site)
    assert len(rig.site.uploads) == 2 and len(rig.shown()) == 4


def test_a_change_made_during_a_render_is_rendered_after_it_a_second_later(rig):
    class ChangingSite(MemorySite):
        def publish(self, files):  # type: ignore[no-untyped-def]
            if len(self.uploads) == 0:
                rig.open(2)  # an event lands while the first render runs: it read the state before
            return super().publish(files)

    rig.site = ChangingSite()
    rig.open(1)
    rig.publisher.publish(rig.site)
    assert len(rig.site.uploads) == 2 and len(rig.shown()) == 2
    assert rig.sleeps == [1.0]  # the trailing render waited for the second to pass


def test_a_publisher_waits_for_another_s_render_and_is_done_if_it_rendered_the_same_state(rig):
    rig.open(1)
    state = rig.service.snapshot()
    assert state is not None
    digest = digest_of(state.model_dump_json(), clock_key(rig.clock.now(), live=True))
    other = RenderMark(None, rig.clock.now(), lease_until=rig.clock.now() + timedelta(seconds=2))
    rig.marks.replace(0, other)
    rig.during_sleep.append(lambda: rig.marks.replace(1, RenderMark(digest, rig.clock.now())))
    assert rig.publisher.publish(rig.site) == Published()
    assert rig.site.uploads == [] and rig.sleeps == [POLL.total_seconds()]


def test_a_failed_render_gives_the_lease_back_and_fails(rig):
    class BrokenSite(MemorySite):
        def publish(self, files):  # type: ignore[no-untyped-def]
            raise OSError("bucket unreachable")

    rig.open(1)
    with pytest.raises(OSError):
        rig.publisher.publish(BrokenSite())
    assert rig.marks.mark == RenderMark()  # nothing recorded as published, no lease left
    rig.publisher.publish(rig.site)
    assert rig.shown() == ["Major outage of Checkout"]


def test_a_lease_that_never_ends_fails_the_publish_after_a_while_so_it_is_retried(rig):
    rig.open(1)
    rig.marks.replace(0, RenderMark(None, rig.clock.now(), lease_until=rig.clock.now() + timedelta(days=1)))
    with pytest.raises(PublishBehind):
        rig.publisher.publish(rig.site)
    assert sum(rig.sleeps) == pytest.approx(GIVE_UP.total_seconds())
