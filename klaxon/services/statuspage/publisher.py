"""Publishing the status page: render what it shows and upload it, gated by the publishers' shared mark
(klaxon.domain.statuspage.render_gate): only on a change, at most once a second, the last change always."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from klaxon.domain.statuspage.render_gate import (
    LEASE,
    POLL,
    Done,
    RenderMark,
    WaitUntil,
    clock_key,
    digest_of,
    next_step,
)
from klaxon.ports import Published, Site

if TYPE_CHECKING:
    from klaxon.domain.statuspage.models import Snapshot
    from klaxon.ports import Clock
    from klaxon.ports.statuspage import RenderMarks

log = logging.getLogger(__name__)
# How long a publisher waits on others' renders before it fails (and its invocation is retried): well
# under the function's 120 s timeout, past a lease left by a crashed renderer.
GIVE_UP = timedelta(seconds=90)
MAX_ROUNDS = int(GIVE_UP / POLL) + 10  # the same bound for a clock that stands still


class PublishBehind(RuntimeError):
    """The page could not be rendered within GIVE_UP: another render held the lease all along."""


@dataclass
class StatusPagePublisher:
    snapshot: Callable[[], Snapshot | None]  # what the page shows now (StatusPageService.snapshot)
    marks: RenderMarks
    clock: Clock
    sleep: Callable[[float], None] = field(default=time.sleep)

    def publish(self, site: Site, *, forced: bool = False) -> Published:
        """Publish what the page shows unless it is published already. `forced`: render even so (the
        scheduled re-render, an explicit request, a status update or maintenance window)."""
        from statuspage_site import render

        uploaded: list[str] = []
        invalidated: list[str] = []
        give_up, rounds = self.clock.now() + GIVE_UP, 0
        while (state := self.snapshot()) is not None:
            rounds += 1
            now = self.clock.now()
            live = any(incident.resolved_at is None for incident in state.incidents)
            digest = digest_of(state.model_dump_json(), clock_key(now, live=live))
            mark, version = self.marks.read()
            step = next_step(mark, digest, now, forced=forced)
            if isinstance(step, Done):
                break
            if isinstance(step, WaitUntil):
                if now >= give_up or rounds > MAX_ROUNDS:
                    raise PublishBehind(f"another render held the status page until {mark.lease_until}")
                self.sleep((step.at - now).total_seconds())
                continue
            claimed = self.marks.replace(version, RenderMark(mark.digest, mark.rendered_at, now + LEASE))
            if claimed is None:
                continue  # another publisher took the lease first: look again
            try:
                result = site.publish(render(state, now))
            except Exception:
                self.marks.replace(claimed, RenderMark(mark.digest, mark.rendered_at))
                raise
            if self.marks.replace(claimed, RenderMark(digest, now)) is None:
                log.warning("the status page render outlasted its lease; another publisher took over")
            uploaded += result.uploaded
            invalidated += result.invalidated
            forced = False  # rendered now: from here on, only a change renders again
        return Published(tuple(dict.fromkeys(uploaded)), tuple(dict.fromkeys(invalidated)))
