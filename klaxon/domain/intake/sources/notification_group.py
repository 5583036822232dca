"""Alertmanager's notification group, as its webhook sends it and Grafana's copies it.

One group is one incident: its `groupKey` is the dedup key (sha256, `dedup.group_key_hash`), its
labels are the group's and the common ones, and each alert in it is one instance.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from klaxon.domain.incident.dedup import group_key_hash
from klaxon.domain.incident.models import Alert, AlertAction, AlertInstance
from klaxon.domain.intake.integration import IntegrationRef, service_for_labels
from klaxon.domain.intake.sources.common import zero_time_is_none
from klaxon.domain.model import Model

STATUS = "^(firing|resolved)$"


class GroupAlert(Model):
    model_config = ConfigDict(populate_by_name=True)

    status: str = Field(pattern=STATUS)
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime | None = Field(default=None, alias="startsAt")
    ends_at: datetime | None = Field(default=None, alias="endsAt")
    generator_url: str | None = Field(default=None, alias="generatorURL")
    fingerprint: str = Field(min_length=1)

    def instance(self) -> AlertInstance:
        return AlertInstance(
            fingerprint=self.fingerprint,
            status=self.status,
            labels=self.labels,
            annotations=self.annotations,
            starts_at=self.starts_at,
            ends_at=zero_time_is_none(self.ends_at),
            generator_url=self.generator_url,
        )


class GroupWebhook(Model):
    """The fields both webhooks share; each subclass names its own `alerts` type and extras."""

    model_config = ConfigDict(populate_by_name=True)

    status: str = Field(pattern=STATUS)
    receiver: str = ""
    group_key: str = Field(alias="groupKey", min_length=1)
    alerts: list[GroupAlert] = Field(min_length=1)
    group_labels: dict[str, str] = Field(default_factory=dict, alias="groupLabels")
    common_labels: dict[str, str] = Field(default_factory=dict, alias="commonLabels")
    common_annotations: dict[str, str] = Field(default_factory=dict, alias="commonAnnotations")
    external_url: str | None = Field(default=None, alias="externalURL")
    truncated_alerts: int = Field(default=0, alias="truncatedAlerts")

    @property
    def action(self) -> AlertAction:
        return AlertAction.TRIGGER if self.status == "firing" else AlertAction.RESOLVE

    @property
    def labels(self) -> dict[str, str]:
        """The group's labels, then the labels every alert shares."""
        return {**self.group_labels, **self.common_labels}

    def heading(self) -> str:
        """Like Alertmanager's default title: `[FIRING:2] Alertname`."""
        firing = sum(1 for a in self.alerts if a.status == "firing")
        name = self.common_labels.get("alertname") or self.group_labels.get("alertname") or "alert group"
        return f"[{self.status.upper()}:{firing if self.status == 'firing' else len(self.alerts)}] {name}"

    def event_time(self) -> datetime | None:
        """When the group's news happened: its first alert firing, or (resolved) its last one ending."""
        if self.status == "firing":
            starts = [a.starts_at for a in self.alerts if a.status == "firing" and a.starts_at]
            return min(starts) if starts else None
        ends = [end for a in self.alerts if (end := zero_time_is_none(a.ends_at)) is not None]
        return max(ends) if ends else None

    def instances(self) -> list[AlertInstance]:
        return [a.instance() for a in self.alerts]

    def alert(
        self,
        kind: str,
        *,
        alert_id: str,
        integration: IntegrationRef,
        known_services: frozenset[str],
        now: datetime,
        **specific: Any,
    ) -> Alert:
        """The group as one alert; `specific` is what the source says its own way (summary, severity,
        details, links)."""
        return Alert(
            id=alert_id,
            action=self.action,
            dedup_key=group_key_hash(self.group_key),
            service=service_for_labels(integration, self.labels, known_services),
            integration=integration.id,
            source_kind=kind,
            received_at=now,
            source=self.external_url or self.receiver or kind,
            labels=self.labels,
            instances=self.instances(),
            timestamp=self.event_time(),
            **specific,
        )
