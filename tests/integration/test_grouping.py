"""Grouping under moto: group_by opens one incident per group, paged once, resolved by its last alert."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.noise_support import eventually, incidents, notification, notifications, send_am

SEARCH = {"service": "search", "severity": "critical"}  # the demo groups search's alerts by alertname


@pytest.fixture
def writes(platform):
    from klaxon.local.emulation import METER

    METER.reset()
    return METER


def test_alerts_of_one_alertname_open_one_incident_holding_each(platform, http) -> None:
    for fp in ("f1", "f2", "f3"):
        send_am(
            http,
            platform,
            notification("firing", f"g-{fp}", [(fp, "firing")], alertname="SlowIndex", **SEARCH),
        )

    (incident,) = incidents(http, service="search")
    assert (incident["dedup_key"], incident["alert_count"]) == ("group:alertname=SlowIndex", 3)
    assert sorted(incident["alerts"]) == ["f1", "f2", "f3"]


def test_a_group_pages_once(platform, http) -> None:
    # The demo mutes search one hour a week; this test must not depend on the day it runs.
    stored = http.get("/v1/config").json()
    stored["maintenance_windows"] = []
    assert http.put("/v1/config", json=stored).status_code == 200
    for fp in ("f1", "f2", "f3"):
        send_am(
            http,
            platform,
            notification("firing", f"g-{fp}", [(fp, "firing")], alertname="SlowIndex", **SEARCH),
        )

    (incident,) = incidents(http, service="search")
    assert incident["maintenance_window"] is None
    sent = eventually(lambda: notifications(http, incident["id"]))
    steps = {(n["step"], n["user"], n["channel"]) for n in sent}
    assert len(steps) == len(sent)  # one page per user and channel, none repeated
    assert {step for step, _, _ in steps} == {0}


def test_the_group_resolves_when_its_last_alert_does(platform, http) -> None:
    for fp in ("f1", "f2"):
        send_am(
            http,
            platform,
            notification("firing", f"g-{fp}", [(fp, "firing")], alertname="SlowIndex", **SEARCH),
        )
    send_am(
        http,
        platform,
        notification("resolved", "g-f1", [("f1", "resolved")], alertname="SlowIndex", **SEARCH),
    )
    assert incidents(http, service="search")[0]["status"] == "triggered"

    send_am(
        http,
        platform,
        notification("resolved", "g-f2", [("f2", "resolved")], alertname="SlowIndex", **SEARCH),
    )

    assert incidents(http, service="search")[0]["status"] == "resolved"


def test_concurrent_alerts_of_one_group_open_exactly_one_incident(platform, http) -> None:
    bodies = [
        notification("firing", f"g-{n}", [(f"c{n}", "firing")], alertname="Burst", **SEARCH)
        for n in range(16)
    ]
    headers = {"Authorization": "Bearer KLAXON-DEMO-ALERTMANAGER-KEY-001"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(
            pool.map(
                lambda b: http.post("/v1/integrations/alertmanager", json=b, headers=headers).status_code,
                bodies,
            )
        )
    assert platform.drain()

    assert codes == [202] * 16
    (incident,) = incidents(http, service="search")
    assert incident["alert_count"] == 16


def test_joining_a_group_costs_one_write(platform, writes) -> None:
    from klaxon import wiring
    from tests.fakes.noise import am

    router = wiring.container().router_service
    router.route(am("g1", "search", ("w1", "firing"), alertname="Writes", severity="warning"))
    before = writes.writes_here()

    router.route(am("g2", "search", ("w2", "firing"), alertname="Writes", severity="warning"))

    assert writes.writes_here() - before == 1


def test_a_new_group_incident_costs_four_writes(platform, writes) -> None:
    from klaxon import wiring
    from tests.fakes.noise import am

    wiring.container().router_service.route(
        am("g1", "search", ("n1", "firing"), alertname="NewGroup", severity="warning")
    )

    assert writes.writes_here() == 4


def test_a_storm_of_distinct_alerts_becomes_one_incident_per_group(platform, http) -> None:
    names = ["DiskFull", "HighLatency", "PodCrash", "QueueLag"]
    bodies = [
        notification("firing", f"s-{n}", [(f"s{n}", "firing")], alertname=names[n % 4], **SEARCH)
        for n in range(120)
    ]
    headers = {"Authorization": "Bearer KLAXON-DEMO-ALERTMANAGER-KEY-001"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda b: http.post("/v1/integrations/alertmanager", json=b, headers=headers), bodies))
    assert platform.drain(timeout=120)

    found = incidents(http, service="search")
    assert sorted(i["dedup_key"] for i in found) == [f"group:alertname={name}" for name in names]
    assert [len(i["alerts"]) for i in found] == [30, 30, 30, 30]
