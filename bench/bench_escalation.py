"""Escalation through the local platform: alert-to-first-page latency, transitions and cost per incident."""

from __future__ import annotations

import json
import re
import statistics
import threading
import time
from pathlib import Path

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


def run(alerts: int = 40, time_scale: float = 600.0) -> dict[str, object]:
    from klaxon.adapters.aws import client
    from klaxon.local.platform import LocalPlatform, Options

    platform = LocalPlatform(
        Options(config=ROOT / "examples" / "acme.yaml", port=0, api_token=TOKEN, time_scale=time_scale)
    ).start()
    first_page: dict[int, float] = {}
    lock = threading.Lock()

    def on_sent(message: object) -> None:
        found = re.search(r"#(\d+)", getattr(message, "text", ""))
        if found:
            with lock:
                first_page.setdefault(int(found.group(1)), time.perf_counter())

    platform.messaging.on_sent(on_sent)
    try:
        api = httpx.Client(base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        sent_at: dict[str, float] = {}
        for n in range(alerts):
            event = {
                "routing_key": KEY,
                "event_action": "trigger",
                "dedup_key": f"latency-{n}",
                "payload": {"summary": f"latency probe {n}", "source": "bench", "severity": "critical"},
            }
            sent_at[f"latency-{n}"] = time.perf_counter()
            assert api.post("/v2/enqueue", json=event).status_code == 202
            time.sleep(0.05)  # one alert at a time: latency, not a storm
        deadline = time.monotonic() + 60
        numbers: dict[str, int] = {}
        while time.monotonic() < deadline and len(first_page) < alerts:
            time.sleep(0.05)
        for incident in api.get("/v1/incidents", params={"limit": 100}).json()["incidents"]:
            numbers[incident["dedup_key"]] = incident["number"]
        latencies = [
            (first_page[numbers[key]] - start) * 1000
            for key, start in sent_at.items()
            if numbers.get(key) in first_page
        ]
        transitions = _transitions_of_a_full_walk(api, platform, client("stepfunctions"))
        step_invocations = transitions["task_states"]
        cost = (
            transitions["transitions"] * USD_PER_TRANSITION
            + (step_invocations + 1) * USD_PER_LAMBDA_REQUEST
            + (step_invocations + 1) * 0.5 * 0.2 * USD_PER_GB_SECOND
        )
        return {
            "alert_to_first_page_ms_p50": round(statistics.median(latencies), 1),
            "alert_to_first_page_ms_p99": round(_percentile(latencies, 0.99), 1),
            "alert_to_first_page_samples": len(latencies),
            "state_transitions_per_escalated_incident": transitions["transitions"],
            "escalation_step_invocations_per_incident": step_invocations,
            "usd_per_escalated_incident_excluding_messages": round(cost, 6),
        }
    finally:
        platform.stop()


def _transitions_of_a_full_walk(api: httpx.Client, platform: object, sfn: object) -> dict[str, int]:
    """Walk the demo's default policy to its end (nobody acknowledges) and count what Step Functions bills."""
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
    return {"transitions": transitions, "task_states": tasks}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
