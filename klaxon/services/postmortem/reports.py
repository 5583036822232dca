"""The learning reports (docs/postmortems.md#reports): action items created and completed, and response
times with post-mortem completion; and the monthly message when the last month's action items fell short
of the goal, to the configured chat channel and email list, once per month."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from klaxon.domain.incident.models import IncidentStatus
from klaxon.domain.postmortem.models import PostmortemPolicy
from klaxon.domain.report_window import check_range, period
from klaxon.domain.reports.actions import ActionReport, action_report
from klaxon.domain.reports.response import ResponseReport, response_report
from klaxon.ports import Clock, IncidentRepository, PostmortemStore, TimelineRepository
from klaxon.services.incident.opened import opened_between

log = logging.getLogger(__name__)


@dataclass
class LearningReports:
    store: PostmortemStore
    incidents: IncidentRepository
    timeline: TimelineRepository
    team_of: Callable[[], Mapping[str, str]]
    policy: Callable[[], PostmortemPolicy]
    clock: Clock

    def actions(self, start: datetime, end: datetime) -> ActionReport:
        check_range(start, end)
        return action_report(self.store.all(), self.team_of(), start, end, self.clock.now())

    def response(self, start: datetime, end: datetime) -> ResponseReport:
        check_range(start, end)
        opened = opened_between(self.incidents, start, end)
        postmortems = {p.incident_id: p for p in self.store.all()}
        # An incident triggered again (its acknowledgement timed out) counts from its first acknowledgement.
        first_acks = {
            i.id: at for i in opened if i.escalation_round > 0 and (at := self._first_ack(i.id)) is not None
        }
        return response_report(
            opened,
            postmortems,
            self.team_of(),
            self.policy().priorities,
            start,
            end,
            self.clock.now(),
            first_acks,
        )

    def _first_ack(self, incident_id: str) -> datetime | None:
        acks = [e.at for e in self.timeline.list(incident_id) if e.kind == IncidentStatus.ACKNOWLEDGED.value]
        return min(acks, default=None)

    def last_month(self) -> tuple[str, datetime, datetime]:
        """The last full calendar month (UTC) before now: its name and window."""
        return period(self.clock.now(), UTC)
