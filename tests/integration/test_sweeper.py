"""The sweeper restores paging (issue 13 §4): an execution stopped behind Klaxon's back leaves a triggered
incident with nobody paging; within two minutes the sweeper (the platform's own every-minute timer)
resumes it, the next step pages, and the timeline says so."""

from __future__ import annotations

import time

from klaxon import wiring
from klaxon.adapters.aws import client
from klaxon.adapters.escalation_runner import execution_arn
from tests.integration.test_escalation_flow import (  # noqa: F401 - fixtures
    api,
    fast_platform,
    notifications,
    timeline_kinds,
    trigger,
    wait_until,
)

TWO_MINUTES = 120.0


def test_an_execution_deleted_behind_klaxons_back_is_restored_within_two_minutes(api, fast_platform):  # noqa: F811
    incident = trigger(api, fast_platform, "lost-run")
    wait_until(lambda: notifications(api, incident))  # step 1 paged
    machine = wiring.container().settings.escalation_state_machine
    assert machine is not None
    sfn = client("stepfunctions")
    sfn.stop_execution(executionArn=execution_arn(machine, incident["id"]), cause="deleted by hand")
    stopped = time.monotonic()
    time.sleep(1)  # at this time scale the next step would have paged by now, had the run lived
    # What the stopped run paged: the first step, and the second too if it was slow to stop (the policy
    # has more steps, so there is always one left for the restored run to page).
    before = {n["step"] for n in notifications(api, incident)}

    # Asked twice a second: polled every 50 ms for up to two minutes, a fast platform answers more than the
    # token's 960 requests a minute, and the 429's body has no timeline.
    wait_until(lambda: "escalation restored" in timeline_kinds(api, incident), timeout=TWO_MINUTES, every=0.5)
    wait_until(lambda: {n["step"] for n in notifications(api, incident)} > before, timeout=10)

    assert time.monotonic() - stopped < TWO_MINUTES
    sent = [(n["step"], n["loop"], n["user"], n["channel"]) for n in notifications(api, incident)]
    assert len(sent) == len(set(sent))  # nobody paged twice for the same step
