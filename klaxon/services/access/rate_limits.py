"""Rate limiting: count each request of a token, integration or heartbeat, refuse it (429) past its limit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from klaxon.domain.access.rate_limits import Limits, Subject, check, window_of
from klaxon.domain.errors import TooManyRequests
from klaxon.ports import Clock, RateCounter

# Subjects remembered as refused per container: beyond this, the ones whose window ended are forgotten.
REMEMBERED = 10_000


@dataclass
class RateLimiter:
    """One write per request while a subject is under its limit. Once refused, a subject is refused from
    memory until its window ends, so a flood from one credential costs each container one write, not one
    per request (and cannot make the counter's partition hot)."""

    counter: RateCounter
    clock: Clock
    limits: Callable[[], Limits]
    _refused: dict[str, datetime] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def admit(self, subject: Subject, subject_id: str, name: str | None = None) -> None:
        """Count one request of `subject_id` (named `name` in the refusal); TooManyRequests past the limit."""
        now = self.clock.now()
        start, end = window_of(now)
        key = f"{subject.value}:{subject_id}"
        limit = self.limits().of(subject)
        with self._lock:
            refused_until = self._refused.get(key)
        if refused_until is not None and now < refused_until:
            check(subject, name or subject_id, limit + 1, limit, now)
        count = self.counter.hit(key, start, end)
        if count is None:
            return
        try:
            check(subject, name or subject_id, count, limit, now)
        except TooManyRequests:
            self._remember(key, end, now)
            raise

    def _remember(self, key: str, until: datetime, now: datetime) -> None:
        with self._lock:
            if len(self._refused) >= REMEMBERED:
                self._refused = {k: end for k, end in self._refused.items() if end > now}
            self._refused[key] = until
