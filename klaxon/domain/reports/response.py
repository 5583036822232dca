"""The response report: time to acknowledge (MTTA) and to resolve (MTTR), as mean, median and 90th
percentile, per service, team, priority and month, each with the incidents behind it; and how many of the
post-mortems due were published within 48 hours of their incident's resolution. Drills do not count.

Durations run from the incident's opening; an incident acknowledged, triggered again (its acknowledgement
timed out) and acknowledged again counts once, with its first acknowledgement. Times are instants, so a
daylight-saving change in any zone changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from klaxon.domain.incident.models import Incident, Priority
from klaxon.domain.model import Model
from klaxon.domain.postmortem.models import Postmortem
from klaxon.domain.reports.figures import Figure, figure, rate

PUBLISHED_WITHIN = timedelta(hours=48)


class ResponseRow(Model):
    by: str  # "all", "service", "team", "priority", "month"
    key: str
    incidents: int
    acknowledge: Figure
    resolve: Figure


class PostmortemCompletion(Model):
    due: int  # resolved incidents of a post-mortem priority, resolved long enough ago to be due
    published_in_time: int
    rate: float | None
    late_or_missing: list[int]  # their incident numbers


class ResponseReport(Model):
    start: datetime
    end: datetime
    rows: list[ResponseRow]
    postmortems: PostmortemCompletion


def minutes_to_acknowledge(incident: Incident, first_ack: datetime | None = None) -> float | None:
    at = first_ack or incident.acknowledged_at
    return None if at is None else max((at - incident.created_at).total_seconds(), 0.0) / 60


def minutes_to_resolve(incident: Incident) -> float | None:
    at = incident.resolved_at
    return None if at is None else max((at - incident.created_at).total_seconds(), 0.0) / 60


def _row(by: str, key: str, incidents: list[Incident], first_acks: Mapping[str, datetime]) -> ResponseRow:
    acks = [
        (i.number, m) for i in incidents if (m := minutes_to_acknowledge(i, first_acks.get(i.id))) is not None
    ]
    resolves = [(i.number, m) for i in incidents if (m := minutes_to_resolve(i)) is not None]
    return ResponseRow(
        by=by, key=key, incidents=len(incidents), acknowledge=figure(acks), resolve=figure(resolves)
    )


def response_report(
    incidents: Iterable[Incident],
    postmortems: Mapping[str, Postmortem],
    team_of: Mapping[str, str],
    postmortem_priorities: frozenset[Priority],
    start: datetime,
    end: datetime,
    now: datetime,
    first_acks: Mapping[str, datetime] | None = None,
) -> ResponseReport:
    """Over the incidents opened in [start, end) (drills left out)."""
    first = first_acks or {}
    opened = [i for i in incidents if not i.drill and start <= i.created_at < end]
    keys: dict[str, Callable[[Incident], str]] = {
        "service": lambda i: i.service,
        "team": lambda i: team_of.get(i.service, "(no team)"),
        "priority": lambda i: i.priority.value,
        "month": lambda i: i.created_at.strftime("%Y-%m"),
    }
    rows = [_row("all", "all", opened, first)]
    for by, key_of in keys.items():
        grouped: dict[str, list[Incident]] = {}
        for incident in opened:
            grouped.setdefault(key_of(incident), []).append(incident)
        rows += [_row(by, key, found, first) for key, found in sorted(grouped.items())]
    return ResponseReport(
        start=start,
        end=end,
        rows=rows,
        postmortems=_completion(opened, postmortems, postmortem_priorities, now),
    )


def _completion(
    opened: list[Incident],
    postmortems: Mapping[str, Postmortem],
    priorities: frozenset[Priority],
    now: datetime,
) -> PostmortemCompletion:
    due = [
        i
        for i in opened
        if i.priority in priorities and i.resolved_at is not None and i.resolved_at + PUBLISHED_WITHIN <= now
    ]
    in_time, late = [], []
    for incident in due:
        found = postmortems.get(incident.id)
        published = found.published_at if found is not None else None
        assert incident.resolved_at is not None
        if published is not None and published <= incident.resolved_at + PUBLISHED_WITHIN:
            in_time.append(incident.number)
        else:
            late.append(incident.number)
    return PostmortemCompletion(
        due=len(due),
        published_in_time=len(in_time),
        rate=rate(len(in_time), len(due)),
        late_or_missing=sorted(late),
    )
