"""The alert pipeline in-process: DynamoDB writes per alert (counted by the emulated DynamoDB), throughput."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"


def _event(dedup_key: str, n: int) -> dict[str, object]:
    body = {
        "routing_key": KEY,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        # Low urgency: this measures the alert path alone; escalation is measured by bench_escalation.
        "payload": {"summary": f"bench alert {n}", "source": "bench", "severity": "warning"},
    }
    from klaxon.local.gateway import proxy_event

    return proxy_event(
        "POST", "/v2/enqueue", {"Content-Type": "application/json"}, json.dumps(body).encode(), "127.0.0.1"
    )


def run(alerts: int = 1000, keys: int = 50) -> dict[str, object]:
    from klaxon.local.platform import LocalPlatform, Options

    # The alert path at full speed, not 429s: limits far above what the benchmark sends.
    platform = LocalPlatform(
        Options(config=ROOT / "examples" / "acme.yaml", port=0, rate_limit_scale=1000.0)
    ).start()
    try:
        from klaxon import wiring

        writes = _writes(wiring.container().router_service)
        events = [_event(f"key-{i % keys}", i) for i in range(alerts)]
        started = time.perf_counter()
        for event in events:
            response = platform.invoker.invoke("ingest", event)
            assert response["statusCode"] == 202, response
        accepted = time.perf_counter() - started
        assert platform.drain(timeout=300)
        total = time.perf_counter() - started
        return {
            **writes,
            "pipeline_alerts": alerts,
            "pipeline_dedup_keys": keys,
            "ingest_alerts_per_second": round(alerts / accepted, 1),
            "pipeline_alerts_per_second": round(alerts / total, 1),
            "pipeline_dead_letters": len(platform.invoker.dead_letters),
        }
    finally:
        platform.stop()


def _writes(router: Any) -> dict[str, object]:
    """What the router's writes cost, counted by the emulated DynamoDB: requests, and the write units AWS
    bills by the size of each item written (before and after)."""
    from klaxon.domain.incident.models import AlertAction
    from klaxon.local.emulation import METER
    from klaxon.services.incident.alert_batch import route_batch

    def alert(n: int, key: str) -> Any:  # ids shaped as ingest's: 32 hex digits
        return low_urgency_alert(hashlib.sha256(f"bench-{key}-{n}".encode()).hexdigest()[:32], key)

    def measured(route: Any) -> tuple[int, int]:
        METER.reset()
        route()
        return METER.writes_here(), METER.write_units_here()

    METER.sizing = True
    try:
        new_incident = measured(lambda: router.route(alert(0, "writes-probe")))
        duplicate = measured(lambda: router.route(alert(1, "writes-probe")))
        # A batch from the alerts queue holding ten more of the key: they fold into one write.
        in_batch, _ = measured(lambda: route_batch(router, [alert(n, "writes-probe") for n in range(2, 12)]))
        # An incident remembers its alerts' ids (up to 2 x 1,000, for redeliveries) in its own item, and
        # every write to it is billed by the item's whole size: a duplicate's cost grows with the incident.
        units_at, routed = {}, 12
        for count in (50, 1000):
            joined = route_batch(router, [alert(n, "writes-probe") for n in range(routed, count)])
            assert all(not isinstance(result, Exception) for result in joined), joined
            _, units_at[count] = measured(lambda: router.route(alert(count, "writes-probe")))  # noqa: B023
            routed = count + 1
        # An incident of 50 alerts acknowledged and resolved by its monitoring tool (an update and a
        # timeline entry each).
        route_batch(router, [alert(n, "acknowledge-probe") for n in range(50)])
        actions = (AlertAction.ACKNOWLEDGE, AlertAction.RESOLVE)
        _, closing = measured(
            lambda: [
                router.route(alert(50 + n, "acknowledge-probe").model_copy(update={"action": action}))
                for n, action in enumerate(actions)
            ]
        )
    finally:
        METER.sizing = False
    return {
        "ddb_writes_per_new_incident": new_incident[0],
        "ddb_writes_per_duplicate_alert": duplicate[0],
        "ddb_writes_per_duplicate_alert_in_a_batch_of_10": in_batch / 10,
        "ddb_write_units_per_new_incident": new_incident[1],
        "ddb_write_units_per_duplicate_alert": duplicate[1],
        "ddb_write_units_per_duplicate_alert_at_50_alerts": units_at[50],
        "ddb_write_units_per_duplicate_alert_at_1000_alerts": units_at[1000],
        "ddb_write_units_to_acknowledge_and_resolve_at_50_alerts": closing,
    }


def low_urgency_alert(alert_id: str, key: str) -> Any:
    """A checkout alert at warning severity: low urgency, so nothing escalates beside what is measured."""
    from datetime import UTC, datetime

    from klaxon.domain.incident.models import Alert, AlertAction, Severity

    return Alert(
        id=alert_id,
        action=AlertAction.TRIGGER,
        dedup_key=key,
        service="checkout",
        integration="checkout-events",
        source_kind="pagerduty",
        received_at=datetime.now(UTC),
        summary="bench",
        severity=Severity.WARNING,
    )


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
