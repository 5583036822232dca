"""In-memory ports with the same conditional semantics as the DynamoDB adapters."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from klaxon.domain.access.rotation import SecretVersions
from klaxon.domain.errors import Conflict, NotFound
from klaxon.domain.incident.dedup import DedupClaim, joinable_at_once, memory_slot
from klaxon.domain.incident.lifecycle import allowed_from
from klaxon.domain.incident.models import Alert, Incident, IncidentStatus, TimelineEntry
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.postmortem.models import needs_sweeping
from klaxon.events import DetailType, IncidentChanged, IncidentEvent
from klaxon.ports import IncidentPage, IncidentQuery, TimelinePage


class FixedClock:
    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)


class CountingIds:
    def __init__(self) -> None:
        self._n = itertools.count(1)

    def new_id(self) -> str:
        return f"id{next(self._n):04d}"


@dataclass
class RecordingBus:
    events: list[tuple[DetailType, BaseModel]] = field(default_factory=list)
    fail_next: int = 0  # fault injection: this many publishes raise, as PutEvents failing after retries

    def publish(self, detail_type: DetailType, detail: BaseModel) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise RuntimeError("PutEvents failed")
        self.events.append((detail_type, detail))

    def types(self) -> list[DetailType]:
        return [t for t, _ in self.events]


@dataclass
class MemoryPayloads:
    blobs: dict[str, bytes] = field(default_factory=dict)
    fail_puts: int = 0  # fault injection: this many puts raise, as S3 failing

    def put(self, key: str, body: bytes) -> str:
        if self.fail_puts > 0:
            self.fail_puts -= 1
            raise RuntimeError("PutObject failed")
        self.blobs[key] = body
        return f"mem://{key}"

    def get(self, ref: str) -> bytes:
        try:
            return self.blobs[ref.removeprefix("mem://")]
        except KeyError as exc:
            raise NotFound(f"payload {ref} is gone") from exc


class MemoryTimeline:
    def __init__(self) -> None:
        self.entries: list[TimelineEntry] = []

    def add(self, entry: TimelineEntry) -> None:
        if entry.ref is not None:
            self.remove(entry.subject, entry.at, entry.ref)
        self.entries.append(entry)

    def remove(self, subject: str, at: datetime, ref: str) -> None:
        self.entries = [e for e in self.entries if (e.subject, e.at, e.ref) != (subject, at, ref)]

    def find(self, subject: str, at: datetime, ref: str) -> TimelineEntry | None:
        return next((e for e in self.entries if (e.subject, e.at, e.ref) == (subject, at, ref)), None)

    def list(self, subject: str) -> list[TimelineEntry]:
        return sorted((e for e in self.entries if e.subject == subject), key=lambda e: e.at)

    def page(
        self, subject: str, cursor: str | None, limit: int, *, newest_first: bool = False
    ) -> TimelinePage:
        every = self.list(subject)[:: -1 if newest_first else 1]
        start = int(cursor) if cursor else 0
        following = start + limit < len(every)
        return TimelinePage(every[start : start + limit], str(start + limit) if following else None)


class MemoryIncidents:
    """Every method holds one lock, as DynamoDB is atomic per request; `writes` counts write calls.

    Each write's event goes to `outbox` as it commits, and on to `bus` if there is one: the relay of the
    outbox, at once (klaxon.services.incident.outbox relays the DynamoDB adapter's)."""

    def __init__(self, timeline: MemoryTimeline, bus: RecordingBus | None = None) -> None:
        self.timeline = timeline
        self.bus = bus
        self.outbox: list[tuple[DetailType, IncidentChanged]] = []
        self.items: dict[str, Incident] = {}
        self.claims: dict[tuple[str, str], DedupClaim] = {}
        self.counter = 0
        self.writes = 0
        self._lock = threading.RLock()
        self.last_alert: dict[str, str] = {}
        self.remembered: dict[str, tuple[frozenset[str], frozenset[str]]] = {}  # the two generations

    def latest_for_dedup_key(self, service: str, dedup_key: str) -> DedupClaim | None:
        with self._lock:
            return self.claims.get((service, dedup_key))

    def claim_dedup_key(
        self, service: str, dedup_key: str, incident_id: str, now: datetime, *, replaces: str | None
    ) -> None:
        with self._lock:
            self.writes += 1
            current = self.claims.get((service, dedup_key))
            if (current.incident_id if current else None) != replaces:
                raise Conflict("claimed by another writer")
            self.claims[(service, dedup_key)] = DedupClaim(incident_id, now)

    def release_dedup_key(
        self, service: str, dedup_key: str, incident_id: str, *, restore: DedupClaim | None
    ) -> None:
        with self._lock:
            self.writes += 1
            current = self.claims.get((service, dedup_key))
            if current is None or current.incident_id != incident_id:
                return
            if restore is None:
                del self.claims[(service, dedup_key)]
            else:
                self.claims[(service, dedup_key)] = restore

    def get(self, incident_id: str) -> Incident | None:
        with self._lock:
            return self.items.get(incident_id)

    def status(self, incident_id: str) -> IncidentStatus | None:
        with self._lock:
            found = self.items.get(incident_id)
            return found.status if found is not None else None

    def _commit(self, incident_id: str, event: IncidentEvent | None) -> Incident:
        """The incident as written, its event leaving with it."""
        incident = self.items[incident_id]
        if event is not None:
            found = (event.detail_type, event.detail(incident))
            self.outbox.append(found)
            if self.bus is not None:
                self.bus.publish(*found)
        return incident

    def next_number(self) -> int:
        with self._lock:
            self.writes += 1
            self.counter += 1
            return self.counter

    def create(self, incident: Incident, *, entry: TimelineEntry, event: IncidentEvent) -> None:
        with self._lock:
            self.writes += 2
            if incident.id in self.items:
                raise Conflict("exists")
            self.items[incident.id] = incident
            if incident.last_alert_id:
                self.last_alert[incident.id] = incident.last_alert_id
            self.remembered[incident.id] = (incident.recent_alert_ids, frozenset())
            self.timeline.add(entry)
            self._commit(incident.id, event)

    def add_alerts(
        self,
        incident_id: str,
        alerts: Sequence[Alert],
        now: datetime,
        *,
        known_count: int,
        event: IncidentEvent,
    ) -> Incident:
        ids = [a.id for a in alerts]
        if not joinable_at_once(known_count, ids):
            raise ValueError("add_alerts takes distinct alerts of one generation of remembered ids")
        with self._lock:
            self.writes += 1
            current = self.items[incident_id]
            sets = list(self.remembered.get(incident_id, (frozenset(), frozenset())))
            last = self.last_alert.get(incident_id)
            held = any(i in sets[0] or i in sets[1] or i == last for i in ids)
            where = memory_slot(known_count)
            if not current.status.is_open or held:
                raise Conflict("resolved or duplicate delivery")
            if where.fresh and current.alert_count != known_count:
                raise Conflict("another alert started the generation")
            sets[where.slot] = frozenset(ids) | (frozenset() if where.fresh else sets[where.slot])
            self.remembered[incident_id] = (sets[0], sets[1])
            self.last_alert[incident_id] = ids[-1]
            updated = current.model_copy(
                update={
                    "alert_count": current.alert_count + len(ids),
                    "last_alert_at": now,
                    "last_alert_id": ids[-1],
                    "recent_alert_ids": sets[0] | sets[1],
                    "updated_at": now,
                    "alerts": {**current.alerts, **{i.fingerprint: i for a in alerts for i in a.instances}},
                }
            )
            self.items[incident_id] = updated
            return self._commit(incident_id, event)

    def recent_for_dedup_key(self, service: str, dedup_key: str, since: datetime) -> list[Incident]:
        with self._lock:
            found: list[Incident] = []
            mine = [i for i in self.items.values() if (i.service, i.dedup_key) == (service, dedup_key)]
            for incident in sorted(mine, key=lambda i: (i.created_at, i.id), reverse=True):
                found.append(incident)
                if incident.created_at < since:
                    break
            return found

    def transition(
        self,
        incident_id: str,
        target: IncidentStatus,
        *,
        actor: str,
        now: datetime,
        entry: TimelineEntry,
        event: IncidentEvent,
        alert: Alert | None = None,
    ) -> Incident:
        with self._lock:
            self.writes += 2
            current = self.items[incident_id]
            if current.status not in allowed_from(target):
                raise Conflict("status changed")
            changes: dict[str, Any] = {"status": target, "updated_at": now}
            if target is IncidentStatus.ACKNOWLEDGED:
                changes |= {"acknowledged_at": now, "acknowledged_by": actor}
            else:
                changes |= {"resolved_at": now, "resolved_by": actor}
            if alert is not None:
                changes["alerts"] = {**current.alerts, **{i.fingerprint: i for i in alert.instances}}
            self.items[incident_id] = current.model_copy(update=changes)
            self.timeline.add(entry)
            return self._commit(incident_id, event)

    def amend(self, incident_id, *, now, entry, event, priority=None, roles=None):
        with self._lock:
            self.writes += 2
            current = self.items[incident_id]
            if not current.status.is_open:
                raise Conflict("resolved")
            changes: dict[str, Any] = {"updated_at": now}
            if priority is not None:
                changes["priority"] = priority
            if roles is not None:
                changes["roles"] = dict(roles)
            self.items[incident_id] = current.model_copy(update=changes)
            self.timeline.add(entry)
            return self._commit(incident_id, event)

    def restart_escalation(
        self, incident_id, *, expected_round, policy, from_step, retrigger, now, entry, event
    ):
        with self._lock:
            self.writes += 2
            current = self.items[incident_id]
            wanted = IncidentStatus.ACKNOWLEDGED if retrigger else IncidentStatus.TRIGGERED
            if current.escalation_round != expected_round or current.status is not wanted:
                raise Conflict("changed")
            changes: dict[str, Any] = {
                "escalation_round": expected_round + 1,
                "escalation_from_step": from_step,
                "updated_at": now,
            }
            if policy is not None:
                changes["escalation_policy"] = policy
            if retrigger:
                changes |= {
                    "status": IncidentStatus.TRIGGERED,
                    "acknowledged_at": None,
                    "acknowledged_by": None,
                }
            self.items[incident_id] = current.model_copy(update=changes)
            self.timeline.add(entry)
            return self._commit(incident_id, event)

    def query(self, query: IncidentQuery) -> IncidentPage:
        with self._lock:
            found = [
                i
                for i in sorted(self.items.values(), key=lambda i: (i.created_at, i.id), reverse=True)
                if (query.status is None or i.status is query.status)
                and (query.service is None or i.service == query.service)
                and (query.dedup_key is None or i.dedup_key == query.dedup_key)
                and (query.number is None or i.number == query.number)
                and (query.id_prefix is None or i.id.startswith(query.id_prefix))
            ]
            start = int(query.cursor or 0)
            page = found[start : start + query.limit]
            more = start + query.limit < len(found)
            return IncidentPage(incidents=page, next=str(start + query.limit) if more else None)


@dataclass
class MemoryDirectory:
    integrations: dict[str, IntegrationRef] = field(default_factory=dict)
    service_ids: frozenset[str] = frozenset({"checkout", "payments", "search", "platform"})

    def integration_for_key(self, key: str) -> IntegrationRef | None:
        return self.integrations.get(key)

    def services(self) -> frozenset[str]:
        return self.service_ids


class MemoryNotifications:
    """Claims and page records with the adapter's conditions: claims only while triggered, keys once."""

    def __init__(self, incidents: MemoryIncidents) -> None:
        self.incidents = incidents
        self.claims: dict[tuple[str, int, object], str] = {}
        self.pages: dict[str, object] = {}
        self.records: dict[str, object] = {}
        self.ends: dict[tuple[str, int], str] = {}
        self._lock = threading.RLock()

    def claim(self, incident_id: str, round_: int, tick: object, token: str, first: Any = None) -> bool:
        with self._lock, self.incidents._lock:
            incident = self.incidents.items.get(incident_id)
            if incident is None or incident.status is not IncidentStatus.TRIGGERED:
                raise Conflict("not triggered")
            owner = self.claims.setdefault((incident_id, round_, tick), token)
            if owner != token:
                raise Conflict("claimed by another run")
            return first is not None and self.reserve(round_, first.page, first.token, first.now)

    def latest_tick(self, incident_id: str, round_: int) -> Any:
        found = self.latest_claim(incident_id, round_)
        return found.tick if found is not None else None

    def latest_claim(self, incident_id: str, round_: int) -> Any:
        from klaxon.domain.paging.sweep import Claim

        with self._lock:
            ticks = [(t, tok) for (i, r, t), tok in self.claims.items() if i == incident_id and r == round_]
            if not ticks:
                return None
            tick, token = max(ticks, key=lambda found: (found[0].loop, found[0].step, found[0].at_minute))
            return Claim(tick, token)

    def finish(self, incident_id: str, round_: int, reason: str) -> None:
        with self._lock:
            self.ends[(incident_id, round_)] = reason

    def finished(self, incident_id: str, round_: int) -> bool:
        with self._lock:
            return (incident_id, round_) in self.ends

    def reserve(self, round_: int, page: Any, token: str, now: datetime) -> bool:
        from klaxon.domain.paging.pages import SEND_LEASE, SENDING, Reservation, may_send

        with self._lock, self.incidents._lock:
            incident = self.incidents.items.get(page.incident_id)
            if incident is None or incident.status is not IncidentStatus.TRIGGERED:
                return False
            key = f"{round_}|{page.idempotency_key}"
            if not may_send(self.pages.get(key), token, now):
                return False
            self.pages[key] = Reservation(status=SENDING, token=token, lease_until=now + SEND_LEASE)
            return True

    def record(
        self, round_: int, page: Any, notification: Any, entry: TimelineEntry | None = None, then: Any = None
    ) -> bool:
        from klaxon.domain.paging.pages import Reservation

        if then is not None and then.page.idempotency_key == page.idempotency_key:
            raise ValueError("one write cannot hold two operations on one page's record (as DynamoDB)")
        # The result, its timeline line and the next reservation in one write, as the adapter's.
        with self._lock:
            key = f"{round_}|{page.idempotency_key}"
            self.records[key] = notification
            self.pages[key] = Reservation(status=notification.status.value)
            if entry is not None:
                self.incidents.timeline.add(entry)
            return then is not None and self.reserve(round_, then.page, then.token, then.now)

    def in_flight(self, incident_id: str, now: datetime) -> bool:
        from klaxon.domain.paging.pages import in_flight

        with self._lock:
            return any(
                key.split("|", 2)[1] == incident_id and in_flight(found, now)
                for key, found in self.pages.items()
            )

    def list(self, incident_id: str) -> list[Any]:
        with self._lock:
            return sorted(
                (n for n in self.records.values() if n.incident_id == incident_id),
                key=lambda n: (n.sent_at, n.step, n.user, n.channel.value),
            )


class RecordingNotifier:
    """Records every page; `failing` channels raise DeliveryFailed."""

    def __init__(self, failing: frozenset[str] = frozenset()) -> None:
        self.sent: list[Any] = []
        self.failing = failing
        self._lock = threading.Lock()

    def send(self, page: Any) -> str:
        from klaxon.domain.paging.pages import DeliveryFailed

        if page.channel.value in self.failing:
            raise DeliveryFailed(f"{page.channel.value} provider refused the message")
        with self._lock:
            self.sent.append(page)
            return f"msg-{len(self.sent)}"


@dataclass
class MemoryDeliveryLog:
    """The delivery memory: ids with the time each stops being remembered."""

    until: dict[str, datetime] = field(default_factory=dict)

    def first(self, delivery_ids: Sequence[str], now: datetime) -> bool:
        from klaxon.domain.intake.deliveries import DELIVERY_MEMORY

        fresh = True
        for delivery_id in delivery_ids:
            if self.until.get(delivery_id, now) > now:
                fresh = False
            else:
                self.until[delivery_id] = now + DELIVERY_MEMORY
        return fresh


@dataclass
class StaticKeyring:
    """A link-signing secret that rotates in memory, as the Secrets Manager keyring does."""

    versions_now: SecretVersions
    clock: Any = None

    @classmethod
    def of(cls, secret: bytes, clock: Any = None) -> StaticKeyring:
        return cls(SecretVersions(current=secret.decode()), clock)

    def current(self) -> bytes:
        return self.versions_now.current.encode()

    def accepted(self) -> list[bytes]:
        now = self.clock.now() if self.clock is not None else datetime.now(UTC)
        return [v.encode() for v in self.versions_now.accepted(now)]

    def versions(self) -> SecretVersions:
        return self.versions_now

    def rotate(self, grace: timedelta) -> SecretVersions:
        now = self.clock.now() if self.clock is not None else datetime.now(UTC)
        self.versions_now = self.versions_now.rotated(f"rotated-{now.timestamp()}".ljust(40, "x"), now, grace)
        return self.versions_now


class PepperedDigest:
    """HMAC-SHA-256 under a fixed pepper, as the Secrets Manager pepper digests credentials."""

    def __init__(self, pepper: bytes = b"test-pepper") -> None:
        self.pepper = pepper

    def digest(self, secret: str) -> str:
        return hmac.new(self.pepper, secret.encode(), hashlib.sha256).hexdigest()


@dataclass
class MemorySigningSecrets:
    """Integrations' signing secrets, rotated on apply as the Secrets Manager adapter rotates them."""

    clock: Any
    kept: dict[str, SecretVersions] = field(default_factory=dict)

    def accepted(self, integration: str) -> tuple[str, ...]:
        found = self.kept.get(integration)
        return tuple(found.accepted(self.clock.now())) if found is not None else ()

    def versions(self) -> dict[str, SecretVersions]:
        return dict(self.kept)

    def replace(self, wanted: Mapping[str, str]) -> None:
        from klaxon.domain.access.rotation import reconciled

        self.kept = reconciled(self.kept, wanted, self.clock.now())


@dataclass
class MemoryOverrides:
    """Overrides in the order DynamoDB keeps them (start, then id), with the same window query and a
    revision bumped by each change; `lists` counts reads of overrides."""

    kept: dict[str, Any] = field(default_factory=dict)  # by "<start ISO>#<id>"
    revisions: dict[str, int] = field(default_factory=dict)
    lists: int = 0

    @staticmethod
    def _key(override: Any) -> str:
        return f"{override.start.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%fZ}#{override.id}"

    def add(self, override: Any) -> None:
        self.kept[self._key(override)] = override
        self.revisions[override.schedule] = self.revision(override.schedule) + 1

    def list(self, schedule: str, start: datetime | None = None, end: datetime | None = None) -> list[Any]:
        self.lists += 1
        return [
            o
            for _, o in sorted(self.kept.items())
            if o.schedule == schedule and (end is None or o.start <= end) and (start is None or o.end > start)
        ]

    def remove(self, schedule: str, override_id: str) -> Any:
        key = next((k for k, o in self.kept.items() if o.schedule == schedule and o.id == override_id), None)
        if key is None:
            raise NotFound(f"no override {override_id!r} on schedule {schedule!r}")
        self.revisions[schedule] = self.revision(schedule) + 1
        return self.kept.pop(key)

    def revision(self, schedule: str) -> int:
        return self.revisions.get(schedule, 0)


@dataclass
class MemoryRateCounter:
    """Rate counters by (subject, window start), as the dedup table keeps them; `writes` counts hits."""

    counts: dict[tuple[str, datetime], int] = field(default_factory=dict)
    writes: int = 0
    failing: bool = False

    def hit(self, subject: str, window_start: datetime, window_end: datetime) -> int | None:
        if self.failing:
            return None
        self.writes += 1
        key = (subject, window_start)
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]


def page_to_alice(incident: Incident, channel: Any = None, address: str = "alice-phone") -> Any:
    """The first step's page of `incident` to alice (push unless `channel` says otherwise)."""
    from klaxon.domain.paging.pages import Page
    from klaxon.domain.paging.policy import Channel

    return Page(
        incident_id=incident.id,
        incident_number=incident.number,
        title=incident.title,
        service=incident.service,
        priority=incident.priority,
        user="alice",
        user_name="Alice",
        channel=channel or Channel.PUSH,
        address=address,
        step=0,
        loop=0,
    )


def sent(page: Any, at: datetime) -> Any:
    """The record of `page` delivered at `at`."""
    from klaxon.domain.paging.pages import DeliveryStatus, Notification

    return Notification(
        incident_id=page.incident_id,
        step=page.step,
        loop=page.loop,
        user=page.user,
        channel=page.channel,
        to=page.address,
        sent_at=at,
        status=DeliveryStatus.SENT,
    )


class MemoryPostmortems:
    """Post-mortems by incident, each put conditional on its version (as versioned_docs)."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[Any, int]] = {}

    def get(self, incident_id: str) -> tuple[Any, int] | None:
        return self.items.get(incident_id)

    def put(self, postmortem: Any, *, version: int | None) -> int:
        current = self.items.get(postmortem.incident_id)
        if (current[1] if current else None) != version:
            raise Conflict("changed")
        self.items[postmortem.incident_id] = (postmortem, (version or 0) + 1)
        return (version or 0) + 1

    def all(self) -> list[Any]:
        return [p for p, _ in self.items.values()]

    def live(self) -> list[Any]:
        return [p for p in self.all() if needs_sweeping(p)]
