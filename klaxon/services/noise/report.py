"""The noise report use case: incidents opened in a range, with their pages, summarised by alert source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from klaxon.domain.incident.models import Incident
from klaxon.domain.noise.report import NoiseReport, noise_report
from klaxon.domain.paging.pages import DeliveryStatus
from klaxon.domain.report_window import check_range
from klaxon.ports import IncidentRepository
from klaxon.ports.paging import PageRecords
from klaxon.services.incident.opened import opened_between


@dataclass
class NoiseReportService:
    incidents: IncidentRepository
    records: PageRecords

    def report(self, start: datetime, end: datetime, top: int = 10) -> NoiseReport:
        """Per alert source and service over [start, end): alerts, incidents, pages, ack rate and time."""
        check_range(start, end)
        opened = self._opened(start, end)
        return noise_report(opened, {i.id: self._pages(i.id) for i in opened}, start, end, top=top)

    def _opened(self, start: datetime, end: datetime) -> list[Incident]:
        return opened_between(self.incidents, start, end)

    def _pages(self, incident_id: str) -> int:
        """One page is one step reaching one person, however many channels it used."""
        sent = [n for n in self.records.list(incident_id) if n.status is DeliveryStatus.SENT]
        return len({n.page_key() for n in sent})
