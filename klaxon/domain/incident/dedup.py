"""Dedup: which incident an alert belongs to. Every dedup key shape, and the router's one decision.

PagerDuty's semantics: an alert with the dedup key of an open incident on its service joins it; else
it opens a new incident under that key. The key is claimed with a conditional write, so two writers
racing on one key cannot both open an incident; a claim whose incident is not written yet is waited
for, unless its writer died (the claim is older than the claim timeout): then it is taken over.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from klaxon.domain.incident.models import Incident

# Longer than the router's Lambda timeout: a claim older than this belongs to a writer that died.
CLAIM_TIMEOUT = timedelta(seconds=60)
GROUP_PREFIX = "group:"


# --- key shapes ------------------------------------------------------------------------------------


def group_key_hash(group_key: str) -> str:
    """Alertmanager's own PagerDuty receiver sends sha256(groupKey) as the dedup key; so do we (and
    Grafana, whose webhook is Alertmanager's)."""
    return hashlib.sha256(group_key.encode()).hexdigest()


def summary_key(summary: str, source: str | None) -> str:
    """A generic JSON alert without a dedup key path: the same summary from the same source dedups."""
    return hashlib.sha256(f"{summary}\x1f{source or ''}".encode()).hexdigest()


def sentry_issue_key(issue_id: str) -> str:
    return f"sentry-issue:{issue_id}"


def sentry_metric_alert_key(alert_id: str) -> str:
    return f"sentry-metric-alert:{alert_id}"


def heartbeat_key(heartbeat_id: str) -> str:
    return f"heartbeat:{heartbeat_id}"


def label_group_key(labels: Mapping[str, str], group_by: Sequence[str]) -> str | None:
    """`group:name=value,...` over `group_by`; None (not grouped) when the alert has none of them."""
    if not any(name in labels for name in group_by):
        return None
    return GROUP_PREFIX + ",".join(f"{name}={labels.get(name, '')}" for name in group_by)


def drill_key(drill_id: str) -> str:
    return f"drill-{drill_id}"


# --- the decision ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DedupClaim:
    """Who holds a (service, dedup key): the incident id claimed for it, and when."""

    incident_id: str
    claimed_at: datetime


class Joins(Protocol):
    """A group's rule for joining an open incident (its window); absent, any open incident joins."""

    def joins(self, incident: Incident, now: datetime) -> bool: ...


class Decision(StrEnum):
    JOIN = "join"  # add the alert to the open incident of the key
    WAIT = "wait"  # another writer claimed the key and is writing its incident
    CLAIM = "claim"  # no open incident to join: claim the key for a new one
    TAKE_OVER = "take over"  # the claim's writer died before writing its incident: claim over it


def decide(
    claim: DedupClaim | None,
    latest: Incident | None,
    group: Joins | None,
    now: datetime,
    claim_timeout: timedelta = CLAIM_TIMEOUT,
) -> Decision:
    """What a trigger does with its key, given the key's claim and the incident it names."""
    if claim is not None and latest is None:
        return Decision.WAIT if now - claim.claimed_at < claim_timeout else Decision.TAKE_OVER
    if latest is not None and latest.status.is_open and (group is None or group.joins(latest, now)):
        return Decision.JOIN
    return Decision.CLAIM


# --- the redelivery guard ------------------------------------------------------------------------

# Alert ids an incident remembers, in two generations of this many: a redelivery is a no-op while its
# id is among the last REMEMBERED_ALERTS to 2 x REMEMBERED_ALERTS alerts of the incident.
REMEMBERED_ALERTS = 1000
# Alerts joined to an incident in one write at most: its condition names each of their ids, and DynamoDB
# takes a condition expression of at most 4 KB (~100 characters an id).
JOINED_AT_ONCE = 10
# A redelivery this recent finds the incident that took its alert, even a resolved one, and opens nothing.
REDELIVERY_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class MemorySlot:
    """Where the next alert's id is remembered: generation set `slot` (0 or 1), started afresh
    (replacing the generation before the last) when `fresh`."""

    slot: int
    fresh: bool


def memory_slot(alert_count: int, per_generation: int = REMEMBERED_ALERTS) -> MemorySlot:
    """The slot for the alert that joins an incident holding `alert_count` alerts (its opener is the 1st).

    Alert n (1-based) belongs to generation (n - 1) // per_generation; generations alternate between two
    sets, so the set a new generation starts in still holds the generation before last: it is replaced.
    """
    generation = alert_count // per_generation
    return MemorySlot(slot=generation % 2, fresh=alert_count > 0 and alert_count % per_generation == 0)


def room_in_generation(alert_count: int, per_generation: int = REMEMBERED_ALERTS) -> int:
    """How many alerts may join an incident holding `alert_count` alerts in one write: the ones that share
    the generation of remembered ids the first of them starts or joins."""
    return per_generation - alert_count % per_generation


def joinable_count(alert_count: int) -> int:
    """How many alerts may join an incident holding `alert_count` alerts in one write: those the
    generation of remembered ids the first starts or joins still has room for, JOINED_AT_ONCE at most."""
    return min(room_in_generation(alert_count), JOINED_AT_ONCE)


def joinable_at_once(alert_count: int, alert_ids: Sequence[str]) -> bool:
    """Whether these alerts may join an incident holding `alert_count` alerts in one write: some, each
    once, no more than `joinable_count`."""
    return 0 < len(alert_ids) <= joinable_count(alert_count) and len(set(alert_ids)) == len(alert_ids)


def was_delivered(incident: Incident, alert_id: str) -> bool:
    """True when the incident already holds this alert: the bus delivered it again."""
    return alert_id == incident.last_alert_id or alert_id in incident.recent_alert_ids
