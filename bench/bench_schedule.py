"""On-call lookups and a year of shifts for a follow-the-sun schedule: 3 layers, 20 people, 200 overrides.

The lookup is timed where escalation makes it: the local platform's container, its escalation service's
`on_call` (klaxon/wiring.py), which asks the schedule service, whose overrides are in the emulated
DynamoDB. The first lookup in a month builds that month's on-call runs (read its overrides, compute
them): `oncall_month_build_ms`; the others find them built. The year of shifts and the domain's
lookup from scratch (`oncall.on_call`, the reference the runs are tested against) are timed on the
domain alone.
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from pathlib import Path

import yaml

from klaxon.domain.schedule.models import Layer, Override, Restriction, Rotation, RotationType, Schedule
from klaxon.domain.schedule.oncall import on_call, shifts

ROOT = Path(__file__).resolve().parent.parent
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)
REGIONS = [  # (layer, zone, people): each region covers its own working day, every day
    ("apac", "Australia/Sydney", 7),
    ("emea", "Europe/London", 7),
    ("amer", "America/New_York", 6),
]


def follow_the_sun() -> Schedule:
    layers, n = [], 0
    for name, zone, count in REGIONS:
        people = [f"{name}-{i}" for i in range(n, n + count)]
        n += count
        rotation = Rotation(
            type=RotationType.WEEKLY, participants=people, start=datetime(2026, 1, 5, 9), time_zone=zone
        )
        business_day = Restriction(start=wall(8), end=wall(17))
        layers.append(Layer(name=name, rotation=rotation, restrictions=[business_day]))
    return Schedule(id="fts", time_zone="UTC", layers=layers)


def overrides(schedule: Schedule, count: int = 200, seed: int = 7) -> list[Override]:
    rng = random.Random(seed)
    people = [p for layer in schedule.layers for p in layer.rotation.participants]
    out = []
    for i in range(count):
        start = YEAR_START + timedelta(minutes=rng.randrange(int(YEAR.total_seconds() // 60)))
        out.append(
            Override(
                id=f"o{i}",
                schedule=schedule.id,
                user=rng.choice(people),
                start=start,
                end=start + timedelta(hours=rng.randint(1, 48)),
                created_at=YEAR_START - timedelta(days=30) + timedelta(minutes=i),
            )
        )
    return out


def _config_file(schedule: Schedule, folder: Path) -> Path:
    """The demo organisation plus the schedule and its 20 people, as a configuration file."""
    config = yaml.safe_load((ROOT / "examples" / "acme.yaml").read_text())
    people = [p for layer in schedule.layers for p in layer.rotation.participants]
    config["users"] += [
        {
            "id": person,
            "name": person.title(),
            "email": f"{person}@acme.example",
            "time_zone": "UTC",
            "contact_methods": [{"type": "push", "address": f"{person}-phone"}],
        }
        for person in people
    ]
    config["schedules"].append(schedule.model_dump(mode="json", exclude_none=True))
    path = folder / "bench-schedule.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _timed(lookup: Callable[[datetime], object], instants: list[datetime]) -> list[int]:
    timings = []
    for at in instants:
        began = time.perf_counter_ns()
        lookup(at)
        timings.append(time.perf_counter_ns() - began)
    return timings


def _through_the_platform(schedule: Schedule, extra: list[Override], instants: list[datetime]) -> list[int]:
    """Each lookup as escalation makes it, the overrides added through the schedule service."""
    from klaxon import wiring
    from klaxon.local.platform import LocalPlatform, Options

    with tempfile.TemporaryDirectory(prefix="klaxon-bench-") as folder:
        platform = LocalPlatform(Options(config=_config_file(schedule, Path(folder)), port=0)).start()
        try:
            container = wiring.container()
            for o in extra:
                container.schedule_service.add_override(schedule.id, o.user, o.start, o.end, actor="bench")
            lookup = container.escalation_service.on_call
            return _timed(lambda at: lookup(schedule.id, at), instants)
        finally:
            platform.stop()


def _us(ns: float) -> float:
    return round(ns / 1e3, 1)


def _first_in_each_month(instants: list[datetime], timings: list[int]) -> tuple[list[int], list[int]]:
    """The timings of the first lookup in each month (it builds the month) and of all the others."""
    seen: set[tuple[int, int]] = set()
    first, rest = [], []
    for at, took in zip(instants, timings, strict=True):
        month = (at.year, at.month)
        (rest if month in seen else first).append(took)
        seen.add(month)
    return first, rest


def run(lookups: int = 2000, year_runs: int = 5) -> dict[str, object]:
    schedule = follow_the_sun()
    extra = overrides(schedule)
    rng = random.Random(11)
    instants = [
        YEAR_START + timedelta(seconds=rng.randrange(int(YEAR.total_seconds()))) for _ in range(lookups)
    ]
    builds, timings = _first_in_each_month(instants, _through_the_platform(schedule, extra, instants))
    uncached = _timed(lambda at: on_call(schedule, extra, at), instants[:500])
    year_ms = []
    for _ in range(year_runs):
        began = time.perf_counter_ns()
        year = shifts(schedule, extra, YEAR_START, YEAR_START + YEAR)
        year_ms.append((time.perf_counter_ns() - began) / 1e6)
    return {
        "oncall_lookup_us": _us(statistics.median(timings)),
        "oncall_lookup_p95_us": _us(statistics.quantiles(timings, n=20)[-1]),
        "oncall_lookup_max_us": _us(max(timings)),
        "oncall_month_build_ms": round(statistics.median(builds) / 1e6, 1),
        "oncall_lookup_from_scratch_us": _us(statistics.median(uncached)),
        "shifts_year_ms": round(statistics.median(year_ms), 1),
        "shifts_year_count": len(year),
        "layers": len(schedule.layers),
        "people": sum(len(layer.rotation.participants) for layer in schedule.layers),
        "overrides": len(extra),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
