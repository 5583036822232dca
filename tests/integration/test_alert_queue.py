"""The alerts queue (issue 14 §6): the router takes alerts in batches, and only the messages it failed
are received again; locally as in AWS's event source mapping."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx

from klaxon.events import QueueDelivery
from klaxon.local import event_source
from klaxon.local.event_source import QueueSource
from klaxon.local.invoker import Invoker

ASYNC_WORKERS = Invoker()._pool._max_workers


def _source(handler: Any, delivery: QueueDelivery | None = None) -> tuple[QueueSource, Invoker]:
    invoker = Invoker()
    invoker._handlers["router"] = handler  # the function under the queue, without importing the real one
    return QueueSource("route-alerts", "router", delivery or QueueDelivery(), invoker), invoker


def _bodies(event: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(record["body"]) for record in event["Records"]]


def test_a_burst_is_taken_in_batches_of_at_most_ten_and_a_lone_alert_at_once() -> None:
    held, seen, running, most = threading.Event(), [], [0], [0]
    count = threading.Lock()

    def router(event: dict[str, Any], context: Any) -> dict[str, Any]:
        with count:
            running[0] += 1
            most[0] = max(most[0], running[0])
        held.wait(10)  # the first batch is running while the burst arrives
        seen.append([body["n"] for body in _bodies(event)])
        with count:
            running[0] -= 1
        return {"batchItemFailures": []}

    source, invoker = _source(router)
    source.send({"n": 0})
    time.sleep(0.1)
    for n in range(1, 26):
        source.send({"n": n})
    held.set()
    assert invoker.drain(10)
    assert source.batches[0] == 1  # taken before the burst came: no batching window holds it back
    assert max(source.batches) == 10 and sum(source.batches) == 26
    assert sorted(n for batch in seen for n in batch) == list(range(26))  # each once
    assert most[0] == event_source.POLLERS  # the rest waited, and filled their batches meanwhile
    assert invoker.unfinished() == [] and invoker.dead_letters == []


def test_only_the_failed_messages_are_received_again_and_dead_lettered_after_the_last_receive() -> None:
    receives: dict[int, int] = {}

    def router(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failed = []
        for record, body in zip(event["Records"], _bodies(event), strict=True):
            receives[body["n"]] = receives.get(body["n"], 0) + 1
            assert record["attributes"]["ApproximateReceiveCount"] == str(receives[body["n"]])
            if (body["n"] == 1 and receives[1] < 3) or body["n"] == 2:  # 1 fails twice, 2 always
                failed.append(record["messageId"])
        return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}

    source, invoker = _source(router, QueueDelivery(max_receives=4))
    for n in range(3):
        source.send({"n": n})
    assert invoker.drain(10)
    assert receives == {0: 1, 1: 3, 2: 4}
    assert [letter.event for letter in invoker.dead_letters] == [{"n": 2}]
    assert invoker.unfinished() == []


def test_a_batch_whose_function_raises_is_received_again_whole() -> None:
    calls = []

    def router(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(sorted(body["n"] for body in _bodies(event)))
        if len(calls) == 1:
            raise RuntimeError("the table is throttled")
        return {"batchItemFailures": []}

    source, invoker = _source(router)
    source.send({"n": 0})
    assert invoker.drain(10)
    assert calls == [[0], [0]] and invoker.dead_letters == [] and invoker.unfinished() == []


def test_waiting_messages_are_unfinished_work_kept_at_a_stop() -> None:
    release = threading.Event()

    def router(event: dict[str, Any], context: Any) -> dict[str, Any]:
        release.wait(10)
        return {"batchItemFailures": []}

    source, invoker = _source(router)
    source.send({"n": 0})
    source.send({"n": 1})
    assert sorted(u["event"]["n"] for u in invoker.unfinished()) == [0, 1]
    assert all(u["function"] == "router" for u in invoker.unfinished())  # rerun on the bus event alone
    release.set()
    assert invoker.drain(10) and invoker.unfinished() == []


def test_a_stopping_platform_takes_nothing_more_and_keeps_what_waits() -> None:
    calls: list[dict[str, Any]] = []
    source, invoker = _source(lambda event, context: calls.append(event) or {"batchItemFailures": []})
    held = threading.Event()
    for _ in range(4):  # every worker busy
        invoker.submit("router", lambda: held.wait(10))
    source.send({"n": 0})  # its worker is queued behind the held ones
    invoker._closed.set()  # the stop comes (Invoker.shutdown sets it first)
    held.set()
    invoker._pool.shutdown(wait=True)
    assert calls == [] and source.waiting() == 1
    assert [u["event"] for u in invoker.unfinished()] == [{"n": 0}]  # kept for the next start


def test_the_router_names_only_the_message_it_could_not_route(platform: Any, http: httpx.Client) -> None:
    queue = platform.queues["route-alerts"]
    delivered: list[dict[str, Any]] = []
    send = queue.send
    queue.send = lambda event: (delivered.append(event), send(event))[1]
    for key in ("queue-a", "queue-b"):
        sent = http.post(
            "/v2/enqueue",
            json={
                "routing_key": "KLAXON-DEMO-CHECKOUT-KEY-0000001",
                "event_action": "trigger",
                "dedup_key": key,
                "payload": {"summary": key, "source": "test", "severity": "warning"},
            },
        )
        assert sent.status_code == 202
    assert platform.drain(30)
    assert [e["detail-type"] for e in delivered] == ["Alert Received"] * 2

    def record(message_id: str, body: str) -> dict[str, Any]:
        return {"messageId": message_id, "body": body, "attributes": {"ApproximateReceiveCount": "2"}}

    # Both alerts received again (a lost answer), and a message that is no bus event between them.
    records = [
        record("m1", json.dumps(delivered[0])),
        record("m2", "{not json"),
        record("m3", json.dumps(delivered[1])),
    ]
    answer = platform.invoker.invoke("router", {"Records": records})
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    for key in ("queue-a", "queue-b"):  # a redelivered alert joins nothing twice
        (incident,) = http.get("/v1/incidents", params={"dedup_key": key}).json()["incidents"]
        assert incident["alert_count"] == 1


def test_a_failed_message_waits_out_its_visibility_timeout_on_a_timer_not_on_a_worker(monkeypatch) -> None:
    monkeypatch.setattr(event_source, "REDELIVERY_SECONDS", 0.5)
    calls: list[float] = []

    def router(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(time.monotonic())
        failed = [r["messageId"] for r in event["Records"]] if len(calls) == 1 else []
        return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}

    source, invoker = _source(router)
    source.send({"n": 0})
    while len(calls) < 1:
        time.sleep(0.01)
    time.sleep(0.1)  # the message now waits out its 0.5 s before it is received again
    together, met = threading.Barrier(ASYNC_WORKERS, timeout=0.3), []
    for _ in range(ASYNC_WORKERS):  # as many jobs as the pool has workers, all at once: none is held
        invoker.submit("router", lambda: met.append(together.wait()))
    assert invoker.drain(10)  # the wait counts as pending work
    assert len(met) == ASYNC_WORKERS
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.5
    assert invoker.unfinished() == [] and invoker.dead_letters == []


def test_an_asynchronous_retry_waits_on_a_timer_and_nothing_runs_after_a_stop() -> None:
    invoker, calls = Invoker(), []

    def failing(event: dict[str, Any], context: Any) -> None:
        calls.append(event)
        raise RuntimeError("throttled")

    invoker._handlers["router"] = failing
    invoker.invoke_async("router", {"n": 0})
    assert invoker.drain(10)
    assert len(calls) == 3 and [d.event for d in invoker.dead_letters] == [{"n": 0}]  # two retries

    invoker.invoke_async("router", {"n": 1})
    while len(calls) < 4:
        time.sleep(0.005)
    invoker.shutdown()  # during the first retry's wait
    time.sleep(0.2)
    assert len(calls) == 4 and [u["event"] for u in invoker.unfinished()] == [{"n": 1}]
