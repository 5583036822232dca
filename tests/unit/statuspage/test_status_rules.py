"""Which status a component shows, and what the page as a whole says."""

from __future__ import annotations

from datetime import timedelta

import pytest

from klaxon.domain.incident.models import Priority
from klaxon.domain.statuspage.models import ComponentStatus, Impact, Indicator
from klaxon.domain.statuspage.status import (
    component_statuses,
    impact_of,
    maintenance_status,
    page_status,
    status_for_priority,
)
from tests.unit.statuspage.factories import NOW, incident, maintenance, snapshot


@pytest.mark.parametrize(
    ("priority", "status"),
    [
        (Priority.P1, ComponentStatus.MAJOR_OUTAGE),
        (Priority.P2, ComponentStatus.PARTIAL_OUTAGE),
        (Priority.P3, ComponentStatus.DEGRADED_PERFORMANCE),
    ],
)
def test_priority_sets_the_component_status_by_default(priority, status):
    assert status_for_priority(priority) is status


def test_a_p4_incident_stays_off_the_page():
    assert status_for_priority(Priority.P4) is None


def test_a_configured_mapping_replaces_the_default():
    mapping = {Priority.P1: ComponentStatus.PARTIAL_OUTAGE}
    assert status_for_priority(Priority.P1, mapping) is ComponentStatus.PARTIAL_OUTAGE


def test_a_component_shows_the_worst_status_of_its_open_incidents():
    degraded = incident(1, {"search": ComponentStatus.DEGRADED_PERFORMANCE})
    outage = incident(2, {"search": ComponentStatus.PARTIAL_OUTAGE})
    assert component_statuses(snapshot(degraded, outage), NOW)["search"] is ComponentStatus.PARTIAL_OUTAGE


def test_a_resolved_incident_restores_its_components():
    resolved = incident(1, resolved_after=timedelta(minutes=10))
    assert component_statuses(snapshot(resolved), NOW)["checkout"] is ComponentStatus.OPERATIONAL


def test_components_without_incidents_are_operational():
    assert set(component_statuses(snapshot(), NOW).values()) == {ComponentStatus.OPERATIONAL}


def test_a_maintenance_window_puts_its_components_under_maintenance_while_it_runs():
    window = maintenance(NOW - timedelta(minutes=30))
    assert (
        component_statuses(snapshot(maintenances=[window]), NOW)["payments"]
        is ComponentStatus.UNDER_MAINTENANCE
    )


def test_a_window_that_has_not_started_changes_nothing():
    window = maintenance(NOW + timedelta(hours=1))
    assert component_statuses(snapshot(maintenances=[window]), NOW)["payments"] is ComponentStatus.OPERATIONAL


def test_an_outage_during_maintenance_shows_the_outage():
    window = maintenance(NOW - timedelta(minutes=30))
    outage = incident(1, {"payments": ComponentStatus.MAJOR_OUTAGE})
    statuses = component_statuses(snapshot(outage, maintenances=[window]), NOW)
    assert statuses["payments"] is ComponentStatus.MAJOR_OUTAGE


@pytest.mark.parametrize(
    ("at", "expected"),
    [(-1, "scheduled"), (0, "in_progress"), (119, "in_progress"), (120, "completed")],
)
def test_a_window_is_scheduled_then_in_progress_then_completed(at, expected):
    window = maintenance(NOW)
    assert maintenance_status(window, NOW + timedelta(minutes=at)).value == expected


@pytest.mark.parametrize(
    ("status", "indicator", "description"),
    [
        (ComponentStatus.DEGRADED_PERFORMANCE, Indicator.MINOR, "Minor Service Outage"),
        (ComponentStatus.PARTIAL_OUTAGE, Indicator.MAJOR, "Partial System Outage"),
        (ComponentStatus.MAJOR_OUTAGE, Indicator.CRITICAL, "Major Service Outage"),
    ],
)
def test_the_page_status_follows_the_worst_component(status, indicator, description):
    assert page_status(snapshot(incident(1, {"api": status})), NOW) == (indicator, description)


def test_a_quiet_page_says_all_systems_operational():
    assert page_status(snapshot(), NOW) == (Indicator.NONE, "All Systems Operational")


def test_maintenance_alone_keeps_the_indicator_at_none_and_says_so():
    window = maintenance(NOW - timedelta(minutes=1))
    assert page_status(snapshot(maintenances=[window]), NOW) == (Indicator.NONE, "Service Under Maintenance")


@pytest.mark.parametrize(
    ("statuses", "impact"),
    [
        ([ComponentStatus.DEGRADED_PERFORMANCE], Impact.MINOR),
        ([ComponentStatus.DEGRADED_PERFORMANCE, ComponentStatus.PARTIAL_OUTAGE], Impact.MAJOR),
        ([ComponentStatus.MAJOR_OUTAGE, ComponentStatus.PARTIAL_OUTAGE], Impact.CRITICAL),
        ([], Impact.NONE),
    ],
)
def test_an_incident_impact_follows_its_worst_component_status(statuses, impact):
    assert impact_of(statuses) is impact
