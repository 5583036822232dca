"""The alert pipeline in-process: DynamoDB writes per alert (counted by the emulated DynamoDB), throughput."""

from __future__ import annotations

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
    from klaxon.local.emulation import METER
    from klaxon.local.platform import LocalPlatform, Options

    # The alert path at full speed, not 429s: limits far above what the benchmark sends.
    platform = LocalPlatform(
        Options(config=ROOT / "examples" / "acme.yaml", port=0, rate_limit_scale=1000.0)
    ).start()
    try:
        from klaxon import wiring
        from klaxon.domain.incident.models import Alert

        def alert(n: int, key: str) -> Alert:
            return low_urgency_alert(f"bench-{key}-{n}", key)

        router = wiring.container().router_service
        METER.reset()
        router.route(alert(0, "writes-probe"))
        new_incident = METER.writes_here()
        METER.reset()
        router.route(alert(1, "writes-probe"))
        duplicate = METER.writes_here()
        # A batch from the alerts queue holding ten more of the key: they fold into one write.
        from klaxon.services.incident.alert_batch import route_batch

        METER.reset()
        route_batch(router, [alert(n, "writes-probe") for n in range(2, 12)])
        duplicate_in_batch = METER.writes_here() / 10

        events = [_event(f"key-{i % keys}", i) for i in range(alerts)]
        started = time.perf_counter()
        for event in events:
            response = platform.invoker.invoke("ingest", event)
            assert response["statusCode"] == 202, response
        accepted = time.perf_counter() - started
        assert platform.drain(timeout=300)
        total = time.perf_counter() - started
        return {
            "ddb_writes_per_new_incident": new_incident,
            "ddb_writes_per_duplicate_alert": duplicate,
            "ddb_writes_per_duplicate_alert_in_a_batch_of_10": duplicate_in_batch,
            "pipeline_alerts": alerts,
            "pipeline_dedup_keys": keys,
            "ingest_alerts_per_second": round(alerts / accepted, 1),
            "pipeline_alerts_per_second": round(alerts / total, 1),
            "pipeline_dead_letters": len(platform.invoker.dead_letters),
        }
    finally:
        platform.stop()


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
