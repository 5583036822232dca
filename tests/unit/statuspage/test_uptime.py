"""Uptime over 90 days from public incidents: major outage is down time, partial counts 30 %."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from klaxon.domain.statuspage.models import ComponentStatus
from klaxon.domain.statuspage.uptime import uptime
from tests.unit.statuspage.factories import NOW, incident

S = ComponentStatus
WINDOW_START = datetime(2026, 8, 30, tzinfo=UTC)  # 90 UTC days ending on NOW's day
ELAPSED = (NOW - WINDOW_START).total_seconds()


def outage(status, *, started, hours=1.0, n=1):
    return incident(n, {"checkout": status}, started=started, resolved_after=timedelta(hours=hours))


def test_a_component_without_incidents_has_90_operational_days_and_full_uptime():
    result = uptime("checkout", [], NOW)
    assert (len(result.days), {d.status for d in result.days}, result.label) == (
        90,
        {S.OPERATIONAL},
        "100.00 %",
    )


def test_the_last_day_is_today():
    assert uptime("checkout", [], NOW).days[-1].day == NOW.date()


def test_an_hour_of_major_outage_is_an_hour_of_down_time():
    result = uptime("checkout", [outage(S.MAJOR_OUTAGE, started=NOW - timedelta(days=3))], NOW)
    assert result.percent == 100 * (1 - 3600 / ELAPSED)


def test_a_partial_outage_counts_thirty_percent():
    result = uptime("checkout", [outage(S.PARTIAL_OUTAGE, started=NOW - timedelta(days=3))], NOW)
    assert sum(d.downtime_s for d in result.days) == 0.3 * 3600


def test_degraded_performance_colours_the_day_but_costs_no_uptime():
    result = uptime("checkout", [outage(S.DEGRADED_PERFORMANCE, started=NOW - timedelta(days=3))], NOW)
    assert (result.days[-4].status, result.percent) == (S.DEGRADED_PERFORMANCE, 100.0)


def test_overlapping_incidents_count_the_worst_status_once():
    start = NOW - timedelta(days=2)
    both = [outage(S.MAJOR_OUTAGE, started=start, n=1), outage(S.PARTIAL_OUTAGE, started=start, n=2)]
    assert sum(d.downtime_s for d in uptime("checkout", both, NOW).days) == 3600


def test_an_open_incident_counts_until_now():
    opened = incident(1, {"checkout": S.MAJOR_OUTAGE}, started=NOW - timedelta(minutes=30))
    assert uptime("checkout", [opened], NOW).days[-1].downtime_s == 1800


def test_an_incident_across_midnight_is_split_over_both_days():
    started = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    days = uptime("checkout", [outage(S.MAJOR_OUTAGE, started=started, hours=2)], NOW).days
    assert [(d.day.day, d.downtime_s) for d in days if d.downtime_s] == [(20, 3600), (21, 3600)]


def test_a_day_lists_the_incidents_behind_its_colour():
    hit = outage(S.MAJOR_OUTAGE, started=NOW - timedelta(days=1))
    assert uptime("checkout", [hit], NOW).days[-2].incidents == ("Incident 1",)


def test_incidents_on_other_components_do_not_count():
    elsewhere = incident(1, {"search": S.MAJOR_OUTAGE}, started=NOW - timedelta(hours=2))
    assert uptime("checkout", [elsewhere], NOW).percent == 100.0


def test_incidents_before_the_window_do_not_count():
    ancient = outage(S.MAJOR_OUTAGE, started=NOW - timedelta(days=120))
    assert uptime("checkout", [ancient], NOW).percent == 100.0


def test_the_label_rounds_down_so_a_minute_down_never_shows_100():
    blip = incident(
        1, {"checkout": S.MAJOR_OUTAGE}, started=NOW - timedelta(days=1), resolved_after=timedelta(minutes=1)
    )
    assert uptime("checkout", [blip], NOW).label == "99.99 %"


spans = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=100 * 24 * 60),
        st.integers(min_value=1, max_value=5 * 24 * 60),
        st.sampled_from([S.MAJOR_OUTAGE, S.PARTIAL_OUTAGE, S.DEGRADED_PERFORMANCE]),
    ),
    max_size=8,
)


@given(spans)
def test_uptime_stays_between_0_and_100_and_down_time_within_the_elapsed_time(generated):
    incidents = [
        outage(status, started=NOW - timedelta(minutes=ago), hours=length / 60, n=n)
        for n, (ago, length, status) in enumerate(generated)
    ]
    result = uptime("checkout", incidents, NOW)
    assert 0.0 <= result.percent <= 100.0
    assert all(0 <= d.downtime_s <= 86400 for d in result.days)
