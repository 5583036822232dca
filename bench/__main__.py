"""`make bench`: run every benchmark, write bench/results.json and print it."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITES = [
    "bench_pipeline",
    "bench_imports",
    "bench_coldstart",
    "bench_schedule",
    "bench_escalation",
    "bench_statuspage",
    "bench_routing",
    "bench_storm",
    "bench_chat",
    "bench_growth",
    "bench_sla",
    "bench_soak",  # two minutes here (SOAK_SECONDS); `make soak` runs thirty
]


def machine() -> dict[str, object]:
    """What the figures were measured on. `cpu_reference_ms` times one fixed piece of pure Python (best of
    5): the same machine gives very different figures from day to day (a shared host), and this says how
    fast it was that day, so two runs' figures can be compared."""
    import os
    import platform
    import timeit

    best = min(timeit.repeat("sum(i * i for i in range(100_000))", number=20, repeat=5)) / 20
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "cpu_reference_ms": round(best * 1000, 2),
    }


# One suite in an interpreter of its own: moto's backends, the heap and the threads an earlier suite's
# platform left behind made the later suites' figures slower (the router at 10,000 incidents: 23.1 ms after
# the other suites, 16.9 ms alone).
_ALONE = """
import importlib, json, sys
figures = importlib.import_module(f"bench.{sys.argv[1]}").run()
with open(sys.argv[2], "w") as out:
    json.dump(figures, out)
"""


def _run_alone(name: str) -> object:
    with tempfile.TemporaryDirectory() as scratch:
        figures = Path(scratch) / "figures.json"
        subprocess.run([sys.executable, "-c", _ALONE, name, str(figures)], cwd=HERE.parent, check=True)
        return json.loads(figures.read_text())


def main() -> int:
    results: dict[str, object] = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
    }
    for name in SUITES:
        if not (HERE / f"{name}.py").exists():
            continue
        started = time.perf_counter()
        results[name.removeprefix("bench_")] = _run_alone(name)
        print(f"{name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    pipeline, escalation = results.get("pipeline"), results.get("escalation")
    if isinstance(pipeline, dict) and isinstance(escalation, dict):
        from bench.cost_model import monthly

        results["cost_model_monthly"] = monthly(pipeline, escalation)
    earlier = HERE / "results.json"
    if earlier.exists() and "soak_long" in (kept := json.loads(earlier.read_text())):
        results["soak_long"] = kept["soak_long"]  # `make soak`'s thirty minutes, measured on their own
    earlier.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
