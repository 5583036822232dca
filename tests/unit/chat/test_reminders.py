"""Status update reminders: an interval per priority since the last public update, a Snooze button."""

from __future__ import annotations

from datetime import datetime, timedelta

from klaxon.domain.chat.rooms import ChatPolicy
from klaxon.domain.incident.models import IncidentStatus, Priority, Urgency
from klaxon.services.chat.reminders import ChatReminders
from tests.unit.chat.test_room_service import OPENED, World, an_incident


class Reminding(World):
    def __init__(self) -> None:
        super().__init__(ChatPolicy())
        self.public_updates: dict[str, datetime] = {}
        self.reminders = ChatReminders(
            chat=self.chat,
            rooms=self.rooms,
            incidents=self.incidents,
            policy=lambda: self.policy,
            last_public_update=self.public_updates.get,
            clock=self.clock,
        )

    def posted_reminders(self) -> list[str]:
        return [m.text for m in self.chat.messages.values() if m.text.startswith("No status update")]


def opened(priority: Priority = Priority.P1) -> Reminding:
    world = Reminding()
    urgency = Urgency.HIGH if priority in {Priority.P1, Priority.P2} else Urgency.LOW
    world.put(an_incident(priority=priority, urgency=urgency))
    world.clock.at = OPENED
    world.service.sync("inc1")
    return world


def test_a_p1_is_reminded_30_minutes_after_its_room_opened_then_every_30_minutes():
    world = opened()
    world.clock.advance(minutes=29)
    assert world.reminders.remind_due() == []
    world.clock.advance(minutes=1)
    assert world.reminders.remind_due() == ["inc1"]
    assert world.reminders.remind_due() == []  # not twice for the same interval
    world.clock.advance(minutes=30)
    assert world.reminders.remind_due() == ["inc1"]
    assert (
        world.posted_reminders()
        == [
            "No status update for 30 minutes. Post one: "
            "`/klaxon status identified|monitoring|resolved <message>`."
        ]
        * 2
    )
    (reminder,) = {m for m in world.chat.messages.values() if m.text.startswith("No status")}
    assert [(a.name, a.label, a.value) for a in reminder.actions] == [("snooze", "Snooze 30 min", "inc1")]


def test_a_public_update_restarts_the_clock_and_a_p2_waits_an_hour():
    world = opened(Priority.P2)
    world.clock.advance(minutes=50)
    world.public_updates["inc1"] = world.clock.now()
    world.clock.advance(minutes=59)
    assert world.reminders.remind_due() == []
    world.clock.advance(minutes=1)
    assert world.reminders.remind_due() == ["inc1"]


def test_a_snooze_puts_the_next_reminder_one_interval_after_it():
    world = opened()
    world.clock.advance(minutes=30)
    world.reminders.remind_due()
    world.clock.advance(minutes=10)
    assert world.reminders.snooze("inc1") == timedelta(minutes=30)
    world.clock.advance(minutes=29)
    assert world.reminders.remind_due() == []
    world.clock.advance(minutes=1)
    assert world.reminders.remind_due() == ["inc1"]


def test_resolved_incidents_and_unlisted_priorities_are_never_reminded():
    world = opened()
    world.put(an_incident(status=IncidentStatus.RESOLVED, resolved_at=OPENED))
    world.clock.advance(hours=5)
    assert world.reminders.remind_due() == []
    world = opened()
    world.policy = ChatPolicy(reminders={Priority.P2: timedelta(minutes=60)})
    world.clock.advance(hours=5)
    assert world.reminders.remind_due() == []
