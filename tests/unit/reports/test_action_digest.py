"""The monthly action items message: sent once a month is over, only when its items fell short of the
goal, to the configured channel and email list; a failed send is logged and does not stop the others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from klaxon.domain.paging.pages import DeliveryFailed
from klaxon.domain.postmortem.models import PostmortemPolicy
from klaxon.services.postmortem.digest import ActionDigest, wording
from klaxon.services.postmortem.reports import LearningReports
from tests.fakes.chat import MemoryChat
from tests.fakes.memory import FixedClock, MemoryPostmortems
from tests.unit.reports.test_learning_reports import NOV, item, postmortem

POLICY = PostmortemPolicy(
    report_channel="#incidents", report_emails=("eng-leads@acme.example", "cto@acme.example")
)


class Mailbox:
    def __init__(self, refuse: str = "") -> None:
        self.sent: list[tuple[str, Any]] = []
        self.refuse = refuse

    def send(self, to: str, content: Any, headers: Any, sender: str | None = None) -> str:
        if to == self.refuse:
            raise DeliveryFailed("mailbox full")
        self.sent.append((to, content))
        return "m"


def digest(done: int, policy: PostmortemPolicy = POLICY, mailbox: Mailbox | None = None):
    store = MemoryPostmortems()
    items = [item(str(n), NOV + timedelta(days=n), done=n < done) for n in range(4)]
    store.put(postmortem("inc1", "checkout", *items), version=None)
    reports = LearningReports(
        store=store,
        incidents=None,  # type: ignore[arg-type]
        timeline=None,  # type: ignore[arg-type]
        team_of=lambda: {},
        policy=lambda: policy,
        clock=FixedClock(datetime(2026, 12, 1, 0, 30, tzinfo=UTC)),
    )
    claimed: set[str] = set()

    def claim(month: str) -> bool:
        if month in claimed:
            return False
        claimed.add(month)
        return True

    chat, mail = MemoryChat(), mailbox or Mailbox()
    return (
        ActionDigest(reports=reports, policy=lambda: policy, claim=claim, chat=chat, email=mail),
        chat,
        mail,
    )


def test_a_month_under_the_goal_is_said_once_in_the_channel_and_by_email():
    sender, chat, mail = digest(done=2)
    assert sender.send_due() == "2026-11"
    assert sender.send_due() is None  # once a month
    ((room, message),) = [call for name, call in chat.calls if name == "post"]
    assert room == "#incidents" and message.text.startswith("Only 50% of the action items created in 2026-11")
    assert [to for to, _ in mail.sent] == ["eng-leads@acme.example", "cto@acme.example"]
    assert mail.sent[0][1].subject.startswith("Action items, 2026-11: Only 50%")


def test_a_month_at_the_goal_or_without_a_place_to_say_it_sends_nothing():
    sender, chat, mail = digest(done=4)
    assert sender.send_due() is None and mail.sent == [] and chat.calls == []
    quiet, _, mail = digest(done=0, policy=PostmortemPolicy())
    assert quiet.send_due() is None and mail.sent == []


def test_one_refused_address_does_not_stop_the_others():
    sender, _, mail = digest(done=0, mailbox=Mailbox(refuse="eng-leads@acme.example"))
    assert sender.send_due() == "2026-11"
    assert [to for to, _ in mail.sent] == ["cto@acme.example"]


def test_the_wording_lists_overdue_items_with_owners():
    sender, _, _ = digest(done=0)
    report = sender.reports.actions(NOV, NOV + timedelta(days=30))
    assert "klaxon report actions" in wording(report)
