"""Publishing the status page: only a change renders, at most once a second, the last change always, never
two renders at once, and only the renderer waits (klaxon.domain.statuspage.render_gate,
klaxon.services.statuspage.publisher)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from klaxon.domain.statuspage.render_gate import (
    LEASE,
    MIN_INTERVAL,
    RENDER_FOR,
    Claim,
    Done,
    HandOver,
    RenderMark,
    first_step,
)
from klaxon.ports import Published
from klaxon.services.statuspage import publisher as publisher_module
from klaxon.services.statuspage.public_incidents import StatusPageService
from klaxon.services.statuspage.publisher import StatusPagePublisher
from tests.fakes.memory import CountingIds, FixedClock, RecordingBus
from tests.fakes.statuspage import MemoryRenderMarks, MemorySite, MemoryStatusIncidents
from tests.unit.statuspage.test_statuspage_service import DEMO, RESOLVED, TRIGGERED, snap

NOW = FixedClock().now()


# --- the rule -----------------------------------------------------------------------------------------------


def test_a_state_already_published_is_done_unless_forced():
    mark = RenderMark("d1", NOW - timedelta(minutes=5))
    assert first_step(mark, "d1", NOW, forced=False) == Done()
    assert first_step(mark, "d1", NOW, forced=True) == Claim(NOW)


def test_a_change_renders_at_once_after_a_quiet_second():
    assert first_step(RenderMark(), "d1", NOW, forced=False) == Claim(NOW)
    assert first_step(RenderMark("d0", NOW - MIN_INTERVAL), "d1", NOW, forced=False) == Claim(NOW)


def test_a_change_within_a_second_of_the_last_render_renders_when_the_second_has_passed():
    rendered = NOW - timedelta(milliseconds=300)
    assert first_step(RenderMark("d0", rendered), "d1", NOW, forced=False) == Claim(rendered + MIN_INTERVAL)


def test_a_change_made_while_someone_renders_is_handed_over_to_them():
    leased = RenderMark("d0", NOW, lease_until=NOW + LEASE, owner="p1")
    assert first_step(leased, "d1", NOW, forced=False) == HandOver()
    assert first_step(leased, "d1", NOW, forced=True) == HandOver()


def test_a_lapsed_lease_no_longer_holds_anyone_back():
    lapsed = RenderMark("d0", NOW - timedelta(minutes=3), lease_until=NOW - timedelta(seconds=1), owner="p1")
    assert first_step(lapsed, "d1", NOW, forced=False) == Claim(NOW)


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
        self.ids = CountingIds()
        self.publisher = self.new_publisher()
        self.site = MemorySite()
        self.during_sleep: list[object] = []  # run while a publisher sleeps: what others do meanwhile

    def new_publisher(self) -> StatusPagePublisher:
        return StatusPagePublisher(
            snapshot=self.service.snapshot,
            marks=self.marks,
            clock=self.clock,
            ids=self.ids,
            sleep=self._sleep,
        )

    def _sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.clock.advance(seconds=seconds)
        now_running, self.during_sleep = self.during_sleep, []
        for action in now_running:
            action()  # type: ignore[operator]

    def open(self, n: int) -> None:
        self.service.on_incident(TRIGGERED, snap(n))

    def shown(self) -> list[str]:
        return [i["name"] for i in json.loads(self.site.files["api/v2/summary.json"])["incidents"]]


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_publishing_renders_the_page_with_the_open_incident_and_gives_the_lease_back(rig):
    rig.open(1)
    rig.publisher.publish(rig.site)
    assert rig.shown() == ["Major outage of Checkout"]
    assert rig.marks.mark.rendered_at == rig.clock.now()
    assert (rig.marks.mark.lease_until, rig.marks.mark.owner) == (None, None)


def test_a_render_at_once_reads_and_hashes_what_the_page_shows_once(rig, monkeypatch):
    rig.open(1)
    reads: list[object] = []
    read = rig.publisher.snapshot
    rig.publisher.snapshot = lambda: reads.append(1) or read()
    hashed: list[object] = []
    monkeypatch.setattr(publisher_module, "digest_of", lambda *parts: hashed.append(parts) or "d1")
    rig.publisher.publish(rig.site)
    assert (len(reads), len(hashed), len(rig.site.uploads)) == (1, 1, 1)
    assert rig.marks.mark.digest == "d1"


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


def test_publishers_arriving_while_one_waits_to_render_hand_over_and_return_at_once(rig):
    rig.open(1)
    rig.publisher.publish(rig.site)
    rig.open(2)
    others: list[Published] = []

    def another(n: int) -> None:
        rig.open(n)
        others.append(rig.new_publisher().publish(rig.site))

    rig.during_sleep += [lambda: another(3), lambda: another(4)]
    rig.publisher.publish(rig.site)
    assert others == [Published(), Published()]  # they neither rendered nor waited
    assert rig.sleeps == [1.0]  # the renderer's wait: its one render read every change handed over
    assert len(rig.shown()) == 4 and len(rig.site.uploads) == 2


def test_a_change_handed_over_during_a_render_is_rendered_after_it_a_second_later(rig):
    class ChangingSite(MemorySite):
        def publish(self, files):  # type: ignore[no-untyped-def]
            if len(self.uploads) == 0:  # an event lands while the first render uploads
                rig.open(2)
                assert rig.new_publisher().publish(rig) == Published()  # handed over: no render of its own
            return super().publish(files)

    rig.site = ChangingSite()
    rig.open(1)
    rig.publisher.publish(rig.site)
    assert len(rig.site.uploads) == 2 and len(rig.shown()) == 2
    assert rig.sleeps == [1.0]
    assert rig.marks.mark.lease_until is None


def test_a_hand_over_of_a_change_already_rendered_renders_nothing_more(rig):
    class EchoingSite(MemorySite):
        def publish(self, files):  # type: ignore[no-untyped-def]
            if len(self.uploads) == 0:
                mark, version = rig.marks.read()
                rig.marks.replace(version, mark)  # a hand-over whose change this render already has
            return super().publish(files)

    rig.site = EchoingSite()
    rig.open(1)
    rig.publisher.publish(rig.site)
    assert len(rig.site.uploads) == 1 and rig.marks.mark.lease_until is None


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


def test_a_crashed_renderer_s_lease_lapses_and_the_next_publisher_renders(rig):
    rig.open(1)
    crashed = RenderMark(None, rig.clock.now(), lease_until=rig.clock.now() + LEASE, owner="crashed")
    rig.marks.replace(0, crashed)
    assert rig.publisher.publish(rig.site) == Published()  # handed over to a renderer that is gone
    rig.clock.advance(seconds=LEASE.total_seconds() + 1)
    rig.publisher.publish(rig.site)
    assert rig.shown() == ["Major outage of Checkout"]


def test_a_renderer_kept_busy_gives_the_lease_back_after_a_while(rig):
    rig.open(1)
    rig.publisher.publish(rig.site)
    opened = iter(range(2, 1000))

    def keep_busy() -> None:  # every wait, another change is handed over
        rig.open(next(opened))
        rig.new_publisher().publish(rig.site)
        rig.during_sleep.append(keep_busy)

    rig.open(next(opened))
    rig.during_sleep.append(keep_busy)
    rig.publisher.publish(rig.site)
    assert sum(rig.sleeps) <= RENDER_FOR.total_seconds() + MIN_INTERVAL.total_seconds()
    assert rig.marks.mark.lease_until is None
