"""A large page: 50 components in groups and 1,000 past incidents over three years (the bench uses it too)."""

from __future__ import annotations

import random
from datetime import timedelta

from klaxon.domain.statuspage.models import Component, ComponentGroup, ComponentStatus, Snapshot
from tests.unit.statuspage.factories import NOW, PAGE, incident

STATUSES = [
    ComponentStatus.MAJOR_OUTAGE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.DEGRADED_PERFORMANCE,
]


def large_snapshot(
    components: int = 50, incidents: int = 1000, days: int = 3 * 365, seed: int = 1
) -> Snapshot:
    rng = random.Random(seed)
    listed = [
        Component(
            id=f"c{i}",
            name=f"Component {i}",
            description="A part of the product customers use",
            group=f"g{i // 10}" if i % 3 else None,
        )
        for i in range(components)
    ]
    history = [
        incident(
            n,
            {f"c{rng.randrange(components)}": rng.choice(STATUSES)},
            started=NOW - timedelta(minutes=rng.randrange(days * 24 * 60)),
            resolved_after=timedelta(minutes=rng.randint(5, 600)),
            name=f"Elevated error rates on component {n % components}",
        )
        for n in range(incidents)
    ]
    groups = [ComponentGroup(id=f"g{i}", name=f"Group {i}") for i in range((components + 9) // 10)]
    return Snapshot(page=PAGE, components=listed, groups=groups, incidents=history)
