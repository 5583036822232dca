"""Cold start of the two HTTP functions on the alert's and the API's path: the import and the first request,
in a fresh interpreter, against the least any function that reads DynamoDB pays (`import boto3`, a client,
one GetItem).

`bench_imports` times imports alone, and ingest and api make their AWS clients at their first call: what a
lazier import saves, the first request may pay. Here the first request is made too, as API Gateway's proxy
integration sends it. The child sees only the functions' own dependencies (build/import-env, as in
bench_imports) and reaches the emulated AWS of a local platform in this process over HTTP (moto's server
on the same backends, `AWS_ENDPOINT_URL`): local calls, not AWS's latency, so the figures compare
functions with each other and with the baseline, not with Lambda's."""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "klaxon-dev-token"
KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"
RUNS = 5

# The child: import the function, then answer one request, each timed (ms) as a process's first.
_CHILD = """
import json, sys, time
started = time.perf_counter()
module = __import__(sys.argv[1], fromlist=["handler"])
imported = time.perf_counter()

class Context:
    function_name = sys.argv[1]
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + sys.argv[1]
    memory_limit_in_mb = 512
    aws_request_id = "cold-start"
    log_group_name = log_stream_name = "cold-start"
    def get_remaining_time_in_millis(self):
        return 30000

answer = module.handler(json.loads(sys.argv[2]), Context())
answered = time.perf_counter()
print(json.dumps({"import_ms": (imported - started) * 1000, "first_request_ms": (answered - imported) * 1000,
                  "status": answer.get("statusCode")}))
"""
_BASELINE = """
import json, sys, time
started = time.perf_counter()
import boto3
imported = time.perf_counter()
boto3.client("dynamodb").get_item(TableName=sys.argv[1], Key={"id": {"S": "cold-start"}})
answered = time.perf_counter()
print(json.dumps({"import_ms": (imported - started) * 1000, "first_request_ms": (answered - imported) * 1000,
                  "status": 200}))
"""


def _function_environment() -> dict[str, str]:
    """What the platform's functions are configured with (its tables, bus, secrets), as Lambda's environment
    variables carry it in AWS."""
    from klaxon import wiring

    named = wiring.container().settings.model_dump(by_alias=True, exclude_none=True)
    return {name: str(value) for name, value in named.items() if name.startswith("KLAXON_")}


def _child(code: str, endpoint: str, *args: str) -> dict[str, Any]:
    from bench.bench_imports import runtime_packages

    # Nothing of this shell's environment but what runs a program: a developer's SLACK_BOT_TOKEN or
    # TRACKER_CREDENTIALS would change what the function does (and reach a process that needs none).
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
    env.update(
        _function_environment(),
        PYTHONPATH=os.pathsep.join([str(runtime_packages()), str(ROOT)]),
        AWS_ENDPOINT_URL=endpoint,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    command = [sys.executable, "-S", "-c", code, *args]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    if done.returncode:
        raise RuntimeError(f"{args[0]}: {done.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _figures(runs: list[dict[str, Any]]) -> dict[str, float]:
    assert all(r["status"] < 300 for r in runs), runs
    figures = {
        key: round(statistics.median(r[key] for r in runs), 1) for key in ("import_ms", "first_request_ms")
    }
    return {**figures, "total_ms": round(figures["import_ms"] + figures["first_request_ms"], 1)}


def _rounds(
    platform: Any, endpoint: str, targets: dict[str, tuple[str, list[str]]]
) -> dict[str, dict[str, float]]:
    """RUNS rounds of every target in turn (after one that writes the bytecode, as a deployed package ships
    it), each child started on a quiet platform: an alert ingest accepted is routed by this process, and
    routed beside the next child it would slow that child's start."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
    for round_ in range(RUNS + 1):
        for name, (code, args) in targets.items():
            assert platform.drain(60)
            found = _child(code, endpoint, *args)
            if round_:
                runs[name].append(found)
    return {name: _figures(found) for name, found in runs.items()}


def _events() -> dict[str, dict[str, Any]]:
    from klaxon.local.gateway import proxy_event

    alert = {
        "routing_key": KEY,
        "event_action": "trigger",
        "dedup_key": "cold-start",
        "payload": {"summary": "cold start probe", "source": "bench", "severity": "warning"},
    }
    json_type = {"Content-Type": "application/json"}
    return {
        "functions.ingest": proxy_event(
            "POST", "/v2/enqueue", json_type, json.dumps(alert).encode(), "127.0.0.1"
        ),
        "functions.api": proxy_event(
            "GET", "/v1/incidents?limit=25", {"Authorization": f"Bearer {TOKEN}"}, b"", "127.0.0.1"
        ),
    }


def run() -> dict[str, object]:
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    from klaxon.adapters.tables import table_name
    from klaxon.local.platform import LocalPlatform, Options

    platform = LocalPlatform(
        Options(config=ROOT / "examples" / "acme.yaml", port=0, api_token=TOKEN, rate_limit_scale=1000.0)
    ).start()
    try:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per emulated call
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            targets = {"boto3_get_item": (_BASELINE, [table_name("incidents")])}
            for module, event in _events().items():
                targets[module.removeprefix("functions.")] = (_CHILD, [module, json.dumps(event)])
            found = _rounds(platform, f"http://{host}:{port}", targets)
        finally:
            server.stop()
    finally:
        platform.stop()
    baseline = found.pop("boto3_get_item")
    worst = max(f["total_ms"] for f in found.values())
    return {
        "cold_start_boto3_get_item": baseline,
        "cold_start": found,
        "cold_start_worst_over_boto3_get_item": round(worst / baseline["total_ms"], 2),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
