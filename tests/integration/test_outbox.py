"""No state change without its event (issue 13 §2): each incident write carries its event, the incidents
table's stream hands the committed write to `outbox_relay`, and the relay publishes it.

Fault injection: a function killed right after each kind of incident write (the router's create, the
API's acknowledge, an escalate-now), and the relay's publish failing. Each event still reaches the bus
once, and each consumer acts once.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
from klaxon.adapters.eventbridge import EventBridgeBus
from klaxon.events import DetailType
from klaxon.local.invoker import RUNNING
from klaxon.local.platform import LocalPlatform, Options
from tests.conftest import DEMO_CONFIG
from tests.integration.test_escalation_flow import CHECKOUT_KEY, wait_until

TOKEN = "outbox-token"


class Bus:
    """Every event the relay publishes, by (detail type, incident id); its first `fail` publishes raise."""

    def __init__(self) -> None:
        self.published: Counter[tuple[str, str]] = Counter()
        self.others: list[str] = []  # functions other than the relay that published an incident event
        self.fail = 0
        self.failed = 0
        self._lock = threading.Lock()

    def wrap(self, real: Any) -> Any:
        def publish(bus: EventBridgeBus, detail_type: DetailType, detail: Any) -> None:
            incident = getattr(detail, "incident", None)
            if incident is not None and RUNNING.get() != "outbox_relay":
                self.others.append(str(RUNNING.get()))
            with self._lock:
                if incident is not None and self.fail > 0:
                    self.fail -= 1
                    self.failed += 1
                    raise RuntimeError("PutEvents failed")
            real(bus, detail_type, detail)
            if incident is not None:
                with self._lock:
                    self.published[(str(detail_type), incident.id)] += 1

        return publish


@pytest.fixture
def world() -> Iterator[tuple[LocalPlatform, httpx.Client, Bus, pytest.MonkeyPatch]]:
    monkeypatch = pytest.MonkeyPatch()
    bus = Bus()
    monkeypatch.setattr(EventBridgeBus, "publish", bus.wrap(EventBridgeBus.publish))
    platform = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token=TOKEN, time_scale=60.0)).start()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=platform.url, headers=headers, timeout=10) as api:
        yield platform, api, bus, monkeypatch
    platform.stop()
    monkeypatch.undo()


def _die_after(monkeypatch: pytest.MonkeyPatch, method: str, function: str) -> list[str]:
    """Kill `function` once, right after its first call of the repository's `method` took effect."""
    real = getattr(DynamoIncidentRepository, method)
    killed: list[str] = []

    def write_then_die(self: DynamoIncidentRepository, *args: Any, **kwargs: Any) -> Any:
        result = real(self, *args, **kwargs)
        if RUNNING.get() == function and not killed:
            killed.append(method)
            raise RuntimeError(f"{function} killed after {method}")
        return result

    monkeypatch.setattr(DynamoIncidentRepository, method, write_then_die)
    return killed


def _trigger(platform: LocalPlatform, api: httpx.Client, key: str) -> dict[str, Any]:
    event = {
        "routing_key": CHECKOUT_KEY,
        "event_action": "trigger",
        "dedup_key": key,
        "payload": {"summary": f"{key} failing", "source": "lb", "severity": "critical"},
    }
    assert api.post("/v2/enqueue", json=event).status_code == 202
    assert platform.drain()
    return api.get("/v1/incidents", params={"dedup_key": key}).json()["incidents"][0]


def _executions(incident_id: str) -> list[str]:
    from klaxon.adapters.aws import client

    sfn = client("stepfunctions")
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    runs = sfn.list_executions(stateMachineArn=machine)["executions"]
    return [run["name"] for run in runs if run["name"].startswith(incident_id)]


def test_only_the_relay_publishes_incident_events_and_each_write_once(world):
    platform, api, bus, _ = world
    incident = _trigger(platform, api, "plain")
    assert api.post(f"/v1/incidents/{incident['id']}/acknowledge").status_code == 200
    assert api.post(f"/v1/incidents/{incident['id']}/resolve").status_code == 200
    assert platform.drain()
    mine = {t: n for (t, i), n in bus.published.items() if i == incident["id"]}
    assert mine == {"Incident Triggered": 1, "Incident Acknowledged": 1, "Incident Resolved": 1}
    assert bus.others == []


def test_a_router_killed_after_its_write_still_pages_once(world):
    platform, api, bus, monkeypatch = world
    killed = _die_after(monkeypatch, "create", "router")
    incident = _trigger(platform, api, "router-dies")  # the invoker retries the router, as Lambda does
    assert killed == ["create"]
    assert bus.published[("Incident Triggered", incident["id"])] == 1
    assert _executions(incident["id"]) == [incident["id"]]
    wait_until(lambda: api.get(f"/v1/incidents/{incident['id']}/notifications").json()["notifications"])


def test_an_api_killed_after_the_acknowledgement_still_stops_the_escalation(world):
    platform, api, bus, monkeypatch = world
    incident = _trigger(platform, api, "api-dies")
    killed = _die_after(monkeypatch, "transition", "api")
    stops = platform.invoker.invocations["escalation_stop"]
    assert (
        api.post(f"/v1/incidents/{incident['id']}/acknowledge").status_code == 502
    )  # as API Gateway answers a crashed Lambda
    assert killed == ["transition"]
    assert platform.drain()
    retry = api.post(f"/v1/incidents/{incident['id']}/acknowledge")  # the client's retry changes nothing
    assert (retry.status_code, retry.json()["status"]) == (200, "acknowledged")
    assert platform.drain()
    assert bus.published[("Incident Acknowledged", incident["id"])] == 1
    assert platform.invoker.invocations["escalation_stop"] - stops == 1
    from klaxon.adapters.aws import client

    sfn = client("stepfunctions")
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    run = f"{machine.replace(':stateMachine:', ':execution:')}:{incident['id']}"
    wait_until(lambda: sfn.describe_execution(executionArn=run)["status"] != "RUNNING")


def test_an_escalate_now_killed_after_its_write_still_starts_the_new_round(world):
    platform, api, bus, monkeypatch = world
    incident = _trigger(platform, api, "escalate-dies")
    killed = _die_after(monkeypatch, "restart_escalation", "api")
    assert api.post(f"/v1/incidents/{incident['id']}/escalate").status_code == 502
    assert killed == ["restart_escalation"]
    assert platform.drain()
    assert bus.published[("Incident Triggered", incident["id"])] == 2  # the opening, and round 1
    wait_until(lambda: f"{incident['id']}-1" in _executions(incident["id"]))


def test_a_failing_publish_is_retried_in_order_until_it_goes(world):
    platform, api, bus, _ = world
    bus.fail = 3
    incident = _trigger(platform, api, "bus-down")
    assert api.post(f"/v1/incidents/{incident['id']}/acknowledge").status_code == 200
    assert platform.drain()
    assert bus.failed == 3
    mine = [(t, n) for (t, i), n in bus.published.items() if i == incident["id"]]
    assert mine == [("Incident Triggered", 1), ("Incident Acknowledged", 1)]  # Counter keeps first-seen order
    assert platform.outbox is not None and platform.outbox.failures == 3


def test_a_refused_write_leaves_no_event(world):
    platform, api, bus, _ = world
    incident = _trigger(platform, api, "refused")
    assert api.post(f"/v1/incidents/{incident['id']}/resolve").status_code == 200
    assert api.post(f"/v1/incidents/{incident['id']}/acknowledge").status_code == 409
    assert platform.drain()
    assert bus.published[("Incident Acknowledged", incident["id"])] == 0


def test_the_stream_reader_reads_the_outbox_and_refuses_what_it_cannot_read():
    from datetime import UTC, datetime

    from klaxon.adapters.dynamodb_incidents import _outbox, _to_item
    from klaxon.adapters.incident_stream import IncidentStream
    from klaxon.domain.incident.models import Incident, IncidentStatus, Priority, Urgency
    from klaxon.events import IncidentEvent

    now = datetime.now(UTC)
    incident = Incident(
        id="i1",
        number=7,
        title="Checkout down",
        service="checkout",
        priority=Priority.P1,
        urgency=Urgency.HIGH,
        status=IncidentStatus.TRIGGERED,
        dedup_key="k",
        created_at=now,
        updated_at=now,
    )
    item = _to_item(incident)
    item.outbox = _outbox(IncidentEvent(DetailType.INCIDENT_TRIGGERED, "user:alice", "test"))
    stream = IncidentStream()
    found = stream.event({"eventName": "INSERT", "dynamodb": {"NewImage": item.serialize()}})
    assert found is not None
    assert (found[0], found[1].incident.number, found[1].actor) == (
        DetailType.INCIDENT_TRIGGERED,
        7,
        "user:alice",
    )
    without = _to_item(incident).serialize()
    assert stream.event({"eventName": "MODIFY", "dynamodb": {"NewImage": without}}) is None
    assert stream.event({"eventName": "REMOVE", "dynamodb": {"Keys": {"id": {"S": "i1"}}}}) is None
    with pytest.raises(ValueError):
        stream.event({"dynamodb": {"NewImage": {**without, "outbox": {"M": {"detail_type": {"S": "Nope"}}}}}})
