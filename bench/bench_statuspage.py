"""The status page: a full render with 50 components and 1,000 past incidents; the bytes a visitor loads."""

from __future__ import annotations

import statistics
import time

from statuspage_site import render
from tests.unit.statuspage.big import large_snapshot
from tests.unit.statuspage.factories import NOW


def _sizes(files: dict[str, bytes]) -> tuple[int, int, int]:
    css = sum(len(body) for path, body in files.items() if path.endswith(".css"))
    largest = max(len(body) for path, body in files.items() if path.endswith(".html"))
    return len(files["index.html"]), css, largest


def run(renders: int = 5) -> dict[str, object]:
    snapshot = large_snapshot()  # 50 components in 5 groups, 1,000 incidents over three years
    timings = []
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
        "files": len(files),
        "index_bytes": index,
        "stylesheet_bytes": css,
        "index_with_css_bytes": index + css,
        "largest_html_bytes": largest,
        "index_bytes_1000_incidents_in_one_year": busy_index,
        "summary_json_bytes": len(files["api/v2/summary.json"]),
    }
