"""The incidents opened in a window, for reports: read newest first, page by page, stopping at the window's
start (the list is in creation order)."""

from __future__ import annotations

from datetime import datetime

from klaxon.domain.incident.models import Incident
from klaxon.ports import IncidentQuery, IncidentRepository

PAGE_SIZE = 100


def opened_between(incidents: IncidentRepository, start: datetime, end: datetime) -> list[Incident]:
    """The incidents created in [start, end), newest first."""
    found: list[Incident] = []
    cursor: str | None = None
    while True:
        page = incidents.query(IncidentQuery(limit=PAGE_SIZE, cursor=cursor))
        found += [i for i in page.incidents if start <= i.created_at < end]
        if page.next is None or not page.incidents or page.incidents[-1].created_at < start:
            return found
        cursor = page.next
