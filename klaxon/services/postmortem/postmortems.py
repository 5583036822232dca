"""Post-mortems: a draft written when an incident of a configured priority resolves (from its timeline,
owned by its commander, due 48 hours later), and the edits people make to it, each conditional on the
version they read so that two editors never overwrite each other."""

from __future__ import annotations

import html
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from klaxon.domain.errors import Conflict, InvalidInput, NotFound
from klaxon.domain.incident.models import Incident, Priority, TimelineEntry, changes_subject
from klaxon.domain.paging.messages import EmailContent
from klaxon.domain.paging.pages import DeliveryFailed
from klaxon.domain.postmortem.draft import change_window, draft_context
from klaxon.domain.postmortem.durations import DurationFigures, durations
from klaxon.domain.postmortem.models import (
    Postmortem,
    PostmortemChange,
    PostmortemPolicy,
    PostmortemStatus,
    edited_items,
)
from klaxon.domain.sla.customers import IncidentShare
from klaxon.domain.statuspage.models import PublicIncident
from klaxon.events import DetailType, PostmortemPublished
from klaxon.ports import (
    Clock,
    EmailSender,
    EventBus,
    IdGenerator,
    IncidentRepository,
    PostmortemPublisher,
    PostmortemStore,
    TimelineRepository,
)
from klaxon.services.postmortem.render import render, with_durations

log = logging.getLogger(__name__)
CHANGE_PAGE = 100  # change events read at a time, newest first, back to the draft's window


@dataclass
class PostmortemService:
    store: PostmortemStore
    incidents: IncidentRepository
    timeline: TimelineRepository
    public_incident: Callable[[str], PublicIncident | None]
    policy: Callable[[], PostmortemPolicy]
    clock: Clock
    bus: EventBus | None = None  # "Postmortem Published"
    publishers: Callable[[], Sequence[PostmortemPublisher]] = tuple  # where published ones go
    ids: IdGenerator | None = None  # action items' ids (uuid4 without one)
    # What the incident took of each customer's SLA budget (klaxon.services.sla), and who to tell when it
    # took enough to need executive review.
    customer_impact: Callable[[PublicIncident | None, datetime], Sequence[IncidentShare]] | None = None
    email: EmailSender | None = None

    def _changes(self, incident: Incident, now: datetime) -> list[TimelineEntry]:
        """The service's change events back to the draft's window, read newest first until one is older."""
        since, _ = change_window(incident, now)
        found: list[TimelineEntry] = []
        cursor = None
        while True:
            page = self.timeline.page(
                changes_subject(incident.service), cursor, CHANGE_PAGE, newest_first=True
            )
            found += page.entries
            if page.next is None or found[-1].at < since:
                return found
            cursor = page.next

    def draft(self, incident_id: str) -> Postmortem | None:
        """Write the draft of a resolved incident of a configured priority, once (a repeated event finds it
        written); None when the incident needs none."""
        incident = self.incidents.get(incident_id)
        policy = self.policy()
        if incident is None or incident.drill or incident.priority not in policy.priorities:
            return None
        if incident.status.is_open:
            return None
        found = self.store.get(incident_id)
        if found is not None:
            return found[0]
        now = self.clock.now()
        public = self.public_incident(incident_id)
        resolved = incident.resolved_at or now
        shares = list(self.customer_impact(public, resolved)) if self.customer_impact is not None else []
        notes = [share.wording() for share in shares]
        changes = self._changes(incident, now)
        context = draft_context(incident, self.timeline.list(incident_id), public, now, notes, changes)
        due = (incident.resolved_at or now) + policy.due_after
        template = policy.templates.get(incident.priority)
        postmortem = Postmortem(
            incident_id=incident.id,
            incident_number=incident.number,
            title=incident.title,
            service=incident.service,
            priority=incident.priority,
            owner=context.owner,
            due=due,
            created_at=now,
            updated_at=now,
            updated_by="system:postmortem",
            markdown=render(context, template),
            durations=DurationFigures.of(context.durations),
            executive_review=any(share.percent > policy.executive_share for share in shares),
        )
        try:
            self.store.put(postmortem, version=None)
        except Conflict:
            existing = self.store.get(incident_id)
            return existing[0] if existing else None
        if postmortem.executive_review:
            self._tell_executives(postmortem, notes, policy.executive_emails)
        return postmortem

    def _tell_executives(self, postmortem: Postmortem, notes: Sequence[str], to: Sequence[str]) -> None:
        """Once, when the draft is written: a failed email is logged, the draft stands."""
        if self.email is None:
            return
        text = "\n".join(
            [
                f"The post-mortem of incident #{postmortem.incident_number} ({postmortem.title}) needs "
                "executive review: it took this much of customers' SLA budgets:",
                *(f"- {note}" for note in notes),
                f"Owner: {postmortem.owner}; due {postmortem.due:%Y-%m-%d %H:%M} UTC.",
            ]
        )
        subject = f"Executive review: post-mortem of #{postmortem.incident_number} {postmortem.title}"[:200]
        content = EmailContent(subject=subject, text=text, html=f"<pre>{html.escape(text)}</pre>")
        for address in to:
            try:
                self.email.send(address, content, {})
            except DeliveryFailed as error:
                log.warning("executive review of %s: %s not told: %s", postmortem.incident_id, address, error)

    def get(self, incident_id: str) -> tuple[Postmortem, int]:
        found = self.store.get(incident_id)
        if found is None:
            raise NotFound(
                f"incident {incident_id} has no post-mortem (drafts are written when P1/P2 resolve)"
            )
        return found

    def of(self, incident_id: str) -> Postmortem | None:
        """The incident's post-mortem, or None: one read, where `find` reads them all."""
        found = self.store.get(incident_id)
        return found[0] if found is not None else None

    def exists(self, incident_id: str) -> bool:
        return self.of(incident_id) is not None

    def update(
        self, incident_id: str, change: PostmortemChange, version: int, actor: str
    ) -> tuple[Postmortem, int]:
        """Apply `change` if the post-mortem is still at `version`; Conflict (naming both versions) if
        someone saved since."""
        current, stored = self.get(incident_id)
        if stored != version:
            raise Conflict(
                f"the post-mortem changed since version {version} was read (it is at {stored}, saved by "
                f"{current.updated_by}): read it again and redo the edit"
            )
        if change.markdown is not None and not change.markdown.strip():
            raise InvalidInput("empty post-mortem", ["markdown: give the post-mortem's text"])
        now = self.clock.now()
        updates: dict[str, object] = {"updated_at": now, "updated_by": actor}
        for field in ("markdown", "owner", "status", "due"):
            value = getattr(change, field)
            if value is not None:
                updates[field] = value
        if change.action_items is not None:
            new_id = self.ids.new_id if self.ids is not None else lambda: uuid.uuid4().hex
            updates["action_items"] = edited_items(current.action_items, change.action_items, now, new_id)
        if change.impact_start is not None or change.mitigated_at is not None:
            updates |= self._marked(current, change, str(updates.get("markdown", current.markdown)))
        if change.status is PostmortemStatus.PUBLISHED and current.published_at is None:
            updates["published_at"] = now
        changed = current.model_copy(update=updates)
        saved = self.store.put(changed, version=version)
        if change.status is PostmortemStatus.PUBLISHED and self.bus is not None:
            # Published again: its copies are updated (a pull request gets a new commit).
            self.bus.publish(DetailType.POSTMORTEM_PUBLISHED, PostmortemPublished(incident_id=incident_id))
        return changed, saved

    def _marked(self, current: Postmortem, change: PostmortemChange, markdown: str) -> dict[str, object]:
        """A person's marks of when impact began and when it was mitigated: the durations again, in the
        structured figures and in the Markdown's duration lines."""
        incident = self.incidents.get(current.incident_id)
        if incident is None:
            raise NotFound(f"no incident {current.incident_id!r}")
        impact = change.impact_start or current.impact_start
        mitigated = change.mitigated_at or current.mitigated_at
        end = incident.resolved_at or self.clock.now()
        problems = []
        if impact is not None and impact > incident.created_at:
            problems.append("impact_start: impact begins at the latest when the incident opened")
        if mitigated is not None and not (incident.created_at <= mitigated <= end):
            problems.append("mitigated_at: between the incident's opening and its resolution")
        if problems:
            raise InvalidInput("the marks do not fit the incident", problems)
        found = durations(incident, self.timeline.list(incident.id), impact_start=impact, mitigated=mitigated)
        return {
            "impact_start": impact,
            "mitigated_at": mitigated,
            "durations": DurationFigures.of(found),
            "markdown": with_durations(markdown, found),
        }

    def publish(self, incident_id: str) -> dict[str, str]:
        """Put a published post-mortem in every configured place, recording where; {} when it is not
        published (a late event). A place that fails raises: the event is retried."""
        postmortem, _ = self.get(incident_id)
        if postmortem.status is not PostmortemStatus.PUBLISHED:
            return {}
        copies = {p.kind: p.publish(postmortem) for p in self.publishers()}
        for _ in range(3):
            current, version = self.get(incident_id)
            try:
                self.store.put(
                    current.model_copy(update={"copies": {**current.copies, **copies}}), version=version
                )
                break
            except Conflict:
                continue
        return copies

    def find(
        self,
        *,
        service: str | None = None,
        priority: Priority | None = None,
        text: str | None = None,
        overdue: bool = False,
    ) -> Sequence[Postmortem]:
        """The internal index: newest first, by service, priority, words in the title or text, overdue."""
        now, words = self.clock.now(), (text or "").lower().split()
        found = [
            p
            for p in self.store.all()
            if (service is None or p.service == service)
            and (priority is None or p.priority is priority)
            and all(w in f"{p.title}\n{p.markdown}".lower() for w in words)
            and (not overdue or p.overdue(now))
        ]
        return sorted(found, key=lambda p: p.created_at, reverse=True)
