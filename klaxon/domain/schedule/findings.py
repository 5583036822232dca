"""Guardrail findings: what `klaxon schedule lint` reports, one broken rule per finding."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict

from klaxon.domain.model import Model


class Rule(StrEnum):
    LONG_ON_CALL = "on-call-over-7-days"
    SHORT_REST = "rest-under-7-days"
    COVERAGE_GAP = "coverage-gap"
    NO_BACKUP = "primary-without-backup"


class Finding(Model):
    """One guardrail broken: by whom (if anyone), over which span, and why it matters."""

    model_config = ConfigDict(frozen=True)

    rule: Rule
    schedule: str
    user: str | None = None
    start: datetime
    end: datetime
    message: str
    policy: str | None = None
