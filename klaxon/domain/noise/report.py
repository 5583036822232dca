"""The noise report: per alert source and service, how much alerting became incidents, pages and action."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from statistics import median

from klaxon.domain.incident.models import Incident
from klaxon.domain.model import Model

UNKNOWN_SOURCE = "(none)"


class SourceNoise(Model):
    """One (integration, service): alerts in, incidents opened, pages sent, and how people answered."""

    integration: str
    service: str
    alerts: int
    incidents: int
    muted: int  # opened in a maintenance window or inhibited: recorded, paged no one at first
    pages: int
    acknowledged: int
    ack_rate: float | None  # acknowledged incidents / incidents that paged someone
    median_seconds_to_ack: float | None


class NoisyKey(Model):
    """A dedup key (or group key) ranked by alerts: the rules worth tuning first."""

    integration: str
    service: str
    dedup_key: str
    alerts: int
    incidents: int
    pages: int
    acknowledged: int


class NoisyRule(Model):
    """A routing rule ranked by the alerts of the incidents it opened: the rules worth tuning first."""

    integration: str
    rule: str
    alerts: int
    incidents: int
    pages: int
    acknowledged: int


class NoiseReport(Model):
    start: datetime
    end: datetime
    alerts: int
    incidents: int
    pages: int
    sources: list[SourceNoise]
    noisiest: list[NoisyKey]
    noisiest_rules: list[NoisyRule]
    notes: list[str]


def _was_muted(incident: Incident) -> bool:
    return incident.maintenance_window is not None or incident.inhibited_by is not None


def _source(incident: Incident) -> tuple[str, str]:
    return incident.integration or UNKNOWN_SOURCE, incident.service


def noise_report(
    incidents: Iterable[Incident],
    pages: Mapping[str, int],
    start: datetime,
    end: datetime,
    *,
    top: int = 10,
) -> NoiseReport:
    """Incidents opened in [start, end), with their alerts and pages, by source; drills are left out.

    `pages` counts, per incident id, the pages it sent (one step reaching one person).
    """
    chosen = [i for i in incidents if start <= i.created_at < end and not i.drill]
    by_source: dict[tuple[str, str], list[Incident]] = {}
    by_key: dict[tuple[str, str, str], list[Incident]] = {}
    for incident in chosen:
        by_source.setdefault(_source(incident), []).append(incident)
        by_key.setdefault((*_source(incident), incident.dedup_key), []).append(incident)
    sources = [
        _source_row(integration, service, group, pages) for (integration, service), group in by_source.items()
    ]
    sources.sort(key=lambda row: (-row.alerts, -row.pages, row.integration, row.service))
    noisiest = [
        NoisyKey(
            integration=integration,
            service=service,
            dedup_key=key,
            alerts=sum(i.alert_count for i in group),
            incidents=len(group),
            pages=sum(pages.get(i.id, 0) for i in group),
            acknowledged=sum(1 for i in group if i.acknowledged_at is not None),
        )
        for (integration, service, key), group in by_key.items()
    ]
    noisiest.sort(key=lambda row: (-row.alerts, -row.pages, row.dedup_key))
    by_rule: dict[tuple[str, str], list[Incident]] = {}
    for incident in chosen:
        if incident.routing_rule is not None:
            by_rule.setdefault((_source(incident)[0], incident.routing_rule), []).append(incident)
    rules = [
        NoisyRule(
            integration=integration,
            rule=rule,
            alerts=sum(i.alert_count for i in group),
            incidents=len(group),
            pages=sum(pages.get(i.id, 0) for i in group),
            acknowledged=sum(1 for i in group if i.acknowledged_at is not None),
        )
        for (integration, rule), group in by_rule.items()
    ]
    rules.sort(key=lambda row: (-row.alerts, -row.pages, row.rule))
    return NoiseReport(
        start=start,
        end=end,
        alerts=sum(i.alert_count for i in chosen),
        incidents=len(chosen),
        pages=sum(pages.get(i.id, 0) for i in chosen),
        sources=sources,
        noisiest=noisiest[:top],
        noisiest_rules=rules[:top],
        notes=[
            "noisiest_rules credits each incident to the routing rule that matched the alert which opened it",
            "alerts are counted on the incident they joined, by when that incident opened",
            "ack_rate and median_seconds_to_ack count only incidents that paged someone",
        ],
    )


def _source_row(
    integration: str, service: str, group: list[Incident], pages: Mapping[str, int]
) -> SourceNoise:
    paged = [i for i in group if pages.get(i.id, 0) > 0]
    acked = [i for i in paged if i.acknowledged_at is not None]
    waits = [(i.acknowledged_at - i.created_at).total_seconds() for i in acked if i.acknowledged_at]
    return SourceNoise(
        integration=integration,
        service=service,
        alerts=sum(i.alert_count for i in group),
        incidents=len(group),
        muted=sum(1 for i in group if _was_muted(i)),
        pages=sum(pages.get(i.id, 0) for i in group),
        acknowledged=sum(1 for i in group if i.acknowledged_at is not None),
        ack_rate=round(len(acked) / len(paged), 4) if paged else None,
        median_seconds_to_ack=round(median(waits), 3) if waits else None,
    )
