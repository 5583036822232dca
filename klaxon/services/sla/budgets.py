"""Every customer's budgets now, from the status page's own record: each public incident holds its
components in a status from its start to its resolution (an open one up to now), and each scheduled
maintenance its components under maintenance; the same record the page's uptime bars are drawn from."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from klaxon.domain.chat.messages import Fact
from klaxon.domain.errors import NotFound
from klaxon.domain.report_window import check_range
from klaxon.domain.sla.budget import Slo
from klaxon.domain.sla.customers import (
    Customer,
    CustomerBudget,
    IncidentShare,
    Interval,
    customer_budgets,
    incident_shares,
)
from klaxon.domain.sla.downtime import Span
from klaxon.domain.sla.report import SlaReport, sla_report
from klaxon.domain.statuspage.models import Maintenance, Page, PublicIncident, Snapshot
from klaxon.ports import Clock

OPEN_END = datetime.max.replace(tzinfo=UTC)  # an open incident's span: the budget counts it up to now


def spans_by_component(incidents: Iterable[PublicIncident]) -> dict[str, list[Span]]:
    """Each component's spans; an open incident's runs on (the budget counts it up to now, and burns)."""
    found: dict[str, list[Span]] = {}
    for incident in incidents:
        end = incident.resolved_at or OPEN_END
        for component, status in incident.components.items():
            found.setdefault(component, []).append(Span(incident.started_at, end, status))
    return found


def maintenance_by_component(windows: Iterable[Maintenance]) -> dict[str, list[Interval]]:
    found: dict[str, list[Interval]] = {}
    for window in windows:
        for component in window.components:
            found.setdefault(component, []).append((window.scheduled_for, window.scheduled_until))
    return found


@dataclass
class SlaService:
    snapshot: Callable[[], Snapshot | None]
    slos: Callable[[], Mapping[str, Slo]]
    customers: Callable[[], Sequence[Customer]]
    clock: Clock

    def incident_impact(self, public: PublicIncident | None, resolved: datetime) -> list[IncidentShare]:
        """What one public incident took of each customer's budget (for its post-mortem): until it resolved
        on the page, else until the incident did (the page may not have caught up yet)."""
        if public is None:
            return []
        ended = public if public.resolved_at else public.model_copy(update={"resolved_at": resolved})
        return incident_shares(self.customers(), self.slos(), spans_by_component([ended]))

    def burning_incidents(self, components: Sequence[str]) -> list[str]:
        """The Klaxon incidents whose open public incidents hold any of `components`: those burning the
        budgets of those components now."""
        snapshot = self.snapshot()
        if snapshot is None:
            return []
        wanted = set(components)
        return sorted({i.incident_id for i in snapshot.incidents if i.is_open and wanted & set(i.components)})

    def incident_facts(self, public: PublicIncident | None) -> list[Fact]:
        """The summary lines of an open incident's room: each budget its components feed, how much is used
        and when it runs out at the current burn ("Acme Bank's 99.95% storefront budget: 64% used, runs
        out at 14:12 UTC, in 12 min")."""
        if public is None or not public.is_open:
            return []
        touched = set(public.components)
        now = self.clock.now()
        facts = []
        for found in self.budgets():
            if not touched & set(found.components):
                continue
            budget = found.budget
            whose = f"{found.customer_name}'s {budget.target}% {budget.slo} budget"
            said = f"{whose}: {budget.consumed_percent:g}% used"
            if budget.breached:
                said += ", spent"
            elif budget.breach_at is not None:
                minutes = max(round((budget.breach_at - now).total_seconds() / 60), 0)
                said += f", runs out at {budget.breach_at:%H:%M} UTC, in {minutes} min"
            facts.append(Fact("SLA", said))
        return facts

    def report(self, customer: str, start: datetime, end: datetime) -> SlaReport:
        """The compliance report of one customer over [start, end) (at most a year)."""
        check_range(start, end)
        (chosen,) = self._customers(customer)
        snapshot = self.snapshot()
        incidents = snapshot.incidents if snapshot is not None else []
        maintenances = snapshot.maintenances if snapshot is not None else []
        page = snapshot.page if snapshot is not None else Page()
        report = sla_report(
            chosen,
            self.slos(),
            incidents,
            maintenance_by_component(maintenances),
            page.name,
            start,
            end,
            self.clock.now(),
        )
        return report.model_copy(
            update={"page_logo_url": page.logo_url, "page_accent_colour": page.accent_colour}
        )

    def _customers(self, customer: str | None) -> list[Customer]:
        chosen = [c for c in self.customers() if customer is None or c.id == customer]
        if customer is not None and not chosen:
            known = ", ".join(c.id for c in self.customers()) or "none configured"
            raise NotFound(f"no customer {customer!r} (customers: {known})")
        return chosen

    def budgets(self, customer: str | None = None) -> list[CustomerBudget]:
        """Each customer's budget per contract at this moment (or one customer's)."""
        chosen = self._customers(customer)
        snapshot = self.snapshot()
        if snapshot is None or not chosen:
            return []
        now = self.clock.now()
        return customer_budgets(
            chosen,
            self.slos(),
            spans_by_component(snapshot.incidents),
            maintenance_by_component(snapshot.maintenances),
            now,
        )
