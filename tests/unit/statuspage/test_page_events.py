"""What one event does to the status page (klaxon.services.statuspage.page_events)."""

from __future__ import annotations

from typing import Any

import pytest

from klaxon.domain.incident.models import Priority
from klaxon.events import DetailType, IncidentChanged
from klaxon.services.statuspage.page_events import StatusPageEvents
from tests.unit.statuspage.test_publisher import Rig
from tests.unit.statuspage.test_statuspage_service import TRIGGERED, snap


def _detail(**changes: Any) -> dict[str, Any]:
    return IncidentChanged(incident=snap(**changes), actor="test", reason="test").model_dump(mode="json")


@pytest.fixture
def events() -> tuple[StatusPageEvents, Rig, list[int]]:
    rig = Rig()
    asked: list[int] = []

    def site() -> Any:
        asked.append(1)
        return rig.site

    return StatusPageEvents(rig.service, rig.publisher, site), rig, asked


def test_an_incident_on_the_page_opens_its_public_incident_and_publishes(events):
    handler, rig, _ = events
    outcome = handler.handle(TRIGGERED.value, _detail())
    assert outcome.public_incident is not None and outcome.published.uploaded
    assert rig.shown() == ["Major outage of Checkout"]


def test_an_incident_not_on_the_page_reads_and_publishes_nothing(events):
    handler, rig, asked = events
    outcome = handler.handle(TRIGGERED.value, _detail(priority=Priority.P4))
    assert (outcome.public_incident, outcome.published.uploaded, asked) == (None, (), [])
    assert rig.site.uploads == []


def test_any_other_event_renders_the_page_again_even_unchanged(events):
    handler, rig, _ = events
    handler.handle(TRIGGERED.value, _detail())
    rig.clock.advance(seconds=20)
    handler.handle(TRIGGERED.value, _detail())  # nothing new to show: not rendered
    assert len(rig.site.uploads) == 1
    handler.handle(DetailType.STATUS_PAGE_UPDATED.value, {})
    assert len(rig.site.uploads) == 2  # rendered (its files the same, so none uploaded)


def test_without_a_site_nothing_is_published_and_the_caller_is_told(events):
    handler, rig, _ = events
    handler.site = lambda: None
    outcome = handler.handle(TRIGGERED.value, _detail())
    assert outcome.no_site and outcome.public_incident is not None and rig.site.uploads == []
