"""Runs the real Lambda handlers in-process: synchronously for API requests, asynchronously for the bus."""

from __future__ import annotations

import contextvars
import functools
import heapq
import importlib
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from klaxon.local.emulation import ACCOUNT, REGION
from klaxon.local.priority_lock import PriorityLock
from klaxon.topology import FUNCTIONS, ROUTES

log = logging.getLogger("klaxon.local")
ASYNC_RETRIES = 2  # as Lambda's asynchronous invocation: two retries, then the dead-letter queue
# No per-request state in their handlers: they run concurrently, like the many containers AWS runs them
# in. The status page's publisher must: the one that renders may wait a second, and the others hand their
# changes over to it meanwhile (klaxon.domain.statuspage.render_gate) instead of queueing behind it.
# escalation_step could too, but 40 ticks side by side on one interpreter lock paged later, not sooner
# (alert to first page, 40 alerts at once: p50 11.3 s concurrent, 2.7 s one tick at a time).
CONCURRENT = frozenset({"router", "statuspage_publish"})
# Housekeeping runs on workers of its own, so a status page render or a sweep never holds the workers
# that route alerts and stop escalations.
BACKGROUND = frozenset(
    {
        "statuspage_publish",
        "statuspage_notify",
        "heartbeat_check",
        "escalation_sweeper",
        "maintenance_reminder",
        "chat_sync",  # a room opens after the page, never before it
        "action_sync",  # trackers' calls take seconds; nothing waits on them
        "sla_check",
    }
)


FIRST, LATER = 0, 1  # priorities on a function's lock: lower goes first
BACKGROUND_YIELD_SECONDS = 1.0  # the longest housekeeping waits for the page path to be idle
EXPECTED_SECONDS = 1.0  # the longest an expected invocation (see Invoker.expect) counts as on its way


def priority(name: str, event: dict[str, Any]) -> int:
    """The first tick of an escalation pages someone for an incident nobody has heard of yet: it goes ahead
    of later ticks (next steps, loops, retries, acknowledgement timers) waiting on escalation_step."""
    first_tick = (
        event.get("step", 0) == 0
        and event.get("loop", 0) == 0
        and not event.get("token")
        and not event.get("ack_timer")
    )
    return FIRST if name != "escalation_step" or first_tick else LATER


RUNNING: contextvars.ContextVar[str | None] = contextvars.ContextVar("klaxon_function", default=None)


class Later:
    """Jobs run when their time comes, by one thread started on the first: waits that must not hold a
    worker (see Invoker.submit_later), however many there are at once."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, delay: float, job: Callable[[], None]) -> None:
        with self._changed:
            heapq.heappush(self._due, (time.monotonic() + delay, next(self._order), job))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="lambda-later", daemon=True)
                self._thread.start()
            self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._due or self._due[0][0] > time.monotonic():
                    self._changed.wait(self._due[0][0] - time.monotonic() if self._due else None)
                _, _, job = heapq.heappop(self._due)
            try:
                job()
            except Exception:  # one job's failure must not stop the jobs after it
                log.exception("a delayed job failed")


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@dataclass
class DeadLetter:
    function: str
    event: dict[str, Any]
    error: str


class Invoker:
    """One lock per function, like one container each; the HTTP functions (api, ingest) share one.

    Powertools keeps the request being resolved in a class attribute (`BaseRouter.current_event`), one
    per process: in AWS each function is its own process, here they are one, so an api request resolved
    while ingest resolved another read ingest's event (its query parameters went unvalidated)."""

    def __init__(self, async_workers: int = 4) -> None:
        self._handlers: dict[str, Callable[[dict[str, Any], Any], Any]] = {}
        http = PriorityLock()
        resolvers = {route.function for route in ROUTES}
        self._locks = {name: http if name in resolvers else PriorityLock() for name in FUNCTIONS}
        self._pool = ThreadPoolExecutor(max_workers=async_workers, thread_name_prefix="lambda-async")
        self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="lambda-background")
        self._pending: set[Future[None]] = set()
        self._pending_lock = threading.Lock()
        self._unfinished: dict[int, tuple[str, dict[str, Any]]] = {}  # queued or running, by ticket
        self._tickets = iter(range(1, 1 << 62))
        self.dead_letters: list[DeadLetter] = []
        self.invocations: dict[str, int] = dict.fromkeys(FUNCTIONS, 0)
        self._closed = threading.Event()  # after shutdown nothing runs: AWS is no longer emulated then
        self._later = Later()
        self._foreground = 0  # invocations of the page path (not BACKGROUND) running now
        self._expected: dict[str, list[float]] = {}  # page-path invocations on their way: until when
        self._foreground_lock = threading.Lock()

    def handler(self, name: str) -> Callable[[dict[str, Any], Any], Any]:
        if name not in self._handlers:
            module, _, attr = FUNCTIONS[name].handler.rpartition(".")
            self._handlers[name] = getattr(importlib.import_module(module), attr)
        return self._handlers[name]

    def load_handlers(self) -> None:
        """Import every function's module now, in one thread. Imported on first use instead, two threads
        importing modules that import each other raised `_DeadlockError` in one of them (seen under the
        soak), failing an invocation; in AWS each function is imported alone in its own process."""
        for name in FUNCTIONS:
            self.handler(name)

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        if self._closed.is_set():
            raise RuntimeError(f"the local platform is stopping: {name} is not run")
        handler = self.handler(name)
        self.invocations[name] += 1
        running = RUNNING.set(name)  # what klaxon.local.iam checks each write against
        foreground = name not in BACKGROUND
        if foreground:
            with self._foreground_lock:
                self._foreground += 1
                if self._expected.get(name):
                    self._expected[name].pop(0)  # here now: the earliest expected
        try:
            if name in CONCURRENT:
                return handler(event, LambdaContext(name))
            with self._locks[name].held(priority(name, event)):
                return handler(event, LambdaContext(name))
        finally:
            RUNNING.reset(running)
            if foreground:
                with self._foreground_lock:
                    self._foreground -= 1

    def expect(self, name: str) -> None:
        """An invocation of `name`, on the page path, is on its way (for EXPECTED_SECONDS at most): the
        emulated Step Functions is starting an execution whose first tick will page. Nothing of the page
        path runs meanwhile, and a chat room started in that moment ran beside the tick."""
        with self._foreground_lock:
            self._expected.setdefault(name, []).append(time.monotonic() + EXPECTED_SECONDS)

    def _page_path_busy(self) -> bool:
        with self._foreground_lock:
            now = time.monotonic()
            for waiting in self._expected.values():
                waiting[:] = [until for until in waiting if until > now]
            return self._foreground > 0 or any(self._expected.values())

    def _yield_to_foreground(self) -> None:
        """Housekeeping starts when the page path is idle, nothing of it on its way (or after
        BACKGROUND_YIELD_SECONDS): on two cores every thread shares one interpreter lock, so a chat room
        opened beside a burst of pages delays them (issue 14), and one opened while an escalation's
        execution was starting delayed its first page (an idle platform's pages: p50 ~65 ms, ~35 ms
        now)."""
        deadline = time.monotonic() + BACKGROUND_YIELD_SECONDS
        while self._page_path_busy() and time.monotonic() < deadline and not self._closed.is_set():
            time.sleep(0.005)

    def invoke_async(self, name: str, event: dict[str, Any]) -> None:
        ticket = self.keep(name, event)
        self.submit(name, lambda: self._run_with_retries(name, event, ticket))

    @property
    def stopping(self) -> bool:
        """Nothing more runs: the platform is stopping (what waits stays unfinished, for `--data`)."""
        return self._closed.is_set()

    def keep(self, name: str, event: dict[str, Any]) -> int:
        """Count `event` for `name` as unfinished (what `klaxon up --data` keeps at a stop) until released."""
        with self._pending_lock:
            ticket = next(self._tickets)
            self._unfinished[ticket] = (name, event)
        return ticket

    def release(self, ticket: int) -> None:
        with self._pending_lock:
            self._unfinished.pop(ticket, None)

    def submit(self, name: str, job: Callable[[], None]) -> None:
        """Run `job` (which invokes `name`) on the workers of `name`'s kind; `drain` waits for it."""
        pool = self._background if name in BACKGROUND else self._pool
        future = pool.submit(job)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def submit_later(self, name: str, delay: float, job: Callable[[], None]) -> None:
        """`submit` after `delay` seconds (an asynchronous retry's wait, a failed message's visibility
        timeout), waited out on a timer, not on a worker the page path could use; `drain` counts it."""
        waiting: Future[None] = Future()
        with self._pending_lock:
            self._pending.add(waiting)

        def due() -> None:
            try:
                if not self._closed.is_set():
                    self.submit(name, job)
            except RuntimeError:  # the pools shut down meanwhile: it stays unfinished, for `--data`
                pass
            finally:
                self._done(waiting)

        self._later.add(delay, due)

    def _done(self, future: Future[None]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def _run_with_retries(self, name: str, event: dict[str, Any], ticket: int = 0, attempt: int = 0) -> None:
        if self._closed.is_set():
            return  # stays unfinished: `klaxon up --data` keeps it for the next start
        if name in BACKGROUND:
            self._yield_to_foreground()
        try:
            self.invoke(name, event)
        except Exception as exc:
            log.exception("%s failed (attempt %d of %d)", name, attempt + 1, ASYNC_RETRIES + 1)
            if attempt < ASYNC_RETRIES:
                retry = functools.partial(self._run_with_retries, name, event, ticket, attempt + 1)
                self.submit_later(name, 0.05 * (attempt + 1), retry)
                return
            self.dead_letters.append(DeadLetter(name, event, repr(exc)))
        self.release(ticket)

    def queued(self, name: str) -> bool:
        """Whether an asynchronous invocation of `name` is queued or running."""
        with self._pending_lock:
            return any(function == name for function, _ in self._unfinished.values())

    def unfinished(self) -> list[dict[str, Any]]:
        """Asynchronous invocations queued or still running (kept by `klaxon up --data` at a stop)."""
        with self._pending_lock:
            return [{"function": name, "event": event} for name, event in self._unfinished.values()]

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every asynchronous invocation (and those it caused) has finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._pending_lock:
                if not self._pending:
                    return True
            time.sleep(0.01)
        return False

    def shutdown(self) -> None:
        """Run nothing more, and wait for what is running: the emulation of AWS stops after this, and a
        function still running then would reach for the real AWS."""
        self._closed.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._background.shutdown(wait=True, cancel_futures=True)
