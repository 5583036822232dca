"""Which post-mortems the timers read: the store indexes only those `needs_sweeping` says a timer has work
in, so every post-mortem a timer would act on at any moment must be among them, and a finished one not."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from klaxon.domain.postmortem.actions import Filing, due
from klaxon.domain.postmortem.models import (
    ActionItem,
    Postmortem,
    PostmortemStatus,
    needs_sweeping,
    reminder_due,
)
from tests.unit.postmortem import factories
from tests.unit.postmortem.factories import NOW, TICKET


def postmortem(status: PostmortemStatus, items: list[ActionItem], **fields: object) -> Postmortem:
    return factories.postmortem(status=status, due=NOW, action_items=items, **fields)


hours = st.integers(min_value=-24 * 40, max_value=24 * 40).map(lambda h: NOW + timedelta(hours=h))
items = st.builds(
    ActionItem,
    title=st.just("Add a canary"),
    ticket=st.none() | st.just(TICKET),
    filing=st.none() | st.builds(Filing, attempts=st.integers(0, 5), next_at=hours),
    done_at=st.none() | hours,
)


@given(
    status=st.sampled_from(PostmortemStatus),
    action_items=st.lists(items, max_size=4),
    sent=st.lists(st.sampled_from(["before", "due", "overdue-1", "overdue-2"]), unique=True),
    now=hours,
)
def test_every_post_mortem_a_timer_would_act_on_is_swept(
    status: PostmortemStatus, action_items: list[ActionItem], sent: list[str], now: datetime
) -> None:
    found = postmortem(status, action_items, reminders_sent=sent)
    published = status is PostmortemStatus.PUBLISHED
    reminded = reminder_due(found, now) is not None
    filed = any(due(i.ticket, i.filing, published, now) for i in found.action_items)
    unsynced = any(i.awaiting(published) for i in found.action_items)
    polled = any(i.ticket is not None and i.done_at is None for i in found.action_items)
    if reminded or filed or unsynced or polled:
        assert needs_sweeping(found)


def test_a_published_post_mortem_whose_tickets_are_all_done_is_not_swept() -> None:
    done = ActionItem(title="Add a canary", ticket=TICKET, done_at=NOW)
    assert not needs_sweeping(postmortem(PostmortemStatus.PUBLISHED, [done]))
    assert not needs_sweeping(postmortem(PostmortemStatus.PUBLISHED, []))


def test_a_draft_an_open_ticket_or_an_item_waiting_for_its_ticket_is_swept() -> None:
    assert needs_sweeping(postmortem(PostmortemStatus.DRAFT, []))
    assert needs_sweeping(postmortem(PostmortemStatus.IN_REVIEW, []))
    open_ticket = ActionItem(title="Add a canary", ticket=TICKET)
    assert needs_sweeping(postmortem(PostmortemStatus.PUBLISHED, [open_ticket]))
    waiting = ActionItem(title="Add a canary", filing=Filing(next_at=NOW))
    assert needs_sweeping(postmortem(PostmortemStatus.PUBLISHED, [waiting]))
