"""The timers of klaxon.topology.TIMERS, locally: moto stores EventBridge Scheduler schedules but never
fires them, so a thread invokes each timer's function every period.

Periods are real time whatever `--time-scale`: it speeds up a scenario's waits (escalation, grouping,
acknowledgement timeouts), while housekeeping (the sweeper, heartbeat checks, reminders, the status
page's re-render) looks at the real clock anyway and would only cost CPU run faster. A timer whose last
run is still queued or running is skipped, as one slow run must not pile up behind itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from klaxon.topology import TIMERS, Timer

log = logging.getLogger("klaxon.local")
InvokeAsync = Callable[[str, dict[str, Any]], None]


class Ticker:
    """Start with `start()`, stop with `stop()`; the first run of each timer is one period after start."""

    def __init__(
        self,
        invoke_async: InvokeAsync,
        busy: Callable[[str], bool] = lambda function: False,
        timers: Sequence[Timer] = TIMERS,
    ) -> None:
        self._invoke = invoke_async
        self._busy = busy
        self._periods = {t.name: t.every_minutes * 60.0 for t in timers}
        self._timers = {t.name: t for t in timers}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="klaxon-ticker", daemon=True)
        self.runs: dict[str, int] = dict.fromkeys(self._timers, 0)
        self.skipped: dict[str, int] = dict.fromkeys(self._timers, 0)

    def start(self) -> Ticker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        started = time.monotonic()
        due = {name: started + period for name, period in self._periods.items()}
        while not self._stop.is_set():
            now = time.monotonic()
            for name, at in due.items():
                if at <= now:
                    self.fire(name)
                    due[name] = max(at + self._periods[name], now)
            self._stop.wait(max(min(due.values()) - time.monotonic(), 0.0) if due else None)

    def fire(self, name: str) -> None:
        """Invoke the timer's function now, as its schedule would (asynchronously, with retries), unless
        its previous run has not finished."""
        timer = self._timers[name]
        if self._busy(timer.function):
            self.skipped[name] += 1
            return
        event = {"source": "klaxon.local.ticker", "timer": name, "time": datetime.now(UTC).isoformat()}
        try:
            self._invoke(timer.function, event)
        except RuntimeError:  # the invoker shut down under us: the platform is stopping
            log.debug("timer %s not run: shutting down", name)
            return
        self.runs[name] += 1
