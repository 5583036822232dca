"""Maintenance windows and inhibition at the router: muted incidents are recorded, low urgency, released."""

from __future__ import annotations

from datetime import timedelta

import pytest

from klaxon.domain.incident.models import AlertAction, IncidentStatus, Urgency
from klaxon.domain.noise.inhibition import Source
from klaxon.domain.noise.maintenance import MaintenanceWindow
from klaxon.events import DetailType, IncidentChanged, IncidentSnapshot
from tests.fakes.noise import am, pd
from tests.unit.noise.conftest import World


def window(world: World, service: str = "checkout", minutes: int = 60) -> MaintenanceWindow:
    now = world.clock.now()
    found = MaintenanceWindow(
        id="deploy",
        name="Deploy",
        services=(service,),
        start=now - timedelta(minutes=1),
        end=now + timedelta(minutes=minutes),
    )
    world.add_window(found)
    return found


def test_an_alert_in_a_maintenance_window_is_recorded(world: World) -> None:
    window(world)

    outcome = world.router.route(pd("disk", service="checkout"))

    assert outcome.result == "created"
    assert outcome.incident is not None and outcome.incident.maintenance_window == "deploy"


def test_an_alert_in_a_maintenance_window_pages_nobody(world: World) -> None:
    window(world)

    outcome = world.router.route(pd("disk", service="checkout"))

    assert outcome.incident is not None
    assert (outcome.incident.urgency, outcome.incident.muted_urgency) == (Urgency.LOW, Urgency.HIGH)


def test_a_window_of_another_service_mutes_nothing(world: World) -> None:
    window(world, service="payments")

    outcome = world.router.route(pd("disk", service="checkout"))

    assert outcome.incident is not None and outcome.incident.urgency is Urgency.HIGH


def test_an_incident_left_open_after_its_window_pages_then(world: World) -> None:
    window(world, minutes=10)
    muted = world.router.route(pd("disk", service="checkout")).incident
    world.clock.advance(minutes=11)

    released = world.noise.release_lapsed(world.clock.now())

    assert muted is not None and [i.id for i in released] == [muted.id]
    assert released[0].urgency is Urgency.HIGH
    assert world.bus.types()[-1] is DetailType.INCIDENT_TRIGGERED


def test_an_incident_is_not_released_while_its_window_lasts(world: World) -> None:
    window(world, minutes=10)
    world.router.route(pd("disk", service="checkout"))

    assert world.noise.release_lapsed(world.clock.now()) == []


def region_down(world: World) -> str:
    source = world.router.route(
        am("src", "platform", ("s1", "firing"), alertname="region-down", region="eu-1")
    )
    assert source.incident is not None
    return source.incident.id


def test_a_target_in_the_sources_region_is_inhibited(world: World) -> None:
    source = region_down(world)

    target = world.router.route(
        am("t", "checkout", ("t1", "firing"), alertname="Errors", region="eu-1")
    ).incident

    assert target is not None
    assert (target.inhibited_by, target.urgency) == (source, Urgency.LOW)


def test_a_target_in_another_region_pages(world: World) -> None:
    region_down(world)

    target = world.router.route(
        am("t", "checkout", ("t1", "firing"), alertname="Errors", region="us-1")
    ).incident

    assert target is not None and target.urgency is Urgency.HIGH


def test_resolving_the_source_releases_its_still_firing_targets(world: World) -> None:
    source = region_down(world)
    target = world.router.route(
        am("t", "checkout", ("t1", "firing"), alertname="Errors", region="eu-1")
    ).incident
    resolved = world.router.route(
        am("src", "platform", ("s1", "resolved"), action=AlertAction.RESOLVE)
    ).incident
    assert resolved is not None and resolved.id == source

    released = world.noise.on_resolved(IncidentSnapshot.of(resolved))

    assert target is not None and [i.id for i in released] == [target.id]
    assert released[0].urgency is Urgency.HIGH


def test_a_released_target_is_triggered_again_on_the_bus(world: World) -> None:
    region_down(world)
    target = world.router.route(
        am("t", "checkout", ("t1", "firing"), alertname="Errors", region="eu-1")
    ).incident
    resolved = world.router.route(
        am("src", "platform", ("s1", "resolved"), action=AlertAction.RESOLVE)
    ).incident
    assert resolved is not None and target is not None

    world.noise.on_resolved(IncidentSnapshot.of(resolved))

    detail_type, detail = world.bus.events[-1]
    assert detail_type is DetailType.INCIDENT_TRIGGERED
    assert isinstance(detail, IncidentChanged) and detail.incident.id == target.id


def test_a_target_stays_muted_while_another_source_for_its_region_is_open(world: World) -> None:
    first = region_down(world)
    world.router.route(am("src2", "search", ("s2", "firing"), alertname="region-down", region="eu-1"))
    target = world.router.route(
        am("t", "checkout", ("t1", "firing"), alertname="Errors", region="eu-1")
    ).incident
    resolved = world.router.route(
        am("src", "platform", ("s1", "resolved"), action=AlertAction.RESOLVE)
    ).incident
    assert resolved is not None and resolved.id == first and target is not None

    assert world.noise.on_resolved(IncidentSnapshot.of(resolved)) == []
    assert world.incidents.items[target.id].inhibited_by not in (None, first)


def test_a_drill_is_never_muted(world: World) -> None:
    window(world)

    outcome = world.router.route(pd("drill", service="checkout").model_copy(update={"drill": True}))

    assert outcome.incident is not None and outcome.incident.urgency is Urgency.HIGH


def _index_lags(world: World, monkeypatch: pytest.MonkeyPatch, *resolved: str) -> None:
    """The lookup still lists these incidents, resolved a moment ago, as an eventually consistent index
    (or a key a previous version's resolve left) would."""
    listed = world.incidents.open_matching

    def lagging(labels: dict[str, str]) -> list[Source]:
        stale = [
            Source(incident_id=i, labels=world.incidents.items[i].labels)
            for i in resolved
            if all(world.incidents.items[i].labels.get(k) == v for k, v in labels.items())
        ]
        return stale + listed(labels)

    monkeypatch.setattr(world.incidents, "open_matching", lagging)


def _resolve(world: World, key: str, fingerprint: str) -> str:
    resolved = world.router.route(am(key, "platform", (fingerprint, "resolved"), action=AlertAction.RESOLVE))
    assert resolved.incident is not None and resolved.incident.status is IncidentStatus.RESOLVED
    return resolved.incident.id


def test_a_source_resolved_a_moment_ago_but_still_listed_mutes_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Muted under it, the target would stay muted for good: its resolve released nobody opened after."""
    source = region_down(world)
    _index_lags(world, monkeypatch, _resolve(world, "src", "s1"))

    target = world.router.route(am("t", "checkout", ("t1", "firing"), alertname="Errors", region="eu-1"))

    assert target.incident is not None and source
    assert (target.incident.inhibited_by, target.incident.urgency) == (None, Urgency.HIGH)


def test_an_open_source_listed_after_a_resolved_one_mutes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    region_down(world)
    gone = _resolve(world, "src", "s1")
    still = world.router.route(am("src2", "search", ("s2", "firing"), alertname="region-down", region="eu-1"))
    _index_lags(world, monkeypatch, gone)

    target = world.router.route(am("t", "checkout", ("t1", "firing"), alertname="Errors", region="eu-1"))

    assert still.incident is not None and target.incident is not None
    assert target.incident.inhibited_by == still.incident.id


def test_a_target_its_source_never_released_pages_at_the_next_maintenance_tick(world: World) -> None:
    """It opened as its source resolved, after the source's release had read the muted incidents: the
    minute's check of what is muted finds its source resolved and releases it."""
    region_down(world)
    target = world.router.route(am("t", "checkout", ("t1", "firing"), alertname="Errors", region="eu-1"))
    _resolve(world, "src", "s1")  # and its release (on_resolved) never sees the target

    released = world.noise.release_lapsed(world.clock.now())

    assert target.incident is not None and [i.id for i in released] == [target.incident.id]
    assert released[0].urgency is Urgency.HIGH
    detail_type, detail = world.bus.events[-1]
    assert detail_type is DetailType.INCIDENT_TRIGGERED
    assert isinstance(detail, IncidentChanged) and detail.incident.id == target.incident.id


def test_a_target_whose_source_is_open_stays_muted_at_the_maintenance_tick(world: World) -> None:
    source = region_down(world)
    target = world.router.route(am("t", "checkout", ("t1", "firing"), alertname="Errors", region="eu-1"))

    assert world.noise.release_lapsed(world.clock.now()) == []
    assert target.incident is not None
    assert world.incidents.items[target.incident.id].inhibited_by == source


def test_an_unreleased_target_moves_to_another_open_source_at_the_maintenance_tick(world: World) -> None:
    region_down(world)
    target = world.router.route(am("t", "checkout", ("t1", "firing"), alertname="Errors", region="eu-1"))
    other = world.router.route(am("src2", "search", ("s2", "firing"), alertname="region-down", region="eu-1"))
    _resolve(world, "src", "s1")

    assert world.noise.release_lapsed(world.clock.now()) == []
    assert target.incident is not None and other.incident is not None
    assert world.incidents.items[target.incident.id].inhibited_by == other.incident.id


def test_a_target_its_source_released_is_not_released_again_at_the_maintenance_tick(world: World) -> None:
    region_down(world)
    target = world.router.route(am("t", "checkout", ("t1", "firing"), alertname="Errors", region="eu-1"))
    resolved = world.router.route(am("src", "platform", ("s1", "resolved"), action=AlertAction.RESOLVE))
    assert resolved.incident is not None and target.incident is not None
    world.noise.on_resolved(IncidentSnapshot.of(resolved.incident))

    assert world.noise.release_lapsed(world.clock.now()) == []
    entries = world.incidents.timeline.entries
    assert [e.kind for e in entries if e.subject == target.incident.id].count("released") == 1


def test_targets_of_one_resolved_source_read_it_once_at_the_maintenance_tick(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = region_down(world)
    targets = [
        world.router.route(am(f"t{n}", "checkout", (f"t{n}", "firing"), alertname=f"E{n}", region="eu-1"))
        for n in range(3)
    ]
    _resolve(world, "src", "s1")
    read, get = [], world.incidents.get
    monkeypatch.setattr(world.incidents, "get", lambda i: read.append(i) or get(i))

    released = world.noise.release_lapsed(world.clock.now())

    assert sorted(i.id for i in released) == sorted(t.incident.id for t in targets if t.incident)
    assert read.count(source) == 1


def test_a_target_whose_source_is_not_found_pages_at_the_maintenance_tick(world: World) -> None:
    source = region_down(world)
    target = world.router.route(am("t", "checkout", ("t1", "firing"), alertname="Errors", region="eu-1"))
    del world.incidents.items[source]

    released = world.noise.release_lapsed(world.clock.now())

    assert target.incident is not None and [i.id for i in released] == [target.incident.id]
    (entry,) = [e for e in world.incidents.timeline.entries if e.kind == "released"]
    assert entry.message == f"Released: inhibiting incident {source} not found; paging now"
