"""A public incident opens as "investigating", moves on with explicit updates, and is resolved once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from klaxon.domain.errors import Conflict, InvalidInput
from klaxon.domain.statuspage.lifecycle import post_update
from klaxon.domain.statuspage.models import ComponentStatus, PublicStatus
from tests.unit.statuspage.factories import NAMES, NOW, incident


def update(opened, status, minutes=10, after=None):
    return post_update(
        opened,
        status,
        f"{status} text",
        now=NOW + timedelta(minutes=minutes),
        update_id="u",
        names=NAMES,
        after=after or {},
    )


def test_a_new_incident_is_investigating_with_one_update():
    opened = incident(1)
    assert (opened.status, [u.status for u in opened.updates]) == (
        PublicStatus.INVESTIGATING,
        [PublicStatus.INVESTIGATING],
    )


def test_the_opening_update_records_each_component_going_down():
    opened = incident(1, {"checkout": ComponentStatus.MAJOR_OUTAGE})
    (affected,) = opened.updates[0].affected_components
    assert (affected.code, affected.name, affected.old_status, affected.new_status) == (
        "checkout",
        "Checkout",
        ComponentStatus.OPERATIONAL,
        ComponentStatus.MAJOR_OUTAGE,
    )


def test_identified_adds_an_update_and_keeps_the_incident_open():
    moved = update(incident(1), PublicStatus.IDENTIFIED)
    assert (moved.status, moved.is_open, len(moved.updates)) == (PublicStatus.IDENTIFIED, True, 2)


def test_monitoring_is_stamped_the_first_time_only():
    first = update(incident(1), PublicStatus.MONITORING, minutes=10)
    again = update(first, PublicStatus.MONITORING, minutes=20)
    assert again.monitoring_at == NOW + timedelta(minutes=10)


def test_resolving_stamps_the_time_and_closes_the_incident():
    resolved = update(incident(1), PublicStatus.RESOLVED, minutes=30)
    assert (resolved.resolved_at, resolved.is_open) == (NOW + timedelta(minutes=30), False)


def test_resolving_records_each_component_going_back_to_what_it_is_without_the_incident():
    resolved = update(incident(1), PublicStatus.RESOLVED, after={"checkout": ComponentStatus.PARTIAL_OUTAGE})
    (affected,) = resolved.updates[-1].affected_components
    assert (affected.old_status, affected.new_status) == (
        ComponentStatus.MAJOR_OUTAGE,
        ComponentStatus.PARTIAL_OUTAGE,
    )


def test_a_resolved_incident_takes_no_more_updates():
    resolved = update(incident(1), PublicStatus.RESOLVED)
    with pytest.raises(Conflict, match="already resolved"):
        update(resolved, PublicStatus.MONITORING)


def test_investigating_cannot_be_posted_as_an_update():
    with pytest.raises(InvalidInput, match="identified, monitoring, resolved"):
        update(incident(1), PublicStatus.INVESTIGATING)
