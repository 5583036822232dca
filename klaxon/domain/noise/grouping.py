"""Alert grouping: a service's `group_by` labels turn many alerts into one incident (Alertmanager's idea).

The group key is the dedup key of the group's incident, so the router's race-free claim of a (service,
dedup key) pointer decides which alert opens the incident and which join it. Each alert keeps its own
identity in the incident's `alerts` map (its fingerprints; a PagerDuty event's is its dedup key), and the
incident resolves only when every one of them has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from pydantic import ConfigDict, Field

from klaxon.domain.incident.dedup import label_group_key
from klaxon.domain.incident.models import Alert, AlertAction, AlertInstance, Incident
from klaxon.domain.model import Model

FIRING = "firing"
RESOLVED = "resolved"
# PagerDuty-style fields that group_by may name as if they were labels (real labels win on a clash).
FIELD_LABELS = ("source", "component", "group", "class", "severity")
# A DynamoDB item holds 400 KB: past this many alerts, an incident keeps only each alert's fingerprint and
# status (about 40 bytes), which is all that resolving needs, so a group holds thousands.
FULL_ALERTS = 50


class GroupRule(Model):
    """A service's grouping: alerts with equal `group_by` labels within `window` of the first are one."""

    model_config = ConfigDict(frozen=True)

    service: str
    group_by: tuple[str, ...] = Field(min_length=1)
    window: timedelta


def alert_labels(alert: Alert) -> dict[str, str]:
    """The labels an alert is grouped and matched by: its own, plus its PagerDuty fields as labels."""
    fields = {
        "source": alert.source,
        "component": alert.component,
        "group": alert.group,
        "class": alert.class_,
        "severity": alert.severity.value if alert.severity else None,
    }
    return {**{k: v for k, v in fields.items() if v is not None}, **alert.labels}


def group_key(labels: Mapping[str, str], rule: GroupRule) -> str | None:
    """`group:name=value,...` over the rule's labels; None (not grouped) when the alert has none of them."""
    return label_group_key(labels, rule.group_by)


def group_labels(labels: Mapping[str, str], rule: GroupRule) -> dict[str, str]:
    """The labels every alert of the group shares: the `group_by` ones."""
    return {name: labels[name] for name in rule.group_by if name in labels}


def members(alert: Alert) -> list[AlertInstance]:
    """The alerts inside one delivery, each under its own fingerprint.

    Alertmanager sends instances with fingerprints; a PagerDuty-style event is one alert whose fingerprint
    is its dedup key, firing on a trigger and resolved on a resolve.
    """
    if alert.instances:
        if alert.action is AlertAction.RESOLVE:
            return [i.model_copy(update={"status": RESOLVED}) for i in alert.instances]
        return list(alert.instances)
    status = RESOLVED if alert.action is AlertAction.RESOLVE else FIRING
    annotations = {"summary": alert.summary} if alert.summary else {}
    return [
        AlertInstance(
            fingerprint=alert.dedup_key,
            status=status,
            labels=alert_labels(alert),
            annotations=annotations,
            starts_at=alert.timestamp or alert.received_at,
            ends_at=alert.received_at if status == RESOLVED else None,
        )
    ]


def fingerprints(alert: Alert) -> list[str]:
    return [member.fingerprint for member in members(alert)]


def as_group_alert(alert: Alert, key: str) -> Alert:
    """The alert as its group sees it: the group key as dedup key, its members as instances."""
    return alert.model_copy(update={"dedup_key": key, "instances": members(alert)})


def compact_for(incident: Incident, alert: Alert) -> Alert:
    """The group alert as it joins `incident`: its members in full while the incident is small, else
    only their fingerprints and statuses."""
    if len(incident.alerts) < FULL_ALERTS:
        return alert
    slim = [AlertInstance(fingerprint=m.fingerprint, status=m.status) for m in alert.instances]
    return alert.model_copy(update={"instances": slim})


def joins(incident: Incident, alert: Alert, window: timedelta, now: datetime) -> bool:
    """An alert joins its group's open incident within the window of the first alert, or when the
    incident already holds it (a repeat or a flap stays with its incident, however late)."""
    if now < incident.created_at + window:
        return True
    return any(fp in incident.alerts for fp in fingerprints(alert))


def firing(alerts: Mapping[str, AlertInstance]) -> list[str]:
    """Fingerprints still firing: an incident with none left has nothing to keep it open."""
    return sorted(fp for fp, a in alerts.items() if a.status != RESOLVED)


def after(alerts: Mapping[str, AlertInstance], updates: Iterable[AlertInstance]) -> dict[str, AlertInstance]:
    """The alerts map once `updates` are applied."""
    return {**alerts, **{u.fingerprint: u for u in updates}}
