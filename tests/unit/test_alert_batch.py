"""A batch from the alerts queue: the triggers of one dedup key fold into one write (issue 14 §6), and
the batch ends exactly where routing its alerts one at a time would."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaxon.domain.errors import Conflict
from klaxon.domain.incident.models import AlertAction, IncidentStatus
from klaxon.events import DetailType
from klaxon.services.incident import alert_batch
from klaxon.services.incident.alert_batch import route_batch, runs
from klaxon.services.incident.router import Outcome, RouteResult, RouterService
from tests.fakes.memory import (
    MemoryIncidents,
    RecordingBus,
)
from tests.unit.test_router_service import alert, make_world

T, A, R = AlertAction.TRIGGER, AlertAction.ACKNOWLEDGE, AlertAction.RESOLVE


def _world() -> tuple[RouterService, MemoryIncidents, RecordingBus]:
    router, incidents, bus, _ = make_world()
    return router, incidents, bus


def test_runs_fold_a_keys_triggers_until_its_acknowledge_or_resolve() -> None:
    batch = [
        alert(T, "a"),
        alert(T, "b"),
        alert(T, "a"),
        alert(R, "a"),
        alert(T, "a"),
        alert(A, "b"),
        alert(T, "b"),
    ]
    assert runs(batch) == [[0, 2], [1], [3], [4], [5], [6]]


def test_a_storm_of_one_key_is_one_write_after_the_incident_and_one_event() -> None:
    alone, alone_incidents, _ = _world()
    for _ in range(10):
        alone.route(alert(T, "disk"))
    router, incidents, bus = _world()
    results = route_batch(router, [alert(T, "disk") for _ in range(10)])
    assert [r.result for r in results] == [RouteResult.CREATED] + [RouteResult.ADDED] * 9  # type: ignore[union-attr]
    (incident,) = incidents.items.values()
    assert incident.alert_count == 10
    # The incident (its claim, number, item), then the nine others in one write instead of nine.
    assert alone_incidents.writes - incidents.writes == 8
    assert bus.types() == [DetailType.INCIDENT_TRIGGERED, DetailType.INCIDENT_UPDATED]
    assert all(r.incident.id == incident.id for r in results)  # type: ignore[union-attr]


def test_a_resolve_inside_the_batch_ends_the_run_and_a_later_trigger_opens_a_new_incident() -> None:
    router, incidents, _ = _world()
    results = route_batch(router, [alert(T), alert(T), alert(R), alert(T)])
    assert [r.result for r in results] == ["created", "added", "resolved", "created"]  # type: ignore[union-attr]
    first, second = sorted(incidents.items.values(), key=lambda i: i.number)
    assert (first.status, first.alert_count) == (IncidentStatus.RESOLVED, 2)
    assert (second.status, second.alert_count) == (IncidentStatus.TRIGGERED, 1)


def test_an_alert_delivered_again_in_a_fold_changes_nothing_and_the_others_still_join() -> None:
    router, incidents, _ = _world()
    seen = alert(T)
    route_batch(router, [seen])
    results = route_batch(router, [alert(T), seen, alert(T)])
    # The opener delivered again is what it was (created), as when routed alone.
    assert [r.result for r in results] == ["added", "created", "added"]  # type: ignore[union-attr]
    (incident,) = incidents.items.values()
    assert incident.alert_count == 3  # the redelivered alert is not counted twice


def test_a_failed_fold_fails_only_its_alerts(monkeypatch: pytest.MonkeyPatch) -> None:
    router, incidents, _ = _world()

    def throttled(*args: object, **kwargs: object) -> None:
        raise RuntimeError("ProvisionedThroughputExceededException")

    monkeypatch.setattr(incidents, "add_alerts", throttled)
    results = route_batch(router, [alert(T, "a"), alert(T, "a"), alert(T, "b")])
    assert [type(r).__name__ for r in results] == ["Outcome", "RuntimeError", "Outcome"]


def test_a_fold_is_cut_where_a_generation_of_remembered_ids_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    router, incidents, _ = _world()
    monkeypatch.setattr(alert_batch, "joinable_count", lambda count: 4 - count % 4)  # generations of 4
    route_batch(router, [alert(T) for _ in range(10)])
    (incident,) = incidents.items.values()
    opened = _world()
    opened[0].route(alert(T))
    # The opener, then 2-4 (to the end of the first generation of 4), 5-8, 9-10: three folded writes.
    assert (incident.alert_count, incidents.writes) == (10, opened[1].writes + 3)


def test_a_fold_joins_at_most_ten_alerts_a_write() -> None:
    """Each write's condition names every id it adds, and DynamoDB takes conditions of at most 4 KB."""
    router, incidents, _ = _world()
    results = route_batch(router, [alert(T) for _ in range(25)])
    (incident,) = incidents.items.values()
    opened = _world()
    opened[0].route(alert(T))
    assert all(isinstance(r, Outcome) for r in results)
    # The opener, then 2-11, 12-21 and 22-25: three folded writes.
    assert (incident.alert_count, incidents.writes) == (25, opened[1].writes + 3)


def test_a_conflict_in_a_fold_routes_its_alerts_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    router, incidents, _ = _world()
    original = incidents.add_alerts

    def resolved_under_us(incident_id: str, alerts: list, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if len(alerts) > 1:
            raise Conflict("resolved meanwhile")
        return original(incident_id, alerts, *args, **kwargs)

    monkeypatch.setattr(incidents, "add_alerts", resolved_under_us)
    results = route_batch(router, [alert(T) for _ in range(4)])
    assert [r.result for r in results] == ["created", "added", "added", "added"]  # type: ignore[union-attr]
    (incident,) = incidents.items.values()
    assert incident.alert_count == 4


_actions = st.sampled_from([T, T, T, A, R])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_actions, st.sampled_from(["a", "b", "c"])), min_size=1, max_size=25))
def test_a_batch_ends_where_routing_its_alerts_one_at_a_time_ends(
    steps: list[tuple[AlertAction, str]],
) -> None:
    batch = [alert(action, key) for action, key in steps]
    alone, alone_incidents, _ = _world()
    for a in batch:
        alone.route(a)
    together, together_incidents, _ = _world()
    assert not any(isinstance(r, Exception) for r in route_batch(together, batch))

    def state(incidents: MemoryIncidents) -> list[tuple[str, str, int]]:
        return sorted((i.dedup_key, i.status.value, i.alert_count) for i in incidents.items.values())

    assert state(together_incidents) == state(alone_incidents)
    assert together_incidents.writes <= alone_incidents.writes
