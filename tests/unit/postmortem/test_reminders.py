"""Reminders to post-mortem owners: a day before, at the due time, each day overdue; each once."""

from __future__ import annotations

from datetime import timedelta

from klaxon.domain.paging.policy import Channel
from klaxon.domain.postmortem.models import PostmortemChange, PostmortemStatus, reminder_due
from klaxon.services.paging.policies import Person
from klaxon.services.postmortem.reminders import PostmortemReminders
from tests.fakes.memory import RecordingNotifier
from tests.unit.postmortem.test_drafts import World

DAVE = Person(
    id="dave",
    name="Dave Diaz",
    contacts={Channel.EMAIL: "dave@acme.example", Channel.SLACK: "UDAVE", Channel.SMS: "+15550101004"},
    rules=(),
)


def reminding() -> tuple[World, PostmortemReminders, RecordingNotifier]:
    world = World()
    world.service.draft("inc1")
    notifier = RecordingNotifier()
    reminders = PostmortemReminders(
        store=world.store, people=lambda: {"dave": DAVE}, notifier=notifier, clock=world.clock
    )
    return world, reminders, notifier


def test_the_owner_is_reminded_a_day_before_at_the_due_time_and_daily_after_by_email_and_slack():
    world, reminders, notifier = reminding()
    due = world.store.get("inc1")[0].due
    world.clock.at = due - timedelta(hours=25)
    assert reminders.remind_due() == []
    world.clock.at = due - timedelta(hours=23)
    assert reminders.remind_due() == ["inc1"]
    assert reminders.remind_due() == []  # once
    assert [p.channel for p in notifier.sent] == [Channel.EMAIL, Channel.SLACK]  # never SMS for this
    assert notifier.sent[0].title == (
        "The post-mortem of #42 Checkout down is due tomorrow (2026-09-27 14:50 UTC): "
        "klaxon postmortem edit 42"
    )
    world.clock.at = due + timedelta(minutes=1)
    assert reminders.remind_due() == ["inc1"]
    world.clock.at = due + timedelta(days=2, minutes=1)
    assert reminders.remind_due() == ["inc1"]
    assert notifier.sent[-1].title.startswith("The post-mortem of #42 Checkout down is 2 day(s) overdue")
    assert world.store.get("inc1")[0].reminders_sent == ["before", "due", "overdue-2"]


def test_a_published_post_mortem_and_an_owner_who_is_no_user_get_nothing():
    world, reminders, notifier = reminding()
    found, version = world.store.get("inc1")
    world.service.update("inc1", PostmortemChange(status=PostmortemStatus.PUBLISHED), version, "dave")
    world.clock.at = found.due + timedelta(days=3)
    assert reminder_due(world.store.get("inc1")[0], world.clock.now()) is None
    assert reminders.remind_due() == []
    world, reminders, notifier = reminding()
    reminders.people = dict
    world.clock.at = world.store.get("inc1")[0].due
    assert reminders.remind_due() == []
    assert notifier.sent == []


def test_a_post_mortem_published_after_the_list_was_read_is_not_reminded():
    world, reminders, notifier = reminding()
    drafted, version = world.store.get("inc1")
    world.service.update("inc1", PostmortemChange(status=PostmortemStatus.PUBLISHED), version, "dave")
    world.store.live = lambda: [drafted]  # the live index still lists it as the draft it was
    world.clock.at = drafted.due

    assert reminders.remind_due() == []
    assert notifier.sent == [] and world.store.get("inc1")[0].reminders_sent == []
