"""Which runbook an alert's incident gets, and why.

In order: the alert's own runbook (an Alertmanager or Grafana `runbook_url` annotation, an Events v2
`custom_details.runbook_url`), else the most specific configured entry whose matcher holds (the one with
the most conditions; the first in the configuration on a tie), else the service's default runbook.

A matcher is a list of routing-rule conditions (`klaxon.domain.intake.routing`). It tests the alert's
fields and labels, and `label: service` tests the service the alert was routed to, whatever label of
that name the source sent: a runbook belongs to a Klaxon service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ConfigDict

from klaxon.domain.incident.models import Alert
from klaxon.domain.intake.routing import Condition, ConditionCheck, check_of
from klaxon.domain.model import Model
from klaxon.domain.runbooks.models import IncidentRunbook, RunbookSource

RUNBOOK_LINK_TEXT = "runbook"  # the text the sources give the link they make of a `runbook_url`
URL_MAX = 2048  # longer is not a link anyone opens: the configured runbook is chosen instead


class Runbook(Model):
    """A configured runbook: where it is, and the alerts it is for."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    url: str
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class RunbookTrace:
    """One entry's verdict on an alert: matched (with its conditions), or the first condition that failed."""

    id: str
    matched: bool
    reason: str


def _safe_url(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > URL_MAX:
        return None
    return value if value.startswith(("https://", "http://")) else None


def alert_runbook_url(alert: Alert) -> str | None:
    """The runbook the alert names itself: its `runbook` link, else `custom_details.runbook_url`."""
    for link in alert.links:
        if link.text == RUNBOOK_LINK_TEXT and (url := _safe_url(link.href)):
            return url
    details = alert.custom_details
    return _safe_url(details.get("runbook_url")) if isinstance(details, dict) else None


@dataclass(frozen=True)
class CompiledRunbook:
    """A runbook with its conditions ready to run."""

    runbook: Runbook
    position: int
    checks: tuple[ConditionCheck, ...]

    def covers(self, service: str) -> bool:
        """Written for `service`: every `label: service` test holds for it (or it has no conditions)."""
        tests = [check for check in self.checks if check.condition.label == "service"]
        return not self.checks or (bool(tests) and all(check.holds_for(service) for check in tests))

    def trace(self, alert: Alert) -> RunbookTrace:
        failed = next((check for check in self.checks if not check.holds(alert)), None)
        if failed is not None:
            return RunbookTrace(self.runbook.id, False, failed.failure(alert))
        reason = "; ".join(check.condition.describe() for check in self.checks) or "no conditions"
        return RunbookTrace(self.runbook.id, True, reason)


class Runbooks:
    """The configured runbooks and each service's default, compiled once per configuration revision."""

    def __init__(self, entries: Sequence[Runbook] = (), service_defaults: Mapping[str, str] | None = None):
        compiled = [
            CompiledRunbook(r, i, tuple(check_of(c) for c in r.conditions)) for i, r in enumerate(entries)
        ]
        # Most specific first: the most conditions, then the configuration's order.
        self.ordered = tuple(sorted(compiled, key=lambda e: (-len(e.checks), e.position)))
        self.service_defaults = dict(service_defaults or {})

    def choose(self, alert: Alert) -> IncidentRunbook | None:
        """The runbook for the incident `alert` opens (its service already routed), or None."""
        if alert_runbook_url(alert) is not None:
            return self._chosen(alert, None)  # the alert's own wins: no entry need be tried
        seen = _with_service_label(alert)
        matched = next((e for e in self.ordered if all(c.holds(seen) for c in e.checks)), None)
        return self._chosen(alert, (matched, matched.trace(seen)) if matched else None)

    def explain(self, alert: Alert) -> tuple[list[RunbookTrace], IncidentRunbook | None]:
        """Every entry's verdict, most specific first, and the runbook chosen (`klaxon runbook test`)."""
        seen = _with_service_label(alert)
        traces = [entry.trace(seen) for entry in self.ordered]
        found = next(((e, t) for e, t in zip(self.ordered, traces, strict=True) if t.matched), None)
        return traces, self._chosen(alert, found)

    def _chosen(
        self, alert: Alert, matched: tuple[CompiledRunbook, RunbookTrace] | None
    ) -> IncidentRunbook | None:
        own = alert_runbook_url(alert)
        if own is not None:
            return IncidentRunbook(url=own, source=RunbookSource.ALERT, reason="the alert's own runbook_url")
        if matched is not None:
            entry, trace = matched
            runbook = entry.runbook
            return IncidentRunbook(
                url=runbook.url,
                title=runbook.title,
                source=RunbookSource.MATCHED,
                id=runbook.id,
                reason=f"matched {runbook.id}: {trace.reason}",
            )
        default = self.service_defaults.get(alert.service)
        if default is None:
            return None
        return IncidentRunbook(
            url=default,
            source=RunbookSource.SERVICE,
            reason=f"no entry matched: the default runbook of service {alert.service}",
        )

    def without_runbook(self, services: Sequence[str]) -> list[str]:
        """The services with no runbook of their own: no default, no entry for them by `label: service`
        and no entry without conditions. (An entry for some alert names on any service does not count.)"""
        return [
            s
            for s in services
            if s not in self.service_defaults and not any(e.covers(s) for e in self.ordered)
        ]


NO_RUNBOOKS = Runbooks()


def _with_service_label(alert: Alert) -> Alert:
    return alert.model_copy(update={"labels": {**alert.labels, "service": alert.service}})
