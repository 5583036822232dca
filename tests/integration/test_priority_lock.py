"""The local invoker's function locks: first escalation ticks go ahead of later ones, then arrival order."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from klaxon.local.invoker import FIRST, LATER, priority
from klaxon.local.priority_lock import PriorityLock


def test_waiters_take_the_lock_by_priority_then_by_arrival():
    lock, order = PriorityLock(), []

    def wait(name: str, level: int) -> None:
        with lock.held(level):
            order.append(name)

    threads = []
    with lock.held():
        for n, (name, level) in enumerate([("a", 1), ("b", 1), ("c", 0), ("d", 1), ("e", 0)]):
            threads.append(threading.Thread(target=wait, args=(name, level)))
            threads[-1].start()
            deadline = time.monotonic() + 5
            while lock.waiting() < n + 1 and time.monotonic() < deadline:  # queued before the next arrives
                time.sleep(0.001)
    for thread in threads:
        thread.join(5)
    assert order == ["c", "e", "a", "b", "d"]


def test_a_release_wakes_the_next_waiter_alone(monkeypatch):
    """Each waiter wakes once, when the lock is handed to it: none wakes to look and wait again."""
    from klaxon.local import priority_lock

    woken: list[int] = []

    class Turn(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            done = super().wait(timeout)
            woken.append(1)
            return done

    monkeypatch.setattr(priority_lock, "threading", SimpleNamespace(Event=Turn, Lock=threading.Lock))
    lock, threads = PriorityLock(), []

    def wait() -> None:
        with lock.held(0):
            pass

    with lock.held():
        for n in range(6):
            threads.append(threading.Thread(target=wait))
            threads[-1].start()
            deadline = time.monotonic() + 5
            while lock.waiting() < n + 1 and time.monotonic() < deadline:
                time.sleep(0.001)
    for thread in threads:
        thread.join(5)
    assert len(woken) == 6 and lock.waiting() == 0


def test_the_lock_is_free_again_after_a_holder_raises():
    lock = PriorityLock()
    try:
        with lock.held():
            raise RuntimeError("the function failed")
    except RuntimeError:
        pass
    got = []
    thread = threading.Thread(target=lambda: got.append(lock.held(1).__enter__()))
    thread.start()
    thread.join(5)
    assert got == [None]


def test_only_the_first_tick_of_an_escalation_goes_first():
    assert priority("escalation_step", {"incident_id": "i1", "round": 0}) == FIRST
    assert priority("escalation_step", {"incident_id": "i1", "round": 2}) == FIRST  # a re-trigger's
    for later in ({"step": 1}, {"loop": 1}, {"token": "t"}, {"ack_timer": True}):
        assert priority("escalation_step", {"incident_id": "i1", **later}) == LATER
    assert priority("router", {"step": 3}) == FIRST  # other functions: one level, arrival order
