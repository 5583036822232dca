"""When each person was paged, for the on-call load report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from klaxon.domain.paging.pages import DeliveryStatus
from klaxon.ports import IncidentQuery, IncidentRepository
from klaxon.ports.paging import NotificationRecords

PAGE_LOOKBACK = timedelta(days=2)  # escalations end within hours; an incident older than this paged before


def page_log(
    incidents: IncidentRepository, records: NotificationRecords
) -> Callable[[datetime, datetime], dict[str, list[datetime]]]:
    """When each user was paged in [start, end), for the on-call load report.

    One page is one step reaching one person, however many channels it used (push and SMS at once are one
    interruption); drills are left out. Incidents are read newest first until they are too old to matter.
    """

    def pages(start: datetime, end: datetime) -> dict[str, list[datetime]]:
        found: dict[tuple[str, int, int, str], datetime] = {}
        cursor: str | None = None
        while True:
            page = incidents.query(IncidentQuery(limit=100, cursor=cursor))
            for incident in page.incidents:
                if incident.created_at >= end or incident.drill:
                    continue
                for n in records.list(incident.id):
                    if n.status is DeliveryStatus.SENT and start <= n.sent_at < end:
                        key = n.page_key()
                        found[key] = min(found.get(key, n.sent_at), n.sent_at)
            oldest = page.incidents[-1].created_at if page.incidents else None
            if page.next is None or oldest is None or oldest < start - PAGE_LOOKBACK:
                break
            cursor = page.next
        by_user: dict[str, list[datetime]] = {}
        for (_, _, _, user), at in sorted(found.items(), key=lambda item: item[1]):
            by_user.setdefault(user, []).append(at)
        return by_user

    return pages
