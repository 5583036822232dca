"""Soak: mixed traffic against `klaxon up` for a long while (30 minutes by `make soak`), printing each
minute the platform's resident memory and p50/p99 per route, so growth shows before it hurts.

Traffic each second, at a fixed rate whatever the answers' speed (an open loop, as real senders are):
alerts (a new incident now and then, one in twenty of them public; duplicates otherwise), and readers that
list incidents, read one and its timeline, and acknowledge or resolve it. `klaxon up` runs as a process of
its own, as users run it: its RSS is the platform's alone, and the load generator does not compete with it
for the interpreter lock. A SIGTERM to the benchmark stops it too.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "soak-token"
KEY = "KLAXON-DEMO-PAYMENTS-KEY-0000001"
DEFAULT_SECONDS = 1800  # `make soak`; `make bench` runs a short one (SOAK_SECONDS)
ALERTS_PER_SECOND = 8
NEW_INCIDENT_EVERY = 4  # one alert in this many opens an incident; the rest are duplicates
PUBLIC_EVERY = 20  # one new incident in this many is public
READERS = 2
READS_PER_SECOND = 2  # per reader: one list, one incident, its timeline and maybe an ack or resolve each
BANNER = re.compile(r"Klaxon is up on (http://\S+)")
STARTUP_TIMEOUT = 120


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process so far (utime and stime of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {}
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p99_ms": round(p99 * 1000, 1)}


class Soak:
    def __init__(self, url: str) -> None:
        self.api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        self.ingest = httpx.Client(base_url=url, timeout=60)
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.keys: list[str] = []
        self.lock = threading.Lock()
        self.rng = random.Random(7)

    def _timed(self, route: str, call) -> httpx.Response | None:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            response = call()
        except httpx.HTTPError:
            response = None
        with self.lock:
            self.timings[route].append(time.perf_counter() - started)
            if response is None or response.status_code >= 500:
                self.errors[route] += 1
        return response

    def alerts(self, n: int) -> None:
        for _ in range(n):
            with self.lock:
                if not self.keys or self.rng.randrange(NEW_INCIDENT_EVERY) == 0:
                    self.keys.append(f"soak-{len(self.keys)}")
                key = self.rng.choice(self.keys[-50:])
            # Most incidents internal (info: P4, never on the status page), one in PUBLIC_EVERY public
            # (warning: P3, on the Payments component), as a status page sees far fewer than on-call does.
            public = int(key.rpartition("-")[2]) % PUBLIC_EVERY == 0
            event = {
                "routing_key": KEY,
                "event_action": "trigger",
                "dedup_key": key,
                "payload": {
                    "summary": f"soak {key}",
                    "source": "soak",
                    "severity": "warning" if public else "info",
                },
            }
            self._timed("POST /v2/enqueue", lambda event=event: self.ingest.post("/v2/enqueue", json=event))

    def change_one(self) -> None:
        listed = self._timed("GET /v1/incidents", lambda: self.api.get("/v1/incidents", params={"limit": 25}))
        if listed is None or listed.status_code != 200:
            return
        incidents = listed.json()["incidents"]
        if not incidents:
            return
        target = self.rng.choice(incidents)
        path = f"/v1/incidents/{target['id']}"
        self._timed("GET /v1/incidents/{id}", lambda: self.api.get(path))
        self._timed("GET /v1/incidents/{id}/timeline", lambda: self.api.get(f"{path}/timeline"))
        if target["status"] == "triggered":
            self._timed("POST /v1/incidents/{id}/acknowledge", lambda: self.api.post(f"{path}/acknowledge"))
        elif target["status"] == "acknowledged":
            self._timed("POST /v1/incidents/{id}/resolve", lambda: self.api.post(f"{path}/resolve"))

    def minute(self) -> dict[str, object]:
        with self.lock:
            timings, self.timings = self.timings, defaultdict(list)
        return {
            route: _percentiles(samples) | {"n": len(samples)} for route, samples in sorted(timings.items())
        }


def _start_klaxon_up(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    command = [sys.executable, "-m", "klaxon.cli", "up", "--ephemeral", "--port", "0"]
    command += ["--config", str(ROOT / "examples" / "acme.yaml"), "--rate-limit-scale", "1000"]
    with log.open("wb") as out:
        env = {**os.environ, "KLAXON_API_TOKEN": TOKEN}
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if (found := BANNER.search(log.read_text(errors="replace"))) is not None:
            return process, found.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"`klaxon up` did not come up:\n{log.read_text(errors='replace')[-3000:]}")


def _every(period: float, stop: threading.Event, step) -> None:  # type: ignore[no-untyped-def]
    """Call `step` every `period` seconds until `stop`, without drifting, skipping a beat that is overdue."""
    due = time.monotonic()
    while not stop.is_set():
        step()
        due += period
        delay = due - time.monotonic()
        if delay < 0:
            due = time.monotonic()
        stop.wait(max(0.0, delay))


def _soak(seconds: int) -> dict[str, object]:
    import signal
    import tempfile

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # runs the `finally` below: klaxon up stops too
    log = Path(tempfile.mkdtemp(prefix="klaxon-soak-")) / "klaxon-up.log"
    process, url = _start_klaxon_up(log)
    soak = Soak(url)
    minutes: list[dict[str, object]] = []
    started = time.monotonic()
    next_report, cpu_before = started + 60, _cpu_seconds(process.pid)
    stop = threading.Event()
    readers = [
        threading.Thread(target=_every, args=(1 / READS_PER_SECOND, stop, soak.change_one), daemon=True)
        for _ in range(READERS)
    ]
    try:
        for thread in readers:
            thread.start()
        while (now := time.monotonic()) - started < seconds:
            soak.alerts(ALERTS_PER_SECOND)
            time.sleep(max(0.0, 1.0 - (time.monotonic() - now)))
            if time.monotonic() >= next_report or time.monotonic() - started >= seconds:
                cpu, cpu_before = _cpu_seconds(process.pid) - cpu_before, _cpu_seconds(process.pid)
                report = {
                    "minute": len(minutes) + 1,
                    "rss_mb": _rss_mb(process.pid),
                    "cpu_percent": round(cpu / 60 * 100),  # of one core: the interpreter lock caps it at 100
                    "routes": soak.minute(),
                }
                minutes.append(report)
                print(report, file=sys.stderr, flush=True)
                next_report += 60
        stop.set()
        for thread in readers:
            thread.join(60)
        incidents = len(soak.keys)
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
    first, last = minutes[0], minutes[-1]
    listed = last["routes"].get("GET /v1/incidents", {})  # type: ignore[union-attr]
    return {
        "soak_seconds": seconds,
        "soak_incidents_opened": incidents,
        "soak_rss_mb_first_minute": first["rss_mb"],
        "soak_rss_mb_last_minute": last["rss_mb"],
        "soak_rss_mb_max": max(float(m["rss_mb"]) for m in minutes),  # type: ignore[arg-type]
        "soak_list_incidents_last_minute": listed,
        "soak_server_errors": dict(soak.errors),
        "soak_minutes": minutes,
    }


def run() -> dict[str, object]:
    """In a process of its own, apart from what earlier benchmarks left behind."""
    seconds = os.environ.get("SOAK_SECONDS", "120")
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_soak"],
        env={**os.environ, "SOAK_SECONDS": seconds},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    sys.stderr.write(done.stderr[-2000:])
    found: dict[str, object] = json.loads(done.stdout)
    return found


def _record(key: str, figures: dict[str, object]) -> None:
    """`make soak`: keep the long run's figures in bench/results.json beside `make bench`'s short one."""
    results = ROOT / "bench" / "results.json"
    found = json.loads(results.read_text()) if results.exists() else {}
    found[key] = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **figures}
    results.write_text(json.dumps(found, indent=2) + "\n")


if __name__ == "__main__":
    figures = _soak(int(os.environ.get("SOAK_SECONDS", str(DEFAULT_SECONDS))))
    if key := os.environ.get("SOAK_RECORD_AS"):
        _record(key, figures)
    print(json.dumps(figures, indent=2))
