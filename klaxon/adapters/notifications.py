"""Escalation records in DynamoDB: tick claims (only while the incident is triggered) and pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from klaxon.adapters.tables import IncidentItem, NotificationItem, connection
from klaxon.adapters.timeline import to_item as timeline_item
from klaxon.adapters.transactions import commit, contended, refused
from klaxon.domain.errors import Conflict
from klaxon.domain.incident.models import IncidentStatus, TimelineEntry
from klaxon.domain.paging.escalation import Tick
from klaxon.domain.paging.pages import SEND_LEASE, SENDING, Notification, Page, ToReserve
from klaxon.domain.paging.sweep import Claim


def _claim_key(round_: int, tick: Tick) -> str:
    return f"claim#{round_:02d}#{tick.loop:02d}#{tick.step:02d}#{tick.at_minute:05d}"


def _page_key(round_: int, page: Page) -> str:
    return f"page#{round_:02d}#{page.loop:02d}#{page.step:02d}#{page.user}#{page.channel.value}"


def _reservation(round_: int, wanted: ToReserve) -> tuple[NotificationItem, Condition]:
    """The page's `sending` record with its lease, and the condition it is written on (`pages.may_send`):
    never reserved, or left "sending" by this tick's crashed attempt or by one whose lease ran out."""
    page, token, now = wanted.page, wanted.token, wanted.now
    item = NotificationItem(
        incident_id=page.incident_id,
        sk=_page_key(round_, page),
        status=SENDING,
        token=token,
        lease_until=(now + SEND_LEASE).timestamp(),
    )
    abandoned = (NotificationItem.status == SENDING) & (
        (NotificationItem.token == token)
        | NotificationItem.lease_until.does_not_exist()
        | (NotificationItem.lease_until <= now.timestamp())
    )
    return item, NotificationItem.sk.does_not_exist() | abandoned


def _while_triggered(tx: TransactWrite, incident_id: str) -> None:
    triggered = IncidentItem.status == IncidentStatus.TRIGGERED.value
    tx.condition_check(IncidentItem, incident_id, condition=triggered)


class DynamoNotificationRepository:
    def __init__(self) -> None:
        self._connection = connection()

    def claim(
        self, incident_id: str, round_: int, tick: Tick, token: str, first: ToReserve | None = None
    ) -> bool:
        """Claim a tick while the incident is still triggered; the same `token` may claim again (a retry).
        With `first`, its reservation is in the claim's transaction: one write fewer on every tick. Raises
        Conflict when the incident was acknowledged or resolved, or another run owns the tick.
        """
        item = NotificationItem(incident_id=incident_id, sk=_claim_key(round_, tick), token=token)
        mine = NotificationItem.sk.does_not_exist() | (NotificationItem.token == token)

        def write(tx: TransactWrite) -> None:
            _while_triggered(tx, incident_id)
            tx.save(item, condition=mine)
            if first is not None:
                tx.save(*_reservation(round_, first))

        try:
            commit(self._connection, write)
        except TransactWriteError as exc:
            if first is not None and (refused(exc) or contended(exc)):
                return self._apart(round_, lambda: self.claim(incident_id, round_, tick, token), first)
            if refused(exc):
                raise Conflict(f"tick {tick} of incident {incident_id} is not ours to page") from exc
            raise
        return first is not None

    def reserve(self, round_: int, page: Page, token: str, now: datetime) -> bool:
        """Reserve a page before sending it, in one transaction: the incident still triggered, and the
        page never reserved or left "sending" by a crashed attempt (`pages.may_send`)."""
        item, condition = _reservation(round_, ToReserve(page, token, now))

        def write(tx: TransactWrite) -> None:
            _while_triggered(tx, page.incident_id)
            tx.save(item, condition=condition)

        try:
            commit(self._connection, write)
        except TransactWriteError as exc:
            if refused(exc):
                return False
            raise
        return True

    def record(
        self,
        round_: int,
        page: Page,
        notification: Notification,
        entry: TimelineEntry | None = None,
        then: ToReserve | None = None,
    ) -> bool:
        item = NotificationItem(
            incident_id=page.incident_id,
            sk=_page_key(round_, page),
            status=notification.status.value,
            doc=notification.model_dump(mode="json"),
        )
        if entry is None and then is None:
            item.save()
            return False

        def write(tx: TransactWrite) -> None:
            tx.save(item)
            if entry is not None:
                tx.save(timeline_item(entry))
            if then is not None:
                _while_triggered(tx, then.page.incident_id)
                tx.save(*_reservation(round_, then))

        try:
            commit(self._connection, write)
        except TransactWriteError as exc:
            if then is not None and (refused(exc) or contended(exc)):
                return self._apart(round_, lambda: self.record(round_, page, notification, entry), then)
            if not contended(exc):
                raise
            # Contended still: the result alone, then its line. A page recorded is never sent again (the
            # task failing here would send it twice); its line is lost only if the second write fails.
            item.save()
            if entry is not None:
                timeline_item(entry).save()
        return then is not None

    def _apart(self, round_: int, write: Callable[[], object], then: ToReserve) -> bool:
        """A write that carried a reservation was refused (the incident no longer triggered, or the page
        not this attempt's to send) or stayed contended: the two writes again, one after the other, as
        they were before they shared a transaction (each refusal then reads as its own)."""
        write()
        return self.reserve(round_, then.page, then.token, then.now)

    def in_flight(self, incident_id: str, now: datetime) -> bool:
        sending = (NotificationItem.status == SENDING) & (NotificationItem.lease_until > now.timestamp())
        items = NotificationItem.query(
            incident_id,
            NotificationItem.sk.startswith("page#"),
            filter_condition=sending,
            consistent_read=True,
            attributes_to_get=["sk"],
        )
        return next(iter(items), None) is not None

    def list(self, incident_id: str) -> list[Notification]:
        items = NotificationItem.query(incident_id, NotificationItem.sk.startswith("page#"))
        found = [Notification.model_validate(i.doc) for i in items if i.doc]
        return sorted(found, key=lambda n: (n.sent_at, n.step, n.user, n.channel.value))

    def latest_tick(self, incident_id: str, round_: int) -> Tick | None:
        """The last tick claimed in a round (keys sort by loop, step, minute)."""
        found = self.latest_claim(incident_id, round_)
        return found.tick if found is not None else None

    def latest_claim(self, incident_id: str, round_: int) -> Claim | None:
        claims = NotificationItem.query(
            incident_id,
            NotificationItem.sk.startswith(f"claim#{round_:02d}#"),
            scan_index_forward=False,
            limit=1,
            consistent_read=True,
        )
        for item in claims:
            _, _, loop, step, minute = item.sk.split("#")
            return Claim(Tick(loop=int(loop), step=int(step), at_minute=int(minute)), item.token or "")
        return None

    def finish(self, incident_id: str, round_: int, reason: str) -> None:
        NotificationItem(incident_id=incident_id, sk=f"end#{round_:02d}", status=reason).save()

    def finished(self, incident_id: str, round_: int) -> bool:
        try:
            NotificationItem.get(incident_id, f"end#{round_:02d}", consistent_read=True)
        except NotificationItem.DoesNotExist:
            return False
        return True

    def statuses(self, incident_id: str) -> dict[str, str]:
        """Every page key with its status, including sends that never finished ("sending")."""
        return {
            i.sk: i.status or ""
            for i in NotificationItem.query(incident_id, NotificationItem.sk.startswith("page#"))
        }
