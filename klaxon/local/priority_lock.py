"""A lock whose waiters take it in order of priority (lower first), then of arrival.

The local platform runs each function under one lock, like one container. Escalation ticks all wait on
escalation_step's: with `threading.Lock` the first tick of a new incident, the one that pages someone,
waited behind whichever later ticks happened to win (8 s p50 in a burst; issue 14 §3). With this lock it
goes first, and ticks of the same priority run in the order they arrived.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class PriorityLock:
    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._held = False
        self._waiting: list[tuple[int, int]] = []  # a heap of (priority, arrival)
        self._arrivals = itertools.count()

    @contextmanager
    def held(self, priority: int = 0) -> Iterator[None]:
        with self._changed:
            entry = (priority, next(self._arrivals))
            heapq.heappush(self._waiting, entry)
            self._changed.wait_for(lambda: not self._held and self._waiting[0] == entry)
            heapq.heappop(self._waiting)
            self._held = True
        try:
            yield
        finally:
            with self._changed:
                self._held = False
                self._changed.notify_all()
