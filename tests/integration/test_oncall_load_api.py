"""The on-call load report over HTTP on the demo organisation, across the March DST change."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
# Monday 2026-03-02 09:00 EST to Monday 2026-03-09 09:00 EDT: carol's primary week, dave's secondary.
SPRING_WEEK = (datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), datetime(2026, 3, 9, 9, tzinfo=NEW_YORK))


def report(http, start: datetime, end: datetime, **params: str) -> dict:
    query = {"start": start.isoformat(), "end": end.isoformat(), **params}
    response = http.get("/v1/reports/oncall-load", params=query)
    assert response.status_code == 200, response.text
    return response.json()


def figures(body: dict) -> dict[str, tuple]:
    return {
        p["user"]: (p["hours_on_call"], p["off_hours"], p["weekend_hours"], p["stipend"])
        for p in body["people"]
    }


def test_the_report_gives_everyone_on_call_their_hours_and_stipend_for_the_spring_forward_week(http):
    body = report(http, *SPRING_WEEK, weekly_rate="700")
    # 167 hours (clocks skip one), 45 of them office hours, a 47-hour weekend; 700 * 167 / 168.
    assert figures(body) == {
        "carol": (167.0, 122.0, 47.0, "695.83"),
        "dave": (167.0, 122.0, 47.0, "695.83"),
    }


def test_an_override_moves_hours_and_pay_to_whoever_took_it(http):
    start = datetime(2026, 3, 3, 9, tzinfo=NEW_YORK)
    body = {"user": "frank", "start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat()}
    assert http.post("/v1/schedules/primary/overrides", json=body).status_code == 201
    people = figures(report(http, *SPRING_WEEK, weekly_rate="700"))
    assert (people["carol"][0], people["frank"]) == (143.0, (24.0, 15.0, 0.0, "100.00"))


def test_without_a_weekly_rate_the_report_owes_no_stipend(http):
    assert {p["stipend"] for p in report(http, *SPRING_WEEK)["people"]} == {None}


def test_the_report_counts_each_page_escalation_sent_once_per_step(http, platform):
    import time as clock

    event = {
        "routing_key": "KLAXON-DEMO-CHECKOUT-KEY-0000001",
        "event_action": "trigger",
        "dedup_key": "load-report-page",
        "payload": {"summary": "paged for the report", "source": "test", "severity": "critical"},
    }
    assert http.post("/v2/enqueue", json=event).status_code == 202
    platform.drain()
    incident = http.get("/v1/incidents", params={"dedup_key": "load-report-page"}).json()["incidents"][0]
    deadline = clock.monotonic() + 20
    while (
        clock.monotonic() < deadline
        and len(http.get(f"/v1/incidents/{incident['id']}/notifications").json()["notifications"]) < 2
    ):
        clock.sleep(0.05)
    (paged,) = {
        n["user"] for n in http.get(f"/v1/incidents/{incident['id']}/notifications").json()["notifications"]
    }
    now = datetime.now(NEW_YORK)
    body = report(http, now - timedelta(hours=1), now + timedelta(hours=1))
    pages = {p["user"]: p["pages"] for p in body["people"]}
    assert body["pages_recorded"] is True
    assert pages[paged] == 1  # push and SMS at once are one interruption


def test_a_report_whose_end_is_before_its_start_is_refused(http):
    start, end = SPRING_WEEK
    response = http.get(
        "/v1/reports/oncall-load", params={"start": end.isoformat(), "end": start.isoformat()}
    )
    assert response.status_code == 400


def test_a_report_without_an_offset_is_refused(http):
    params = {"start": "2026-03-02T09:00:00", "end": "2026-03-09T09:00:00"}
    assert http.get("/v1/reports/oncall-load", params=params).status_code == 400


def test_a_negative_weekly_rate_is_refused(http):
    start, end = SPRING_WEEK
    params = {"start": start.isoformat(), "end": end.isoformat(), "weekly_rate": "-1"}
    assert http.get("/v1/reports/oncall-load", params=params).status_code == 400
