"""SLA budget arithmetic: golden cases computed by hand (43.2 minutes for 99.9% of a 30-day month, 44.64
for 31 days), and properties: merged downtime never exceeds the window, consumption only grows within a
window, excluding maintenance never adds, a month boundary splits an incident exactly, and the process
time zone changes nothing. The status page's uptime is the same computation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaxon.domain.sla.budget import Slo, WindowKind, budget, month_of
from klaxon.domain.sla.customers import (
    Contract,
    Credit,
    Customer,
    customer_budgets,
    in_window,
    incident_shares,
    outside,
)
from klaxon.domain.sla.downtime import Span, weighted_seconds
from klaxon.domain.statuspage.models import ComponentStatus
from klaxon.domain.statuspage.uptime import DOWNTIME_WEIGHT, uptime
from tests.unit.statuspage.factories import incident as public_incident
from tests.unit.timezones import process_time_zone

MAJOR, PARTIAL, DEGRADED = (
    ComponentStatus.MAJOR_OUTAGE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.DEGRADED_PERFORMANCE,
)
SEPT, NOV = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
SLO = Slo(id="web", components=frozenset({"web", "api"}), target=99.9)
ROLLING = Slo(id="web-30d", components=SLO.components, target=99.9, window=WindowKind.ROLLING_30D)


def test_the_budget_of_99_9_is_43_2_minutes_in_30_days_and_44_64_in_31():
    assert budget(SLO, 99.9, [], [], SEPT + timedelta(days=3)).allowed_minutes == 43.2
    assert budget(SLO, 99.9, [], [], datetime(2026, 10, 5, tzinfo=UTC)).allowed_minutes == 44.64
    assert budget(SLO, 99.0, [], [], SEPT).allowed_minutes == 432.0


def test_consumption_is_weighted_merged_and_an_open_outage_projects_the_breach():
    now = SEPT + timedelta(days=10, hours=1)
    spans = [
        Span(SEPT + timedelta(days=2), SEPT + timedelta(days=2, minutes=20), PARTIAL),  # 10 weighted minutes
        Span(SEPT + timedelta(days=2, minutes=10), SEPT + timedelta(days=2, minutes=15), MAJOR),  # +2.5
        Span(SEPT + timedelta(days=5), SEPT + timedelta(days=5, hours=5), DEGRADED),  # weighs nothing
        Span(now - timedelta(minutes=10), now + timedelta(days=99), MAJOR),  # open: 10 so far
    ]
    found = budget(SLO, 99.9, spans, [], now)
    assert (found.consumed_minutes, found.remaining_minutes, found.burning) == (22.5, 20.7, 1.0)
    assert found.breach_at == now + timedelta(minutes=20.7)
    assert found.consumed_percent == round(100 * 22.5 / 43.2, 2) and not found.breached


def test_maintenance_counts_nothing_where_the_slo_excludes_it():
    spans = [Span(SEPT, SEPT + timedelta(hours=1), MAJOR)]
    maintenance = [(SEPT, SEPT + timedelta(minutes=45))]
    assert budget(SLO, 99.9, spans, maintenance, SEPT + timedelta(days=1)).consumed_minutes == 15.0
    kept = Slo(id="web", components=SLO.components, target=99.9, exclude_maintenance=False)
    assert budget(kept, 99.9, spans, maintenance, SEPT + timedelta(days=1)).consumed_minutes == 60.0


def test_a_customer_is_down_once_when_two_of_its_components_are_and_owes_the_contracts_credit():
    down = SEPT + timedelta(days=3)
    spans = {
        "web": [Span(down, down + timedelta(minutes=50), MAJOR)],
        "api": [Span(down + timedelta(minutes=20), down + timedelta(minutes=60), MAJOR)],
        "search": [Span(down, down + timedelta(hours=9), MAJOR)],  # not Acme's
    }
    acme = Customer(
        id="acme",
        name="Acme",
        components=frozenset({"web", "api"}),
        contracts=(Contract("web", 99.95, (Credit(99.95, 10), Credit(99.0, 25))),),
    )
    (found,) = customer_budgets(
        [acme],
        {"web": SLO},
        spans,
        {"api": [(down + timedelta(minutes=55), down + timedelta(hours=2))]},
        SEPT + timedelta(days=29),
    )
    assert found.budget.consumed_minutes == 55.0  # 0-60 merged, 55-60 in api's maintenance, web up by then
    assert (found.budget.allowed_minutes, found.budget.breached) == (21.6, True)
    assert found.credit_percent == 10  # 99.873% is under 99.95 but not under 99.0


def test_a_rolling_window_is_the_last_30_days():
    rolling = Slo(id="r", components=frozenset({"web"}), target=99.9, window=WindowKind.ROLLING_30D)
    now = NOV + timedelta(days=3)
    found = budget(rolling, 99.9, [Span(now - timedelta(days=31), now - timedelta(days=29), MAJOR)], [], now)
    assert (found.window_start, found.consumed_minutes) == (now - timedelta(days=30), 24 * 60.0)


def test_a_month_is_its_real_length_across_a_daylight_saving_change():
    start, end = month_of(datetime(2026, 3, 15, tzinfo=UTC), "America/New_York")
    assert (end - start) == timedelta(days=31) - timedelta(hours=1)
    assert start == datetime(2026, 3, 1, 5, tzinfo=UTC)


moments = st.integers(0, 60 * 24 * 60).map(lambda m: SEPT + timedelta(minutes=m))
statuses = st.sampled_from([MAJOR, PARTIAL, DEGRADED])
spans_strategy = st.lists(
    st.tuples(moments, st.integers(1, 60 * 48), statuses).map(
        lambda t: Span(t[0], t[0] + timedelta(minutes=t[1]), t[2])
    ),
    max_size=25,
)
windows = st.lists(
    st.tuples(moments, st.integers(1, 600)).map(lambda t: (t[0], t[0] + timedelta(minutes=t[1]))), max_size=5
)


@given(spans_strategy)
def test_merged_downtime_never_exceeds_the_window(spans):
    start, end = SEPT, SEPT + timedelta(days=30)
    assert (
        0
        <= weighted_seconds(spans, {MAJOR: 1.0, PARTIAL: 1.0, DEGRADED: 1.0}, start, end)
        <= (end - start).total_seconds()
    )


@given(spans_strategy, st.integers(0, 60 * 24 * 60), st.sampled_from([SLO, ROLLING]))
def test_a_budget_counts_the_spans_in_its_window_alone(spans, minutes, slo):
    # customer_budgets hands each budget only the spans in its window (a year of incidents, a month's SLO)
    now = SEPT + timedelta(minutes=minutes)
    kept = in_window(spans, slo, now)
    assert budget(slo, 99.9, kept, [], now) == budget(slo, 99.9, spans, [], now)
    assert len(kept) <= len(spans)


@given(spans_strategy, st.integers(0, 60 * 24 * 29), st.integers(0, 60 * 24))
def test_consumption_only_grows_within_a_window(spans, first, later):
    early = SEPT + timedelta(minutes=first)
    assert (
        budget(SLO, 99.9, spans, [], early).consumed_minutes
        <= budget(
            SLO,
            99.9,
            spans,
            [],
            min(early + timedelta(minutes=later), SEPT + timedelta(days=30) - timedelta(seconds=1)),
        ).consumed_minutes
    )


@given(spans_strategy, windows)
def test_excluding_maintenance_never_adds(spans, maintenance):
    now = SEPT + timedelta(days=29)
    with_it = budget(SLO, 99.9, spans, maintenance, now).consumed_minutes
    kept = Slo(id="web", components=SLO.components, target=99.9, exclude_maintenance=False)
    assert with_it <= budget(kept, 99.9, spans, maintenance, now).consumed_minutes
    assert (
        sum(weighted_seconds([s], DOWNTIME_WEIGHT, SEPT, now) for s in outside(spans, maintenance))
        <= sum(weighted_seconds([s], DOWNTIME_WEIGHT, SEPT, now) for s in spans) + 1e-6
    )


@given(st.integers(1, 60 * 24 * 3), st.integers(1, 60 * 24 * 3))
def test_a_month_boundary_splits_an_incident_exactly(before, after):
    boundary = datetime(2026, 10, 1, tzinfo=UTC)
    span = Span(boundary - timedelta(minutes=before), boundary + timedelta(minutes=after), MAJOR)
    september = budget(SLO, 99.9, [span], [], boundary - timedelta(seconds=1)).consumed_minutes
    october = budget(SLO, 99.9, [span], [], boundary + timedelta(days=5)).consumed_minutes
    assert september == pytest.approx(before - 1 / 60, abs=0.01)  # up to the second before midnight
    assert october == min(after, 60 * 24 * 5)


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Chatham", "America/Los_Angeles"])
@settings(max_examples=15)
@given(spans=spans_strategy)
def test_the_process_time_zone_changes_nothing(zone, spans):
    now = SEPT + timedelta(days=20)
    before = budget(SLO, 99.9, spans, [], now)
    with process_time_zone(zone):
        after = budget(SLO, 99.9, spans, [], now)
    assert after == before


@settings(max_examples=30)
@given(
    st.lists(
        st.tuples(st.integers(0, 60 * 24 * 29), st.integers(1, 60 * 30), st.sampled_from([MAJOR, PARTIAL])),
        max_size=8,
    )
)
def test_the_status_page_uptime_and_the_budget_agree(incidents):
    now = SEPT + timedelta(days=30) - timedelta(seconds=1)
    public = [
        public_incident(
            n + 1,
            {"web": status},
            started=SEPT + timedelta(minutes=at),
            resolved_after=timedelta(minutes=length),
        )
        for n, (at, length, status) in enumerate(incidents)
    ]
    page = uptime("web", public, now, days=30)
    page_minutes = sum(day.downtime_s for day in page.days) / 60
    same_weights = Slo(id="web", components=frozenset({"web"}), target=99.9, weights=dict(DOWNTIME_WEIGHT))
    spans = [Span(i.started_at, i.resolved_at or now, i.components["web"]) for i in public]
    assert budget(same_weights, 99.9, spans, [], now).consumed_minutes == pytest.approx(
        page_minutes, abs=0.01
    )


def test_an_incidents_share_of_each_customers_budget_is_its_own_downtime_only():
    down = SEPT + timedelta(days=3)
    spans = {
        "web": [Span(down, down + timedelta(minutes=30), MAJOR)],
        "api": [Span(down, down + timedelta(minutes=10), PARTIAL)],
    }
    acme = Customer(
        id="acme", name="Acme", components=frozenset({"web", "api"}), contracts=(Contract("web", 99.95),)
    )
    globex = Customer(
        id="globex", name="Globex", components=frozenset({"search"}), contracts=(Contract("web"),)
    )
    (share,) = incident_shares([acme, globex], {"web": SLO}, spans)  # Globex's components were not touched
    assert (share.customer, share.minutes, share.allowed_minutes, share.percent) == (
        "acme",
        30.0,
        21.6,
        138.9,
    )
    assert share.wording() == "Acme: 30 min of its 99.95% web budget (21.6 min), 138.9%"


def test_the_compliance_report_of_a_quarter_splits_months_and_lists_what_counted():
    from klaxon.domain.sla.report import sla_report
    from tests.unit.statuspage.factories import incident

    q4 = datetime(2026, 10, 1, tzinfo=UTC)
    incidents = [
        incident(
            1,
            {"web": MAJOR},
            started=datetime(2026, 10, 31, 23, 50, tzinfo=UTC),
            resolved_after=timedelta(minutes=20),
        ),
        incident(
            2,
            {"api": PARTIAL, "web": DEGRADED},
            started=datetime(2026, 11, 5, tzinfo=UTC),
            resolved_after=timedelta(hours=1),
        ),
    ]
    acme = Customer(
        id="acme",
        name="Acme",
        components=frozenset({"web", "api"}),
        contracts=(Contract("web", None, (Credit(99.99, 5),)),),
    )
    maintenance = {"api": [(datetime(2026, 11, 5, 0, 30, tzinfo=UTC), datetime(2026, 11, 5, 2, tzinfo=UTC))]}
    report = sla_report(
        acme,
        {"web": SLO},
        incidents,
        maintenance,
        "Acme Status",
        q4,
        datetime(2027, 1, 1, tzinfo=UTC),
        datetime(2027, 1, 5, tzinfo=UTC),
    )

    (contract,) = report.contracts
    assert [(m.month, m.consumed_minutes) for m in contract.months] == [
        ("2026-10", 10.0),
        ("2026-11", 25.0),
        ("2026-12", 0.0),
    ]
    assert contract.consumed_minutes == 35.0 and contract.maintenance_minutes == 90.0
    assert [m.availability_percent for m in contract.months] == [99.9776, 99.9421, 100.0]
    assert [m.credit_percent for m in contract.months] == [
        5.0,
        5.0,
        0.0,
    ]  # under 99.99% in October and November
    assert [(i.name, i.status, i.minutes) for i in contract.incidents] == [
        ("Incident 1", "major_outage", 20.0),
        ("Incident 2", "partial_outage", 30.0),
    ]
    assert len(contract.burn_down) == 92 and contract.burn_down[-1][1] == round(
        contract.allowed_minutes - 35.0, 2
    )
