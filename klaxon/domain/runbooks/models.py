"""The runbook an incident carries (apart from choosing it, so the incident model can hold one)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict

from klaxon.domain.model import Model


class RunbookSource(StrEnum):
    ALERT = "alert"  # the alert named its own runbook
    MATCHED = "matched"  # a configured entry's matcher held
    SERVICE = "service"  # the service's default runbook


class IncidentRunbook(Model):
    """The runbook an incident got: on the incident, in its pages, in its chat summary."""

    model_config = ConfigDict(frozen=True)

    url: str
    title: str | None = None
    source: RunbookSource
    id: str | None = None  # the configured entry, when one was matched
    reason: str  # why this one, in words: "matched db-pool: label 'alertname' equals 'PoolExhausted'"
