"""When the status page is rendered: only when what it shows changed, at most once a second (issue 14 §3).

Every incident event used to render the whole site: in a storm, one render per event, each one seeing
nearly the same state. The publishers now share one mark: the digest of the state last published, when it
was rendered, and a lease held by the one publisher that renders. A publisher whose state is published
already does nothing. One that finds a render under way hands its change over to it (it bumps the mark's
version, so the renderer's release fails and it renders once more) and stops at once. Otherwise it takes
the lease and renders, a second after the last render at the earliest. So renders never overlap, come at
most once a second, and the last change is always rendered, with only the renderer ever waiting.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

MIN_INTERVAL = timedelta(seconds=1)  # between the starts of two renders
# A lease outlives a render (~0.2 s for 1,000 incidents; the first upload of a whole site to S3, some
# seconds) and the wait before it: a renderer that crashed holds the page back for at most this long.
LEASE = timedelta(seconds=60)
# A renderer asked for more renders keeps rendering for at most this long (the function's timeout is
# 120 s); a change handed over after that shows at the next event's render or the scheduled one.
RENDER_FOR = timedelta(seconds=80)


@dataclass(frozen=True)
class RenderMark:
    digest: str | None = None  # of the state last published
    rendered_at: datetime | None = None  # when that render started
    lease_until: datetime | None = None  # a publisher renders (or waits to) until then, unless it ends sooner
    owner: str | None = None  # which publisher holds the lease

    def leased(self, owner: str, until: datetime) -> RenderMark:
        return replace(self, lease_until=until, owner=owner)

    def held_by(self, owner: str, now: datetime) -> bool:
        return self.owner == owner and self.lease_until is not None and self.lease_until > now


@dataclass(frozen=True)
class Done:
    """What the page shows is published already."""


@dataclass(frozen=True)
class HandOver:
    """A render is under way: ask it for one more and stop."""


@dataclass(frozen=True)
class Claim:
    """Take the lease, and render at `start`."""

    start: datetime


Step = Done | HandOver | Claim


def clock_key(now: datetime, *, live: bool) -> str:
    """What of the time the page shows: while an incident is open, its duration and today's uptime move on
    by the minute; otherwise only the day matters (the uptime bars)."""
    return now.strftime("%Y-%m-%dT%H:%M") if live else now.date().isoformat()


def digest_of(state_json: str, clock: str) -> str:
    """Of everything a render reads: the state, and the time as far as the page shows it (`clock_key`)."""
    return hashlib.sha256(f"{clock}\n{state_json}".encode()).hexdigest()


def next_render(mark: RenderMark, now: datetime) -> datetime:
    """When the next render may start: now, or a second after the last one started."""
    if mark.rendered_at is None or now - mark.rendered_at >= MIN_INTERVAL:
        return now
    return mark.rendered_at + MIN_INTERVAL


def first_step(mark: RenderMark, digest: str, now: datetime, *, forced: bool) -> Step:
    """What a publisher does with its state's digest. `forced`: render even if the digest is unchanged
    (maintenance windows start and end on their own: the scheduled re-render)."""
    if not forced and mark.digest == digest:
        return Done()
    if mark.lease_until is not None and mark.lease_until > now:
        return HandOver()
    return Claim(next_render(mark, now))
