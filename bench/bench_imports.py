"""Cold import time of each Lambda entry point, against `import boto3` measured in the same run."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def _import_us(module: str) -> int:
    """Cumulative microseconds of importing `module` in a fresh interpreter (`python -X importtime`)."""
    # Any value of PYTHONDONTWRITEBYTECODE, "0" too, stops Python writing .pyc files, and every run would
    # then compile the sources again: a deployed package ships its bytecode.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    pattern = re.compile(rf"^import time:\s+\d+ \|\s+(\d+) \| {re.escape(module)}$")
    for line in result.stderr.splitlines():
        match = pattern.match(line.strip()) or pattern.match(line)
        if match:
            return int(match.group(1))
    raise RuntimeError(f"no importtime line for {module}")


def median_ms(module: str) -> float:
    _import_us(module)  # warm the bytecode cache, as a deployed package ships .pyc files
    return round(statistics.median(_import_us(module) for _ in range(RUNS)) / 1000, 1)


def run() -> dict[str, object]:
    from klaxon.topology import FUNCTIONS

    baseline = median_ms("boto3")
    per_function = {name: median_ms(f.handler.rpartition(".")[0]) for name, f in FUNCTIONS.items()}
    return {
        "import_ms_boto3_baseline": baseline,
        "import_ms": per_function,
        "import_ms_worst_over_boto3": round(max(per_function.values()) / baseline, 2),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
