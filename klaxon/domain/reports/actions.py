"""The action items report: per month, created and completed (of those created that month), per team
and service, the completion rate against the goal (80%), and the overdue items with their owners. When
the report's last month falls short of the goal, the report says so first (`warning`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from klaxon.domain.model import Model
from klaxon.domain.postmortem.models import ActionItem, Postmortem
from klaxon.domain.reports.figures import rate

GOAL = 0.8


class ActionCounts(Model):
    month: str  # YYYY-MM (UTC)
    team: str | None = None
    service: str | None = None
    created: int
    completed: int  # of those created that month, done by the report's time
    completion_rate: float | None


class OverdueItem(Model):
    incident_id: str
    incident_number: int
    service: str
    title: str
    owner: str | None
    due: date
    days_overdue: int
    ticket: str | None  # its address in the tracker


class ActionReport(Model):
    start: datetime
    end: datetime
    goal: float = GOAL
    warning: str | None  # first thing said when the last month's rate is under the goal
    months: list[ActionCounts]
    groups: list[ActionCounts]  # per month, team and service
    overdue: list[OverdueItem]


def _created(postmortem: Postmortem, item: ActionItem) -> datetime:
    return item.created_at or postmortem.created_at


def action_report(
    postmortems: Iterable[Postmortem],
    team_of: Mapping[str, str],
    start: datetime,
    end: datetime,
    now: datetime,
) -> ActionReport:
    """The report of the items created in [start, end), as things stand at `now`."""
    months: dict[str, list[bool]] = {}
    groups: dict[tuple[str, str | None, str], list[bool]] = {}
    overdue: list[OverdueItem] = []
    for postmortem in postmortems:
        for item in postmortem.action_items:
            done = item.done
            if item.due is not None and not done and item.due < now.date():
                overdue.append(_overdue(postmortem, item, now))
            created = _created(postmortem, item)
            if not start <= created < end:
                continue
            month = created.strftime("%Y-%m")
            months.setdefault(month, []).append(done)
            groups.setdefault((month, team_of.get(postmortem.service), postmortem.service), []).append(done)
    month_rows = [_counts(done, month=m) for m, done in sorted(months.items())]
    group_rows = [
        _counts(done, month=m, team=t, service=s)
        for (m, t, s), done in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2]))
    ]
    return ActionReport(
        start=start,
        end=end,
        warning=_warning(month_rows),
        months=month_rows,
        groups=group_rows,
        overdue=sorted(overdue, key=lambda o: (-o.days_overdue, o.incident_number, o.title)),
    )


def _counts(done: list[bool], **where: str | None) -> ActionCounts:
    completed = sum(done)
    return ActionCounts(
        **where, created=len(done), completed=completed, completion_rate=rate(completed, len(done))
    )


def _overdue(postmortem: Postmortem, item: ActionItem, now: datetime) -> OverdueItem:
    assert item.due is not None
    return OverdueItem(
        incident_id=postmortem.incident_id,
        incident_number=postmortem.incident_number,
        service=postmortem.service,
        title=item.title,
        owner=item.owner,
        due=item.due,
        days_overdue=(now.date() - item.due).days,
        ticket=item.ticket.url if item.ticket else None,
    )


def _warning(months: list[ActionCounts]) -> str | None:
    """Said first when the report's last month completed under the goal."""
    if not months or months[-1].completion_rate is None or months[-1].completion_rate >= GOAL:
        return None
    last = months[-1]
    return (
        f"Only {last.completion_rate:.0%} of the action items created in {last.month} are done "
        f"({last.completed} of {last.created}); the goal is {GOAL:.0%}."
    )
