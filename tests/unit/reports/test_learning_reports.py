"""The learning reports: action items created and completed per month against the 80% goal, MTTA and MTTR
with the incidents behind them, post-mortems published within 48 hours; hand-computed cases and
properties (durations never negative, TTA <= TTR, the process time zone changes nothing)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaxon.domain.incident.models import IncidentStatus, Priority
from klaxon.domain.postmortem.actions import Ticket, TrackerKind
from klaxon.domain.postmortem.models import ActionItem, Postmortem, PostmortemStatus
from klaxon.domain.reports.actions import action_report
from klaxon.domain.reports.figures import figure, percentile
from klaxon.domain.reports.response import minutes_to_acknowledge, minutes_to_resolve, response_report
from tests.unit.chat.test_room_service import an_incident
from tests.unit.timezones import process_time_zone

NOV, DEC = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
TEAMS = {"checkout": "web", "payments": "money"}


def postmortem(incident: str, service: str, *items: ActionItem, **fields: object) -> Postmortem:
    return Postmortem(
        incident_id=incident,
        incident_number=int(incident.removeprefix("inc")),
        title=f"Incident {incident}",
        service=service,
        priority=Priority.P1,
        owner="dave",
        due=NOV,
        created_at=NOV,
        updated_at=NOV,
        updated_by="dave",
        markdown="# Post-mortem\n",
        action_items=list(items),
        **fields,  # type: ignore[arg-type]
    )


def item(title: str, created: datetime, done: bool = False, due: date | None = None) -> ActionItem:
    ticket = Ticket(
        tracker="ops-jira", kind=TrackerKind.JIRA, key=title, id=title, url=f"https://jira/{title}"
    )
    return ActionItem(
        id=title,
        title=title,
        created_at=created,
        due=due,
        owner="erin",
        ticket=ticket,
        done_at=NOW if done else None,
    )


def test_the_action_report_counts_per_month_team_and_service_and_warns_under_the_goal():
    postmortems = [
        postmortem(
            "inc1",
            "checkout",
            item("A", NOV + timedelta(days=3), done=True),
            item("B", NOV + timedelta(days=4)),
        ),
        postmortem(
            "inc2",
            "payments",
            item("C", NOV + timedelta(days=20), done=True),
            item("D", DEC + timedelta(days=1)),
        ),
        postmortem("inc3", "checkout", item("E", NOV - timedelta(days=1), due=date(2026, 11, 30))),  # before
    ]
    report = action_report(postmortems, TEAMS, NOV, DEC, NOW)

    assert [(m.month, m.created, m.completed, m.completion_rate) for m in report.months] == [
        ("2026-11", 3, 2, 0.667)
    ]
    assert [(g.team, g.service, g.created, g.completed) for g in report.groups] == [
        ("money", "payments", 1, 1),
        ("web", "checkout", 2, 1),
    ]
    assert (
        report.warning
        == "Only 67% of the action items created in 2026-11 are done (2 of 3); the goal is 80%."
    )
    (late,) = report.overdue  # E: created before the window, but overdue all the same
    assert (late.title, late.owner, late.days_overdue, late.ticket) == ("E", "erin", 6, "https://jira/E")


def test_a_month_at_the_goal_has_no_warning_and_an_empty_window_no_rows():
    done = [item(str(n), NOV + timedelta(days=n), done=n < 4) for n in range(5)]  # 4 of 5: 80%
    report = action_report([postmortem("inc1", "checkout", *done)], TEAMS, NOV, DEC, NOW)
    assert report.months[0].completion_rate == 0.8 and report.warning is None
    empty = action_report([], TEAMS, NOV, DEC, NOW)
    assert (empty.months, empty.groups, empty.overdue, empty.warning) == ([], [], [], None)


def test_the_response_report_has_mtta_and_mttr_with_the_incidents_behind_them():
    opened = NOV + timedelta(days=2)
    incidents = [
        an_incident(
            id=f"inc{n}",
            number=n,
            created_at=opened,
            acknowledged_at=opened + timedelta(minutes=ack),
            resolved_at=opened + timedelta(minutes=res),
            status=IncidentStatus.RESOLVED,
        )
        for n, ack, res in ((1, 2, 30), (2, 4, 60), (3, 10, 90))
    ]
    incidents.append(an_incident(id="inc4", number=4, created_at=opened))  # still open: in MTTA/MTTR of none
    incidents.append(an_incident(id="inc5", number=5, created_at=opened, drill=True, acknowledged_at=opened))
    report = response_report(incidents, {}, TEAMS, frozenset({Priority.P1}), NOV, DEC, NOW)

    everything = report.rows[0]
    assert (everything.by, everything.incidents) == ("all", 4)  # the drill does not count
    assert everything.acknowledge.model_dump() == {
        "count": 3,
        "mean_minutes": 5.3,
        "median_minutes": 4.0,
        "p90_minutes": 10.0,
        "incidents": [1, 2, 3],
    }
    assert (everything.resolve.mean_minutes, everything.resolve.median_minutes) == (60.0, 60.0)
    assert {(r.by, r.key) for r in report.rows} >= {
        ("service", "checkout"),
        ("team", "web"),
        ("priority", "P1"),
        ("month", "2026-11"),
    }


def test_post_mortems_count_as_done_when_published_within_48_hours_of_resolution():
    resolved = NOV + timedelta(days=1)
    incidents = [
        an_incident(
            id=f"inc{n}", number=n, created_at=NOV, resolved_at=resolved, status=IncidentStatus.RESOLVED
        )
        for n in (1, 2, 3)
    ]
    published = {
        "inc1": postmortem(
            "inc1", "checkout", status=PostmortemStatus.PUBLISHED, published_at=resolved + timedelta(hours=47)
        ),
        "inc2": postmortem(
            "inc2", "checkout", status=PostmortemStatus.PUBLISHED, published_at=resolved + timedelta(hours=49)
        ),
    }
    report = response_report(incidents, published, TEAMS, frozenset({Priority.P1}), NOV, DEC, NOW)
    completion = report.postmortems
    assert (completion.due, completion.published_in_time, completion.rate, completion.late_or_missing) == (
        3,
        1,
        0.333,
        [2, 3],
    )


def test_an_incident_triggered_again_counts_once_from_its_first_acknowledgement():
    reopened = an_incident(
        created_at=NOV,
        acknowledged_at=NOV + timedelta(minutes=40),
        resolved_at=NOV + timedelta(minutes=50),
        status=IncidentStatus.RESOLVED,
        escalation_round=1,
    )
    report = response_report(
        [reopened], {}, TEAMS, frozenset(), NOV, DEC, NOW, {"inc1": NOV + timedelta(minutes=5)}
    )
    assert report.rows[0].acknowledge.count == 1 and report.rows[0].acknowledge.mean_minutes == 5.0


moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


@given(opened=moments, ack=st.integers(0, 10**6), resolve=st.integers(0, 10**6))
def test_durations_are_never_negative_and_acknowledging_comes_before_resolving(opened, ack, resolve):
    first, last = sorted((ack, resolve))
    incident = an_incident(
        created_at=opened,
        acknowledged_at=opened + timedelta(seconds=first),
        resolved_at=opened + timedelta(seconds=last),
    )
    tta, ttr = minutes_to_acknowledge(incident), minutes_to_resolve(incident)
    assert tta is not None and ttr is not None and 0 <= tta <= ttr
    skewed = an_incident(
        created_at=opened, acknowledged_at=opened - timedelta(seconds=ack + 1)
    )  # clocks disagree
    assert minutes_to_acknowledge(skewed) == 0


@given(st.lists(st.floats(0, 10**5, allow_nan=False), min_size=1, max_size=50))
def test_percentiles_are_values_seen_and_ordered(values):
    samples = list(enumerate(values))
    found = figure(samples)
    assert min(values) <= found.median_minutes + 0.05 and found.p90_minutes <= round(max(values), 1)
    assert percentile(values, 0.9) in values


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Pacific/Chatham", "Europe/London"])
@settings(max_examples=20)
@given(offset=st.integers(0, 60 * 24 * 400))
def test_the_process_time_zone_changes_nothing(zone, offset):
    opened = datetime(2026, 3, 8, 6, tzinfo=UTC) + timedelta(minutes=offset)  # across DST changes
    incident = an_incident(
        created_at=opened,
        acknowledged_at=opened + timedelta(minutes=7),
        resolved_at=opened + timedelta(hours=2),
    )
    before = response_report(
        [incident], {}, TEAMS, frozenset(), opened - timedelta(days=1), opened + timedelta(days=1), NOW
    )
    with process_time_zone(zone):
        after = response_report(
            [incident], {}, TEAMS, frozenset(), opened - timedelta(days=1), opened + timedelta(days=1), NOW
        )
    assert after == before
