"""Costs as the tables grow (issue 14 §1-2, issue 13 §8): the router's time per new incident with the
incidents table empty and holding 10,000 incidents, and `GET /v1/incidents` at 10,000; the housekeeping
timers' reads with none and with 10,000 finished post-mortems and archived chat rooms kept.

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


def _fill_finished(count: int) -> None:
    """`count` published post-mortems whose tickets are all done, `count` archived chat rooms and `count`
    maintenance windows that ended and were retired (a deploy pipeline adds one per deploy), as years of
    incidents leave them: no timer and no new incident has work in any of them."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType

    from klaxon import wiring
    from klaxon.adapters.chat_rooms import CHAT_ROOM_PK, DynamoChatRooms
    from klaxon.adapters.maintenance_store import WINDOW_PK, DynamoMaintenanceStore
    from klaxon.adapters.postmortem_store import POSTMORTEM_PK, DynamoPostmortems
    from klaxon.adapters.tables import ConfigItem
    from klaxon.domain.chat.rooms import ChatRoom
    from klaxon.local.emulation import ACCOUNT, REGION, ddb_lock

    DynamoPostmortems().put(_finished_postmortem(), version=None)
    DynamoChatRooms().put(ChatRoom(incident_id="fill", room="C0FILL", archived=True), version=None)
    DynamoMaintenanceStore().add(_ended_window())
    wiring.container().maintenance_service.tick()  # retires it (the first run also marks the kept ones)
    table = dynamodb_backends[ACCOUNT][REGION].tables[ConfigItem.Meta.table_name]
    with ddb_lock():
        for pk in (POSTMORTEM_PK, CHAT_ROOM_PK, WINDOW_PK):
            template = table.get_item(DynamoType({"S": pk}), DynamoType({"S": "fill"})).to_json()[
                "Attributes"
            ]
            for i in range(count):
                table.put_item(json.loads(json.dumps(template)) | {"sk": {"S": f"fill-{i:06d}"}})


def _finished_postmortem() -> Any:
    from klaxon.domain.postmortem.models import ActionItem, PostmortemStatus
    from tests.unit.postmortem.factories import NOW, TICKET, postmortem

    done = ActionItem(id="a1", title="Add a canary", ticket=TICKET, done_at=NOW)
    return postmortem(
        incident_id="fill",
        status=PostmortemStatus.PUBLISHED,
        markdown="# Post-mortem\n\n" + "What happened, why, and what we changed. " * 40,
        action_items=[done],
        published_at=NOW,
    )


def _ended_window() -> Any:
    from datetime import UTC, datetime, timedelta

    from klaxon.domain.noise.maintenance import MaintenanceWindow

    start = datetime(2025, 1, 1, tzinfo=UTC)
    end = start + timedelta(minutes=15)
    return MaintenanceWindow(id="fill", name="Deploy", services=("checkout",), start=start, end=end)


def _timers_ms(samples: int = SAMPLES) -> float:
    """One run of each housekeeping timer's sweep: post-mortem reminders, action item retries, chat rooms'
    archiving and reminders (median of `samples`)."""
    from klaxon import wiring

    container, times = wiring.container(), []
    for _ in range(samples):
        started = time.perf_counter()
        container.postmortem_reminders.remind_due()
        container.action_service.file_due()
        container.chat_room_service.archive_due()
        container.chat_reminders.remind_due()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def _date_marks(settled: bool) -> None:
    """Date each kind's live-index mark: SETTLING_SECONDS back (`settled`), the state of a platform whose
    index has been in place over an hour, as it is from then on; or now, as in the hour after the
    deployment that added the index, when the marking readers still read their kind's whole partition at
    each run (records written by the previous version while it rolls out)."""
    from klaxon.adapters import live_index
    from klaxon.adapters.tables import ConfigItem

    when = time.time() - (live_index.SETTLING_SECONDS + 1 if settled else 0)
    for mark in ConfigItem.query(live_index.MARK_PK):
        mark.update(actions=[ConfigItem.value.set(int(when))])
    live_index.forget()  # the functions read the marks as dated now, as new containers would


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
        _timers_ms(samples=1)  # the first run marks each kind
        _date_marks(settled=True)
        timers_at_0 = _timers_ms()
        started = time.perf_counter()
        _fill(FILL)
        fill_s = time.perf_counter() - started
        _router_ms(platform, "warm")  # the first queries after the fill build the sorted partitions once
        at_fill = _router_ms(platform, "full")
        listed = _list_ms(platform.url)
        _fill_finished(FILL)
        with_windows = _router_ms(platform, "windows")
        timers_at_fill = _timers_ms()
        _date_marks(settled=False)
        timers_settling = _timers_ms(samples=3)  # seconds a run: three are enough
    finally:
        platform.stop()
    return {
        "router_ms_per_new_incident_at_0": at_0,
        f"router_ms_per_new_incident_at_{FILL}": at_fill,
        f"list_incidents_p50_ms_at_{FILL}": listed["p50_ms"],
        f"list_incidents_p99_ms_at_{FILL}": listed["p99_ms"],
        f"list_incidents_first_ms_at_{FILL}": listed["first_ms"],
        f"router_ms_per_new_incident_at_{FILL}_and_{FILL}_ended_windows": with_windows,
        "housekeeping_timers_ms_per_run_at_0": timers_at_0,
        f"housekeeping_timers_ms_per_run_at_{FILL}": timers_at_fill,  # the index in place over an hour
        f"housekeeping_timers_ms_per_run_at_{FILL}_settling": timers_settling,  # its first hour
        "fill_seconds": round(fill_s, 1),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
