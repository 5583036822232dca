"""The sweeper's invariant: every triggered incident whose policy pages has an escalation running."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from klaxon.domain.incident.models import Incident, IncidentStatus, Urgency
from klaxon.domain.paging.escalation import Tick

# The bus starts an incident's execution within seconds of its trigger (or of a restart); an incident
# changed less than this ago may simply not have it yet. With the sweeper every minute, a lost run is
# resumed at most GRACE + 1 minute after its incident last changed: within the two minutes promised.
GRACE = timedelta(seconds=30)


@dataclass(frozen=True)
class Claim:
    """The last tick claimed in an incident's round, and the claim token of the run that claimed it."""

    tick: Tick
    token: str


@dataclass(frozen=True)
class Restore:
    """Where a lost escalation resumes: the last claimed tick, again, as that run's own retry (its token),
    so what it left unsent is sent and nothing twice; or, with nothing claimed, the round's first tick."""

    claim: Claim | None


def restore(
    incident: Incident,
    *,
    pages: bool,
    running: bool,
    last: Claim | None,
    finished: bool,
    now: datetime,
    grace: timedelta = GRACE,
) -> Restore | None:
    """What to restart for `incident`, or None while the invariant holds or does not apply: it is not
    triggered, it is muted or low urgency, its service has no policy (`pages`), its round has an
    execution (`running`) or walked its whole policy (`finished`), or it changed within `grace`."""
    if incident.status is not IncidentStatus.TRIGGERED or incident.urgency is not Urgency.HIGH:
        return None
    if not pages or running or finished or now - incident.updated_at < grace:
        return None
    return Restore(claim=last)


def ack_timer_lost(
    incident: Incident, *, timeout_minutes: int | None, now: datetime, grace: timedelta = GRACE
) -> bool:
    """Whether `incident` is still acknowledged past its policy's acknowledgement timeout (and `grace`):
    its timer's execution, which re-triggers it at the timeout, is gone. Muted incidents start none."""
    if timeout_minutes is None or incident.status is not IncidentStatus.ACKNOWLEDGED:
        return False
    if incident.muted_urgency is not None or incident.acknowledged_at is None:
        return False
    return now - incident.acknowledged_at >= timedelta(minutes=timeout_minutes) + grace
