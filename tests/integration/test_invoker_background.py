"""Housekeeping yields the interpreter to the page path: a background invocation (a chat room, the status
page) starts once no page-path invocation runs or is on its way (an escalation's execution starting: its
first tick expected), or after BACKGROUND_YIELD_SECONDS at most. Started while the execution started, a
chat room ran beside the tick and delayed its page."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from klaxon.local import invoker as invoker_module
from klaxon.local.invoker import BACKGROUND, Invoker


@pytest.fixture
def invoker() -> Any:
    running = Invoker(async_workers=2)
    yield running
    running.shutdown()


def _handlers(invoker: Invoker, tick_seconds: float) -> dict[str, float]:
    """A tick busy for `tick_seconds`, and a chat room: when each began and ended (monotonic seconds)."""
    times: dict[str, float] = {}

    def escalation_step(event: dict[str, Any], context: Any) -> None:
        times["tick began"] = time.monotonic()
        time.sleep(tick_seconds)
        times["tick ended"] = time.monotonic()

    def chat_sync(event: dict[str, Any], context: Any) -> None:
        times["room began"] = time.monotonic()

    invoker._handlers.update({"escalation_step": escalation_step, "chat_sync": chat_sync})
    return times


def test_a_room_waits_for_the_tick_an_execution_is_starting(invoker: Invoker) -> None:
    assert "chat_sync" in BACKGROUND and "escalation_step" not in BACKGROUND
    times = _handlers(invoker, tick_seconds=0.1)
    invoker.expect("escalation_step")  # the execution is starting: nothing of the page path runs yet
    invoker.invoke_async("chat_sync", {})
    time.sleep(0.2)
    assert "room began" not in times  # it waits for the tick on its way
    invoker.invoke("escalation_step", {})
    assert invoker.drain(10)
    assert times["room began"] >= times["tick ended"]


def test_an_expected_tick_that_never_comes_holds_housekeeping_for_a_while_only(
    invoker: Invoker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(invoker_module, "EXPECTED_SECONDS", 0.2)
    times = _handlers(invoker, tick_seconds=0)
    invoker.expect("escalation_step")
    queued = time.monotonic()
    invoker.invoke_async("chat_sync", {})
    assert invoker.drain(10)
    assert times["room began"] - queued >= 0.2 * 0.9


def test_a_room_waits_no_longer_than_the_yield(invoker: Invoker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(invoker_module, "BACKGROUND_YIELD_SECONDS", 0.2)
    times = _handlers(invoker, tick_seconds=3.0)
    page_path = threading.Thread(target=invoker.invoke, args=("escalation_step", {}))
    page_path.start()
    while "tick began" not in times:
        time.sleep(0.001)
    queued = time.monotonic()
    invoker.invoke_async("chat_sync", {})
    while "room began" not in times and page_path.is_alive():
        time.sleep(0.005)
    page_path.join(10)

    assert times["room began"] < times["tick ended"]  # the page path still busy: it went ahead anyway
    assert times["room began"] - queued >= 0.2 * 0.9
