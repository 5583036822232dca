"""Noise control in the configuration: maintenance windows, inhibition rules and heartbeats."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from pydantic import AwareDatetime, ConfigDict, Field, model_validator

from klaxon.config.keys import HashedKey, KeyDigest, KeyHash, KeyHint, KeyInTheClear
from klaxon.config.problems import Problem, raise_if_any, unknown
from klaxon.config.values import Id, TimeZone
from klaxon.domain.incident.models import Severity
from klaxon.domain.model import Model
from klaxon.domain.noise.grouping import GroupRule
from klaxon.domain.noise.heartbeats import Heartbeat
from klaxon.domain.noise.inhibition import InhibitionRule
from klaxon.domain.noise.maintenance import MaintenanceWindow, parse_rrule

if TYPE_CHECKING:
    from klaxon.config.schema import KlaxonConfig

_FORBID = ConfigDict(frozen=True, extra="forbid")


class ServiceMaintenanceWindow(Model):
    """Planned work on services: their alerts inside the window are recorded on incidents and page nobody.

    More windows can be added at run time with `POST /v1/maintenance-windows` or `klaxon maintenance add`.
    """

    model_config = _FORBID

    id: Id = Field(description="Short lowercase id.")
    name: str = Field(min_length=1, description="What the work is, such as `Database upgrade`.")
    services: list[str] = Field(min_length=1, description="Ids of the services whose alerts it mutes.")
    start: AwareDatetime = Field(description="Start of the (first) occurrence, with an offset.")
    end: AwareDatetime = Field(description="End of the (first) occurrence, with an offset.")
    rrule: str | None = Field(
        default=None,
        description="Repeat the occurrence by an RFC 5545 RRULE, such as `FREQ=WEEKLY;BYDAY=SU`, at the same "
        "wall-clock time in `time_zone` (an `UNTIL` is read in that zone too).",
    )
    time_zone: TimeZone = Field(default="UTC", description="IANA time zone the rule repeats in.")
    owner: str | None = Field(
        default=None,
        description="User id reminded (by email, else push) shortly before each occurrence ends.",
    )
    announce: bool = Field(
        default=False,
        description="Show its current or next occurrence on the status page as scheduled maintenance, on the "
        "components that follow its services.",
    )

    @model_validator(mode="after")
    def _valid_window(self) -> ServiceMaintenanceWindow:
        problems: list[Problem] = []
        if self.end <= self.start:
            problems.append((("end",), "a maintenance window ends after it starts"))
        elif self.rrule is not None:
            try:
                parse_rrule(self.rrule, self.start, self.time_zone)
            except ValueError as exc:
                problems.append((("rrule",), str(exc)))
        raise_if_any("ServiceMaintenanceWindow", problems)
        return self

    def to_domain(self) -> MaintenanceWindow:
        return MaintenanceWindow.model_validate({**self.model_dump(), "created_by": "config"})


class InhibitionRuleConfig(Model):
    """While an incident matching `source_match` is open, new alerts matching `target_match` that share its
    `equal` labels are recorded and linked to it but page nobody; they page when it resolves."""

    model_config = _FORBID

    source_match: dict[str, str] = Field(
        min_length=1,
        description="Labels (name: value) the inhibiting incident has, e.g. `alertname: region-down`.",
    )
    target_match: dict[str, str] = Field(
        default_factory=dict, description="Labels the muted alerts have; empty, any alert sharing `equal`."
    )
    equal: list[str] = Field(
        default_factory=list, description="Labels that must have the same value on both, e.g. `[region]`."
    )

    def to_domain(self) -> InhibitionRule:
        return InhibitionRule(
            source_match=dict(self.source_match),
            target_match=dict(self.target_match),
            equal=tuple(self.equal),
        )


class HeartbeatConfig(HashedKey, Model):
    """A job that must ping `POST /v1/heartbeats/<key>` at least every interval; silence opens an incident and
    the next ping resolves it. Checked every minute."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    id: Id = Field(description="Short lowercase id; the incident's dedup key is `heartbeat:<id>`.")
    service: str = Field(description="Service id the incident opens on.")
    key: KeyInTheClear = None
    key_hash: KeyHash = None
    key_digest: KeyDigest = None
    key_hint: KeyHint = None
    interval_seconds: int = Field(ge=1, le=31 * 86400, description="Longest expected time between pings.")
    grace_seconds: int = Field(default=60, ge=0, le=86400, description="Extra time allowed for a late ping.")
    summary: str | None = Field(default=None, description="Incident title; absent, `Heartbeat <id> missed`.")
    severity: Severity = Field(default=Severity.CRITICAL, description="Severity of the incident it opens.")

    @model_validator(mode="after")
    def _one_key(self) -> HeartbeatConfig:
        raise_if_any("HeartbeatConfig", self.key_problems("a heartbeat needs its key or key_hash"))
        return self

    def to_domain(self) -> Heartbeat:
        return Heartbeat(
            id=self.id,
            service=self.service,
            interval=timedelta(seconds=self.interval_seconds),
            grace=timedelta(seconds=self.grace_seconds),
            summary=self.summary,
            severity=self.severity,
        )


def noise_references_resolve(config: KlaxonConfig) -> list[Problem]:
    """Maintenance windows and heartbeats name existing services (and owners, users); their ids are unique;
    grouping and heartbeat keys are well formed."""
    services = [s.id for s in config.services]
    users = [u.id for u in config.users]
    problems: list[Problem] = []
    sections: dict[str, list[str]] = {
        "maintenance_windows": [w.id for w in config.maintenance_windows],
        "heartbeats": [h.id for h in config.heartbeats],
    }
    for section, ids in sections.items():
        first: dict[str, int] = {}
        for i, item_id in enumerate(ids):
            if item_id in first:
                where = f"{section}[{first[item_id]}]"
                problems.append(((section, i, "id"), f"duplicate id {item_id!r}; first defined at {where}"))
            first.setdefault(item_id, i)
    for i, window in enumerate(config.maintenance_windows):
        problems += [
            (("maintenance_windows", i, "services", j), unknown("service", name, services))
            for j, name in enumerate(window.services)
            if name not in services
        ]
        if window.owner is not None and window.owner not in users:
            problems.append((("maintenance_windows", i, "owner"), unknown("user", window.owner, users)))
    keys: dict[str, str] = {
        integration.identity(): f"integration {integration.id!r}" for integration in config.integrations
    }
    for i, heartbeat in enumerate(config.heartbeats):
        if heartbeat.service not in services:
            problems.append((("heartbeats", i, "service"), unknown("service", heartbeat.service, services)))
        digest = heartbeat.identity()
        if digest in keys:
            problems.append((("heartbeats", i, heartbeat.key_given_as()), f"same key as {keys[digest]}"))
        keys.setdefault(digest, f"heartbeat {heartbeat.id!r}")
    return problems


def grouping_of(config: KlaxonConfig) -> dict[str, GroupRule]:
    """Each grouping service's rule."""
    return {
        s.id: GroupRule(
            service=s.id, group_by=tuple(s.group_by), window=timedelta(seconds=s.group_window_seconds)
        )
        for s in config.services
        if s.group_by
    }


def heartbeats_by_key(config: KlaxonConfig) -> dict[str, Heartbeat]:
    """Each heartbeat by its key as the document holds it: the stored digest (or, in a document not yet
    stored by this version, the key's SHA-256)."""
    return {h.identity(): h.to_domain() for h in config.heartbeats}
