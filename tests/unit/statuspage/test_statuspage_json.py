"""api/v2/*.json has Statuspage's documents, field names and enums, so aggregators read it unchanged."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from klaxon.domain.statuspage.models import ComponentStatus
from statuspage_site import render
from tests.unit.statuspage.factories import NOW, incident, maintenance, snapshot
from tests.unit.statuspage.shapes import DOCUMENTS, shape_problems


def documents(*incidents, maintenances=None, now=NOW):
    files = render(snapshot(*incidents, maintenances=maintenances), now)
    return {path: json.loads(files[f"api/v2/{path}"]) for path in DOCUMENTS}


@pytest.fixture(scope="module")
def busy():
    """An open incident, a resolved one, a window in progress and one to come."""
    return documents(
        incident(1, {"checkout": ComponentStatus.MAJOR_OUTAGE, "payments": ComponentStatus.PARTIAL_OUTAGE}),
        incident(2, started=NOW - timedelta(days=2), resolved_after=timedelta(hours=1)),
        maintenances=[
            maintenance(NOW - timedelta(hours=1), components=["search"]),
            maintenance(NOW + timedelta(days=1)),
        ],
    )


@pytest.mark.parametrize("path", sorted(DOCUMENTS))
def test_each_document_has_statuspage_fields_and_enums(busy, path):
    assert shape_problems(path, busy[path]) == []


def test_summary_lists_only_unresolved_incidents(busy):
    assert [i["id"] for i in busy["summary.json"]["incidents"]] == ["p0001"]


def test_incidents_json_lists_resolved_ones_too_newest_first(busy):
    assert [i["id"] for i in busy["incidents.json"]["incidents"]] == ["p0001", "p0002"]


def test_status_json_carries_the_indicator_and_statuspage_description(busy):
    assert busy["status.json"]["status"] == {"indicator": "critical", "description": "Major Service Outage"}


def test_component_statuses_follow_the_open_incident_and_the_window(busy):
    statuses = {c["id"]: c["status"] for c in busy["components.json"]["components"]}
    assert statuses == {
        "storefront": "major_outage",
        "checkout": "major_outage",
        "payments": "partial_outage",
        "search": "under_maintenance",
        "api": "operational",
    }


def test_a_group_names_its_members_and_members_name_their_group(busy):
    by_id = {c["id"]: c for c in busy["components.json"]["components"]}
    assert (by_id["storefront"]["components"], by_id["checkout"]["group_id"]) == (
        ["checkout", "payments"],
        "storefront",
    )


def test_an_incident_lists_its_updates_newest_first_with_affected_components(busy):
    (resolved,) = [i for i in busy["incidents.json"]["incidents"] if i["id"] == "p0002"]
    assert [u["status"] for u in resolved["incident_updates"]] == ["resolved", "investigating"]
    assert resolved["incident_updates"][0]["affected_components"] == [
        {"code": "checkout", "name": "Checkout", "old_status": "major_outage", "new_status": "operational"}
    ]


def test_the_shortlink_is_the_incident_permalink(busy):
    assert (
        busy["summary.json"]["incidents"][0]["shortlink"]
        == "https://status.acme.example/incidents/p0001.html"
    )


def test_times_are_utc_with_milliseconds(busy):
    assert busy["summary.json"]["incidents"][0]["created_at"] == "2026-11-27T11:00:00.000Z"


def test_maintenance_splits_into_active_and_upcoming(busy):
    active = [m["status"] for m in busy["scheduled-maintenances/active.json"]["scheduled_maintenances"]]
    upcoming = [m["status"] for m in busy["scheduled-maintenances/upcoming.json"]["scheduled_maintenances"]]
    assert (active, upcoming) == (["in_progress"], ["scheduled"])


def test_summary_carries_active_then_upcoming_maintenance(busy):
    assert [m["status"] for m in busy["summary.json"]["scheduled_maintenances"]] == [
        "in_progress",
        "scheduled",
    ]


def test_page_updated_at_is_the_last_change_not_the_time_of_rendering():
    resolved = incident(1, resolved_after=timedelta(minutes=30))
    later = documents(resolved, now=NOW + timedelta(days=1))
    assert later["status.json"]["page"]["updated_at"] == "2026-11-27T11:30:00.000Z"


def test_json_documents_are_identical_when_nothing_changed_but_the_clock():
    resolved = incident(1, resolved_after=timedelta(minutes=30))
    assert documents(resolved, now=NOW + timedelta(hours=1)) == documents(
        resolved, now=NOW + timedelta(hours=5)
    )
