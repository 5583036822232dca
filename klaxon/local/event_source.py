"""SQS queues drained by a function in batches, as Lambda's event source mapping does in AWS.

A rule with `klaxon.events.QueueDelivery` puts its events in a queue; here the queue is a list in memory
and each event that arrives asks a worker to take up to a batch of what is waiting. One alert alone goes
at once (no batching window); a burst is taken ten at a time, at most POLLERS batches at once. The
function names the messages it failed (`batchItemFailures`); those, or the whole batch when it raises,
are received again a little later, and after `max_receives` they are dead letters, like the queue's
dead-letter queue in AWS. What waits or runs counts as unfinished, so `klaxon up --data` keeps it at a
stop and runs it again at the next start.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

from klaxon.events import QueueDelivery
from klaxon.local.emulation import ACCOUNT, REGION
from klaxon.local.invoker import DeadLetter, Invoker

log = logging.getLogger("klaxon.local")
REDELIVERY_SECONDS = 0.05  # locally, the visibility timeout a failed message waits, per receive so far
# Batches taken at once. Lambda starts five pollers and adds more as the queue grows; here the functions
# share one interpreter lock, so more batches side by side would not route faster, and while two run
# the next batch fills (a storm's alerts of one key then fold into one write).
POLLERS = 2


@dataclass
class _Message:
    id: str
    event: dict[str, Any]
    ticket: int
    receives: int = 0


class QueueSource:
    def __init__(self, queue: str, function: str, delivery: QueueDelivery, invoker: Invoker) -> None:
        self.queue = queue
        self.function = function
        self.delivery = delivery
        self._invoker = invoker
        self._waiting: deque[_Message] = deque()
        self._lock = threading.Lock()
        self._taking = 0  # batches running now, at most POLLERS
        self.batches: list[int] = []  # the size of each batch handed to the function, in order

    def send(self, event: dict[str, Any]) -> None:
        """A bus event arrives in the queue."""
        message = _Message(str(uuid.uuid4()), event, self._invoker.keep(self.function, event))
        with self._lock:
            self._waiting.append(message)
        self._invoker.submit(self.function, self._take_batch)

    def _take_batch(self) -> None:
        if self._invoker.stopping:
            return  # what waits stays unfinished: `klaxon up --data` runs it at the next start
        with self._lock:
            if self._taking >= POLLERS:
                return  # a running batch takes the next one when it ends: batches fill meanwhile
            batch = [
                self._waiting.popleft() for _ in range(min(len(self._waiting), self.delivery.batch_size))
            ]
            self._taking += bool(batch)
        if not batch:
            return  # an earlier worker took this one's message in its batch
        try:
            self._run(batch)
        finally:
            with self._lock:
                self._taking -= 1
                more = bool(self._waiting)
            if more and not self._invoker.stopping:
                self._invoker.submit(self.function, self._take_batch)

    def _run(self, batch: list[_Message]) -> None:
        self.batches.append(len(batch))
        for message in batch:
            message.receives += 1
        try:
            answer = self._invoker.invoke(self.function, self._event(batch))
            failed = {f["itemIdentifier"] for f in (answer or {}).get("batchItemFailures", [])}
            error = "reported failed by the function"
        except Exception as exc:
            log.exception("%s failed on a batch of %d from %s", self.function, len(batch), self.queue)
            failed, error = {m.id for m in batch}, repr(exc)
        for message in batch:
            if message.id not in failed:
                self._invoker.release(message.ticket)
            elif message.receives >= self.delivery.max_receives:
                self._invoker.dead_letters.append(DeadLetter(self.function, message.event, error))
                self._invoker.release(message.ticket)
            elif not self._invoker.stopping:  # stopping: it stays unfinished, for the next start
                delay = REDELIVERY_SECONDS * message.receives
                self._invoker.submit_later(self.function, delay, functools.partial(self._again, message))

    def _again(self, message: _Message) -> None:
        with self._lock:
            self._waiting.append(message)
        self._take_batch()

    def waiting(self) -> int:
        """How many messages wait to be taken."""
        with self._lock:
            return len(self._waiting)

    def _event(self, batch: list[_Message]) -> dict[str, Any]:
        """The event Lambda's SQS event source mapping hands the function."""
        return {"Records": [self._record(m) for m in batch]}

    def _record(self, message: _Message) -> dict[str, Any]:
        body = json.dumps(message.event)
        return {
            "messageId": message.id,
            "receiptHandle": f"{message.id}#{message.receives}",
            "body": body,
            "attributes": {
                "ApproximateReceiveCount": str(message.receives),
                "SentTimestamp": str(int(time.time() * 1000)),
            },
            "messageAttributes": {},
            "md5OfBody": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{self.queue}",
            "awsRegion": REGION,
        }
