"""The rendered site: its files, what a visitor reads on them, and the limits it keeps (size, no trackers)."""

from __future__ import annotations

import posixpath
import re
from datetime import timedelta

import pytest

from klaxon.domain.statuspage.lifecycle import post_update
from klaxon.domain.statuspage.models import ComponentStatus, PublicStatus
from statuspage_site import cache_control, content_type, render
from tests.unit.statuspage.big import large_snapshot
from tests.unit.statuspage.factories import NAMES, NOW, PAGE, incident, maintenance, snapshot

PAGE_BUDGET = 50 * 1024


def text_of(html: bytes) -> str:
    """What a reader sees: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())


@pytest.fixture(scope="module")
def large_site():
    return render(large_snapshot(), NOW)


def css_of(files: dict[str, bytes]) -> bytes:
    (css,) = [body for path, body in files.items() if path.endswith(".css")]
    return css


def test_the_site_has_its_pages_feeds_json_and_one_hashed_stylesheet():
    files = render(snapshot(incident(1)), NOW)
    expected = {"index.html", "history.html", "incidents/p0001.html", "history.rss", "history.atom"}
    assert expected <= set(files)
    assert len([p for p in files if p.startswith("api/v2/")]) == 8
    assert [p for p in files if p.startswith("assets/")] == [
        p for p in files if re.fullmatch(r"assets/status\.[0-9a-f]{12}\.css", p)
    ]


def test_a_quiet_page_says_all_systems_operational():
    assert "All Systems Operational" in text_of(render(snapshot(), NOW)["index.html"])


def test_an_open_incident_shows_its_status_words_and_latest_update_on_the_front_page():
    opened = incident(1, {"checkout": ComponentStatus.MAJOR_OUTAGE}, name="Checkout is down")
    page = text_of(render(snapshot(opened), NOW)["index.html"])
    assert "Major Service Outage" in page
    assert "Active incidents Checkout is down" in page
    assert "Investigating - Investigating incident 1." in page


def test_component_status_is_written_in_words_not_only_colour():
    opened = incident(1, {"search": ComponentStatus.PARTIAL_OUTAGE})
    assert "Search ▲ Partial outage" in text_of(render(snapshot(opened), NOW)["index.html"])


def test_a_group_shows_the_worst_status_of_its_members():
    opened = incident(1, {"payments": ComponentStatus.DEGRADED_PERFORMANCE})
    assert "Storefront ▲ Degraded performance" in text_of(render(snapshot(opened), NOW)["index.html"])


def test_a_resolved_incident_leaves_the_active_list_and_is_listed_under_past_incidents():
    resolved = incident(1, name="Checkout was down", resolved_after=timedelta(minutes=20))
    page = text_of(render(snapshot(resolved), NOW)["index.html"])
    assert "Active incidents" not in page
    assert "Past incidents 27 November 2026 Checkout was down Resolved" in page


def test_an_incident_has_a_permalink_page_with_every_update_newest_first():
    opened = incident(1)
    moved = post_update(
        opened, PublicStatus.IDENTIFIED, "Found it.", now=NOW, update_id="u2", names=NAMES, after={}
    )
    page = text_of(render(snapshot(moved), NOW)["incidents/p0001.html"])
    assert page.index("Identified - Found it.") < page.index("Investigating - Investigating incident 1.")


def test_an_incident_page_does_not_change_with_the_time_of_rendering():
    resolved = incident(1, resolved_after=timedelta(minutes=5))
    early, late = (
        render(snapshot(resolved), NOW + timedelta(days=d))["incidents/p0001.html"] for d in (0, 3)
    )
    assert early == late


def test_an_incident_resolved_within_its_minute_says_under_a_minute_with_seconds_on_both_times():
    quick = incident(1, started=NOW.replace(minute=19, second=5), resolved_after=timedelta(seconds=40))
    page = text_of(render(snapshot(quick), NOW)["incidents/p0001.html"])
    assert "Resolved in under a minute: 27 Nov 2026, 12:19:05 UTC to 27 Nov 2026, 12:19:45 UTC" in page


def test_an_incident_of_an_hour_shows_minutes_only():
    resolved = incident(1, resolved_after=timedelta(minutes=85))
    page = text_of(render(snapshot(resolved), NOW)["incidents/p0001.html"])
    assert "Resolved in 1 h 25 min: 27 Nov 2026, 11:00 UTC to 27 Nov 2026, 12:25 UTC" in page


def test_scheduled_maintenance_is_announced_with_its_window():
    window = maintenance(NOW + timedelta(days=1))
    page = text_of(render(snapshot(maintenances=[window]), NOW)["index.html"])
    assert (
        "Scheduled maintenance Database upgrade Scheduled · 28 Nov 2026, 12:00 UTC to 28 Nov 2026, 14:00 UTC"
        in page
    )


def test_text_from_incidents_is_escaped():
    hostile = incident(1, name="<script>alert(1)</script>")
    assert b"<script>alert(1)" not in render(snapshot(hostile), NOW)["index.html"]


def test_times_are_machine_readable_for_the_local_time_script():
    assert (
        b'<time datetime="2026-11-27T11:00:00Z">27 Nov 2026, 11:00 UTC</time>'
        in render(snapshot(incident(1)), NOW)["index.html"]
    )


def test_the_page_has_landmarks_a_language_and_a_skip_link():
    page = render(snapshot(), NOW)["index.html"].decode()
    for landmark in ('<html lang="en">', "<header", "<main", "<footer", '<nav aria-label="', 'href="#main"'):
        assert landmark in page


def test_uptime_bars_have_a_text_alternative():
    assert (
        b'role="img" aria-label="Checkout: 100.00 % uptime over the last 90 days"'
        in render(snapshot(), NOW)["index.html"]
    )


def test_a_bad_day_on_the_uptime_bar_says_what_happened():
    hit = incident(1, started=NOW - timedelta(days=1), resolved_after=timedelta(hours=2))
    assert b"<title>26 Nov 2026: Major outage, 2 h down</title>" in render(snapshot(hit), NOW)["index.html"]


def test_history_is_split_into_pages_of_fifty_newest_first(large_site):
    pages = sorted(p for p in large_site if p.startswith("history") and p.endswith(".html"))
    assert len(pages) == 20
    assert b"Older incidents" in large_site["history.html"]


def test_every_html_page_with_its_stylesheet_stays_under_50_kb(large_site):
    css = len(css_of(large_site))
    heaviest = max((len(body), path) for path, body in large_site.items() if path.endswith(".html"))
    assert heaviest[0] + css < PAGE_BUDGET, heaviest[1]


def test_the_site_loads_nothing_from_other_hosts():
    files = render(snapshot(incident(1)), NOW)
    html = b"".join(body for path, body in files.items() if path.endswith(".html")).decode()
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "<script src" not in html
    assert not re.search(rb"@import|url\((?!#)", css_of(files))


@pytest.mark.parametrize(
    ("path", "kind", "cache"),
    [
        ("index.html", "text/html; charset=utf-8", "max-age=60"),
        ("api/v2/summary.json", "application/json", "max-age=60"),
        ("history.atom", "application/atom+xml; charset=utf-8", "max-age=60"),
        ("assets/status.0123456789ab.css", "text/css; charset=utf-8", "max-age=31536000"),
    ],
)
def test_each_file_is_served_with_its_type_and_a_cache_lifetime_fit_for_it(path, kind, cache):
    assert (content_type(path), cache in cache_control(path)) == (kind, True)


def branded(**changes):
    page = PAGE.model_copy(update=changes)
    return snapshot().model_copy(update={"page": page})


LOGO = "https://acme.example/logo.svg"


def test_the_header_shows_the_configured_logo_before_the_name():
    page = render(branded(logo_url=LOGO), NOW)["index.html"].decode()
    logo = f'<img class="logo" src="{LOGO}" alt="" height="32">'
    assert f'<a class="brand" href="index.html">{logo}Acme Status</a>' in page


def test_an_accent_colour_colours_the_header_with_text_that_reads_on_it():
    files = render(branded(accent_colour="#4b2e83"), NOW)
    assert '<header class="site branded">' in files["index.html"].decode()
    assert b":root{--accent:#4b2e83;--on-accent:#ffffff}" in css_of(files)
    light = render(branded(accent_colour="#ffcc00"), NOW)
    assert b"--on-accent:#000000" in css_of(light)


def test_without_branding_the_header_is_plain_and_the_stylesheet_the_same():
    plain = render(snapshot(), NOW)
    assert '<header class="site">' in plain["index.html"].decode()
    assert b":root{--accent" not in css_of(plain)


def test_every_page_has_a_subscribe_button_offering_the_feeds():
    files = render(snapshot(incident(1)), NOW)
    for path in ("index.html", "history.html", "incidents/p0001.html"):
        page = files[path].decode()
        assert '<details class="subscribe"><summary>Subscribe to updates</summary>' in page
        for target in ("history.atom", "history.rss", "api/v2/summary.json"):
            link = posixpath.relpath(target, posixpath.dirname(path) or ".")  # from the page to the file
            assert target in files and f'<a href="{link}">' in page


def test_the_subscribe_panel_says_plainly_how_to_subscribe_by_email_when_the_backend_takes_it():
    by_email = text_of(
        render(branded(email_subscriptions=True, webhook_subscriptions=True), NOW)["index.html"]
    )
    assert "By email or webhook: this page has no sign-up form." in by_email
    assert "an email address is sent a confirmation link first" in by_email
    feeds_only = text_of(render(snapshot(), NOW)["index.html"])
    assert "By email" not in feeds_only and "Atom feed" in feeds_only


def fresh_render(state, at):
    """What a publisher that never rendered before makes of `state`: no incident page kept."""
    from statuspage_site import pages

    pages._incident_pages.clear()
    return render(state, at)


def test_a_warm_render_of_changed_incidents_and_settings_makes_the_bytes_a_cold_one_makes():
    resolved = [incident(n, resolved_after=timedelta(minutes=30)) for n in range(1, 6)]
    ongoing = incident(9)
    render(snapshot(*resolved, ongoing), NOW)  # a warm publisher: five resolved pages kept
    renamed = resolved[2].model_copy(update={"name": "Checkout errors, explained"})
    changes = [
        (snapshot(*resolved[:2], renamed, *resolved[3:], ongoing), NOW),  # one incident edited
        (snapshot(*resolved, ongoing), NOW + timedelta(hours=5)),  # later: the open one's duration
        (snapshot(*resolved), NOW),  # the open one gone: the favicon turns green on every page
        (snapshot(*resolved).model_copy(update={"page": PAGE.model_copy(update={"name": "Acme"})}), NOW),
        (snapshot(*resolved[:3]), NOW),  # two deleted
    ]
    for state, at in changes:
        warm = render(state, at)
        assert warm == fresh_render(state, at)
    assert "Checkout errors, explained" not in text_of(
        render(snapshot(*resolved), NOW)["incidents/p0003.html"]
    )


def test_a_warm_render_keeps_pages_only_of_incidents_still_shown():
    from statuspage_site import pages

    fresh_render(snapshot(*(incident(n, resolved_after=timedelta(minutes=5)) for n in range(1, 4))), NOW)
    render(snapshot(incident(1, resolved_after=timedelta(minutes=5))), NOW)
    assert set(pages._incident_pages) == {"p0001"}
