"""Escalation through the local platform: the real ASL under moto, waits recorded and scaled."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from klaxon.local import emulation
from klaxon.local.platform import LocalPlatform, Options
from tests.conftest import DEMO_CONFIG

TOKEN = "escalation-token"
CHECKOUT_KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"
SCALE = 600.0  # a 5-minute wait takes half a second


@pytest.fixture
def fast_platform():
    running = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token=TOKEN, time_scale=SCALE)).start()
    emulation._Hooks.waits.clear()
    yield running
    running.stop()


@pytest.fixture
def api(fast_platform):
    with httpx.Client(
        base_url=fast_platform.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    ) as c:
        yield c


def trigger(
    api: httpx.Client, platform: LocalPlatform, key: str, severity: str = "critical"
) -> dict[str, Any]:
    event = {
        "routing_key": CHECKOUT_KEY,
        "event_action": "trigger",
        "dedup_key": key,
        "payload": {"summary": f"{key} failing", "source": "lb", "severity": severity},
    }
    assert api.post("/v2/enqueue", json=event).status_code == 202
    assert platform.drain()
    return api.get("/v1/incidents", params={"dedup_key": key}).json()["incidents"][0]


def wait_until(
    probe: Callable[[], Any], timeout: float = 20.0, every: float = 0.05, most: float = 0.5
) -> Any:
    """`probe()` once true, polled every `every` seconds at first and twice as long each time after, up to
    `most`: a long wait asks the API at most twice a second (a token's limit is 960 requests a minute)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(every)
        every = min(every * 2, max(most, every))
    raise AssertionError(f"not true within {timeout} s")


def notifications(api: httpx.Client, incident: dict[str, Any]) -> list[dict[str, Any]]:
    return api.get(f"/v1/incidents/{incident['id']}/notifications").json()["notifications"]


def timeline_kinds(api: httpx.Client, incident: dict[str, Any]) -> list[str]:
    return [e["kind"] for e in api.get(f"/v1/incidents/{incident['id']}/timeline").json()["timeline"]]


def test_a_critical_alert_walks_the_whole_default_policy(api, fast_platform):
    incident = trigger(api, fast_platform, "walk")
    wait_until(lambda: "escalation finished" in timeline_kinds(api, incident))
    sent = [(n["step"], n["channel"]) for n in notifications(api, incident)]
    assert sorted(set(sent)) == [
        (0, "push"),
        (0, "sms"),
        (1, "push"),
        (1, "sms"),
        (2, "voice"),
        (3, "email"),
        (3, "push"),
        (3, "sms"),
        (3, "voice"),
        (4, "email"),
        (4, "push"),
        (4, "sms"),
        (4, "voice"),
    ]
    users = {n["step"]: n["user"] for n in notifications(api, incident) if n["step"] in (3, 4)}
    assert users == {3: "frank", 4: "grace"}
    # 5 minutes to the secondary, 5 more to the calls, 5 to frank, then frank's own rules, 15 in all to grace.
    assert emulation._Hooks.waits[:3] == [300, 300, 300]
    assert sum(emulation._Hooks.waits) == 30 * 60 + 5 * 60
    assert all(n["status"] == "sent" for n in notifications(api, incident))


@pytest.fixture
def slower_platform():
    # 2.5 s between steps: an acknowledgement sent right after the first page lands well before the
    # second step even on a loaded machine (at SCALE the next step is only half a second away).
    running = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token=TOKEN, time_scale=120.0)).start()
    yield running
    running.stop()


def test_an_acknowledgement_stops_every_later_page(slower_platform):
    from klaxon.adapters.aws import client

    api = httpx.Client(base_url=slower_platform.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    incident = trigger(api, slower_platform, "ack-early")
    wait_until(lambda: len(notifications(api, incident)) >= 2)
    assert api.post(f"/v1/incidents/{incident['id']}/acknowledge").status_code == 200
    slower_platform.drain()
    sfn = client("stepfunctions")
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    arn = machine.replace(":stateMachine:", ":execution:") + f":{incident['id']}"
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING")
    assert sfn.describe_execution(executionArn=arn)["status"] == "ABORTED"  # stopped by the ack
    time.sleep(3.0)  # past where the second step would have paged
    assert {n["step"] for n in notifications(api, incident)} == {0}
    assert "escalation finished" not in timeline_kinds(api, incident)


def test_a_warning_pages_no_one(api, fast_platform):
    incident = trigger(api, fast_platform, "just-a-warning", severity="warning")
    time.sleep(6 * 60 / SCALE)
    assert incident["urgency"] == "low"
    assert notifications(api, incident) == []


def test_a_second_trigger_event_does_not_start_a_second_escalation(api, fast_platform):
    from klaxon import wiring
    from klaxon.adapters.aws import client
    from klaxon.events import DetailType, IncidentChanged, IncidentSnapshot

    incident = trigger(api, fast_platform, "twice")
    full = wiring.container().incident_service.get(incident["id"])
    wiring.container().bus.publish(
        DetailType.INCIDENT_TRIGGERED,
        IncidentChanged(incident=IncidentSnapshot.of(full), actor="test", reason="again"),
    )
    fast_platform.drain()
    sfn = client("stepfunctions")
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    named = [
        e
        for e in sfn.list_executions(stateMachineArn=machine)["executions"]
        if e.get("name") == incident["id"]
    ]
    assert len(named) == 1


def test_a_drill_pages_through_the_policy_marked_as_a_drill(api, fast_platform):
    response = api.post("/v1/drills", json={"policy": "default"})
    assert response.status_code == 201, response.text
    drill = response.json()
    assert drill["drill"] is True
    wait_until(lambda: len(notifications(api, drill)) >= 2)
    assert all(n["drill"] for n in notifications(api, drill))


def test_a_drill_of_an_unknown_policy_is_404(api):
    assert api.post("/v1/drills", json={"policy": "nope"}).status_code == 404
