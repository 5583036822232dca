"""Costs as the tables grow (issue 14 §1-2, issue 13 §8): the router's time per new incident with the
incidents table empty and holding 10,000 incidents, and `GET /v1/incidents` at 10,000.

The 10,000 are written straight into the emulated table (most resolved, one in twenty acknowledged, as a
year of incidents would be), and their stream records dropped: their events left long ago.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "growth-token"
FILL = 10_000
SAMPLES = 15
LIST_REQUESTS = 100


def _alert(key: str) -> Any:
    from bench.bench_pipeline import low_urgency_alert

    return low_urgency_alert(f"bench-{key}", key)  # the router's own cost, no escalation beside it


def _router_ms(platform: Any, tag: str) -> float:
    from klaxon import wiring

    router, times = wiring.container().router_service, []
    for n in range(SAMPLES):
        started = time.perf_counter()
        router.route(_alert(f"{tag}-{n}"))
        times.append((time.perf_counter() - started) * 1000)
        platform.drain(120)
    return round(statistics.median(times), 1)


def _fill(count: int) -> None:
    from moto.dynamodb.models import dynamodb_backends

    from klaxon.adapters.tables import IncidentItem
    from klaxon.local.emulation import ACCOUNT, REGION, ddb_lock, take_stream_records

    table = dynamodb_backends[ACCOUNT][REGION].tables[IncidentItem.Meta.table_name]
    template = next(iter(table.all_items())).to_json()["Attributes"]
    with ddb_lock():
        for i in range(count):
            attrs = json.loads(json.dumps(template))
            attrs |= {
                "id": {"S": f"fill-{i:06d}"},
                "created_key": {"S": f"2025-01-01T00:00:00.000000+00:00#fill-{i:06d}"},
                "number": {"N": str(100_000 + i)},
                "dedup_key": {"S": f"fill-{i}"},
                "status": {"S": "resolved" if i % 20 else "acknowledged"},
            }
            attrs.pop("outbox", None)
            table.put_item(attrs)
        take_stream_records(IncidentItem.Meta.table_name)  # what the fill wrote is old news: no events for it


def _list_ms(url: str) -> dict[str, float]:
    """The first request (its index's sorted partitions are built then, once) apart from the next ones."""
    times = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as api:
        started = time.perf_counter()
        api.get("/v1/incidents").raise_for_status()
        first = (time.perf_counter() - started) * 1000
        for _ in range(LIST_REQUESTS):
            started = time.perf_counter()
            api.get("/v1/incidents").raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    return {
        "first_ms": round(first, 1),
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1),
    }


def run() -> dict[str, object]:
    from klaxon.local.platform import LocalPlatform, Options

    config = ROOT / "examples" / "acme.yaml"
    options = Options(config=config, port=0, api_token=TOKEN, rate_limit_scale=1000.0)
    platform = LocalPlatform(options).start()
    try:
        at_0 = _router_ms(platform, "empty")
        started = time.perf_counter()
        _fill(FILL)
        fill_s = time.perf_counter() - started
        _router_ms(platform, "warm")  # the first queries after the fill build the sorted partitions once
        at_fill = _router_ms(platform, "full")
        listed = _list_ms(platform.url)
    finally:
        platform.stop()
    return {
        "router_ms_per_new_incident_at_0": at_0,
        f"router_ms_per_new_incident_at_{FILL}": at_fill,
        f"list_incidents_p50_ms_at_{FILL}": listed["p50_ms"],
        f"list_incidents_p99_ms_at_{FILL}": listed["p99_ms"],
        f"list_incidents_first_ms_at_{FILL}": listed["first_ms"],
        "fill_seconds": round(fill_s, 1),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
