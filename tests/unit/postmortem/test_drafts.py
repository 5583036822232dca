"""Post-mortem drafts: durations, the people, the timeline in order, one draft per incident, safe edits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klaxon.domain.errors import Conflict
from klaxon.domain.incident.models import IncidentStatus, Priority, TimelineEntry
from klaxon.domain.postmortem.durations import durations
from klaxon.domain.postmortem.models import ActionItem, PostmortemChange, PostmortemPolicy, PostmortemStatus
from klaxon.services.postmortem.postmortems import PostmortemService
from tests.fakes.memory import FixedClock, MemoryIncidents, MemoryPostmortems, MemoryTimeline
from tests.unit.chat.test_room_service import OPENED, an_incident


def entry(minutes: float, kind: str, actor: str, message: str = "", **data: Any) -> TimelineEntry:
    return TimelineEntry(
        subject="inc1",
        at=OPENED + timedelta(minutes=minutes),
        kind=kind,
        actor=actor,
        message=message,
        data=data,
    )


RESOLVED = dict(
    status=IncidentStatus.RESOLVED,
    started_at=OPENED - timedelta(minutes=4),
    acknowledged_at=OPENED + timedelta(minutes=3),
    acknowledged_by="carol",
    resolved_at=OPENED + timedelta(minutes=47),
    resolved_by="carol",
    roles={"commander": "dave"},
)
TIMELINE = [
    entry(0, "triggered", "integration:checkout-events", "Triggered by pagerduty alert"),
    entry(
        1, "notified", "system:escalation", "Paged carol", notification={"user": "carol", "channel": "sms"}
    ),
    entry(3, "acknowledged", "carol", "Acknowledged by carol"),
    entry(20, "chat message", "dave", "Rolling back deploy 1234"),
    entry(31, "status update", "dave", "Status page: monitoring: fix is out", status="monitoring"),
    entry(47, "resolved", "carol", "Resolved by carol"),
]


class World:
    def __init__(self, **incident: Any) -> None:
        self.timeline = MemoryTimeline()
        for e in TIMELINE:
            self.timeline.add(e)
        self.incidents = MemoryIncidents(self.timeline)
        self.incidents.items["inc1"] = an_incident(**{**RESOLVED, **incident})
        self.store = MemoryPostmortems()
        self.clock = FixedClock(OPENED + timedelta(hours=1))
        self.policy = PostmortemPolicy()
        self.service = PostmortemService(
            store=self.store,
            incidents=self.incidents,
            timeline=self.timeline,
            public_incident=lambda incident_id: None,
            policy=lambda: self.policy,
            clock=self.clock,
        )


def test_an_incidents_postmortem_is_one_read_of_its_own_record():
    world = World()
    assert world.service.of("inc1") is None and not world.service.exists("inc1")
    draft = world.service.draft("inc1")
    world.store.all = lambda: pytest.fail("read every post-mortem for one")  # type: ignore[method-assign]
    assert world.service.of("inc1") == draft and world.service.exists("inc1")


def test_the_draft_has_the_durations_people_and_timeline_and_is_owned_by_the_commander():
    world = World()
    draft = world.service.draft("inc1")
    assert draft is not None
    assert (draft.owner, draft.due, draft.status) == (
        "dave",
        OPENED + timedelta(minutes=47, hours=48),
        "draft",
    )
    text = draft.markdown
    assert text.startswith("# Post-mortem: #42 Checkout down\n")
    for line in [
        "- Time to detect: 4 min",
        "- Time to acknowledge: 3 min (2026-09-25 14:06)",
        "- Time to mitigate: 31 min (2026-09-25 14:34)",
        "- Time to resolve: 47 min (2026-09-25 14:50)",
        "- dave: commander, took part",
        "- carol: paged by sms, acknowledged, resolved",
        "- 2026-09-25 14:23 · chat message · dave: Rolling back deploy 1234",
        "## Root cause",
        "## Where we got lucky",
    ]:
        assert line in text, line
    lines = text.splitlines()  # each figure on a line of its own (a Jinja block once ate a line break)
    assert "- Alerts: 1" in lines and "- Status page: no component was affected" in lines
    timeline = text[text.index("## Timeline") : text.index("## Root cause")]
    assert timeline.index("triggered") < timeline.index("acknowledged") < timeline.index("resolved")


def test_a_war_room_of_hundreds_of_messages_is_drafted_to_its_end():
    world = World()
    for n in range(600):  # the timeline read used to stop at 500 entries, before the resolve
        world.timeline.add(entry(5 + n / 60, "chat message", "dave", f"step {n}"))
    text = world.service.draft("inc1").markdown
    timeline = text[text.index("## Timeline") : text.index("## Root cause")]
    assert "step 599" in timeline and "resolved" in timeline.split("step 599")[1]


def test_the_draft_names_the_services_changes_from_a_day_before_it_began_to_its_end():
    world = World()

    def change(hours: float, summary: str, service: str = "checkout") -> TimelineEntry:
        return TimelineEntry(
            subject=f"service:{service}",
            at=OPENED + timedelta(hours=hours),
            kind="change",
            actor="integration:deploys",
            message=summary,
            data={
                "source": "ci",
                "links": [
                    {"href": "https://ci.example/1", "text": None},
                    {"href": "https://x>\n## Injected", "text": None},
                    {"href": "javascript:alert(1)", "text": None},
                ],
            },
        )

    for e in [
        change(-30, "too early"),
        change(-2, "deployed v1.2"),
        change(0.5, "rolled back to v1.1"),
        change(-1, "another service's", service="search"),
        change(5, "after it resolved"),
    ]:
        world.timeline.add(e)
    text = world.service.draft("inc1").markdown
    changes = text[text.index("## Changes") : text.index("## People")]
    assert changes.splitlines()[2:4] == [
        "- 2026-09-25 12:03 · integration:deploys: deployed v1.2 <https://ci.example/1>",
        "- 2026-09-25 14:33 · integration:deploys: rolled back to v1.1 <https://ci.example/1>",
    ]
    assert "too early" not in text and "another service" not in text and "after it resolved" not in text
    assert (
        "Injected" not in text and "javascript" not in text
    )  # a sender's link text writes no lines of its own
    assert "No change event was sent for checkout" in World().service.draft("inc1").markdown


def test_the_changes_are_read_newest_first_a_page_at_a_time_only_back_to_the_window(monkeypatch):
    from klaxon.services.postmortem import postmortems

    monkeypatch.setattr(postmortems, "CHANGE_PAGE", 2)
    world = World()
    hours = [-40, -35, -30, -20, -10, -5, -1, 0.2, 0.5, 3, 4]  # 3 before the window, 6 in it, 2 after it
    for n, at in enumerate(hours):
        world.timeline.add(
            TimelineEntry(
                subject="service:checkout",
                at=OPENED + timedelta(hours=at),
                kind="change",
                actor="ci",
                message=f"change {n}",
                data={"links": []},
            )
        )
    pages = []
    page = world.timeline.page

    def counted(*args, **kwargs):
        pages.append(args[1])
        return page(*args, **kwargs)

    world.timeline.page = counted  # type: ignore[method-assign]
    text = world.service.draft("inc1").markdown
    changes = text[text.index("## Changes") : text.index("## People")]
    assert [line.rsplit(": ", 1)[1] for line in changes.splitlines()[2:-1]] == [
        f"change {n}" for n in range(3, 9)
    ]
    assert len(pages) == 5  # the page holding the first change before the window is the last read


def test_one_draft_per_incident_and_none_for_open_low_priority_or_drill_incidents():
    world = World()
    first = world.service.draft("inc1")
    world.clock.advance(minutes=5)
    assert world.service.draft("inc1") == first
    for changes in ({"priority": Priority.P3}, {"drill": True}, {"status": IncidentStatus.ACKNOWLEDGED}):
        other = World(**changes)
        assert other.service.draft("inc1") is None
        assert other.store.items == {}


def test_a_teams_template_per_priority_and_a_broken_one_falls_back_to_the_default():
    world = World()
    world.policy = PostmortemPolicy(templates={Priority.P1: "# {{ incident.title }} owned by {{ owner }}\n"})
    assert world.service.draft("inc1").markdown == "# Checkout down owned by dave"
    world = World()
    world.policy = PostmortemPolicy(templates={Priority.P1: "{{ no_such_value }}"})
    text = world.service.draft("inc1").markdown
    assert text.startswith("> The configured template failed ('no_such_value' is undefined)")
    assert "# Post-mortem: #42 Checkout down" in text


def test_edits_need_the_version_read_and_publishing_stamps_it():
    world = World()
    world.service.draft("inc1")
    edited, version = world.service.update("inc1", PostmortemChange(markdown="# Better"), 1, "carol")
    assert (edited.markdown, edited.updated_by, version) == ("# Better", "carol", 2)
    with pytest.raises(Conflict, match=r"changed since version 1 was read \(it is at 2, saved by carol\)"):
        world.service.update("inc1", PostmortemChange(markdown="# Mine"), 1, "dave")
    items = [ActionItem(title="Alert on pool size")]
    published, _ = world.service.update(
        "inc1", PostmortemChange(status=PostmortemStatus.PUBLISHED, action_items=items), 2, "dave"
    )
    assert published.published_at == world.clock.now()
    assert [(i.title, i.created_at) for i in published.action_items] == [(items[0].title, world.clock.now())]
    assert published.action_items[0].id  # given by Klaxon: what its ticket and webhooks refer to


def test_the_index_searches_by_service_priority_words_and_overdue():
    world = World()
    world.service.draft("inc1")
    assert [p.incident_id for p in world.service.find(text="rolling BACK")] == ["inc1"]
    assert world.service.find(service="payments") == []
    assert world.service.find(priority=Priority.P2) == []
    assert world.service.find(overdue=True) == []
    world.clock.advance(hours=48)
    assert [p.incident_id for p in world.service.find(overdue=True)] == ["inc1"]


moments = st.integers(min_value=0, max_value=10_000)


@given(before=moments, ack=st.none() | moments, resolve=moments, mitigate=st.none() | moments)
def test_durations_are_never_negative_and_acknowledging_comes_before_resolving(
    before, ack, resolve, mitigate
):
    opened = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # a DST change in New York: nothing here cares
    resolved = opened + timedelta(minutes=resolve)
    acknowledged = None if ack is None else min(opened + timedelta(minutes=ack), resolved)
    incident = an_incident(
        created_at=opened,
        started_at=opened - timedelta(minutes=before),
        acknowledged_at=acknowledged,
        resolved_at=resolved,
        status=IncidentStatus.RESOLVED,
    )
    marks = (
        []
        if mitigate is None
        else [entry(0, "mitigated", "carol").model_copy(update={"at": opened + timedelta(minutes=mitigate)})]
    )
    found = durations(incident, marks)
    spans = [found.detect, found.acknowledge, found.mitigate, found.resolve]
    assert all(s.minutes is None or s.minutes >= 0 for s in spans)
    assert found.impact_start <= opened
    if found.acknowledge.minutes is not None:
        assert found.acknowledge.minutes <= found.resolve.minutes


class RecordingPublisher:
    kind = "github"

    def __init__(self) -> None:
        self.published: list[str] = []

    def publish(self, postmortem: Any) -> str:
        self.published.append(postmortem.markdown)
        return "https://github.com/acme/postmortems/pull/1"


def test_publishing_announces_itself_and_the_copies_are_recorded_once_published():
    from tests.fakes.memory import RecordingBus

    world = World()
    bus, publisher = RecordingBus(), RecordingPublisher()
    world.service.bus, world.service.publishers = bus, lambda: [publisher]
    world.service.draft("inc1")
    assert world.service.publish("inc1") == {}  # a draft is not published anywhere
    world.service.update("inc1", PostmortemChange(status=PostmortemStatus.PUBLISHED), 1, "dave")
    assert [t for t, _ in bus.events] == ["Postmortem Published"]
    assert world.service.publish("inc1") == {"github": "https://github.com/acme/postmortems/pull/1"}
    assert world.store.get("inc1")[0].copies == {"github": "https://github.com/acme/postmortems/pull/1"}
    assert len(publisher.published) == 1


def test_marks_of_impact_start_and_mitigation_measure_the_durations_again():
    world = World()
    drafted = world.service.draft("inc1")
    assert drafted.durations is not None and drafted.durations.detect_minutes == 4.0
    impact, mitigated = OPENED - timedelta(minutes=10), OPENED + timedelta(minutes=20)
    change = PostmortemChange(impact_start=impact, mitigated_at=mitigated)
    marked, _ = world.service.update("inc1", change, 1, "dave")

    assert (marked.impact_start, marked.mitigated_at) == (impact, mitigated)
    assert (marked.durations.detect_minutes, marked.durations.mitigate_minutes) == (10.0, 20.0)
    lines = marked.markdown.splitlines()
    assert "- Time to detect: 10 min" in lines and "- Time to mitigate: 20 min (2026-09-25 14:23)" in lines
    assert "- Time to acknowledge: 3 min (2026-09-25 14:06)" in lines  # untouched


def test_marks_that_do_not_fit_the_incident_are_refused():
    from klaxon.domain.errors import InvalidInput

    world = World()
    world.service.draft("inc1")
    with pytest.raises(InvalidInput, match="do not fit") as refused:
        change = PostmortemChange(
            impact_start=OPENED + timedelta(minutes=5), mitigated_at=OPENED - timedelta(hours=1)
        )
        world.service.update("inc1", change, 1, "dave")
    assert len(refused.value.errors) == 2


def test_the_draft_says_what_each_customer_lost_and_a_large_share_needs_executive_review():
    from klaxon.domain.sla.customers import IncidentShare
    from tests.unit.reports.test_action_digest import Mailbox

    world = World()
    share = IncidentShare(
        customer="acme",
        customer_name="Acme",
        slo="web",
        target=99.95,
        minutes=14.0,
        allowed_minutes=21.6,
        percent=64.8,
    )
    mailbox = Mailbox()
    world.policy = PostmortemPolicy(executive_emails=("cto@acme.example",))
    world.service.customer_impact = lambda public, resolved: [share]
    world.service.email = mailbox
    drafted = world.service.draft("inc1")

    assert "- Acme: 14 min of its 99.95% web budget (21.6 min), 64.8%" in drafted.markdown.splitlines()
    assert drafted.executive_review
    ((to, email),) = mailbox.sent
    assert to == "cto@acme.example" and email.subject.startswith("Executive review: post-mortem of #42")

    small = World()
    small.service.customer_impact = lambda public, resolved: [share.model_copy(update={"percent": 20.0})]
    assert not small.service.draft("inc1").executive_review
