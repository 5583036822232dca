"""The compliance report of one customer over a period (a month, a quarter, a year): per contract, the
target promised, the availability achieved per component and overall, each incident that counted (its
start and end in the period, status, weight and minutes), the maintenance left out, the credit owed per
month from the contract's table, and the budget's burn-down through the period, a day at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from klaxon.domain.model import Model
from klaxon.domain.sla.budget import Slo
from klaxon.domain.sla.customers import Contract, Customer, Interval, credit_owed, outside
from klaxon.domain.sla.downtime import Span, weighted_seconds
from klaxon.domain.statuspage.models import PublicIncident

DAY = timedelta(days=1)


class CountedIncident(Model):
    name: str
    components: list[str]
    status: str  # the worst it gave the customer's components
    start: datetime  # within the period
    end: datetime
    weight: float
    minutes: float  # weighted, on its own (the totals count overlaps once and leave maintenance out)


class MonthFigures(Model):
    month: str
    allowed_minutes: float
    consumed_minutes: float
    availability_percent: float
    credit_percent: float


class ContractReport(Model):
    slo: str
    target: float
    components: list[str]
    allowed_minutes: float
    consumed_minutes: float
    availability_percent: float
    component_availability: dict[str, float]
    maintenance_minutes: float  # scheduled maintenance on its components in the period, not counted
    months: list[MonthFigures]
    incidents: list[CountedIncident]
    burn_down: list[tuple[str, float]]  # (day, budget minutes left at its end)


class SlaReport(Model):
    customer: str
    customer_name: str
    page_name: str  # the status page's branding heads the report
    page_logo_url: str | None = None
    page_accent_colour: str | None = None
    start: datetime
    end: datetime
    contracts: list[ContractReport]


def months_between(start: datetime, end: datetime) -> list[tuple[str, datetime, datetime]]:
    """The calendar months (UTC) [start, end) spans, each clipped to it."""
    found, cursor = [], start
    while cursor < end:
        following = (
            cursor.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=32)
        ).replace(day=1)
        found.append((cursor.strftime("%Y-%m"), cursor, min(following, end)))
        cursor = following
    return found


def _availability(consumed_s: float, length_s: float) -> float:
    return round(100 * (1 - consumed_s / length_s), 4) if length_s > 0 else 100.0


def sla_report(
    customer: Customer,
    slos: Mapping[str, Slo],
    incidents: Sequence[PublicIncident],
    maintenance_of: Mapping[str, Sequence[Interval]],
    page_name: str,
    start: datetime,
    end: datetime,
    now: datetime,
) -> SlaReport:
    """The report of [start, end) as it stands at `now` (an open incident counts up to now)."""
    period = Period(start, end, min(end, now))
    return SlaReport(
        customer=customer.id,
        customer_name=customer.name,
        page_name=page_name,
        start=start,
        end=end,
        contracts=[
            _contract(customer, contract, slos[contract.slo], incidents, maintenance_of, period)
            for contract in customer.contracts
        ],
    )


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    stop: datetime  # the end, or now when the period is not over

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def _spans(
    component: str,
    incidents: Sequence[PublicIncident],
    slo: Slo,
    maintenance: Sequence[Interval],
    stop: datetime,
) -> list[Span]:
    own = [
        Span(i.started_at, i.resolved_at or stop, i.components[component])
        for i in incidents
        if component in i.components
    ]
    return outside(own, maintenance) if slo.exclude_maintenance else own


def _contract(
    customer: Customer,
    contract: Contract,
    slo: Slo,
    incidents: Sequence[PublicIncident],
    maintenance_of: Mapping[str, Sequence[Interval]],
    period: Period,
) -> ContractReport:
    target = contract.target or slo.target
    components = sorted(customer.components & slo.components or customer.components)
    by_component = {c: _spans(c, incidents, slo, maintenance_of.get(c, ()), period.stop) for c in components}
    every = [s for spans in by_component.values() for s in spans]
    consumed = weighted_seconds(every, slo.weights, period.start, period.stop)
    allowed = (1 - target / 100) * period.seconds
    return ContractReport(
        slo=slo.id,
        target=target,
        components=components,
        allowed_minutes=round(allowed / 60, 2),
        consumed_minutes=round(consumed / 60, 2),
        availability_percent=_availability(consumed, period.seconds),
        component_availability={
            c: _availability(weighted_seconds(spans, slo.weights, period.start, period.stop), period.seconds)
            for c, spans in by_component.items()
        },
        maintenance_minutes=round(_maintenance_seconds(components, maintenance_of, period) / 60, 2),
        months=_months(every, slo, target, contract, period),
        incidents=_counted(incidents, components, slo, period.start, period.stop),
        burn_down=_burn_down(every, slo, allowed, period),
    )


def _months(
    every: Sequence[Span], slo: Slo, target: float, contract: Contract, period: Period
) -> list[MonthFigures]:
    months = []
    for name, left, right in months_between(period.start, period.end):
        consumed = weighted_seconds(every, slo.weights, left, min(right, period.stop))
        length = (right - left).total_seconds()
        availability = _availability(consumed, length)
        months.append(
            MonthFigures(
                month=name,
                allowed_minutes=round((1 - target / 100) * length / 60, 2),
                consumed_minutes=round(consumed / 60, 2),
                availability_percent=availability,
                credit_percent=credit_owed(availability, contract.credits),
            )
        )
    return months


def _burn_down(every: Sequence[Span], slo: Slo, allowed: float, period: Period) -> list[tuple[str, float]]:
    """The budget left at the end of each day of the period (what is still to come is not counted)."""
    burn, day = [], period.start
    while day < period.end:
        to = min(day + DAY, period.end)
        used = weighted_seconds(every, slo.weights, period.start, min(to, period.stop))
        burn.append((day.date().isoformat(), round((allowed - used) / 60, 2)))
        day = to
    return burn


def _maintenance_seconds(
    components: Sequence[str], maintenance_of: Mapping[str, Sequence[Interval]], period: Period
) -> float:
    return sum(
        (min(b, period.stop) - max(a, period.start)).total_seconds()
        for c in components
        for a, b in maintenance_of.get(c, ())
        if a < period.stop and b > period.start
    )


def _counted(
    incidents: Sequence[PublicIncident], components: Sequence[str], slo: Slo, start: datetime, stop: datetime
) -> list[CountedIncident]:
    found = []
    for incident in sorted(incidents, key=lambda i: i.started_at):
        touched = [c for c in components if c in incident.components]
        left, right = max(incident.started_at, start), min(incident.resolved_at or stop, stop)
        if not touched or left >= right:
            continue
        worst = max((incident.components[c] for c in touched), key=lambda s: s.rank)
        weight = slo.weights.get(worst, 0.0)
        if weight <= 0:
            continue
        found.append(
            CountedIncident(
                name=incident.name,
                components=touched,
                status=worst.value,
                start=left,
                end=right,
                weight=weight,
                minutes=round(weight * (right - left).total_seconds() / 60, 2),
            )
        )
    return found
