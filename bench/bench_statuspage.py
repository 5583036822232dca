"""The status page: a full render with 50 components and 1,000 past incidents; the bytes a visitor loads; and
how often the local platform renders it during a storm of public incidents (issue 14 §3: at most once a
second, where it was once per event)."""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from statuspage_site import render
from tests.unit.statuspage.big import large_snapshot
from tests.unit.statuspage.factories import NOW

ROOT = Path(__file__).resolve().parent.parent
KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"  # checkout: a component of the demo's status page
STORM_EVENTS, STORM_KEYS, STORM_SENDERS = 400, 20, 8


def _storm_renders() -> dict[str, object]:
    """Critical alerts (P1 incidents: public) on 20 keys from 8 senders; every render of the site counted."""
    import statuspage_site
    from klaxon.local.platform import LocalPlatform, Options

    starts: list[float] = []
    lock = threading.Lock()
    original = statuspage_site.render

    def counted(snapshot, now):  # type: ignore[no-untyped-def]
        with lock:
            starts.append(now.timestamp())  # the render's time, as the publishers' mark records it
        return original(snapshot, now)

    platform = LocalPlatform(
        Options(config=ROOT / "examples" / "acme.yaml", port=0, rate_limit_scale=1000.0)
    ).start()
    statuspage_site.render = counted  # type: ignore[assignment]
    try:
        bodies = [
            {
                "routing_key": KEY,
                "event_action": "trigger",
                "dedup_key": f"public-storm-{n % STORM_KEYS}",
                "payload": {
                    "summary": f"checkout down {n % STORM_KEYS}",
                    "source": "bench",
                    "severity": "critical",
                },
            }
            for n in range(STORM_EVENTS)
        ]
        with (
            ThreadPoolExecutor(STORM_SENDERS) as pool,
            httpx.Client(base_url=platform.url, timeout=60) as client,
        ):
            list(pool.map(lambda body: client.post("/v2/enqueue", json=body).raise_for_status(), bodies))
        assert platform.drain(timeout=600)
        invocations = platform.invoker.invocations["statuspage_publish"]
    finally:
        statuspage_site.render = original  # type: ignore[assignment]
        platform.stop()
    busiest = max((sum(1 for t in starts if s <= t < s + 1) for s in starts), default=0)
    return {
        "storm_public_incidents": STORM_KEYS,
        "publish_invocations_during_storm": invocations,
        "renders_during_storm": len(starts),
        "renders_in_busiest_second_of_storm": busiest,
    }


def _sizes(files: dict[str, bytes]) -> tuple[int, int, int]:
    css = sum(len(body) for path, body in files.items() if path.endswith(".css"))
    largest = max(len(body) for path, body in files.items() if path.endswith(".html"))
    return len(files["index.html"]), css, largest


def run(renders: int = 5) -> dict[str, object]:
    from statuspage_site import pages

    snapshot = large_snapshot()  # 50 components in 5 groups, 1,000 incidents over three years
    pages._incident_pages.clear()  # a publisher's first render (a cold container): every page
    began = time.perf_counter()
    render(snapshot, NOW)
    cold_ms = (time.perf_counter() - began) * 1000
    timings = []  # the same publisher again (warm): resolved incidents' pages are kept
    for _ in range(renders):
        began = time.perf_counter()
        files = render(snapshot, NOW)
        timings.append((time.perf_counter() - began) * 1000)
    index, css, largest = _sizes(files)
    # The same 1,000 incidents packed into one year: four times as many bad days on the 90-day bars.
    busy_index, _, _ = _sizes(render(large_snapshot(days=365), NOW))
    return {
        "components": len(snapshot.components),
        "incidents": len(snapshot.incidents),
        "render_ms": round(statistics.median(timings), 1),
        "render_ms_cold": round(cold_ms, 1),
        "files": len(files),
        "index_bytes": index,
        "stylesheet_bytes": css,
        "index_with_css_bytes": index + css,
        "largest_html_bytes": largest,
        "index_bytes_1000_incidents_in_one_year": busy_index,
        "summary_json_bytes": len(files["api/v2/summary.json"]),
        **_storm_renders(),
    }
