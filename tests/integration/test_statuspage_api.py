"""The status page on the local platform: incident events publish it, people post updates over the API."""

from __future__ import annotations

import pytest

CHECKOUT_KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"


def alert(http, platform, dedup_key, severity="critical", action="trigger"):
    body = {
        "routing_key": CHECKOUT_KEY,
        "event_action": action,
        "dedup_key": dedup_key,
        "payload": {"summary": "Checkout 5xx above 5%", "source": "lb-1", "severity": severity},
    }
    assert http.post("/v2/enqueue", json=body).status_code == 202
    assert platform.drain()
    (incident,) = http.get("/v1/incidents", params={"dedup_key": dedup_key}).json()["incidents"]
    return incident


def summary(http):
    return http.get("/status/api/v2/summary.json").json()


def component(http, name):
    return next(c["status"] for c in summary(http)["components"] if c["name"] == name)


def test_the_page_is_served_at_status_before_any_incident(http):
    response = http.get("/status/")
    assert (response.status_code, "All Systems Operational" in response.text) == (200, True)


def test_a_critical_checkout_alert_turns_checkout_to_major_outage(http, platform):
    alert(http, platform, "sp-1")
    assert component(http, "Checkout") == "major_outage"


def test_a_critical_checkout_alert_opens_an_investigating_public_incident(http, platform):
    alert(http, platform, "sp-2")
    assert [(i["name"], i["status"]) for i in summary(http)["incidents"]] == [
        ("Major outage of Checkout", "investigating")
    ]


def test_a_p4_alert_never_reaches_the_page(http, platform):
    alert(http, platform, "sp-3", severity="info")
    assert summary(http)["incidents"] == []


def test_a_p4_incident_changing_reads_and_renders_nothing_of_the_page(http, platform, monkeypatch):
    from klaxon import wiring

    parts = wiring.container()
    reads: list[str] = []
    monkeypatch.setattr(parts.statuspage_publisher, "snapshot", lambda: reads.append("snapshot"))
    incident = alert(http, platform, "sp-quiet", severity="info")
    assert http.post(f"/v1/incidents/{incident['id']}/acknowledge").status_code == 200
    assert http.post(f"/v1/incidents/{incident['id']}/resolve").status_code == 200
    assert platform.drain()
    assert platform.invoker.invocations["statuspage_publish"] >= 3
    assert reads == []


def test_posting_identified_shows_on_the_page(http, platform):
    incident = alert(http, platform, "sp-4")
    response = http.post(f"/v1/incidents/{incident['id']}/status-updates", json={"status": "identified"})
    assert response.status_code == 201
    assert platform.drain()
    assert summary(http)["incidents"][0]["status"] == "identified"


def test_the_public_incident_can_be_read_back_with_its_updates(http, platform):
    incident = alert(http, platform, "sp-5")
    http.post(
        f"/v1/incidents/{incident['id']}/status-updates", json={"status": "monitoring", "text": "Watching."}
    )
    public = http.get(f"/v1/incidents/{incident['id']}/status-updates").json()
    assert [u["body"] for u in public["updates"]][-1] == "Watching."


def test_resolving_the_incident_restores_the_component(http, platform):
    incident = alert(http, platform, "sp-6")
    http.post(f"/v1/incidents/{incident['id']}/resolve")
    assert platform.drain()
    assert (component(http, "Checkout"), summary(http)["incidents"]) == ("operational", [])


def test_a_resolved_incident_is_in_both_feeds(http, platform):
    incident = alert(http, platform, "sp-7")
    http.post(f"/v1/incidents/{incident['id']}/resolve")
    assert platform.drain()
    for feed in ("history.rss", "history.atom"):
        assert "Major outage of Checkout" in http.get(f"/status/{feed}").text


def test_an_update_for_an_unknown_incident_is_not_found(http):
    assert http.post("/v1/incidents/nope/status-updates", json={"status": "identified"}).status_code == 404


def test_an_update_for_an_incident_not_on_the_page_is_a_conflict(http, platform):
    incident = alert(http, platform, "sp-8", severity="info")
    response = http.post(f"/v1/incidents/{incident['id']}/status-updates", json={"status": "identified"})
    assert (response.status_code, "not on the status page" in response.json()["message"]) == (409, True)


@pytest.mark.parametrize("status", ["investigating", "postmortem", "fixed"])
def test_only_identified_monitoring_and_resolved_can_be_posted(http, platform, status):
    incident = alert(http, platform, f"sp-9-{status}")
    response = http.post(f"/v1/incidents/{incident['id']}/status-updates", json={"status": status})
    assert response.status_code == 400


def test_posting_an_update_needs_a_token(platform):
    import httpx

    response = httpx.post(f"{platform.url}/v1/incidents/x/status-updates", json={"status": "identified"})
    assert response.status_code == 401


def test_a_publish_can_be_requested(http, platform):
    assert http.post("/v1/statuspage/publish").status_code == 202
    assert platform.drain()


def components_by_id(http):
    return {c["id"]: c for c in http.get("/status/api/v2/components.json").json()["components"]}


def test_a_component_is_created_when_its_configuration_was_applied_and_stays_so(http, platform):
    from klaxon import wiring
    from klaxon.domain.statuspage.introductions import component_key
    from statuspage_site.api import stamp

    applied = wiring.container().directory.introductions()[component_key("checkout")]
    first = components_by_id(http)["checkout"]["created_at"]
    platform.apply_config_file(platform.options.config)  # the same configuration, applied again later
    assert http.post("/v1/statuspage/publish").status_code == 202
    assert platform.drain()
    assert first == components_by_id(http)["checkout"]["created_at"] == stamp(applied)


def test_an_announced_window_shows_as_upcoming_the_moment_it_is_scheduled(http, platform):
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC) + timedelta(days=2)
    body = {
        "name": "Payments database upgrade",
        "services": ["payments"],
        "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(),
        "announce": True,
    }
    response = http.post("/v1/maintenance-windows", json=body)
    assert response.status_code == 201, response.text
    assert platform.drain()  # no publish asked for: adding the window published the page
    (window,) = http.get("/status/api/v2/scheduled-maintenances/upcoming.json").json()[
        "scheduled_maintenances"
    ]
    created = datetime.fromisoformat(response.json()["created_at"])
    assert (window["name"], window["created_at"][:19]) == (
        "Payments database upgrade",
        created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
    )
    assert "Payments database upgrade" in http.get("/status/").text


WIDGET_PATHS = [
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
]


@pytest.mark.parametrize("path", WIDGET_PATHS)
def test_the_statuspage_json_is_at_the_root_api_v2_paths_readable_from_any_origin(platform, path):
    import httpx

    with httpx.Client(base_url=platform.url, timeout=10) as anonymous:
        root = anonymous.get(f"/api/v2/{path}", headers={"Origin": "https://shop.example"})
        under_status = anonymous.get(f"/status/api/v2/{path}")
    assert (root.status_code, root.headers["content-type"]) == (200, "application/json")
    assert root.headers["access-control-allow-origin"] == "*"
    assert under_status.headers["access-control-allow-origin"] == "*"
    assert root.content == under_status.content


def test_a_cors_preflight_for_the_json_is_answered(platform):
    import httpx

    response = httpx.options(
        f"{platform.url}/api/v2/summary.json",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "GET"},
    )
    assert (response.status_code, response.headers["access-control-allow-origin"]) == (204, "*")
    assert "GET" in response.headers["access-control-allow-methods"]


def test_the_html_pages_carry_no_cors_header(http):
    assert "access-control-allow-origin" not in http.get("/status/").headers
