"""Kill points: an adapter call that completes, then its function dies (an exception, as a crashed or
timed-out Lambda invocation ends), so the platform's own retries must make the outcome whole."""

from __future__ import annotations

import contextlib
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from klaxon.local.invoker import RUNNING


class InjectedCrash(RuntimeError):
    """A function killed at a kill point, after the call it follows took effect."""


@dataclass(frozen=True)
class KillPoint:
    name: str
    owner: type
    method: str
    functions: frozenset[str]  # the functions it kills in (the same adapter serves several)
    budget: int  # at most this many crashes: each is a retry the platform must absorb


@dataclass
class Faults:
    """Crash after each kill point's call with probability `rate`, within its budget (seeded: repeatable)."""

    rate: float
    seed: int
    fired: Counter[str] = field(default_factory=Counter)
    _rng: random.Random = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def _fire(self, point: KillPoint) -> bool:
        if RUNNING.get() not in point.functions:
            return False
        with self._lock:
            if self.fired[point.name] >= point.budget or self._rng.random() >= self.rate:
                return False
            self.fired[point.name] += 1
            return True

    def wrap(self, point: KillPoint) -> Callable[..., Any]:
        real = getattr(point.owner, point.method)

        def after(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            if self._fire(point):
                raise InjectedCrash(f"killed after {point.name}")
            return result

        return after


@contextlib.contextmanager
def injected(faults: Faults, points: list[KillPoint], monkeypatch: pytest.MonkeyPatch) -> Iterator[Faults]:
    for point in points:
        monkeypatch.setattr(point.owner, point.method, faults.wrap(point))
    yield faults
