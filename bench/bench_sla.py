"""SLA budgets at scale (issue 17's goal: under 1 s): 500 customers, each on 20 of 100 components, over a
year of 5,000 public incidents, computed by the domain (`customer_budgets`) with a calendar-month SLO and a
rolling 30-day one. `budgets_500x20_ms` is the median of 5 runs; also the seconds of downtime summed, so a
faster wrong answer shows."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from klaxon.domain.sla.budget import Slo, WindowKind
from klaxon.domain.sla.customers import Contract, Credit, Customer, customer_budgets
from klaxon.domain.sla.downtime import Span
from klaxon.domain.statuspage.models import ComponentStatus

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
COMPONENTS = [f"c{n:03d}" for n in range(100)]
STATUSES = [
    ComponentStatus.MAJOR_OUTAGE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.DEGRADED_PERFORMANCE,
]


def world(seed: int = 17) -> tuple[list[Customer], dict[str, Slo], dict[str, list[Span]]]:
    rng = random.Random(seed)
    spans: dict[str, list[Span]] = {}
    for _ in range(5_000):
        start = NOW - timedelta(minutes=rng.randrange(365 * 24 * 60))
        end = start + timedelta(minutes=rng.randrange(1, 240))
        for component in rng.sample(COMPONENTS, rng.randrange(1, 4)):
            spans.setdefault(component, []).append(Span(start, end, rng.choice(STATUSES)))
    slos = {
        "month": Slo(id="month", components=frozenset(COMPONENTS), target=99.9, time_zone="America/New_York"),
        "rolling": Slo(
            id="rolling", components=frozenset(COMPONENTS), target=99.5, window=WindowKind.ROLLING_30D
        ),
    }
    credits = (Credit(99.9, 10), Credit(99.0, 25))
    customers = [
        Customer(
            id=f"customer-{n}",
            name=f"Customer {n}",
            components=frozenset(rng.sample(COMPONENTS, 20)),
            contracts=(Contract(rng.choice(list(slos)), None, credits),),
        )
        for n in range(500)
    ]
    return customers, slos, spans


def run() -> dict[str, object]:
    customers, slos, spans = world()
    timings, found = [], []
    for _ in range(5):
        started = time.perf_counter()
        found = customer_budgets(customers, slos, spans, {}, NOW)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "budgets_500x20_ms": round(statistics.median(timings), 1),
        "budgets_500x20_ms_max": round(max(timings), 1),
        "incidents": 5_000,
        "consumed_minutes_total": round(sum(b.budget.consumed_minutes for b in found), 1),
        "goal_ms": 1000,
    }


if __name__ == "__main__":
    print(run())
