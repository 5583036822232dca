"""DynamoDB Streams → a function, locally, as Lambda's event source mapping does it in AWS.

The incidents table's stream is the outbox (klaxon.services.incident.outbox). moto records each write;
this relay takes the records in order and runs the mapped function on batches of them. A batch the
function fails, or whose `batchItemFailures` names a record, is run again from that record, until it
goes (the mapping in infra/constructs/outbox.py retries without end too). Records stay in order: nothing
after a failed record runs before it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from klaxon.local import emulation

log = logging.getLogger(__name__)
BATCH_SIZE = 100
RETRY_SECONDS = (0.05, 0.1, 0.2, 0.5, 1.0)  # then every second


class StreamRelay:
    def __init__(self, table: str, function: str, invoke: Callable[[str, dict[str, Any]], Any]) -> None:
        self.table, self.function, self._invoke = table, function, invoke
        self._pending: list[dict[str, Any]] = []  # taken from the stream, not yet relayed
        self._lock = threading.Lock()  # guards _pending and _running
        self._running = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0  # batches run again (the function failed or named a record)

    def start(self) -> StreamRelay:
        emulation.on_stream_record(self._wake.set)
        self._thread = threading.Thread(target=self._run, name=f"stream-{self.function}", daemon=True)
        self._thread.start()
        self._wake.set()
        return self

    def discard(self) -> int:
        """Forget what the stream holds now (the writes of a restore, whose events left long ago)."""
        return len(emulation.take_stream_records(self.table))

    def busy(self) -> bool:
        with self._lock:
            return self._running or bool(self._pending) or self._wake.is_set()

    def unfinished(self) -> list[dict[str, Any]]:
        """Records not relayed yet, as one invocation (`klaxon up --data` keeps it for the next start)."""
        with self._lock:
            pending = self._pending + emulation.take_stream_records(self.table)
        return [{"function": self.function, "event": {"Records": pending}}] if pending else []

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        emulation.on_stream_record(None)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        failed = 0
        while not self._stop.is_set():
            self._wake.wait(1.0)
            self._wake.clear()
            with self._lock:
                self._pending += emulation.take_stream_records(self.table)
                batch = self._pending[:BATCH_SIZE]
                self._running = bool(batch)
            if not batch:
                continue
            done = self._relay(batch)
            with self._lock:
                del self._pending[:done]
                self._running = False
            if done < len(batch):
                self.failures += 1
                self._stop.wait(RETRY_SECONDS[min(failed, len(RETRY_SECONDS) - 1)])
                failed += 1
            else:
                failed = 0
            self._wake.set()  # more may wait: look again at once

    def _relay(self, batch: list[dict[str, Any]]) -> int:
        """How many records of `batch` are done (all of them, or those before the first one to retry)."""
        started = time.monotonic()
        try:
            answer = self._invoke(self.function, {"Records": batch})
        except Exception:
            if not self._stop.is_set():
                log.exception("%s failed on %d stream records: running them again", self.function, len(batch))
            return 0
        named = [f.get("itemIdentifier") for f in (answer or {}).get("batchItemFailures", [])]
        if not named:
            return len(batch)
        sequence = [r["dynamodb"]["SequenceNumber"] for r in batch]
        first = min((sequence.index(n) for n in named if n in sequence), default=0)
        log.warning(
            "%s named record %s after %.0f ms: from it again",
            self.function,
            named,
            (time.monotonic() - started) * 1000,
        )
        return first
