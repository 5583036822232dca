"""Publishing the status page: render what it shows and upload it, gated by the publishers' shared mark
(klaxon.domain.statuspage.render_gate): only on a change, at most once a second, the last change always."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from klaxon.domain.statuspage.render_gate import (
    LEASE,
    MIN_INTERVAL,
    RENDER_FOR,
    Done,
    HandOver,
    RenderMark,
    clock_key,
    digest_of,
    first_step,
)
from klaxon.ports import Published, Site

if TYPE_CHECKING:
    from klaxon.domain.statuspage.models import Snapshot
    from klaxon.ports import Clock, IdGenerator
    from klaxon.ports.statuspage import RenderMarks

log = logging.getLogger(__name__)
ATTEMPTS = 20  # conditional writes lost to other publishers before one gives up (and is retried)


class PublishContended(RuntimeError):
    """The mark kept changing under this publisher: its invocation fails, and is retried."""


@dataclass(frozen=True)
class _Claimed:
    start: datetime  # when to render
    mark: RenderMark  # as the claim left it
    version: int  # of that mark
    state: Snapshot  # read before the claim
    read_at: datetime  # when it was read
    digest: str  # of `state` at `read_at`: an immediate render reuses both instead of hashing again


@dataclass
class StatusPagePublisher:
    snapshot: Callable[[], Snapshot | None]  # what the page shows now (StatusPageService.snapshot)
    marks: RenderMarks
    clock: Clock
    ids: IdGenerator  # names the publisher holding the lease
    sleep: Callable[[float], None] = field(default=time.sleep)

    def publish(self, site: Site, *, forced: bool = False) -> Published:
        """Publish what the page shows unless it is published already, or hand it to the render under
        way. `forced`: render even if unchanged (the scheduled re-render, an explicit request)."""
        me = self.ids.new_id()
        claimed = self._claim(me, forced)
        if claimed is None:
            return Published()
        return self._render_while_asked(site, me, claimed, forced=forced)

    def _digest(self, state: Snapshot, now: datetime) -> str:
        live = any(incident.resolved_at is None for incident in state.incidents)
        return digest_of(state.model_dump_json(), clock_key(now, live=live))

    def _claim(self, me: str, forced: bool) -> _Claimed | None:
        """Take the lease: when to render, and what was read to decide; None when there is nothing for
        this publisher to do."""
        for _ in range(ATTEMPTS):
            state = self.snapshot()
            if state is None:
                return None
            now = self.clock.now()
            mark, version = self.marks.read()
            digest = self._digest(state, now)
            step = first_step(mark, digest, now, forced=forced)
            if isinstance(step, Done):
                return None
            if isinstance(step, HandOver):
                if self.marks.replace(version, mark) is not None:  # the bump is the request
                    return None
                continue
            leased = mark.leased(me, step.start + LEASE)
            if (claimed := self.marks.replace(version, leased)) is not None:
                return _Claimed(step.start, leased, claimed, state, now, digest)
        raise PublishContended("the status page's render mark kept changing")

    def _render_while_asked(self, site: Site, me: str, claimed: _Claimed, *, forced: bool) -> Published:
        """Render at `start`, then again (a second later) each time another publisher handed a change over
        after this render read the state, for RENDER_FOR at most; then give the lease back."""
        from statuspage_site import render

        uploaded: list[str] = []
        invalidated: list[str] = []
        give_back = self.clock.now() + RENDER_FOR
        start, read = claimed.start, claimed if claimed.start <= self.clock.now() else None
        while True:
            if read is None:
                self._wait_until(start)
            # Hand-overs up to this read are in the state read next; a later one fails the release below.
            # Rendering at once, the claim's reads are those: a hand-over since bumped the claimed version.
            mark, seen = (read.mark, read.version) if read is not None else self.marks.read()
            now = read.read_at if read is not None else self.clock.now()
            if not mark.held_by(me, now):
                log.warning("the status page render outlasted its lease; another publisher took over")
                break
            state, digest = self._state(read, mark, now)
            read = None
            done = RenderMark(mark.digest, mark.rendered_at)
            if state is not None and (forced or digest != mark.digest):
                try:
                    result = site.publish(render(state, now))
                except Exception:
                    self.marks.replace(seen, done)  # nothing published: the lease back, the mark as it was
                    raise
                uploaded += result.uploaded
                invalidated += result.invalidated
                done = RenderMark(digest, now)
            forced = False
            if self.marks.replace(seen, done) is not None:
                break
            if self._renew(me, done, now, last=now >= give_back):
                break
            start = (done.rendered_at or now) + MIN_INTERVAL
        return Published(tuple(dict.fromkeys(uploaded)), tuple(dict.fromkeys(invalidated)))

    def _state(
        self, claimed: _Claimed | None, mark: RenderMark, now: datetime
    ) -> tuple[Snapshot | None, str | None]:
        """What to render and its digest: rendering at once, what the claim read (as of when it read it,
        so nothing is hashed twice); later, a fresh read."""
        if claimed is not None:
            return claimed.state, claimed.digest
        state = self.snapshot()
        return state, self._digest(state, now) if state is not None else mark.digest

    def _renew(self, me: str, done: RenderMark, now: datetime, *, last: bool) -> bool:
        """A change was handed over during the render: record `done` and keep the lease for one more, or
        (`last`) give it back. True when this publisher stops here."""
        for _ in range(ATTEMPTS):
            mark, version = self.marks.read()
            if not mark.held_by(me, now):
                return True
            kept = done if last else done.leased(me, now + MIN_INTERVAL + LEASE)
            if self.marks.replace(version, kept) is not None:
                if last:
                    log.warning(
                        "rendered the status page for %s: a change is left for the next render", RENDER_FOR
                    )
                return last
        raise PublishContended("the status page's render mark kept changing")

    def _wait_until(self, at: datetime) -> None:
        delay = (at - self.clock.now()).total_seconds()
        if delay > 0:
            self.sleep(delay)
