"""Cold import time of each Lambda entry point, against `import boto3` measured in the same run, and
against the floor every HTTP function stands on (bench/import_floor.py).

Each import runs in a fresh interpreter that sees only the functions' own dependencies
(`[project.dependencies]`, installed for this interpreter into build/import-env: the packages `make layer`
installs for Lambda, built for this machine's Python rather than arm64 and 3.12) and not the development
venv: installed there, rich, click and pygments (for the tests' tools) are imported by httpx for its
command line, ~27 ms that no function pays in Lambda."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = ROOT / "build" / "import-env"
RUNS = 5
ON_THE_FLOOR = ("ingest", "api", "tracker_webhooks")  # the functions on Powertools' resolver (import_floor)


def runtime_packages() -> Path:
    """build/import-env holding `[project.dependencies]` alone, installed again when they change or this
    interpreter does (compiled packages are built for one)."""
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    label = "\n".join([sys.implementation.cache_tag, sysconfig.get_platform(), *wanted])
    stamp = ENV / ".requirements"
    if not stamp.exists() or stamp.read_text() != label:
        shutil.rmtree(ENV, ignore_errors=True)
        pip = [sys.executable, "-m", "pip", "install", "-qq", "--disable-pip-version-check"]
        subprocess.run([*pip, "--target", str(ENV), *wanted], check=True)
        stamp.write_text(label)
    return ENV


def _import_us(module: str) -> int:
    """Cumulative microseconds of importing `module` in a fresh interpreter (`python -X importtime`)."""
    # Any value of PYTHONDONTWRITEBYTECODE, "0" too, stops Python writing .pyc files, and every run would
    # then compile the sources again: a deployed package ships its bytecode.
    # -S: no site-packages of this venv; the path is the functions' dependencies and the repository.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    path = os.pathsep.join([str(runtime_packages()), str(ROOT)])
    env.update(AWS_DEFAULT_REGION="us-east-1", PYTHONPATH=path)
    result = subprocess.run(
        [sys.executable, "-S", "-X", "importtime", "-c", f"import {module}"],
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
    floor = median_ms("bench.import_floor")
    per_function = {name: median_ms(f.handler.rpartition(".")[0]) for name, f in FUNCTIONS.items()}
    worst = max(per_function.values())
    worst_on_floor = max(per_function[name] for name in ON_THE_FLOOR)
    return {
        "import_ms_boto3_baseline": baseline,
        "import_ms_http_floor": floor,
        "import_ms_http_floor_over_boto3": round(floor / baseline, 2),
        "import_ms": per_function,
        "import_ms_worst_over_boto3": round(worst / baseline, 2),
        "import_ms_worst_resolver_function_over_http_floor": round(worst_on_floor / floor, 2),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
