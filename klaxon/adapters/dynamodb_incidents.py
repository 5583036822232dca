"""IncidentRepository over DynamoDB: every state change is a conditional write, never read-then-write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from klaxon.adapters import cursors, source_index
from klaxon.adapters.tables import (
    OPEN_STATUSES,
    ConfigItem,
    DedupItem,
    IncidentItem,
    OutboxAttribute,
    connection,
)
from klaxon.adapters.timeline import to_item as timeline_item
from klaxon.adapters.timeutil import iso, parse_iso
from klaxon.adapters.transactions import commit_for_request
from klaxon.adapters.transactions import refused as refused_by_condition
from klaxon.domain.errors import Conflict
from klaxon.domain.incident.dedup import DedupClaim, joinable_at_once, memory_slot
from klaxon.domain.incident.lifecycle import allowed_from
from klaxon.domain.incident.models import (
    Alert,
    AlertInstance,
    Image,
    Incident,
    IncidentStatus,
    Link,
    Priority,
    TimelineEntry,
    Urgency,
)
from klaxon.domain.noise.inhibition import Source
from klaxon.domain.runbooks.models import IncidentRunbook
from klaxon.events import IncidentEvent
from klaxon.ports import IncidentPage, IncidentQuery

_CONDITION_FAILED = ("ConditionalCheckFailedException",)  # of single-item writes (transactions: commit)
FINGERPRINTS_PER_QUERY = 20


def dedup_pointer(service: str, dedup_key: str) -> str:
    return f"{service}\x1f{dedup_key}"


def _to_item(inc: Incident) -> IncidentItem:
    return IncidentItem(
        id=inc.id,
        created_key=f"{iso(inc.created_at)}#{inc.id}",
        number=inc.number,
        title=inc.title,
        service=inc.service,
        priority=inc.priority.value,
        urgency=inc.urgency.value,
        status=inc.status.value,
        dedup_key=inc.dedup_key,
        alert_count=inc.alert_count,
        integration=inc.integration,
        source=inc.source,
        severity=inc.severity.value if inc.severity else None,
        created_at=iso(inc.created_at),
        updated_at=iso(inc.updated_at),
        started_at=iso(inc.started_at) if inc.started_at else None,
        last_alert_at=iso(inc.last_alert_at) if inc.last_alert_at else None,
        last_alert_id=inc.last_alert_id,
        first_alert_id=inc.first_alert_id,
        alert_ids_0=set(inc.recent_alert_ids) or None,
        details=inc.details,
        details_ref=inc.details_ref,
        attachments_ref=inc.attachments_ref,
        links=[link.model_dump(exclude_none=True) for link in inc.links],
        images=[image.model_dump(exclude_none=True) for image in inc.images] or None,
        alerts={fp: a.model_dump(mode="json") for fp, a in inc.alerts.items()},
        drill=inc.drill,
        drill_time_scale=inc.drill_time_scale if inc.drill_time_scale != 1.0 else None,
        escalation_policy=inc.escalation_policy,
        routing_rule=inc.routing_rule,
        escalation_round=inc.escalation_round,
        escalation_from_step=inc.escalation_from_step,
        labels=dict(inc.labels) or None,
        source_key=source_index.key_of(inc.labels) if inc.status is not IncidentStatus.RESOLVED else None,
        grouped=inc.grouped,
        revision=inc.revision,
        maintenance_window=inc.maintenance_window,
        inhibited_by=inc.inhibited_by,
        muted_urgency=inc.muted_urgency.value if inc.muted_urgency else None,
        runbook=inc.runbook.model_dump(mode="json", exclude_none=True) if inc.runbook else None,
        roles=inc.roles or None,
    )


def from_item(item: IncidentItem) -> Incident:
    alerts = item.alerts.as_dict() if hasattr(item.alerts, "as_dict") else dict(item.alerts or {})
    return Incident(
        id=item.id,
        number=int(item.number),
        title=item.title,
        service=item.service,
        priority=item.priority,
        urgency=item.urgency,
        status=item.status,
        dedup_key=item.dedup_key,
        alert_count=int(item.alert_count),
        integration=item.integration,
        source=item.source,
        severity=item.severity,
        created_at=parse_iso(item.created_at),
        updated_at=parse_iso(item.updated_at),
        started_at=parse_iso(item.started_at),
        acknowledged_at=parse_iso(item.acknowledged_at),
        acknowledged_by=item.acknowledged_by,
        resolved_at=parse_iso(item.resolved_at),
        resolved_by=item.resolved_by,
        last_alert_at=parse_iso(item.last_alert_at),
        last_alert_id=item.last_alert_id,
        first_alert_id=item.first_alert_id,
        recent_alert_ids=frozenset(item.alert_ids_0 or ()) | frozenset(item.alert_ids_1 or ()),
        details=item.details,
        details_ref=item.details_ref,
        attachments_ref=item.attachments_ref,
        links=[Link.model_validate(link) for link in item.links or []],
        images=[Image.model_validate(image) for image in item.images or []],
        alerts={fp: AlertInstance.model_validate(a) for fp, a in alerts.items()},
        drill=bool(item.drill),
        drill_time_scale=float(item.drill_time_scale or 1.0),
        escalation_policy=item.escalation_policy,
        routing_rule=item.routing_rule,
        escalation_round=int(item.escalation_round or 0),
        escalation_from_step=int(item.escalation_from_step or 0),
        labels=_plain_map(item.labels),
        grouped=bool(item.grouped),
        revision=int(item.revision or 0),
        maintenance_window=item.maintenance_window,
        inhibited_by=item.inhibited_by,
        muted_urgency=item.muted_urgency,
        runbook=IncidentRunbook.model_validate(item.runbook) if item.runbook else None,
        roles=dict(item.roles or {}),
    )


def _plain_map(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    return value.as_dict() if hasattr(value, "as_dict") else dict(value)


def _instance_actions(alert: Alert | None) -> list[Any]:
    if alert is None:
        return []
    return [IncidentItem.alerts[i.fingerprint].set(i.model_dump(mode="json")) for i in alert.instances]


_INDEX_HASH = {
    "by-created": "kind",
    "by-dedup-key": "dedup_key",
    "by-service": "service",
    "by-status": "status",
}


def _decode_cursor(cursor: str | None, index: Any) -> dict[str, Any] | None:
    """The start key a cursor names, only if it has exactly the shape `_index_key` gives `index`."""
    return cursors.decode(cursor, {"id", "created_key", _INDEX_HASH[index.Meta.index_name]})


class DynamoIncidentRepository:
    def __init__(self) -> None:
        self._connection = connection()

    def latest_for_dedup_key(self, service: str, dedup_key: str) -> DedupClaim | None:
        try:
            item = DedupItem.get(dedup_pointer(service, dedup_key), consistent_read=True)
        except DedupItem.DoesNotExist:
            return None
        return DedupClaim(incident_id=item.incident_id, claimed_at=datetime.fromisoformat(item.created_at))

    def claim_dedup_key(
        self, service: str, dedup_key: str, incident_id: str, now: datetime, *, replaces: str | None
    ) -> None:
        pointer = DedupItem(
            key=dedup_pointer(service, dedup_key), incident_id=incident_id, created_at=iso(now)
        )
        expected = DedupItem.key.does_not_exist() if replaces is None else DedupItem.incident_id == replaces
        try:
            pointer.save(condition=expected)
        except PutError as exc:
            if exc.cause_response_code in _CONDITION_FAILED:
                raise Conflict(f"dedup key {dedup_key!r} was claimed by another writer") from exc
            raise

    def release_dedup_key(
        self, service: str, dedup_key: str, incident_id: str, *, restore: DedupClaim | None
    ) -> None:
        mine = DedupItem.incident_id == incident_id
        try:
            if restore is None:
                DedupItem(key=dedup_pointer(service, dedup_key)).delete(condition=mine)
            else:
                DedupItem(
                    key=dedup_pointer(service, dedup_key),
                    incident_id=restore.incident_id,
                    created_at=iso(restore.claimed_at),
                ).save(condition=mine)
        except (PutError, DeleteError) as exc:
            if exc.cause_response_code not in _CONDITION_FAILED:
                raise

    def get(self, incident_id: str) -> Incident | None:
        try:
            return from_item(IncidentItem.get(incident_id, consistent_read=True))
        except IncidentItem.DoesNotExist:
            return None

    def status(self, incident_id: str) -> IncidentStatus | None:
        try:
            item = IncidentItem.get(incident_id, consistent_read=True, attributes_to_get=["status"])
        except IncidentItem.DoesNotExist:
            return None
        return IncidentStatus(item.status)

    def recent_for_dedup_key(self, service: str, dedup_key: str, since: datetime) -> list[Incident]:
        found: list[Incident] = []
        newest_first = IncidentItem.by_dedup_key.query(
            dedup_key, scan_index_forward=False, filter_condition=IncidentItem.service == service
        )
        for item in newest_first:
            found.append(from_item(item))
            if item.created_at < iso(since):  # fixed-width ISO strings: string order is time order
                break
        return found

    def next_number(self) -> int:
        counter = ConfigItem(pk="counter", sk="incident-number")
        counter.update(actions=[ConfigItem.value.add(1)])
        return int(counter.value)

    def create(self, incident: Incident, *, entry: TimelineEntry, event: IncidentEvent) -> None:
        item = _to_item(incident)
        item.outbox = _outbox(event)

        def write(tx: TransactWrite) -> None:
            tx.save(item, condition=IncidentItem.id.does_not_exist())
            tx.save(timeline_item(entry))

        try:  # contention is tried again, and what stays contended is raised as Busy, not as a conflict
            commit_for_request(self._connection, write)
        except TransactWriteError as exc:
            if refused_by_condition(exc):
                raise Conflict(f"incident {incident.id} already exists") from exc
            raise

    def add_alerts(
        self,
        incident_id: str,
        alerts: Sequence[Alert],
        now: datetime,
        *,
        known_count: int,
        event: IncidentEvent,
    ) -> Incident:
        """One conditional UpdateItem: count the alerts and remember their ids, unless the incident is
        resolved or already holds one of the ids (a redelivery). `known_count` is the alert_count the
        caller read; the alerts fit in the generation the first of them joins."""
        ids = [a.id for a in alerts]
        where = memory_slot(known_count)
        if not joinable_at_once(known_count, ids):
            raise ValueError("add_alerts takes distinct alerts of one generation of remembered ids")
        item = IncidentItem(id=incident_id)
        condition: Condition = IncidentItem.status.is_in(*OPEN_STATUSES)
        for alert_id in ids:
            condition &= (
                (IncidentItem.last_alert_id.does_not_exist() | (IncidentItem.last_alert_id != alert_id))
                & ~IncidentItem.alert_ids_0.contains(alert_id)
                & ~IncidentItem.alert_ids_1.contains(alert_id)
            )
        remembered = (IncidentItem.alert_ids_0, IncidentItem.alert_ids_1)[where.slot]
        remember: Any
        if where.fresh:
            # Replaces the generation before last; only at the count read, so two alerts starting the
            # generation together cannot overwrite each other's id (the loser reads again and retries).
            condition &= IncidentItem.alert_count == known_count
            remember = remembered.set(set(ids))
        else:
            remember = remembered.add(set(ids))
        instances = {i.fingerprint: i for alert in alerts for i in alert.instances}  # the latest of each
        actions = [
            IncidentItem.alert_count.add(len(ids)),
            IncidentItem.last_alert_at.set(iso(now)),
            IncidentItem.last_alert_id.set(ids[-1]),
            remember,
            IncidentItem.updated_at.set(iso(now)),
            IncidentItem.revision.add(1),
            IncidentItem.outbox.set(_outbox(event)),
            *[IncidentItem.alerts[f].set(i.model_dump(mode="json")) for f, i in instances.items()],
        ]
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if exc.cause_response_code in _CONDITION_FAILED:
                raise Conflict(f"incident {incident_id} is resolved or already has one of {ids}") from exc
            raise
        return from_item(item)

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
        expected_revision: int | None = None,
    ) -> Incident:
        actions: list[Any] = [IncidentItem.status.set(target.value), IncidentItem.updated_at.set(iso(now))]
        if target is IncidentStatus.ACKNOWLEDGED:
            actions += [IncidentItem.acknowledged_at.set(iso(now)), IncidentItem.acknowledged_by.set(actor)]
        else:  # resolved is final: out of the open sources' index (by-source-key)
            actions += [
                IncidentItem.resolved_at.set(iso(now)),
                IncidentItem.resolved_by.set(actor),
                IncidentItem.source_key.remove(),
            ]
        actions += _instance_actions(alert)
        condition = IncidentItem.status.is_in(*[s.value for s in allowed_from(target)])
        if expected_revision is not None:  # a group's last alert resolving: only if no alert joined since
            condition &= _at_revision(expected_revision)
        return self._update_with_entry(
            incident_id,
            actions,
            condition,
            entry,
            event,
            f"incident {incident_id} cannot become {target.value} now",
        )

    def amend(
        self,
        incident_id: str,
        *,
        now: datetime,
        entry: TimelineEntry,
        event: IncidentEvent,
        priority: Priority | None = None,
        roles: dict[str, str] | None = None,
    ) -> Incident:
        actions: list[Any] = [IncidentItem.updated_at.set(iso(now))]
        if priority is not None:
            actions.append(IncidentItem.priority.set(priority.value))
        if roles is not None:
            actions.append(IncidentItem.roles.set(roles))
        condition = IncidentItem.status.is_in(*OPEN_STATUSES)
        return self._update_with_entry(
            incident_id,
            actions,
            condition,
            entry,
            event,
            f"incident {incident_id} is resolved: it cannot change",
        )

    def restart_escalation(
        self,
        incident_id: str,
        *,
        expected_round: int,
        policy: str | None,
        from_step: int,
        retrigger: bool,
        now: datetime,
        entry: TimelineEntry,
        event: IncidentEvent,
    ) -> Incident:
        """Start a new escalation round, conditional on the round (to re-trigger: on being acked)."""
        actions: list[Any] = [
            IncidentItem.escalation_round.set(expected_round + 1),
            IncidentItem.escalation_from_step.set(from_step),
            IncidentItem.updated_at.set(iso(now)),
        ]
        if policy is not None:
            actions.append(IncidentItem.escalation_policy.set(policy))
        condition = IncidentItem.escalation_round == expected_round
        if retrigger:
            condition &= IncidentItem.status == IncidentStatus.ACKNOWLEDGED.value
            actions += [
                IncidentItem.status.set(IncidentStatus.TRIGGERED.value),
                IncidentItem.acknowledged_at.remove(),
                IncidentItem.acknowledged_by.remove(),
            ]
        else:
            condition &= IncidentItem.status == IncidentStatus.TRIGGERED.value
        return self._update_with_entry(
            incident_id,
            actions,
            condition,
            entry,
            event,
            f"incident {incident_id} changed before its escalation could restart",
        )

    def update_alerts(
        self, incident_id: str, alert: Alert, now: datetime, *, expected_revision: int, event: IncidentEvent
    ) -> Incident:
        """Record alerts of an open incident (a group's alert resolving), only at `expected_revision`."""
        actions = [
            IncidentItem.updated_at.set(iso(now)),
            IncidentItem.revision.add(1),
            IncidentItem.outbox.set(_outbox(event)),
            *_instance_actions(alert),
        ]
        condition = IncidentItem.status.is_in(*OPEN_STATUSES)
        item = IncidentItem(id=incident_id)
        try:
            item.update(actions=actions, condition=condition & _at_revision(expected_revision))
        except UpdateError as exc:
            if exc.cause_response_code in _CONDITION_FAILED:
                raise Conflict(f"incident {incident_id} changed since revision {expected_revision}") from exc
            raise
        return from_item(item)

    def open_with_alerts(self, service: str, fingerprints: list[str]) -> list[Incident]:
        """Open incidents of `service` holding any of these alerts (by fingerprint) in their `alerts` map."""
        found: dict[str, Incident] = {}
        # A filter expression holds at most 4 KB: ask for a few fingerprints at a time.
        for start in range(0, len(fingerprints), FINGERPRINTS_PER_QUERY):
            held: Condition | None = None
            for fp in fingerprints[start : start + FINGERPRINTS_PER_QUERY]:
                exists = IncidentItem.alerts[fp].exists()
                held = exists if held is None else held | exists
            assert held is not None
            found |= {i.id: i for i in self._open((IncidentItem.service == service) & held)}
        return list(found.values())

    def open_matching(self, labels: dict[str, str]) -> list[Source]:
        """Open incidents whose labels include every one of `labels` (inhibition sources): their ids and
        labels alone. With an `alertname` among `labels` (one that fits a key), one query of the
        `by-source-key` index reads the open incidents of that alertname (klaxon.adapters.source_index);
        without one, or until the index can be read, the open incidents of every status."""
        condition: Condition | None = None
        for name, value in labels.items():
            match = IncidentItem.labels[name] == value
            condition = match if condition is None else condition & match
        attributes = ["id", "labels"]
        key = source_index.key_of(labels)
        keyed = source_index.open_with_key(key, condition, attributes) if key is not None else None
        items = keyed if keyed is not None else source_index.open_by_status(condition, attributes)
        return [Source(incident_id=item.id, labels=_plain_map(item.labels)) for item in items]

    def muted(self) -> list[Incident]:
        """Triggered incidents still muted (by a maintenance window or an inhibiting incident)."""
        found = IncidentItem.by_status.query(
            IncidentStatus.TRIGGERED.value, filter_condition=IncidentItem.muted_urgency.exists()
        )
        return [from_item(item) for item in found]

    def _open(self, condition: Condition | None) -> list[Incident]:
        return [from_item(item) for item in source_index.open_by_status(condition, None)]

    def release(
        self,
        incident_id: str,
        *,
        urgency: Urgency,
        inhibited_by: str | None,
        now: datetime,
        entry: TimelineEntry,
        event: IncidentEvent,
    ) -> Incident:
        """Unmute a still-triggered incident (muted by `inhibited_by`, if given) with its timeline entry,
        in a new escalation round: a P3/P4's run started (and ended) while muted, under the round's name."""
        condition = (
            IncidentItem.status == IncidentStatus.TRIGGERED.value
        ) & IncidentItem.muted_urgency.exists()
        if inhibited_by is not None:
            condition &= IncidentItem.inhibited_by == inhibited_by
        actions = [
            IncidentItem.urgency.set(urgency.value),
            IncidentItem.muted_urgency.remove(),
            IncidentItem.escalation_round.add(1),
            IncidentItem.updated_at.set(iso(now)),
        ]
        return self._update_with_entry(incident_id, actions, condition, entry, event)

    def reinhibit(
        self, incident_id: str, *, from_source: str, to_source: str, now: datetime, entry: TimelineEntry
    ) -> Incident:
        """Keep a muted, still triggered incident muted under another open source incident, when its first one
        resolved (an acknowledged or resolved one keeps its record)."""
        condition = (
            (IncidentItem.status == IncidentStatus.TRIGGERED.value)
            & IncidentItem.muted_urgency.exists()
            & (IncidentItem.inhibited_by == from_source)
        )
        actions = [IncidentItem.inhibited_by.set(to_source), IncidentItem.updated_at.set(iso(now))]
        return self._update_with_entry(incident_id, actions, condition, entry, None)

    def _update_with_entry(
        self,
        incident_id: str,
        actions: list[Any],
        condition: Condition,
        entry: TimelineEntry,
        event: IncidentEvent | None,
        refused: str = "incident {id} changed before it could be released",
    ) -> Incident:
        """One conditional update of an incident, its timeline entry and its event (or none: the stream
        then carries no event), atomically; Conflict(`refused`)."""
        outbox = IncidentItem.outbox.remove() if event is None else IncidentItem.outbox.set(_outbox(event))

        def write(tx: TransactWrite) -> None:
            tx.update(IncidentItem(id=incident_id), actions=[*actions, outbox], condition=condition)
            tx.save(timeline_item(entry))

        # Contention (another write to the incident in progress) is tried again, not read as a refusal:
        # an acknowledgement so cancelled re-read the incident still triggered and answered as if done.
        try:
            commit_for_request(self._connection, write)
        except TransactWriteError as exc:
            if refused_by_condition(exc):
                raise Conflict(refused.format(id=incident_id)) from exc
            raise
        incident = self.get(incident_id)
        if incident is None:  # pragma: no cover - the conditional update proved it exists
            raise Conflict(f"incident {incident_id} vanished")
        return incident

    def query(self, query: IncidentQuery) -> IncidentPage:
        if query.number is not None:
            return self._numbered(query)
        index: Any = IncidentItem.by_created
        hash_value, filters = "incident", list[Condition]()
        if query.id_prefix is not None:
            filters.append(IncidentItem.id.startswith(query.id_prefix))
        if query.dedup_key is not None:
            index, hash_value = IncidentItem.by_dedup_key, query.dedup_key
        elif query.service is not None:
            index, hash_value = IncidentItem.by_service, query.service
        elif query.status is not None:
            index, hash_value = IncidentItem.by_status, query.status.value
        if query.service is not None and index is not IncidentItem.by_service:
            filters.append(IncidentItem.service == query.service)
        if query.status is not None and index is not IncidentItem.by_status:
            filters.append(IncidentItem.status == query.status.value)
        condition = None
        for f in filters:
            condition = f if condition is None else condition & f
        # Look one past the page: a `next` cursor is given only when something really follows.
        found: list[Incident] = []
        start = _decode_cursor(query.cursor, index)
        while len(found) <= query.limit:
            result = index.query(
                hash_value,
                scan_index_forward=False,
                filter_condition=condition,
                limit=query.limit + 1,
                last_evaluated_key=start,
            )
            found.extend(from_item(item) for item in result)
            start = result.last_evaluated_key
            if not start:
                break
        page = IncidentPage(incidents=found[: query.limit])
        if len(found) > query.limit:
            page.next = cursors.encode(_index_key(index, page.incidents[-1]))
        return page

    def _numbered(self, query: IncidentQuery) -> IncidentPage:
        """At most one incident has a number; the other filters still apply to it."""
        keys = [item.id for item in IncidentItem.by_number.query(query.number, limit=2)]
        found = [i for i in (self.get(key) for key in keys) if i is not None]
        matching = [
            i
            for i in found
            if (query.status is None or i.status is query.status)
            and (query.service is None or i.service == query.service)
            and (query.dedup_key is None or i.dedup_key == query.dedup_key)
            and (query.id_prefix is None or i.id.startswith(query.id_prefix))
        ]
        return IncidentPage(incidents=matching[: query.limit])


def _outbox(event: IncidentEvent) -> OutboxAttribute:
    return OutboxAttribute(detail_type=str(event.detail_type), actor=event.actor, reason=event.reason)


def _at_revision(revision: int) -> Condition:
    if revision == 0:  # incidents written before revisions existed have none
        return IncidentItem.revision.does_not_exist() | (IncidentItem.revision == 0)
    return IncidentItem.revision == revision


def _index_key(index: Any, incident: Incident) -> dict[str, Any]:
    """The exclusive start key DynamoDB wants after `incident` on `index` (table key + index key)."""
    created_key = f"{iso(incident.created_at)}#{incident.id}"
    index_hash = {
        IncidentItem.by_created: ("kind", "incident"),
        IncidentItem.by_dedup_key: ("dedup_key", incident.dedup_key),
        IncidentItem.by_service: ("service", incident.service),
        IncidentItem.by_status: ("status", incident.status.value),
    }[index]
    return {
        "id": {"S": incident.id},
        index_hash[0]: {"S": index_hash[1]},
        "created_key": {"S": created_key},
    }
