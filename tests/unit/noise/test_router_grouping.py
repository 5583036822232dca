"""The router with a service's group_by: one incident per group and window, one page, no resolve lost."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from klaxon.domain.errors import Conflict
from klaxon.domain.incident.models import AlertAction, IncidentStatus
from klaxon.domain.noise.grouping import FULL_ALERTS
from klaxon.events import DetailType
from tests.fakes.noise import am, pd
from tests.unit.noise.conftest import World


def test_alerts_of_one_group_open_one_incident(world: World) -> None:
    for key in ("a", "b", "c"):
        world.router.route(pd(key, alertname="Slow"))

    (incident,) = world.incidents.items.values()
    assert (incident.dedup_key, incident.alert_count, incident.grouped) == ("group:alertname=Slow", 3, True)


def test_a_group_is_triggered_once(world: World) -> None:
    for key in ("a", "b", "c"):
        world.router.route(pd(key, alertname="Slow"))

    assert world.bus.types().count(DetailType.INCIDENT_TRIGGERED) == 1


def test_the_incident_shows_every_alert_by_its_own_key(world: World) -> None:
    for key in ("a", "b"):
        world.router.route(pd(key, alertname="Slow"))

    (incident,) = world.incidents.items.values()
    assert sorted(incident.alerts) == ["a", "b"]


def test_different_groups_open_different_incidents(world: World) -> None:
    world.router.route(pd("a", alertname="Slow"))
    world.router.route(pd("b", alertname="Down"))

    assert len(world.incidents.items) == 2


def test_an_alert_without_the_group_by_labels_keeps_its_own_dedup_key(world: World) -> None:
    outcome = world.router.route(pd("lonely"))

    assert outcome.incident is not None
    assert (outcome.incident.dedup_key, outcome.incident.grouped) == ("lonely", False)


def test_a_new_alert_after_the_window_opens_the_groups_next_incident(world: World) -> None:
    world.router.route(pd("a", alertname="Slow"))
    world.clock.advance(minutes=6)

    outcome = world.router.route(pd("b", alertname="Slow"))

    assert outcome.result == "created"
    assert len(world.incidents.items) == 2


def test_an_alert_already_on_the_incident_joins_it_after_the_window(world: World) -> None:
    world.router.route(pd("a", alertname="Slow"))
    world.clock.advance(minutes=30)

    assert world.router.route(pd("a", alertname="Slow")).result == "added"


def test_joining_a_group_costs_one_write(world: World) -> None:
    world.router.route(pd("a", alertname="Slow"))
    before = world.incidents.writes

    world.router.route(pd("b", alertname="Slow"))

    assert world.incidents.writes - before == 1


def test_a_group_stays_open_while_any_alert_fires(world: World) -> None:
    world.router.route(pd("a", alertname="Slow"))
    world.router.route(pd("b", alertname="Slow"))

    outcome = world.router.route(pd("a", action=AlertAction.RESOLVE))

    assert outcome.incident is not None
    assert outcome.incident.status is IncidentStatus.TRIGGERED
    assert outcome.incident.alerts["a"].status == "resolved"


def test_a_group_resolves_when_its_last_alert_does(world: World) -> None:
    world.router.route(pd("a", alertname="Slow"))
    world.router.route(pd("b", alertname="Slow"))
    world.router.route(pd("a", action=AlertAction.RESOLVE))

    outcome = world.router.route(pd("b", action=AlertAction.RESOLVE))

    assert outcome.result == "resolved"
    assert DetailType.INCIDENT_RESOLVED in world.bus.types()


def test_an_acknowledge_for_one_alert_acknowledges_its_group(world: World) -> None:
    world.router.route(pd("a", alertname="Slow"))

    outcome = world.router.route(pd("a", action=AlertAction.ACKNOWLEDGE))

    assert outcome.incident is not None
    assert outcome.incident.status is IncidentStatus.ACKNOWLEDGED


def test_a_resolve_the_group_never_saw_is_dropped(world: World) -> None:
    world.router.route(pd("a", alertname="Slow"))

    assert world.router.route(pd("zzz", action=AlertAction.RESOLVE)).result == "dropped"


def test_an_alertmanager_alert_resolving_inside_a_firing_notification_counts(world: World) -> None:
    world.router.route(am("g1", "search", ("f1", "firing"), ("f2", "firing"), alertname="Slow"))

    world.router.route(am("g1", "search", ("f1", "resolved"), ("f2", "firing"), alertname="Slow"))
    outcome = world.router.route(
        am("g1", "search", ("f2", "resolved"), action=AlertAction.RESOLVE, alertname="Slow")
    )

    assert outcome.result == "resolved"


def test_an_alerts_resolve_reaches_the_older_incident_that_holds_it(world: World) -> None:
    first = world.router.route(pd("a", alertname="Slow")).incident
    world.clock.advance(minutes=6)
    world.router.route(pd("b", alertname="Slow"))  # the group's next incident

    outcome = world.router.route(pd("a", action=AlertAction.RESOLVE))

    assert first is not None and outcome.incident is not None
    assert (outcome.result, outcome.incident.id) == ("resolved", first.id)


def test_resolving_the_last_alert_fails_when_another_joined_since_it_was_read(world: World) -> None:
    incident = world.router.route(pd("a", alertname="Slow")).incident
    assert incident is not None
    world.router.route(pd("b", alertname="Slow"))  # joins after the resolver read the incident
    entry = world.router.timeline.list(incident.id)[0]

    with pytest.raises(Conflict):
        world.incidents.transition(
            incident.id,
            IncidentStatus.RESOLVED,
            actor="x",
            now=world.clock.now(),
            entry=entry,
            alert=pd("a", action=AlertAction.RESOLVE),
            expected_revision=incident.revision,
        )


def test_alerts_resolving_at_once_resolve_their_group_exactly_once(world: World) -> None:
    keys = [f"k{n}" for n in range(12)]
    for key in keys:
        world.router.route(pd(key, alertname="Slow"))

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda key: world.router.route(pd(key, action=AlertAction.RESOLVE)), keys))

    (incident,) = world.incidents.items.values()
    assert incident.status is IncidentStatus.RESOLVED
    assert world.bus.types().count(DetailType.INCIDENT_RESOLVED) == 1


def test_a_big_group_keeps_only_fingerprints_and_statuses_of_later_alerts(world: World) -> None:
    for n in range(FULL_ALERTS + 1):
        world.router.route(pd(f"k{n}", alertname="Huge"))

    (incident,) = world.incidents.items.values()
    first, last = incident.alerts["k0"], incident.alerts[f"k{FULL_ALERTS}"]
    assert first.labels
    assert (last.status, last.labels, last.annotations) == ("firing", {}, {})


def test_a_stale_resolve_of_a_groups_alert_leaves_its_newer_incident_open(world: World) -> None:
    from datetime import timedelta

    now = world.clock.now()
    world.router.route(pd("a", alertname="Slow").model_copy(update={"timestamp": now}))
    old = pd("a", action=AlertAction.RESOLVE, alertname="Slow")
    outcome = world.router.route(old.model_copy(update={"timestamp": now - timedelta(hours=1)}))

    assert outcome.result == "stale"
    (incident,) = world.incidents.items.values()
    assert incident.status is IncidentStatus.TRIGGERED
    assert [e.kind for e in world.incidents.timeline.list(incident.id)][-1] == "ignored"
