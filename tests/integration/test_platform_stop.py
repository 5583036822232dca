"""A stopped local platform runs nothing more: once moto's emulation is gone, a timer or a retry still
running would reach for the real AWS endpoints."""

from __future__ import annotations

import time

import pytest

from klaxon.local.platform import LocalPlatform, Options
from tests.conftest import DEMO_CONFIG


def test_no_function_runs_after_the_platform_stopped():
    # At this scale every timer (the sweeper, heartbeats, reminders) fires ten times a second.
    platform = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token="t", time_scale=600.0)).start()
    time.sleep(1.0)
    platform.stop()
    counted = dict(platform.invoker.invocations)

    time.sleep(1.0)

    assert counted["escalation_sweeper"] > 0
    assert platform.invoker.invocations == counted
    with pytest.raises(RuntimeError, match="stopping"):
        platform.invoker.invoke("heartbeat_check", {})
