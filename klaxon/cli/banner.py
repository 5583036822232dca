"""What `klaxon up` prints once the platform is up: where everything is, and how to try it."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Banner:
    url: str
    config: Path | None
    time_scale: float
    api_token: str
    klaxon: str  # how to run the `klaxon` command from here, e.g. `.venv/bin/klaxon`
    state: str  # one line: where state is kept, and what a restart found
    pagerduty_key: str | None  # a PagerDuty Events v2 integration key of the config, for the curl
    next_number: int  # the number the next incident gets


def try_it_curl(url: str, key: str) -> str:
    """One curl that triggers a critical incident, as any PagerDuty Events v2 sender would post it."""
    event = {
        "routing_key": key,
        "event_action": "trigger",
        "dedup_key": "try-it",
        "payload": {"summary": "Checkout is down (a try)", "source": "try-it", "severity": "critical"},
    }
    return (
        f"curl -s {url}/v2/enqueue -H 'Content-Type: application/json' "
        f"-d {shlex.quote(json.dumps(event, separators=(',', ':')))}"
    )


def lines(banner: Banner) -> list[str]:
    url, klaxon = banner.url, banner.klaxon
    out = [
        f"Klaxon is up on {url}  (config: {banner.config}, time scale: {banner.time_scale:g})",
        f"  state         {banner.state}",
        f"  health        {url}/healthz",
        f"  incidents     {url}/v1/incidents",
        f"  OpenAPI       {url}/v1/openapi.json",
        f"  status page   {url}/status/  (Statuspage JSON at {url}/api/v2/summary.json)",
        f"  PagerDuty v2  {url}/v2/enqueue",
        f"  Alertmanager  {url}/v1/integrations/alertmanager",
        f"  API token     {banner.api_token}",
        "",
        "Try it, in another shell:",
    ]
    if banner.pagerduty_key is None:
        out.append("  (the configuration has no `pagerduty` integration to send a test alert to)")
    else:
        out.append(f"  {try_it_curl(url, banner.pagerduty_key)}")
    number = banner.next_number
    out += [
        f"  export KLAXON_API={url} KLAXON_API_TOKEN={shlex.quote(banner.api_token)}",
        f"  {klaxon} watch {number}      # follow incident #{number}: every page as it goes out",
        f"  {klaxon} ack {number}        # acknowledge it: paging stops",
        f"  {klaxon} resolve {number}",
        "Every page sent is printed below. Ctrl-C to stop.",
    ]
    return out
