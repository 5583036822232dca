"""What `klaxon up` prints: the URLs, the token, where state is kept, and a try-it block that works."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from klaxon.cli.banner import Banner, lines, try_it_curl


def banner(**changes: object) -> Banner:
    fields: dict[str, object] = {
        "url": "http://127.0.0.1:8080",
        "config": Path("examples/acme.yaml"),
        "time_scale": 1.0,
        "api_token": "klaxon-dev-token",
        "klaxon": ".venv/bin/klaxon",
        "state": "kept in .klaxon/ (nothing there yet)",
        "pagerduty_key": "KLAXON-DEMO-CHECKOUT-KEY-0000001",
        "next_number": 7,
    }
    return Banner(**{**fields, **changes})  # type: ignore[arg-type]


def test_the_curl_posts_a_valid_events_v2_trigger_with_the_configured_key() -> None:
    words = shlex.split(try_it_curl("http://h:1", "KEY-0123456789ABCDEF"))
    assert words[:3] == ["curl", "-s", "http://h:1/v2/enqueue"]
    event = json.loads(words[words.index("-d") + 1])
    assert event["routing_key"] == "KEY-0123456789ABCDEF"
    assert event["event_action"] == "trigger"
    assert event["payload"]["severity"] == "critical"
    assert {"summary", "source"} <= set(event["payload"])


def test_the_block_names_the_token_the_state_and_the_commands_for_the_next_incident() -> None:
    text = "\n".join(lines(banner()))
    assert "API token     klaxon-dev-token" in text
    assert "state         kept in .klaxon/" in text
    assert "export KLAXON_API=http://127.0.0.1:8080 KLAXON_API_TOKEN=klaxon-dev-token" in text
    for command in ("watch 7", "ack 7", "resolve 7"):
        assert f".venv/bin/klaxon {command}" in text


def test_without_a_pagerduty_integration_it_says_so_instead_of_printing_a_broken_curl() -> None:
    text = "\n".join(lines(banner(pagerduty_key=None)))
    assert "curl" not in text
    assert "no `pagerduty` integration" in text
