"""Which deliveries are the same delivery: the ids under which a replayed webhook is recognised.

A source's retry or an attacker's replay of a captured acknowledge or resolve must change nothing, so
ingest remembers each one's ids for DELIVERY_MEMORY and answers a repeat with 200 and no effect. An
id is taken only where a repeat cannot be a new event: a body that carries its own times (Alertmanager
and Grafana groups, Sentry, which also sends a Request-ID), a signed timestamp (generic `v0=`), SNS's
MessageId. Events v2 and other untimed bodies are left to the stale-resolve rule: the same resolve
body is sent for every incident of a key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import timedelta

from klaxon.domain.incident.models import Alert, AlertAction
from klaxon.domain.intake.sources.common import header

DELIVERY_MEMORY = timedelta(hours=24)
SENTRY_REQUEST_HEADER = "Request-ID"
GENERIC_TIMESTAMP_HEADER = "X-Klaxon-Request-Timestamp"
TIMED_BODIES = frozenset({"alertmanager", "grafana", "sentry"})


def _digest(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def delivery_ids(kind: str, integration: str, body: bytes, headers: Mapping[str, str]) -> tuple[str, ...]:
    """The ids of one webhook delivery to `integration` (none: a repeat cannot be told from news)."""
    ids: list[str] = []
    if kind in TIMED_BODIES:
        ids.append(f"{integration}:body:{_digest(body)}")
    if kind == "sentry" and (request := header(headers, SENTRY_REQUEST_HEADER)):
        ids.append(f"{integration}:request:{_digest(request.encode())}")
    if kind == "generic" and (stamp := header(headers, GENERIC_TIMESTAMP_HEADER)):
        ids.append(f"{integration}:signed:{_digest(stamp.encode(), body)}")
    return tuple(ids)


def sns_delivery_id(integration: str, message_id: str) -> str:
    return f"{integration}:sns:{_digest(message_id.encode())}"


def to_remember(alert: Alert, ids: tuple[str, ...]) -> tuple[str, ...]:
    """The ids a delivery is remembered by: only an acknowledge's or a resolve's. A repeated trigger at
    worst opens an incident (the pager's safe side), and Alertmanager repeats unchanged firing groups
    every repeat_interval, which must keep working after a person resolved their incident."""
    return () if alert.action is AlertAction.TRIGGER else ids
