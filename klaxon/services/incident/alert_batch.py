"""A batch of alerts from the alerts queue, with one write for each run of one dedup key (issue 14 §6).

In a storm most alerts repeat an open incident's dedup key, and each used to cost its own conditional
write and its own "Incident Updated" event. Here the triggers of one key in a batch fold into a run: the
first is routed alone (it opens the incident, or joins it, or finds it resolved), the rest join in one
write. An acknowledge or resolve of the key ends its run (triggers after it start another), and an alert
a grouping rule takes is routed alone, as are the alerts of a run whose fold meets a conflict (the
incident resolved meanwhile, an alert delivered twice): exactly what routing them one at a time does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from klaxon.domain.errors import Conflict
from klaxon.domain.incident.dedup import joinable_count
from klaxon.domain.incident.models import Alert, AlertAction
from klaxon.services.incident.router import Outcome, RouteResult, RouterService

Result = Outcome | Exception  # what routing one alert did, or why it failed (its message is received again)


def runs(alerts: Sequence[Alert]) -> list[list[int]]:
    """The batch's positions in the order to route them: each trigger joins the open run of its dedup key;
    an acknowledge or resolve stands alone and closes its key's run."""
    open_runs: dict[tuple[str, str], list[int]] = {}
    ordered: list[list[int]] = []
    for position, alert in enumerate(alerts):
        key = (alert.service, alert.dedup_key)
        if alert.action is AlertAction.TRIGGER and key in open_runs:
            open_runs[key].append(position)
            continue
        ordered.append([position])
        if alert.action is AlertAction.TRIGGER:
            open_runs[key] = ordered[-1]
        else:
            open_runs.pop(key, None)
    return ordered


def route_batch(router: RouterService, alerts: Sequence[Alert]) -> list[Result]:
    """Each alert's result, in the batch's order."""
    results: list[Result | None] = [None] * len(alerts)
    for run in runs(alerts):
        for position, result in zip(run, _route_run(router, [alerts[p] for p in run]), strict=True):
            results[position] = result
    return [r for r in results if r is not None]


def _route_run(router: RouterService, alerts: list[Alert]) -> list[Result]:
    first = _safely(router.route, alerts[0])
    rest = alerts[1:]
    foldable = (
        rest
        and isinstance(first, Outcome)
        and first.result in {RouteResult.CREATED, RouteResult.ADDED}
        and len({a.id for a in alerts}) == len(alerts)
        and all(router.noise.group(a) is None for a in alerts)
    )
    if not foldable:
        return [first, *(_safely(router.route, a) for a in rest)]
    assert isinstance(first, Outcome) and first.incident is not None
    incident = first.incident
    results: list[Result] = [first]
    while rest:
        chunk = rest[: joinable_count(incident.alert_count)]
        try:
            incident = router.join_all(incident, chunk)
        except Conflict:
            return results + [_safely(router.route, a) for a in rest]
        except Exception as exc:
            return results + [exc] * len(rest)
        results += [Outcome(RouteResult.ADDED, incident)] * len(chunk)
        rest = rest[len(chunk) :]
    return results


def _safely(route: Callable[[Alert], Outcome], alert: Alert) -> Result:
    try:
        return route(alert)
    except Exception as exc:  # this alert's message is received again; the batch's others are not
        return exc
