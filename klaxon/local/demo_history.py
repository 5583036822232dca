"""The demo organisation's history (`klaxon up --demo-history`, which `make up` passes): on a platform with
no incidents yet, one P1 of three days ago, from its alert to its resolution 47 minutes later, with its
post-mortem written, published, and its action items (one done). Written straight into the tables before
the outbox starts, so it is history: nobody is paged and no room opens for it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from klaxon.domain.incident.models import (
    Incident,
    IncidentStatus,
    Priority,
    Severity,
    TimelineEntry,
    Urgency,
)
from klaxon.domain.postmortem.models import ActionItem, ActionKind, PostmortemChange, PostmortemStatus
from klaxon.events import DetailType, IncidentEvent
from klaxon.ports import IncidentQuery

if TYPE_CHECKING:
    from klaxon.wiring import Container

TITLE = "Checkout: 5xx above 5%"
# Minutes after the incident opened, who, and what: the incident's timeline as people lived it.
STORY = (
    (0, "triggered", "integration:checkout-events", "Triggered by pagerduty alert: 5xx above 5% on checkout"),
    (1, "notified", "system:escalation", "Paged Carol Chen by push (carol-phone)"),
    (4, "acknowledged", "carol", "Acknowledged by carol"),
    (9, "role assigned", "carol", "dave is commander (set by carol)"),
    (12, "chat message", "dave", "Deploy 2317 went out at 13:58; rolling it back"),
    (15, "status update", "dave", "Status page: identified: A faulty deploy is being rolled back."),
    (
        31,
        "status update",
        "dave",
        "Status page: monitoring: The rollback is complete; error rates are normal.",
    ),
    (47, "resolved", "carol", "Resolved by carol"),
)
FILLED = {
    "_What happened, in two or three sentences a customer could read._": (
        "For 47 minutes, one checkout in six failed with an error. A deploy changed the payment client's "
        "connection pool to two connections; rolling it back restored checkout."
    ),
    "1. Why?\n2. Why?\n3. Why?\n4. Why?\n5. Why?": (
        "1. Why did checkouts fail? The payment client ran out of connections under normal load.\n"
        "2. Why? Deploy 2317 set its pool size to 2, a value meant for a test.\n"
        "3. Why did it reach production? The setting lives in code, not in per-environment config.\n"
        "4. Why was it not caught? The canary stage takes 1% of traffic for 2 minutes: too little to exhaust "
        "the pool.\n"
        "5. Why is the canary so short? It was shortened during a busy quarter and never restored."
    ),
    "### Contributing factors\n\n- \n": (
        "### Contributing factors\n\n- Pool size hard-coded in the client.\n- A 2-minute canary.\n"
    ),
    "## What went well\n\n- \n": (
        "## What went well\n\n- The page reached Carol in a minute; the rollback took 6.\n"
    ),
    "## What went badly\n\n- \n": (
        "## What went badly\n\n- 14 minutes passed before anyone looked at deploys.\n"
    ),
    "## Where we got lucky\n\n- \n": "## Where we got lucky\n\n- It happened outside the sales peak.\n",
}
ITEMS = (
    ("Move the payment pool size into per-environment config", "erin", 10, ActionKind.PREVENT, True),
    ("Alert on payment client pool saturation", "carol", 14, ActionKind.DETECT, False),
    ("Restore the 10-minute canary stage for checkout", "dave", 21, ActionKind.PROCESS, False),
)


def seed(container: Container, now: datetime) -> str | None:
    """Write the history unless the platform already holds an incident; the incident's id."""
    incidents = container.incident_repository
    if incidents.query(IncidentQuery(limit=1)).incidents:
        return None
    opened = (now - timedelta(days=3)).astimezone(UTC).replace(hour=14, minute=2, second=0, microsecond=0)
    at = {minutes: opened + timedelta(minutes=minutes) for minutes, *_ in STORY}
    incident = Incident(
        id=container.ids.new_id(),
        number=incidents.next_number(),
        title=TITLE,
        service="checkout",
        priority=Priority.P1,
        urgency=Urgency.HIGH,
        status=IncidentStatus.TRIGGERED,
        dedup_key="demo-history-checkout-5xx",
        integration="checkout-events",
        source="pagerduty",
        severity=Severity.CRITICAL,
        created_at=opened,
        updated_at=opened,
        started_at=opened - timedelta(minutes=3),
        last_alert_at=opened,
    )
    entry = {m: _entry(incident.id, at[m], kind, actor, text) for m, kind, actor, text in STORY}
    event = IncidentEvent(DetailType.INCIDENT_UPDATED, "demo", "demo history")  # never relayed
    incidents.create(incident, entry=entry[0], event=event)
    container.timeline_repository.add(entry[1])
    incidents.transition(
        incident.id, IncidentStatus.ACKNOWLEDGED, actor="carol", now=at[4], entry=entry[4], event=event
    )
    incidents.amend(incident.id, now=at[9], entry=entry[9], event=event, roles={"commander": "dave"})
    for minutes in (12, 15, 31):
        container.timeline_repository.add(entry[minutes])
    incidents.transition(
        incident.id, IncidentStatus.RESOLVED, actor="carol", now=at[47], entry=entry[47], event=event
    )
    _postmortem(container, incident, at[47])
    return incident.id


class _At:
    """A clock stopped at one instant: the history is written as of when it happened."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def _entry(subject: str, at: datetime, kind: str, actor: str, text: str) -> TimelineEntry:
    """A timeline entry as the platform writes it (a status update names its status in `data`)."""
    data = {"status": text.split(": ")[1]} if kind == "status update" else {}
    return TimelineEntry(subject=subject, at=at, kind=kind, actor=actor, message=text, data=data)


def _postmortem(container: Container, incident: Incident, resolved: datetime) -> None:
    """Drafted an hour after the resolution, filled in and published the next day with its action items."""
    service = container.postmortem_service
    drafted = replace(service, clock=_At(resolved + timedelta(hours=1))).draft(incident.id)
    assert drafted is not None, "the demo configuration gives P1 incidents a post-mortem"
    text = drafted.markdown.replace("| Status | draft |", "| Status | published |")
    for placeholder, written in FILLED.items():
        assert placeholder in text, f"the default template changed: {placeholder!r} is gone"
        text = text.replace(placeholder, written)
    published = resolved + timedelta(days=1)
    items = [
        ActionItem(title=title, owner=owner, due=_day(resolved, days), kind=kind, priority=Priority.P2)
        for title, owner, days, kind, _ in ITEMS
    ]
    change = PostmortemChange(markdown=text, status=PostmortemStatus.PUBLISHED, action_items=items)
    saved, version = replace(service, clock=_At(published), bus=None).update(incident.id, change, 1, "dave")
    done = [
        item.model_copy(update={"done_at": published + timedelta(days=1)}) if finished else item
        for item, (*_, finished) in zip(saved.action_items, ITEMS, strict=True)
    ]
    service.store.put(saved.model_copy(update={"action_items": done}), version=version)


def _day(after: datetime, days: int) -> date:
    return (after + timedelta(days=days)).date()
