"""The schedule API over HTTP on the demo organisation: on-call lookups, overrides, and calendar feeds."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

NEW_YORK = ZoneInfo("America/New_York")
PRIMARY = ["alice", "bob", "carol"]  # weekly, first hand-off Monday 2026-01-05 09:00 New York time
FIRST_MONDAY = date(2026, 1, 5)
MONDAYS_2026 = [FIRST_MONDAY + timedelta(weeks=n) for n in range(52)]
NAMES = {"alice": "Alice Anders", "bob": "Bob Brennan", "carol": "Carol Chen", "dave": "Dave Diaz"}
FEED_PAST, FEED_AHEAD = timedelta(days=30), timedelta(days=180)


def new_york(day: date, wall: time) -> datetime:
    return datetime.combine(day, wall, tzinfo=NEW_YORK)


def expected(day: date, wall: time) -> str:
    """Who the demo rotation puts on call at `wall` on Monday `day`: the week index picks the person."""
    week = (day - FIRST_MONDAY).days // 7
    return PRIMARY[(week if wall >= time(9) else week - 1) % len(PRIMARY)]


def on_call(http: httpx.Client, at: datetime, schedule: str = "primary") -> list[dict]:
    response = http.get("/v1/oncall", params={"schedule": schedule, "at": at.isoformat()})
    assert response.status_code == 200, response.text
    return response.json()["on_call"]


def who(http: httpx.Client, at: datetime) -> str:
    (person,) = on_call(http, at)
    return person["user"]


def events(body: bytes) -> list:
    return sorted(Calendar.from_ical(body).walk("VEVENT"), key=lambda e: e["DTSTART"].dt)


def feed_window() -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return now - FEED_PAST, now + FEED_AHEAD


def shifts(http: httpx.Client, start: datetime, end: datetime, schedule: str = "primary") -> list[dict]:
    params = {"start": start.isoformat(), "end": end.isoformat()}
    response = http.get(f"/v1/schedules/{schedule}/shifts", params=params)
    assert response.status_code == 200, response.text
    return response.json()["shifts"]


# --- Who is on call across every Monday hand-off of 2026 ------------------------------------------


def test_oncall_is_right_on_both_sides_of_every_monday_handoff_in_2026(http):
    wrong = [
        (f"{monday} {wall}", got, want)
        for monday in MONDAYS_2026
        for wall in (time(8, 59, 59), time(9))
        if (got := who(http, new_york(monday, wall))) != (want := expected(monday, wall))
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "monday",
    [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 10, 26), date(2026, 11, 2)],
    ids=str,
)
def test_a_shift_around_a_dst_change_runs_from_nine_to_nine_new_york_time(http, monday):
    (person,) = on_call(http, new_york(monday, time(9)))
    start, end = datetime.fromisoformat(person["start"]), datetime.fromisoformat(person["end"])
    assert (person["user"], start, end) == (
        expected(monday, time(9)),
        new_york(monday, time(9)),
        new_york(monday + timedelta(weeks=1), time(9)),
    )


def test_oncall_without_an_offset_is_refused(http):
    response = http.get("/v1/oncall", params={"schedule": "primary", "at": "2026-03-09T09:00:00"})
    assert response.status_code == 400
    assert response.json()["message"] == "times need an offset"


def test_oncall_for_an_unknown_schedule_is_not_found(http):
    assert http.get("/v1/oncall", params={"schedule": "nope"}).status_code == 404


# --- Overrides ----------------------------------------------------------------------------------


@pytest.fixture
def window() -> tuple[datetime, datetime]:
    """Six hours starting on the hour two days from now: inside the calendar feed's range."""
    start = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=6)


def add_override(http: httpx.Client, user: str, start: datetime, end: datetime) -> dict:
    body = {"user": user, "start": start.isoformat(), "end": end.isoformat()}
    response = http.post("/v1/schedules/primary/overrides", json=body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def override(http, window) -> dict:
    return add_override(http, "dave", *window)


def edges(window: tuple[datetime, datetime]) -> list[datetime]:
    second = timedelta(seconds=1)
    start, end = window
    return [start - second, start, end - second, end]


def test_an_override_changes_who_is_on_call_only_within_its_window(http, window):
    before = [who(http, at) for at in edges(window)]
    add_override(http, "dave", *window)
    assert [who(http, at) for at in edges(window)] == [before[0], "dave", "dave", before[3]]


def test_an_override_is_one_of_the_schedules_shifts(http, window, override):
    start, end = window
    found = shifts(http, start - timedelta(days=1), end + timedelta(days=1))
    parsed = [
        (s["user"], datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"]), s["layer"])
        for s in found
    ]
    assert ("dave", start, end, "override") in parsed


def test_an_override_is_listed_and_can_be_read_by_its_id(http, override):
    listed = http.get("/v1/schedules/primary/overrides").json()["overrides"]
    one = http.get(f"/v1/schedules/primary/overrides/{override['id']}").json()
    assert ([o["id"] for o in listed], one["user"]) == ([override["id"]], "dave")


def test_an_override_shows_in_the_calendar_feed(http, window, override):
    start, end = window
    feed = events(http.get("/v1/schedules/primary/ical").content)
    theirs = [(e["DTSTART"].dt, e["DTEND"].dt) for e in feed if NAMES["dave"] in str(e["SUMMARY"])]
    assert theirs == [(start, end)]


def test_adding_an_override_is_on_the_schedule_timeline_with_who_made_it(http, override):
    (entry,) = http.get("/v1/schedules/primary/timeline").json()["timeline"]
    assert (entry["kind"], entry["actor"], entry["data"]["override"]["id"]) == (
        "override added",
        "token:local",
        override["id"],
    )


def test_deleting_an_override_gives_the_window_back_to_the_rotation(http, window):
    before = who(http, window[0])
    created = add_override(http, "dave", *window)
    assert http.delete(f"/v1/schedules/primary/overrides/{created['id']}").status_code == 200
    assert who(http, window[0]) == before


def test_deleting_an_override_is_on_the_timeline_with_who_removed_it(http, override):
    http.delete(f"/v1/schedules/primary/overrides/{override['id']}")
    timeline = http.get("/v1/schedules/primary/timeline").json()["timeline"]
    assert [(e["kind"], e["actor"]) for e in timeline] == [
        ("override added", "token:local"),
        ("override removed", "token:local"),
    ]


def test_deleting_an_unknown_override_is_not_found(http):
    assert http.delete("/v1/schedules/primary/overrides/nope").status_code == 404


def test_an_override_that_ends_before_it_starts_is_refused(http, window):
    start, end = window
    body = {"user": "dave", "start": end.isoformat(), "end": start.isoformat()}
    response = http.post("/v1/schedules/primary/overrides", json=body)
    assert (response.status_code, response.json()["errors"]) == (400, ["end: must be after start"])


def test_an_override_for_an_unknown_user_is_refused(http, window):
    body = {"user": "mallory", "start": window[0].isoformat(), "end": window[1].isoformat()}
    response = http.post("/v1/schedules/primary/overrides", json=body)
    assert (response.status_code, response.json()["errors"]) == (400, ["user: no user 'mallory'"])


def test_an_override_without_an_offset_is_refused(http):
    body = {"user": "dave", "start": "2026-12-01T09:00:00", "end": "2026-12-01T17:00:00"}
    response = http.post("/v1/schedules/primary/overrides", json=body)
    assert (response.status_code, response.json()["message"]) == (400, "times need an offset")


def test_an_override_on_an_unknown_schedule_is_not_found(http, window):
    body = {"user": "dave", "start": window[0].isoformat(), "end": window[1].isoformat()}
    assert http.post("/v1/schedules/nope/overrides", json=body).status_code == 404


# --- Calendar feeds -----------------------------------------------------------------------------


def test_the_schedule_feed_is_an_icalendar_with_the_schedules_time_zone(http):
    response = http.get("/v1/schedules/primary/ical")
    calendar = Calendar.from_ical(response.content)
    assert response.headers["content-type"].startswith("text/calendar")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]


def test_feed_events_are_timed_in_the_schedules_time_zone(http):
    (first, *_) = events(http.get("/v1/schedules/primary/ical").content)
    assert first["DTSTART"].params["TZID"] == "America/New_York"


def test_the_feed_has_one_event_per_shift_naming_who_is_on_call(http):
    start, end = feed_window()
    expected_shifts = shifts(http, start, end)
    feed = events(http.get("/v1/schedules/primary/ical").content)
    assert len(feed) == len(expected_shifts)
    assert all(NAMES[s["user"]] in str(e["SUMMARY"]) for s, e in zip(expected_shifts, feed, strict=True))


def test_events_for_whole_shifts_keep_their_uids_across_fetches(http):
    first = [str(e["UID"]) for e in events(http.get("/v1/schedules/primary/ical").content)]
    clock.sleep(1.1)  # the feed's window moves with the clock; UIDs must not
    second = [str(e["UID"]) for e in events(http.get("/v1/schedules/primary/ical").content)]
    assert first == second


def test_the_oldest_event_keeps_its_uid_across_fetches(http):
    first = events(http.get("/v1/schedules/primary/ical").content)[0]
    clock.sleep(1.1)
    second = events(http.get("/v1/schedules/primary/ical").content)[0]
    assert str(first["UID"]) == str(second["UID"])


def test_a_users_feed_holds_only_their_shifts(http):
    start, end = feed_window()
    theirs = [s for s in shifts(http, start, end) if s["user"] == "alice"]
    feed = events(http.get("/v1/users/alice/ical").content)
    assert [str(e["SUMMARY"]) for e in feed] == ["On call: Alice Anders (primary)"] * len(theirs)


# --- Feed links: a signed, revocable token in the URL instead of a bearer token -------------------


def fetch_without_bearer(url: str) -> httpx.Response:
    return httpx.get(url, timeout=10)


def test_a_feed_link_works_without_a_bearer_token(http):
    url = http.post("/v1/schedules/primary/ical/link").json()["url"]
    response = fetch_without_bearer(url)
    assert response.status_code == 200
    assert Calendar.from_ical(response.content).walk("VEVENT")


def test_revoking_a_feed_link_turns_the_old_url_away(http):
    old = http.post("/v1/schedules/primary/ical/link").json()["url"]
    http.delete("/v1/schedules/primary/ical/link")
    assert fetch_without_bearer(old).status_code == 401


def test_revoking_a_feed_link_returns_a_new_url_that_works(http):
    old = http.post("/v1/schedules/primary/ical/link").json()["url"]
    new = http.delete("/v1/schedules/primary/ical/link").json()["url"]
    assert new != old
    assert fetch_without_bearer(new).status_code == 200


def test_a_feed_link_opens_only_the_calendar_it_was_made_for(http):
    url = http.post("/v1/schedules/primary/ical/link").json()["url"]
    assert (
        fetch_without_bearer(url.replace("/schedules/primary/", "/schedules/secondary/")).status_code == 401
    )


def test_a_feed_url_without_a_token_needs_a_bearer_token(platform):
    assert fetch_without_bearer(f"{platform.url}/v1/schedules/primary/ical").status_code == 401


def test_a_users_feed_link_works_without_a_bearer_token(http):
    url = http.post("/v1/users/alice/ical/link").json()["url"]
    assert fetch_without_bearer(url).status_code == 200


@pytest.mark.parametrize(
    ("path", "message"),
    [("/v1/users/zed/ical/link", "no user 'zed'"), ("/v1/schedules/nope/ical/link", "no schedule 'nope'")],
)
def test_no_feed_link_is_made_for_a_calendar_that_does_not_exist(http, path, message):
    for method in ("POST", "DELETE"):
        response = http.request(method, path)
        assert (response.status_code, response.json()) == (404, {"message": message})
