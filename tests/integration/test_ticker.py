"""The local timers (klaxon/local/ticker.py): real-time periods, and no run piled behind an unfinished one."""

from __future__ import annotations

from klaxon.local.ticker import Ticker
from klaxon.topology import TIMERS, Timer


def test_periods_are_real_minutes_whatever_the_time_scale():
    ticker = Ticker(lambda function, event: None)
    assert ticker._periods == {t.name: t.every_minutes * 60.0 for t in TIMERS}


def test_a_timer_whose_last_run_is_unfinished_is_skipped():
    invoked: list[str] = []
    busy = {"sweeper_fn": True}
    ticker = Ticker(
        lambda function, event: invoked.append(function),
        busy=lambda f: busy.get(f, False),
        timers=[Timer("sweep", "sweeper_fn", 1, "x")],
    )
    ticker.fire("sweep")
    assert (invoked, ticker.runs["sweep"], ticker.skipped["sweep"]) == ([], 0, 1)
    busy["sweeper_fn"] = False
    ticker.fire("sweep")
    assert (invoked, ticker.runs["sweep"]) == (["sweeper_fn"], 1)


def test_the_invoker_tells_a_queued_invocation(platform):
    invoker = platform.invoker
    assert not invoker.queued("statuspage_publish") or invoker.drain()
    invoker.invoke_async(
        "statuspage_publish", {"source": "test", "detail-type": "Status Page Updated", "detail": {}}
    )
    queued_at_once = invoker.queued("statuspage_publish")
    assert platform.drain()
    assert queued_at_once and not invoker.queued("statuspage_publish")
