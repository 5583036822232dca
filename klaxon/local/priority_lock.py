"""A lock whose waiters take it in order of priority (lower first), then of arrival.

The local platform runs each function under one lock, like one container. Escalation ticks all wait on
escalation_step's: with `threading.Lock` the first tick of a new incident, the one that pages someone,
waited behind whichever later ticks happened to win (8 s p50 in a burst; issue 14 §3). With this lock it
goes first, and ticks of the same priority run in the order they arrived.

A release hands the lock straight to the next waiter, waking that one thread alone: waking every waiter to
look (a condition's `notify_all`) cost each release one wake-up per waiting thread, on the interpreter
lock the page path needs, and a burst keeps dozens of ticks waiting.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class PriorityLock:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._waiting: list[tuple[int, int, threading.Event]] = []  # a heap of (priority, arrival, turn)
        self._arrivals = itertools.count()

    @contextmanager
    def held(self, priority: int = 0) -> Iterator[None]:
        self._acquire(priority)
        try:
            yield
        finally:
            self._release()

    def waiting(self) -> int:
        """How many wait for the lock now."""
        with self._guard:
            return len(self._waiting)

    def _acquire(self, priority: int) -> None:
        with self._guard:
            if not self._held:
                self._held = True
                return
            turn = threading.Event()
            heapq.heappush(self._waiting, (priority, next(self._arrivals), turn))
        turn.wait()  # handed over: held for us by whoever released it

    def _release(self) -> None:
        with self._guard:
            if self._waiting:
                _, _, turn = heapq.heappop(self._waiting)
                turn.set()  # the lock stays held, now by the first waiter
            else:
                self._held = False
