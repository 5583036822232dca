"""Action items filed as tickets in the team's tracker (docs/postmortems.md): every item of a published
post-mortem, and at once an item added with `klaxon action add`. A tracker that is down or refuses leaves
the item waiting, retried with a growing wait; completion comes back by the tracker's webhook or the
nightly poll. Each change is a versioned write of the post-mortem, retried on a conflict."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from klaxon.domain.errors import Conflict, NotFound
from klaxon.domain.postmortem.actions import Completion, Filing, Ticket, TrackerFailed, due, failed
from klaxon.domain.postmortem.models import ActionItem, Postmortem, PostmortemPolicy, PostmortemStatus
from klaxon.events import ActionItemsAdded, DetailType
from klaxon.ports import Clock, EventBus, IdGenerator, PostmortemStore, TicketIndex, Trackers

log = logging.getLogger(__name__)
WRITE_ATTEMPTS = 5
# How long a run filing an item holds it (a tracker call takes 15 s at most).
FILING_LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Waiting:
    """An action item waiting for its ticket, with its post-mortem."""

    postmortem: Postmortem
    item: ActionItem


@dataclass
class ActionService:
    store: PostmortemStore
    policy: Callable[[], PostmortemPolicy]
    trackers: Trackers
    index: TicketIndex
    clock: Clock
    ids: IdGenerator
    link: Callable[[str], str]  # an incident's id -> its post-mortem's address
    bus: EventBus | None = None  # "Action Items Added": filed at once by the action_sync function

    def add(self, incident_id: str, item: ActionItem, actor: str) -> ActionItem:
        """Add an item to the post-mortem, to be filed at once (whatever the post-mortem's status)."""
        now = self.clock.now()
        added = item.model_copy(
            update={
                "id": self.ids.new_id(),
                "created_at": now,
                "ticket": None,
                "done_at": None,
                "filing": Filing(next_at=now),
            }
        )

        def append(postmortem: Postmortem) -> Postmortem:
            if len(postmortem.action_items) >= 100:
                raise Conflict(f"the post-mortem of {incident_id} has 100 action items already")
            return postmortem.model_copy(
                update={
                    "action_items": [*postmortem.action_items, added],
                    "updated_at": now,
                    "updated_by": actor,
                }
            )

        self._change(incident_id, append)
        if self.bus is not None:
            self.bus.publish(DetailType.ACTION_ITEMS_ADDED, ActionItemsAdded(incident_id=incident_id))
        return added

    def file(self, incident_id: str) -> list[ActionItem]:
        """File every item of the post-mortem that is due; the items as they are after. One read and,
        when a tracker takes items, two writes (the claim, the results) unless another writer intervenes."""
        current = self._read(incident_id)
        if any(item.id is None for item in current[0].action_items):  # written before items had ids
            current = self._change(incident_id, self._with_ids, current)
        now = self.clock.now()
        target = self.policy().trackers.for_service(current[0].service)
        tracker = self.trackers(target) if target is not None else None
        if tracker is None or target is None:
            return current[0].action_items
        claimed: list[str] = []
        current = self._change(incident_id, lambda p: _claimed(p, now, claimed), current)
        postmortem = current[0]
        link = postmortem.copies.get("github") or self.link(incident_id)  # the published copy, else the API
        results: dict[str, Ticket | str] = {}
        for item in postmortem.action_items:
            if item.id not in claimed:
                continue
            try:
                ticket = tracker.file(item, postmortem, link)
            except TrackerFailed as error:
                log.warning("could not file action item %s in %s: %s", item.id, target.id, error)
                results[str(item.id)] = str(error)
                continue
            self.index.put(ticket, incident_id, str(item.id))
            results[str(item.id)] = ticket
        if not results:
            return postmortem.action_items
        return self._change(incident_id, lambda p: _with_results(p, results, now), current)[0].action_items

    def file_due(self) -> list[str]:
        """File what is due in every post-mortem (the retries' timer); the incidents whose items it tried."""
        now = self.clock.now()
        tried = []
        for postmortem in self.store.live():
            published = postmortem.status is PostmortemStatus.PUBLISHED
            if any(due(i.ticket, i.filing, published, now) for i in postmortem.action_items):
                self.file(postmortem.incident_id)
                tried.append(postmortem.incident_id)
        return tried

    def waiting(self) -> list[Waiting]:
        """Every item asked to be filed that has no ticket yet (`klaxon action list --unsynced`)."""
        return [
            Waiting(p, i)
            for p in self.store.live()
            for i in p.action_items
            if i.awaiting(p.status is PostmortemStatus.PUBLISHED)
        ]

    def completed(self, completion: Completion) -> bool:
        """Record what a tracker's webhook said of a ticket; False when the ticket is none of ours."""
        found = self.index.find(completion.tracker, completion.key)
        if found is None:
            return False
        incident_id, item_id = found
        self._change(incident_id, lambda p: _done(p, {item_id: completion.done_at}))
        return True

    def poll(self) -> int:
        """Ask each tracker about every open ticket (the nightly catch-up for missed webhooks); how many
        items changed."""
        targets = self.policy().trackers.trackers
        postmortems = self.store.live()
        open_tickets: dict[str, list[Ticket]] = {}
        for postmortem in postmortems:
            for item in postmortem.action_items:
                if item.ticket is not None and item.done_at is None:
                    open_tickets.setdefault(item.ticket.tracker, []).append(item.ticket)
        done: dict[tuple[str, str], datetime | None] = {}
        for tracker_id, tickets in open_tickets.items():
            target = targets.get(tracker_id)
            tracker = self.trackers(target) if target is not None else None
            if tracker is None:
                continue
            try:
                answers = tracker.completions(tickets)
            except TrackerFailed as error:
                log.warning("could not poll tracker %s: %s", tracker_id, error)
                continue
            done |= {(tracker_id, key): at for key, at in answers.items() if at is not None}
        changed = 0
        for postmortem in postmortems:
            found = {
                i.id: done[(i.ticket.tracker, i.ticket.key)]
                for i in postmortem.action_items
                if i.id and i.ticket and i.done_at is None and (i.ticket.tracker, i.ticket.key) in done
            }
            if found:
                self._change(postmortem.incident_id, functools.partial(_done, done=found))
                changed += len(found)
        return changed

    def _with_ids(self, postmortem: Postmortem) -> Postmortem:
        items = [
            i if i.id else i.model_copy(update={"id": self.ids.new_id()}) for i in postmortem.action_items
        ]
        return postmortem.model_copy(update={"action_items": items})

    def _read(self, incident_id: str) -> tuple[Postmortem, int]:
        found = self.store.get(incident_id)
        if found is None:
            raise NotFound(f"incident {incident_id} has no post-mortem")
        return found

    def _change(
        self,
        incident_id: str,
        change: Callable[[Postmortem], Postmortem],
        current: tuple[Postmortem, int] | None = None,
    ) -> tuple[Postmortem, int]:
        """Write `change` of the post-mortem, conditional on its version: of `current` when the caller
        has just read or written it (no read), read again after a conflict. The changed copy, its version."""
        for _ in range(WRITE_ATTEMPTS):
            found, current = current or self._read(incident_id), None
            changed = change(found[0])
            try:
                return changed, self.store.put(changed, version=found[1])
            except Conflict:
                continue
        raise Conflict(f"the post-mortem of {incident_id} kept changing: try again")


def _claimed(postmortem: Postmortem, now: datetime, claimed: list[str]) -> Postmortem:
    """The post-mortem with each item due for filing now held for this run (`FILING_LEASE`): a run beside
    it (the retries' timer and a publish at once) finds nothing due, and a run that dies leaves the item
    due again when the lease ends. `claimed` is refilled with their ids."""
    published = postmortem.status is PostmortemStatus.PUBLISHED
    claimed.clear()
    items = []
    for item in postmortem.action_items:
        if item.id is None or not due(item.ticket, item.filing, published, now):
            items.append(item)
            continue
        claimed.append(item.id)
        held = (item.filing or Filing(next_at=now)).model_copy(update={"next_at": now + FILING_LEASE})
        items.append(item.model_copy(update={"filing": held}))
    return postmortem.model_copy(update={"action_items": items})


def _with_results(postmortem: Postmortem, results: dict[str, Ticket | str], now: datetime) -> Postmortem:
    """The post-mortem with each filed item's ticket, and each failed one's next retry."""
    items = []
    for item in postmortem.action_items:
        result = results.get(item.id or "")
        if isinstance(result, Ticket):
            items.append(item.model_copy(update={"ticket": result, "filing": None}))
        elif isinstance(result, str):
            filing = failed(item.filing or Filing(next_at=now), now, result)
            items.append(item.model_copy(update={"filing": filing}))
        else:
            items.append(item)
    return postmortem.model_copy(update={"action_items": items})


def _done(postmortem: Postmortem, done: dict[str, datetime | None]) -> Postmortem:
    items = [
        i.model_copy(update={"done_at": done[i.id]}) if i.id in done else i for i in postmortem.action_items
    ]
    return postmortem.model_copy(update={"action_items": items})
