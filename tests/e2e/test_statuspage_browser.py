"""The status page in a real browser (Debian's Chromium, driven by Playwright) on a `klaxon up` of its own.

A critical checkout alert must turn the page red with an "Investigating" incident within seconds, and
resolving it must bring it back; the page must read the same with JavaScript off. axe-core finds no
WCAG 2.1 AA violation on it in light or dark mode; Statuspage's own widget, on another site, reads it.
Screenshots go to docs/ on request.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest

from klaxon.domain.statuspage.templates import format_duration, format_span
from tests.conftest import DEMO_CONFIG, ROOT, require_program
from tests.e2e.browser import axe_violations, other_site, page_at, widget_page
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
    with page_at(browser, url, javascript=javascript, dark=dark) as (page, errors):
        if shot and SHOTS is not None:
            page.screenshot(path=str(SHOTS / shot), full_page=True)
        text = page.inner_text("body")
        local_times = page.locator("span.local").count()
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


def test_both_feeds_are_titled_with_the_page_name(platform, opened):
    atom = feed(platform, "history.atom").findtext(f"{ATOM}title")
    rss = feed(platform, "history.rss").findtext("channel/title")
    assert atom == rss == "Acme Status - Incident History"


def page_urls(platform: Platform, public_id: str) -> dict[str, str]:
    base = f"{platform.url}/status/"
    return {"index": base, "incident": f"{base}incidents/{public_id}.html", "history": f"{base}history.html"}


def accessibility_problems(browser: Any, url: str, *, dark: bool) -> list[str]:
    """axe-core's WCAG 2.1 AA violations on the page, with the subscribe panel open so its text counts."""
    with page_at(browser, url, dark=dark) as (page, errors):
        page.click("details.subscribe > summary")
        found = axe_violations(page)
    return found + errors


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("name", ["index", "incident", "history"])
def test_axe_finds_no_wcag_aa_violation_during_the_incident(browser, platform, opened, name, dark):
    (public,) = opened["incidents"]
    assert accessibility_problems(browser, page_urls(platform, public["id"])[name], dark=dark) == []


def test_the_page_is_branded_with_the_configured_name_logo_and_accent_colour(browser, platform, opened):
    with page_at(browser, f"{platform.url}/status/") as (page, errors):
        header = page.locator("header.site")
        background = header.evaluate("h => getComputedStyle(h).backgroundColor")
        text_colour = page.locator(".brand").evaluate("b => getComputedStyle(b).color")
        logo_loaded = page.locator(".brand img.logo").evaluate("i => i.complete && i.naturalWidth > 0")
        name, title = page.locator(".brand").inner_text(), page.title()
    assert (background, text_colour) == ("rgb(75, 46, 131)", "rgb(255, 255, 255)")  # #4b2e83, white on it
    assert (logo_loaded, name, title, errors) == (True, "Acme Status", "Acme Status", [])


def test_the_subscribe_button_is_visible_and_each_of_its_links_resolves(browser, platform, opened):
    with page_at(browser, f"{platform.url}/status/") as (page, errors):
        button = page.get_by_text("Subscribe to updates")
        panel = page.locator("details.subscribe .panel")
        hidden_before = not panel.is_visible()
        button.click()
        links = panel.locator("a").evaluate_all("links => links.map(a => [a.textContent, a.href])")
        answers = {text: page.request.get(href) for text, href in links}
        kinds = {text: (r.status, r.headers["content-type"]) for text, r in answers.items()}
        words = panel.inner_text()
    assert hidden_before and errors == []
    assert kinds == {
        "Atom feed": (200, "application/atom+xml"),
        "RSS feed": (200, "application/rss+xml"),
        "JSON": (200, "application/json"),
    }
    assert "By email or webhook: this page has no sign-up form." in words


def test_statuspage_s_widget_on_another_site_shows_the_current_status(browser, platform, opened):
    with other_site(browser, widget_page(f"{platform.url}/status")) as (page, errors):
        shown = page.locator("statuspage-widget").get_by_text("Major Service Outage")
        shown.wait_for(timeout=10_000)
        assert shown.is_visible()
    assert errors == []


def test_another_origin_may_read_summary_json_with_fetch(browser, platform, opened):
    with other_site(browser, "<!doctype html><title>Acme Shop</title>") as (page, errors):
        description = page.evaluate(
            "url => fetch(url).then(r => r.json()).then(s => s.status.description)",
            f"{platform.url}/api/v2/summary.json",
        )
        origin = page.evaluate("() => location.origin")
    assert origin != platform.url and (description, errors) == ("Major Service Outage", [])


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


def test_the_incident_page_says_how_long_it_lasted_with_two_times_that_differ(browser, platform, resolved):
    (public,) = platform.anonymous.get("/status/api/v2/incidents.json").json()["incidents"]
    started, ended = (
        datetime.fromisoformat(public[k].replace("Z", "+00:00")) for k in ("started_at", "resolved_at")
    )
    start, end = format_span(started, ended)
    text = visit(browser, f"{platform.url}/status/incidents/{public['id']}.html", javascript=False)
    assert f"Resolved in {format_duration((ended - started).total_seconds())}: {start} to {end}" in text
    assert start != end
    if (ended - started).total_seconds() < 60:
        assert "Resolved in under a minute:" in text


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("name", ["index", "incident", "history"])
def test_axe_finds_no_wcag_aa_violation_once_all_systems_are_operational(
    browser, platform, resolved, name, dark
):
    (public,) = platform.anonymous.get("/status/api/v2/incidents.json").json()["incidents"]
    assert accessibility_problems(browser, page_urls(platform, public["id"])[name], dark=dark) == []


def test_the_all_systems_operational_banner_is_white_on_green(browser, platform, resolved):
    with page_at(browser, f"{platform.url}/status/") as (page, _):
        colours = page.locator(".banner h1").evaluate(
            "h => [getComputedStyle(h).color, getComputedStyle(h.parentElement).backgroundColor]"
        )
    assert colours == ["rgb(255, 255, 255)", "rgb(26, 127, 55)"]


def test_statuspage_s_widget_follows_the_resolution(browser, platform, resolved):
    with other_site(browser, widget_page(platform.url)) as (page, errors):
        page.locator("statuspage-widget").get_by_text("All Systems Operational").wait_for(timeout=10_000)
    assert errors == []


def test_component_created_at_is_the_configuration_time_on_every_render(opened, resolved):
    opened_at, resolved_at = ({c["id"]: c["created_at"] for c in d["components"]} for d in (opened, resolved))
    assert opened_at == resolved_at  # two renders, minutes apart: the same creation times
    assert max(resolved_at.values()) < opened["incidents"][0]["created_at"]  # configured before the alert


def test_an_announced_maintenance_window_shows_the_moment_it_is_scheduled(browser, platform, resolved):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    window = {
        "name": "Payments database upgrade",
        "services": ["payments"],
        "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(),
        "announce": True,
    }
    response = platform.api.post("/v1/maintenance-windows", json=window)
    assert response.status_code == 201, response.text

    def upcoming() -> list[dict[str, Any]]:
        found = platform.anonymous.get("/status/api/v2/scheduled-maintenances/upcoming.json").json()
        return found["scheduled_maintenances"]  # type: ignore[no-any-return]

    (shown,) = wait_for(upcoming, lambda found: len(found) == 1, timeout=10, what="the window published")
    created = datetime.fromisoformat(response.json()["created_at"]).astimezone(UTC)
    assert (shown["name"], shown["created_at"][:19]) == (window["name"], f"{created:%Y-%m-%dT%H:%M:%S}")
    text = visit(browser, f"{platform.url}/status/", javascript=False)
    assert re.search(r"Scheduled maintenance\s+Payments database upgrade\s+Scheduled · ", text), text
