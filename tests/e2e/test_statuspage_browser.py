"""The status page in a real browser (Debian's Chromium, driven by Playwright) on a `klaxon up` of its own.

A critical checkout alert must turn the page red with an "Investigating" incident within seconds, and
resolving it must bring it back; the page must read the same with JavaScript off. Screenshots go to docs/.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest

from tests.conftest import DEMO_CONFIG, ROOT, require_program
from tests.e2e.support import KLAXON_UP, Platform, read_log, stop_process, unique, wait_for
from tests.unit.statuspage.shapes import DOCUMENTS, shape_problems

pytestmark = pytest.mark.e2e

TOKEN = "klaxon-dev-token"
CHECKOUT_KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"
# As the machine notes say: no GPU, no sandbox as root, and none of Chromium's own network chatter.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VISITOR_ZONE = "Asia/Tokyo"  # far from UTC, so the local time differs visibly
# The screenshots in docs/ are refreshed only on request, so `make test` leaves the tree clean.
SHOTS = ROOT / "docs" if os.environ.get("KLAXON_REFRESH_SCREENSHOTS") == "1" else None
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A `klaxon up` of this module's own: its page starts quiet, whatever other tests left open."""
    log_path = tmp_path_factory.mktemp("statuspage-up") / "output.log"
    env = {**os.environ, "KLAXON_API_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"}
    command = [*KLAXON_UP, "--config", str(DEMO_CONFIG), "--port", "0", "--ephemeral"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        banner = wait_for(
            lambda: (
                re.search(r"Klaxon is up on (http://\S+)", read_log(log_path)) or process.poll() is not None
            ),
            timeout=60,
            what="the `klaxon up` banner",
        )
        assert process.poll() is None, read_log(log_path)
        url = banner.group(1)
        with (
            httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10) as api,
            httpx.Client(base_url=url, timeout=10) as anonymous,
        ):
            yield Platform(url=url, api=api, anonymous=anonymous, log_path=log_path)
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = require_program("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def summary(platform: Platform) -> dict[str, Any]:
    response = platform.anonymous.get("/status/api/v2/summary.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def checkout(platform: Platform) -> str:
    return next(c["status"] for c in summary(platform)["components"] if c["id"] == "checkout")


def visit(
    browser: Any, url: str, *, javascript: bool = True, dark: bool = False, shot: str | None = None
) -> str:
    """What a visitor reads at `url` (the page's text), saving a full-page screenshot to docs/ if asked."""
    context = browser.new_context(
        java_script_enabled=javascript,
        timezone_id=VISITOR_ZONE,
        color_scheme="dark" if dark else "light",
        viewport={"width": 960, "height": 900},
    )
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    response = page.goto(url)
    assert response is not None and response.status == 200
    if shot and SHOTS is not None:
        page.screenshot(path=str(SHOTS / shot), full_page=True)
    text = page.inner_text("body")
    local_times = page.locator("span.local").count()
    context.close()
    assert errors == []
    return f"{text}\n[local times: {local_times}]"


@pytest.fixture(scope="module")
def incident(platform: Platform) -> dict[str, Any]:
    """A critical checkout alert, sent as any PagerDuty Events v2 client would, and its incident."""
    dedup_key = unique("checkout-5xx")
    event = {
        "routing_key": CHECKOUT_KEY,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {"summary": "Checkout 5xx above 5%", "source": "lb-1", "severity": "critical"},
    }
    assert platform.anonymous.post("/v2/enqueue", json=event).status_code == 202
    return platform.await_incident("checkout", dedup_key)


@pytest.fixture(scope="module")
def opened(platform: Platform, incident: dict[str, Any]) -> dict[str, Any]:
    """The page once the incident shows: within seconds of the alert."""
    wait_for(lambda: checkout(platform), lambda s: s == "major_outage", timeout=10, what="checkout down")
    return summary(platform)


def test_the_open_incident_turns_checkout_to_major_outage_within_seconds(opened):
    assert next(c["status"] for c in opened["components"] if c["id"] == "checkout") == "major_outage"


def test_summary_json_shows_the_investigating_incident(opened):
    assert [(i["name"], i["status"]) for i in opened["incidents"]] == [
        ("Major outage of Checkout", "investigating")
    ]


def test_the_page_shows_the_outage_and_the_investigating_update_with_local_times(browser, platform, opened):
    text = visit(browser, f"{platform.url}/status/", shot="statuspage-incident.png")
    assert "Major Service Outage" in text
    assert "Investigating - We are investigating problems with Checkout." in text
    assert "[local times: 0]" not in text


def test_without_javascript_the_page_says_the_same_in_utc_only(browser, platform, opened):
    text = visit(
        browser,
        f"{platform.url}/status/",
        javascript=False,
        dark=True,
        shot="statuspage-incident-dark-nojs.png",
    )
    assert "Major Service Outage" in text
    assert "Checkout\n✕ Major outage" in text
    assert "[local times: 0]" in text


def test_the_incident_has_a_permalink_page(browser, platform, opened):
    (public,) = opened["incidents"]
    text = visit(browser, f"{platform.url}/status/incidents/{public['id']}.html")
    assert "Major outage of Checkout" in text and "Ongoing since" in text


def feed(platform: Platform, name: str) -> ET.Element:
    return ET.fromstring(platform.anonymous.get(f"/status/{name}").content)


def test_the_rss_feed_carries_the_incident(platform, opened):
    items = feed(platform, "history.rss").findall("channel/item")
    assert [i.findtext("title") for i in items] == ["Major outage of Checkout"]


def test_the_atom_feed_carries_the_incident(platform, opened):
    entries = feed(platform, "history.atom").findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Major outage of Checkout"]


@pytest.mark.parametrize("path", sorted(DOCUMENTS))
def test_the_json_has_statuspage_fields_and_enums(platform, opened, path):
    assert shape_problems(path, platform.anonymous.get(f"/status/api/v2/{path}").json()) == []


@pytest.fixture(scope="module")
def resolved(platform: Platform, incident: dict[str, Any], opened: dict[str, Any]) -> dict[str, Any]:
    assert platform.api.post(f"/v1/incidents/{incident['id']}/resolve").status_code == 200
    wait_for(lambda: checkout(platform), lambda s: s == "operational", timeout=10, what="checkout restored")
    return summary(platform)


def test_resolving_restores_checkout_and_empties_the_incident_list(resolved):
    assert (resolved["status"]["indicator"], resolved["incidents"]) == ("none", [])


def test_after_resolution_the_page_is_green_and_lists_the_incident_as_past(browser, platform, resolved):
    text = visit(browser, f"{platform.url}/status/", shot="statuspage-resolved.png")
    assert "All Systems Operational" in text
    assert "Major outage of Checkout Resolved · Major outage" in text


def test_after_resolution_the_feeds_carry_the_resolved_update(platform, resolved):
    (entry,) = feed(platform, "history.atom").findall(f"{ATOM}entry")
    assert "<strong>Resolved</strong> - This incident has been resolved" in entry.findtext(f"{ATOM}content")
