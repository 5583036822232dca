"""Escalation through the local platform: alert-to-first-page latency (20 alerts one at a time on an idle
platform, then 40 at once), the transitions and cost of a policy walked to its end."""

from __future__ import annotations

import json
import multiprocessing
import re
import statistics
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"
TOKEN = "klaxon-dev-token"
# Standard workflows bill per state transition; Lambda per request and GB-second (us-east-1, arm64).
USD_PER_TRANSITION = 0.000025
USD_PER_LAMBDA_REQUEST = 0.0000002
USD_PER_GB_SECOND = 0.0000133334


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class FirstPages:
    """When each incident's first page went out, by incident number (from the "#N" in its text)."""

    def __init__(self) -> None:
        self.at: dict[int, float] = {}
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    def on_sent(self, message: object) -> None:
        found = re.search(r"#(\d+)", getattr(message, "text", ""))
        if found:
            with self.lock:
                self.at.setdefault(int(found.group(1)), time.perf_counter())
                self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 60) -> None:
        with self.lock:
            self.arrived.wait_for(lambda: len(self.at) >= count, timeout)


def _alert(key: str) -> dict[str, object]:
    return {
        "routing_key": KEY,
        "event_action": "trigger",
        "dedup_key": key,
        "payload": {"summary": f"latency probe {key}", "source": "bench", "severity": "critical"},
    }


def _latencies(api: httpx.Client, pages: FirstPages, sent_at: dict[str, float]) -> list[float]:
    numbers = {
        incident["dedup_key"]: incident["number"]
        for incident in api.get("/v1/incidents", params={"limit": 100}).json()["incidents"]
    }
    return [
        (pages.at[numbers[key]] - start) * 1000
        for key, start in sent_at.items()
        if numbers.get(key) in pages.at
    ]


def _idle(api: httpx.Client, platform: Any, pages: FirstPages, alerts: int) -> list[float]:
    """One alert at a time on an idle platform: each sent once the one before paged, was acknowledged (its
    escalation stopped) and everything it set off has finished."""
    sent_at: dict[str, float] = {}
    for n in range(alerts):
        key, paged = f"idle-{n}", len(pages.at)
        sent_at[key] = time.perf_counter()
        assert api.post("/v2/enqueue", json=_alert(key)).status_code == 202
        pages.wait_for(paged + 1)
        found = api.get("/v1/incidents", params={"dedup_key": key}).json()["incidents"]
        api.post(f"/v1/incidents/{found[0]['id']}/acknowledge").raise_for_status()
        assert platform.drain(60)
    return _latencies(api, pages, sent_at)


def _send_at_once(url: str, keys: list[str], senders: int) -> dict[str, float]:
    """Each key's alert posted by one of `senders` clients side by side: when each was sent
    (`time.perf_counter`, the system's monotonic clock, which the platform's process reads too)."""
    sent_at: dict[str, float] = {}
    with httpx.Client(base_url=url, timeout=30) as client:

        def send(key: str) -> None:
            sent_at[key] = time.perf_counter()
            assert client.post("/v2/enqueue", json=_alert(key)).status_code == 202

        with ThreadPoolExecutor(senders) as pool:
            list(pool.map(send, keys))
    return sent_at


def _burst(api: httpx.Client, pages: FirstPages, keys: list[str], senders: int = 8) -> list[float]:
    """An alert for each of `keys` at once (new incidents), from `senders` clients side by side. The clients
    are the monitoring tools, not the platform: they run in a process of their own (as bench_storm's do), so
    their HTTP work does not take the platform's interpreter lock."""
    before = len(pages.at)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as tools:
        tools.submit(_send_at_once, str(api.base_url), [], senders).result()  # started, before the clock
        sent_at = tools.submit(_send_at_once, str(api.base_url), keys, senders).result()
    pages.wait_for(before + len(keys))
    return _latencies(api, pages, sent_at)


def _bursts(
    api: httpx.Client, platform: Any, pages: FirstPages, alerts: int, bursts: int
) -> list[list[float]]:
    """`bursts` bursts of `alerts`, each on a quiet platform: the one before acknowledged (its escalations
    stopped) and everything it set off finished. One burst's p99 is its slowest page (40 samples), and on
    a shared host it moves by a third from one run to the next: the median of a few says more."""
    runs = []
    for n in range(bursts):
        keys = [f"burst{n}-{k}" for k in range(alerts)]
        runs.append(_burst(api, pages, keys))
        for key in keys:
            found = api.get("/v1/incidents", params={"dedup_key": key}).json()["incidents"]
            api.post(f"/v1/incidents/{found[0]['id']}/acknowledge").raise_for_status()
        assert platform.drain(60)
    return runs


def _tick_cpu_ms(alerts: int, runs: int = 5) -> float:
    """CPU of the first escalation tick (claim, two pages, their records) of an incident holding `alerts`
    alerts (a big Alertmanager group keeps each one's fingerprint, status and labels): median of `runs`."""
    from klaxon import wiring
    from klaxon.adapters.tables import IncidentItem
    from klaxon.services.paging.escalation import EscalationState

    held = {
        f"fp{n:06d}": {
            "fingerprint": f"fp{n:06d}",
            "status": "firing",
            "labels": {"alertname": "HighLatency", "instance": f"host-{n}:9100"},
            "starts_at": "2026-12-06T10:00:00+00:00",
        }
        for n in range(alerts)
    }
    spent = []
    for run in range(runs):
        incident_id = f"inc-bench-tick-{uuid.uuid4().hex[:12]}"
        IncidentItem(
            id=incident_id,
            created_key=f"2026-12-06T10:00:00+00:00#{incident_id}",
            number=90_000 + run,
            title=f"group of {alerts}",
            service="checkout",
            priority="P1",
            urgency="high",
            status="triggered",
            dedup_key=incident_id,
            created_at="2026-12-06T10:00:00+00:00",
            updated_at="2026-12-06T10:00:00+00:00",
            alerts=held,
            alert_count=alerts,
            grouped=True,
        ).save()
        started = time.thread_time()
        wiring.container().escalation_service.run(EscalationState(incident_id=incident_id))
        spent.append((time.thread_time() - started) * 1000)
    return round(statistics.median(spent), 1)


def _figures(name: str, latencies: list[float]) -> dict[str, object]:
    return {
        f"alert_to_first_page{name}_ms_p50": round(statistics.median(latencies), 1),
        f"alert_to_first_page{name}_ms_p99": round(_percentile(latencies, 0.99), 1),
        f"alert_to_first_page{name}_samples": len(latencies),
    }


def _burst_figures(runs: list[list[float]]) -> dict[str, object]:
    """Each burst's p50 and p99, and the median of each as the burst's figure."""
    p50s = [round(statistics.median(latencies), 1) for latencies in runs]
    p99s = [round(_percentile(latencies, 0.99), 1) for latencies in runs]
    return {
        "alert_to_first_page_ms_p50": statistics.median(p50s),
        "alert_to_first_page_ms_p99": statistics.median(p99s),
        "alert_to_first_page_ms_p50_each_burst": p50s,
        "alert_to_first_page_ms_p99_each_burst": p99s,
        "alert_to_first_page_samples": sum(len(latencies) for latencies in runs),
    }


def run(
    idle_alerts: int = 20, burst_alerts: int = 40, bursts: int = 3, time_scale: float = 600.0
) -> dict[str, object]:
    from klaxon.adapters.aws import client
    from klaxon.local.platform import LocalPlatform, Options

    platform = LocalPlatform(
        # The bursts send more alerts a minute than the demo's integration key allows (120).
        Options(
            config=ROOT / "examples" / "acme.yaml",
            port=0,
            api_token=TOKEN,
            time_scale=time_scale,
            rate_limit_scale=10.0,
        )
    ).start()
    pages = FirstPages()
    platform.messaging.on_sent(pages.on_sent)
    try:
        api = httpx.Client(base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        assert platform.drain(60)
        idle = _idle(api, platform, pages, idle_alerts)
        runs = _bursts(api, platform, pages, burst_alerts, bursts)
        transitions = _transitions_of_a_full_walk(api, platform, client("stepfunctions"))
        assert platform.drain(60)
        ticks = {f"first_tick_cpu_ms_{n}_alerts": _tick_cpu_ms(n) for n in (1, 1000)}
        step_invocations = transitions["task_states"]
        cost = (
            transitions["transitions"] * USD_PER_TRANSITION
            + (step_invocations + 1) * USD_PER_LAMBDA_REQUEST
            + (step_invocations + 1) * 0.5 * 0.2 * USD_PER_GB_SECOND
        )
        return {
            **_figures("_idle", idle),
            **_burst_figures(runs),  # 40 alerts at once, a few times
            **ticks,
            "state_transitions_per_escalated_incident": transitions["transitions"],
            "escalation_step_invocations_per_incident": step_invocations,
            "pages_per_escalated_incident": transitions["pages"],
            "usd_per_escalated_incident_excluding_messages": round(cost, 6),
        }
    finally:
        platform.stop()


def _transitions_of_a_full_walk(api: httpx.Client, platform: object, sfn: object) -> dict[str, int]:
    """Walk the demo's default policy to its end (nobody acknowledges) and count what Step Functions bills,
    and the pages it sent (the cost model's write units)."""
    event = {
        "routing_key": KEY,
        "event_action": "trigger",
        "dedup_key": "full-walk",
        "payload": {"summary": "full walk", "source": "bench", "severity": "critical"},
    }
    assert api.post("/v2/enqueue", json=event).status_code == 202
    deadline = time.monotonic() + 60
    incident = None
    while time.monotonic() < deadline:
        found = api.get("/v1/incidents", params={"dedup_key": "full-walk"}).json()["incidents"]
        if found:
            incident = found[0]
            kinds = [
                e["kind"] for e in api.get(f"/v1/incidents/{incident['id']}/timeline").json()["timeline"]
            ]
            if "escalation finished" in kinds:
                break
        time.sleep(0.1)
    assert incident is not None
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]  # type: ignore[attr-defined]
    transitions = tasks = 0
    for execution in sfn.list_executions(stateMachineArn=machine)["executions"]:  # type: ignore[attr-defined]
        history = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]  # type: ignore[attr-defined]
        detail = json.dumps([e.get("executionStartedEventDetails", {}) for e in history])
        if incident["id"] not in detail:
            continue
        transitions += sum(1 for e in history if e["type"].endswith("StateEntered"))
        tasks += sum(1 for e in history if e["type"] == "LambdaFunctionScheduled")
    sent = api.get(f"/v1/incidents/{incident['id']}/notifications").json()["notifications"]
    return {"transitions": transitions, "task_states": tasks, "pages": len(sent)}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
