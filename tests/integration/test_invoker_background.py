"""Housekeeping yields the interpreter to the page path: a background invocation (a chat room, the status
page) starts once the page path has been idle for BACKGROUND_QUIET_SECONDS, or after
BACKGROUND_YIELD_SECONDS at most. Started in the moment between two steps of the page path (the relay
done, the first tick not begun), a chat room ran beside the tick and delayed its page."""

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


def _handlers(invoker: Invoker, page_path_seconds: float) -> dict[str, float]:
    """A page-path function (the router) busy for `page_path_seconds`, and a chat room: when each
    began and ended (monotonic seconds)."""
    times: dict[str, float] = {}

    def router(event: dict[str, Any], context: Any) -> None:
        times["router began"] = time.monotonic()
        time.sleep(page_path_seconds)
        times["router ended"] = time.monotonic()

    def chat_sync(event: dict[str, Any], context: Any) -> None:
        times["room began"] = time.monotonic()

    invoker._handlers.update({"router": router, "chat_sync": chat_sync})
    return times


def test_a_room_starts_once_the_page_path_has_been_quiet(invoker: Invoker) -> None:
    assert "chat_sync" in BACKGROUND and "router" not in BACKGROUND
    times = _handlers(invoker, page_path_seconds=0.2)
    page_path = threading.Thread(target=invoker.invoke, args=("router", {}))
    page_path.start()
    while "router began" not in times:
        time.sleep(0.001)
    invoker.invoke_async("chat_sync", {})
    page_path.join(10)
    assert invoker.drain(10)

    quiet = times["room began"] - times["router ended"]
    assert quiet >= invoker_module.BACKGROUND_QUIET_SECONDS * 0.9  # monotonic clock: no earlier


def test_a_room_waits_no_longer_than_the_yield(invoker: Invoker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(invoker_module, "BACKGROUND_YIELD_SECONDS", 0.2)
    times = _handlers(invoker, page_path_seconds=3.0)
    page_path = threading.Thread(target=invoker.invoke, args=("router", {}))
    page_path.start()
    while "router began" not in times:
        time.sleep(0.001)
    queued = time.monotonic()
    invoker.invoke_async("chat_sync", {})
    while "room began" not in times and page_path.is_alive():
        time.sleep(0.005)
    page_path.join(10)

    assert times["room began"] < times["router ended"]  # the page path still busy: it went ahead anyway
    assert times["room began"] - queued >= 0.2 * 0.9
