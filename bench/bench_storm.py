"""An alert storm through the local platform's HTTP API (events per second), and the decision per alert:
grouping, maintenance and inhibition alone, and with the 500 routing rules of bench_routing before them."""

from __future__ import annotations

import json
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
KEY = "KLAXON-DEMO-PAYMENTS-KEY-0000001"


def _send_all(url: str, shares: list[list[dict[str, object]]]) -> list[int]:
    """Each share posted in order by a sender of its own (keep-alive); every response's status."""

    def send(share: list[dict[str, object]]) -> list[int]:
        with httpx.Client(base_url=url, timeout=60.0) as client:
            return [client.post("/v2/enqueue", json=body).status_code for body in share]

    with ThreadPoolExecutor(max_workers=max(1, len(shares))) as pool:
        return [status for got in pool.map(send, shares) for status in got]


def _storm(events: int, keys: int, senders: int) -> dict[str, object]:
    from klaxon.local.platform import LocalPlatform, Options

    # The alert path at full speed, not 429s: limits far above what the benchmark sends.
    platform = LocalPlatform(
        Options(config=ROOT / "examples" / "acme.yaml", port=0, rate_limit_scale=1000.0)
    ).start()
    try:
        bodies = [
            {
                "routing_key": KEY,
                "event_action": "trigger",
                "dedup_key": f"storm-{n % keys}",
                # Low urgency: this measures the alert path; escalation is bench_escalation's.
                "payload": {"summary": f"storm {n}", "source": "bench", "severity": "warning"},
            }
            for n in range(events)
        ]
        shares = [bodies[i::senders] for i in range(senders)]
        # The senders are the monitoring tools, not the platform: they run in a process of their own, as
        # they would, so their HTTP clients do not take the platform's interpreter lock.
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as tools:
            tools.submit(_send_all, platform.url, []).result()  # started and importing, before the clock
            invoked = platform.invoker.invocations["router"]
            started = time.perf_counter()
            statuses = tools.submit(_send_all, platform.url, shares).result()
            accepted = time.perf_counter() - started
            assert platform.drain(timeout=600)
            routed = time.perf_counter() - started  # the last event's incident final: nothing left to run
        return {
            "storm_events": events,
            "storm_dedup_keys": keys,
            "storm_senders": senders,
            "storm_http_events_per_second": round(events / accepted, 1),
            "storm_routed_events_per_second": round(events / routed, 1),
            "storm_settle_s": round(routed, 1),  # from the first event sent to every incident final
            "storm_non_202": sum(1 for s in statuses if s != 202),
            "storm_dead_letters": len(platform.invoker.dead_letters),
            # The alerts queue's batches (issue 14 §6): one invocation per batch, not per event.
            "storm_router_invocations": platform.invoker.invocations["router"] - invoked,
            "storm_router_batch_mean": round(statistics.mean(platform.queues["route-alerts"].batches), 2),
        }
    finally:
        platform.stop()


def _decisions(alerts: int, rules: int, windows: int) -> dict[str, object]:
    """What noise control decides for one alert with nothing to read: its group key, the maintenance windows
    on now for its service, and the inhibition rules that could mute it."""
    from bench.bench_routing import RULES as ROUTING_RULES
    from bench.bench_routing import rules as routing_rules
    from klaxon.domain.incident.models import Alert, AlertAction, Severity
    from klaxon.domain.intake.routing import compile_rules, decide
    from klaxon.domain.noise.grouping import GroupRule, alert_labels
    from klaxon.domain.noise.inhibition import InhibitionRule, rules_targeting
    from klaxon.domain.noise.maintenance import MaintenanceWindow, active_windows
    from klaxon.services.noise.control import NoiseControl, NoiseSettings

    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    services = ["checkout", "payments", "search", "platform"]
    settings = NoiseSettings(
        grouping={
            s: GroupRule(service=s, group_by=("alertname", "region"), window=timedelta(minutes=5))
            for s in services
        },
        inhibition=tuple(
            InhibitionRule(
                source_match={"alertname": f"down-{i}"},
                target_match={"team": f"t{i % 40}"},
                equal=("region",),
            )
            for i in range(rules)
        ),
        windows=tuple(
            MaintenanceWindow(
                id=f"w{i}",
                name="weekly",
                services=(services[i % 4],),
                start=now - timedelta(days=i % 7, hours=1),
                end=now - timedelta(days=i % 7),
                rrule="FREQ=WEEKLY",
                time_zone="Europe/Berlin",
            )
            for i in range(windows)
        ),
    )
    noise = NoiseControl(incidents=None, settings=lambda: settings, stored_windows=lambda now: [], clock=None)  # type: ignore[arg-type]
    batch = [
        Alert(
            id=f"a{i}",
            action=AlertAction.TRIGGER,
            dedup_key=f"k{i}",
            service=services[i % 4],
            integration="bench",
            source_kind="alertmanager",
            received_at=now,
            severity=Severity.CRITICAL,
            labels={"alertname": f"A{i % 30}", "region": f"r{i % 3}", "team": f"t{i % 50}"},
        )
        for i in range(alerts)
    ]
    routing = compile_rules(routing_rules())
    noise_only, with_routing = [], []
    for alert in batch:
        began = time.perf_counter_ns()
        decide(routing, alert)  # ingest: the integration's routing rules
        routed = time.perf_counter_ns()
        noise.group(alert)  # router: the group key, the windows on now, the rules that could mute it
        active_windows(settings.windows, alert.service, now)
        rules_targeting(settings.inhibition, alert_labels(alert))
        done = time.perf_counter_ns()
        noise_only.append(done - routed)
        with_routing.append(done - began)
    noise_only.sort()
    with_routing.sort()
    return {
        "noise_decision_alerts": alerts,
        "noise_decision_inhibition_rules": rules,
        "noise_decision_maintenance_windows": windows,
        "noise_decision_median_us": round(statistics.median(noise_only) / 1e3, 1),
        "noise_decision_p99_us": round(noise_only[int(len(noise_only) * 0.99)] / 1e3, 1),
        "routing_rules": ROUTING_RULES,
        "routing_and_grouping_decision_median_us": round(statistics.median(with_routing) / 1e3, 1),
        "routing_and_grouping_decision_p99_us": round(with_routing[int(len(with_routing) * 0.99)] / 1e3, 1),
    }


def run(events: int = 2000, keys: int = 20, senders: int = 8) -> dict[str, object]:
    return {**_decisions(2000, rules=50, windows=20), **_storm(events, keys, senders)}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
