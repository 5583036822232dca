"""When the status page is rendered: only when what it shows changed, at most once a second (issue 14 §3).

Every incident event used to render the whole site: in a storm, one render per event, each one seeing
nearly the same state. The publishers now share one mark: the digest of the state last published, when,
and a lease held while a render runs. An event whose state is already published does nothing; one that
arrives within a second of the last render, or while another render runs, waits for it and then looks
again, so the last change is always rendered (a trailing render) and no two renders overlap.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_INTERVAL = timedelta(seconds=1)  # between the starts of two renders
# A lease outlives a render (~0.2 s for 1,000 incidents; the first upload of a whole site to S3, some
# seconds) and lapses before a waiting publisher gives up (klaxon.services.statuspage.publisher.GIVE_UP):
# a crashed renderer holds nobody back for long.
LEASE = timedelta(seconds=60)
POLL = timedelta(milliseconds=250)  # how often a publisher waiting on another's lease looks again


@dataclass(frozen=True)
class RenderMark:
    digest: str | None = None  # of the state last published
    rendered_at: datetime | None = None  # when that render started
    lease_until: datetime | None = None  # a render is running until then, unless it ends sooner


@dataclass(frozen=True)
class Done:
    """What the page shows is published already."""


@dataclass(frozen=True)
class WaitUntil:
    at: datetime


@dataclass(frozen=True)
class Render:
    """Take the lease, render, and record the digest."""


Step = Done | WaitUntil | Render


def clock_key(now: datetime, *, live: bool) -> str:
    """What of the time the page shows: while an incident is open, its duration and today's uptime move on
    by the minute; otherwise only the day matters (the uptime bars)."""
    return now.strftime("%Y-%m-%dT%H:%M") if live else now.date().isoformat()


def digest_of(state_json: str, clock: str) -> str:
    """Of everything a render reads: the state, and the time as far as the page shows it (`clock_key`)."""
    return hashlib.sha256(f"{clock}\n{state_json}".encode()).hexdigest()


def next_step(mark: RenderMark, digest: str, now: datetime, *, forced: bool) -> Step:
    """`forced`: render even if the digest is unchanged (maintenance windows start and end on their own:
    the scheduled re-render)."""
    if not forced and mark.digest == digest:
        return Done()
    if mark.lease_until is not None and mark.lease_until > now:
        return WaitUntil(min(mark.lease_until, now + POLL))
    if mark.rendered_at is not None and now - mark.rendered_at < MIN_INTERVAL:
        return WaitUntil(mark.rendered_at + MIN_INTERVAL)
    return Render()
