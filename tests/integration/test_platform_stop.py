"""A stopped local platform runs nothing more: once moto's emulation is gone, a timer or a retry still
running would reach for the real AWS endpoints."""

from __future__ import annotations

import threading
import time

import pytest

from klaxon.local.platform import LocalPlatform, Options
from klaxon.topology import TIMERS
from tests.conftest import DEMO_CONFIG


def test_no_function_runs_after_the_platform_stopped():
    platform = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token="t")).start()
    assert platform.ticker is not None
    ticker, firing = platform.ticker, threading.Event()

    def timers_firing_all_along() -> (
        None
    ):  # every timer (the sweeper, heartbeats, reminders), 100 times a second
        while not firing.is_set():
            for timer in TIMERS:
                ticker.fire(timer.name)
            time.sleep(0.01)

    thread = threading.Thread(target=timers_firing_all_along, daemon=True)
    thread.start()
    time.sleep(1.0)
    platform.stop()
    counted = dict(platform.invoker.invocations)

    time.sleep(1.0)
    firing.set()
    thread.join(timeout=5)

    assert counted["escalation_sweeper"] > 0
    assert platform.invoker.invocations == counted
    with pytest.raises(RuntimeError, match="stopping"):
        platform.invoker.invoke("heartbeat_check", {})


def test_the_status_page_folder_it_made_is_removed_at_stop_and_one_given_is_kept(tmp_path):
    made = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token="t")).start()
    try:
        made.publish_status_page()
        assert (made.site_dir / "index.html").is_file()
    finally:
        made.stop()
    assert not made.site_dir.exists()  # a test run starts hundreds of platforms: none is left in /tmp

    given = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token="t", site_dir=tmp_path)).start()
    try:
        given.publish_status_page()
    finally:
        given.stop()
    assert (tmp_path / "index.html").is_file()
