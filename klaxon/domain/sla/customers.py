"""Each customer's budgets: per contract, the SLO's window and weights with the target the customer was
promised, over the downtime of the components the customer depends on (merged across them: two
components down at once is one outage), each component's maintenance excluded where the SLO says so; and
the service credit the contract's table gives for the availability so far."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from klaxon.domain.model import Model
from klaxon.domain.sla.budget import Budget, Slo, budget, window_of
from klaxon.domain.sla.downtime import Span, weighted_seconds

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Credit:
    below: float  # availability percent under which this credit is owed
    credit_percent: float


@dataclass(frozen=True)
class Contract:
    slo: str
    target: float | None = None  # None: the SLO's own
    credits: tuple[Credit, ...] = ()


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    components: frozenset[str]
    contracts: tuple[Contract, ...]
    account_owner: str | None = None


class CustomerBudget(Model):
    customer: str
    customer_name: str
    components: list[str]
    budget: Budget
    availability_percent: float  # over the whole window, if nothing more goes down in it
    credit_percent: float  # what the contract's table owes at that availability


def outside(spans: Iterable[Span], excluded: Sequence[Interval]) -> list[Span]:
    """The parts of `spans` outside every excluded interval."""
    pieces = list(spans)
    for left, right in excluded:
        cut: list[Span] = []
        for span in pieces:
            if span.end <= left or span.start >= right:
                cut.append(span)
                continue
            if span.start < left:
                cut.append(Span(span.start, left, span.status))
            if span.end > right:
                cut.append(Span(right, span.end, span.status))
        pieces = cut
    return pieces


def credit_owed(availability: float, credits: Iterable[Credit]) -> float:
    """The largest credit whose threshold the availability is under (0 when none)."""
    return max((c.credit_percent for c in credits if availability < c.below), default=0.0)


def in_window(spans: Iterable[Span], slo: Slo, now: datetime) -> list[Span]:
    """The spans a budget at `now` counts: those overlapping its window up to `now`, or covering `now`
    (a year of incidents, against a month's window)."""
    start, end = window_of(slo, now)
    last = min(now, end)
    return [s for s in spans if s.end > start and s.start <= last]


def customer_budgets(
    customers: Iterable[Customer],
    slos: Mapping[str, Slo],
    spans_of: Mapping[str, Sequence[Span]],
    maintenance_of: Mapping[str, Sequence[Interval]],
    now: datetime,
) -> list[CustomerBudget]:
    """Every customer's budget per contract, at `now`."""
    found = []
    touching: dict[tuple[str, str], list[Span]] = {}  # (component, slo): worked out once for every customer
    for customer in customers:
        for contract in customer.contracts:
            slo = slos[contract.slo]
            components = sorted(customer.components & slo.components or customer.components)
            spans = []
            for component in components:
                if (component, slo.id) not in touching:
                    kept = spans_of.get(component, ())
                    if slo.exclude_maintenance:
                        kept = outside(kept, maintenance_of.get(component, ()))
                    touching[component, slo.id] = in_window(kept, slo, now)
                spans += touching[component, slo.id]
            figures = budget(slo, contract.target or slo.target, spans, (), now)
            window = (figures.window_end - figures.window_start).total_seconds()
            availability = 100 * (1 - figures.consumed_minutes * 60 / window) if window > 0 else 100.0
            found.append(
                CustomerBudget(
                    customer=customer.id,
                    customer_name=customer.name,
                    components=components,
                    budget=figures,
                    availability_percent=round(availability, 4),
                    credit_percent=credit_owed(availability, contract.credits),
                )
            )
    return found


class IncidentShare(Model):
    """What one incident took of a customer's budget (its window: the one the incident began in)."""

    customer: str
    customer_name: str
    slo: str
    target: float
    minutes: float
    allowed_minutes: float
    percent: float

    def wording(self) -> str:
        return (
            f"{self.customer_name}: {self.minutes:g} min of its {self.target}% {self.slo} budget "
            f"({self.allowed_minutes:g} min), {self.percent:g}%"
        )


def incident_shares(
    customers: Iterable[Customer], slos: Mapping[str, Slo], spans_of: Mapping[str, Sequence[Span]]
) -> list[IncidentShare]:
    """Each customer's share of its budget one incident took (`spans_of`: that incident's spans by
    component), largest first; customers it did not touch are left out."""
    found = []
    for customer in customers:
        for contract in customer.contracts:
            slo = slos[contract.slo]
            components = customer.components & slo.components or customer.components
            spans = [s for c in sorted(components) for s in spans_of.get(c, ())]
            if not spans:
                continue
            start, end = window_of(slo, min(s.start for s in spans))
            target = contract.target or slo.target
            allowed = (1 - target / 100) * (end - start).total_seconds()
            seconds = weighted_seconds(spans, slo.weights, start, end)
            if seconds <= 0 or allowed <= 0:
                continue
            found.append(
                IncidentShare(
                    customer=customer.id,
                    customer_name=customer.name,
                    slo=slo.id,
                    target=target,
                    minutes=round(seconds / 60, 2),
                    allowed_minutes=round(allowed / 60, 2),
                    percent=round(100 * seconds / allowed, 1),
                )
            )
    return sorted(found, key=lambda s: -s.percent)
