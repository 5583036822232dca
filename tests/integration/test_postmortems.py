"""Post-mortems on the local platform: a P1 resolves, its draft is written from its timeline, and people
work on it through the API and the CLI without overwriting each other."""

from __future__ import annotations

import os
import stat
from typing import Any

import httpx
from typer.testing import CliRunner

from klaxon.cli import app
from tests.integration.conftest import TOKEN
from tests.integration.test_chat_platform import opened


def resolved_p1(platform: Any, http: Any, fixture_json: Any, key: str) -> dict[str, Any]:
    incident = opened(http, platform, fixture_json, key)
    url = f"/v1/incidents/{incident['id']}"
    assert http.post(f"{url}/acknowledge").status_code == 200
    assert (
        http.post(f"{url}/status-updates", json={"status": "monitoring", "text": "Fix is out"}).status_code
        == 201
    )
    assert http.post(f"{url}/resolve").status_code == 200
    assert platform.drain()
    return incident


def test_a_resolved_p1_gets_a_draft_from_its_timeline(platform, http, fixture_json):
    incident = resolved_p1(platform, http, fixture_json, "pm-draft")
    found = http.get(f"/v1/incidents/{incident['id']}/postmortem").json()
    postmortem = found["postmortem"]
    assert (found["version"], postmortem["status"], postmortem["owner"]) == (1, "draft", "token:local")
    text = postmortem["markdown"]
    assert text.startswith(f"# Post-mortem: #{incident['number']} Checkout: 5xx above 5%")
    assert (
        "- Time to mitigate: " in text
        and "not reached" not in text.split("- Time to mitigate: ")[1].split("\n")[0]
    )
    assert "status update · token:local: Status page: monitoring: Fix is out" in text
    assert "- Status page: " in text
    listed = http.get("/v1/postmortems", params={"q": "5xx"}).json()["postmortems"]
    assert incident["id"] in [p["incident_id"] for p in listed]


def test_an_open_or_low_priority_incident_has_none(platform, http, fixture_json):
    incident = opened(http, platform, fixture_json, "pm-open")
    assert http.get(f"/v1/incidents/{incident['id']}/postmortem").status_code == 404


def test_a_stale_edit_is_refused_and_publishing_is_recorded(platform, http, fixture_json):
    incident = resolved_p1(platform, http, fixture_json, "pm-edit")
    url = f"/v1/incidents/{incident['id']}/postmortem"
    first = http.put(url, json={"version": 1, "markdown": "# Mine"})
    assert (first.status_code, first.json()["version"]) == (200, 2)
    stale = http.put(url, json={"version": 1, "markdown": "# Theirs"})
    assert stale.status_code == 409
    assert "changed since version 1 was read (it is at 2, saved by token:local)" in stale.json()["message"]
    assert http.put(url, json={"version": 2, "status": "nonsense"}).status_code == 400
    published = http.put(url, json={"version": 2, "status": "published"}).json()["postmortem"]
    assert (published["markdown"], published["status"]) == ("# Mine", "published")
    assert published["published_at"] is not None


def test_the_cli_shows_edits_in_the_editor_and_publishes(platform, http, fixture_json, tmp_path):
    incident = resolved_p1(platform, http, fixture_json, "pm-cli")
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "# Edited in the editor\\n" > "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    runner = CliRunner(env={"COLUMNS": "250", "EDITOR": str(editor), "VISUAL": str(editor)})
    where = ["--api", platform.url, "--token", TOKEN]
    number = str(incident["number"])
    shown = runner.invoke(app, ["postmortem", "show", number, *where])
    assert shown.exit_code == 0, shown.output
    assert "status: draft" in shown.output and "# Post-mortem: #" in shown.output
    edited = runner.invoke(app, ["postmortem", "edit", number, *where])
    assert (edited.exit_code, edited.output.strip()) == (0, "Saved: version 2."), edited.output
    published = runner.invoke(app, ["postmortem", "publish", number, *where])
    assert published.exit_code == 0 and "version 3" in published.output, published.output
    listed = runner.invoke(app, ["postmortem", "list", *where])
    assert listed.exit_code == 0 and "published" in listed.output
    body = http.get(f"/v1/incidents/{incident['id']}/postmortem").json()["postmortem"]
    assert body["markdown"] == "# Edited in the editor\n"
    assert os.environ.get("EDITOR") != str(editor)  # the runner's environment only


def test_publishing_opens_a_pull_request_and_writes_a_confluence_page(monkeypatch, tmp_path, fixture_json):
    import json

    from klaxon.local.platform import LocalPlatform, Options
    from tests.conftest import DEMO_CONFIG
    from tests.fakes.confluence_server import ConfluenceServer
    from tests.fakes.github_server import GitHubServer, Repository
    from tests.fakes.notion_server import PARENT, NotionServer

    with GitHubServer() as github, ConfluenceServer() as confluence, NotionServer() as notion:
        github.state.repos["acme/postmortems"] = Repository()
        monkeypatch.setenv("GITHUB_TOKEN", github.state.token)
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        atlassian = {"email": confluence.state.email, "api_token": confluence.state.token}
        credentials = {"confluence": atlassian, "notion": {"token": notion.state.token}}
        monkeypatch.setenv("TRACKER_CREDENTIALS", json.dumps(credentials))
        monkeypatch.setenv("NOTION_API_URL", notion.url)
        parent = PARENT
        config = tmp_path / "acme.yaml"
        demo = DEMO_CONFIG.read_text()
        assert "\npostmortems:\n" in demo
        places = (
            "\npostmortems:\n  github: {repository: acme/postmortems}\n"
            f"  confluence: {{site: '{confluence.url}', space_id: '65537'}}\n"
            f"  notion: {{parent_page_id: '{parent}'}}\n"
        )
        config.write_text(demo.replace("\npostmortems:\n", places))
        platform = LocalPlatform(Options(config=config, port=0, api_token=TOKEN)).start()
        try:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            with httpx.Client(base_url=platform.url, headers=headers, timeout=10) as http:
                incident = resolved_p1(platform, http, fixture_json, "pm-github")
                url = f"/v1/incidents/{incident['id']}/postmortem"
                assert http.put(url, json={"version": 1, "status": "published"}).status_code == 200
                assert platform.drain()
                copies = http.get(url).json()["postmortem"]["copies"]
        finally:
            platform.stop()
        assert copies["github"] == "https://github.com/acme/postmortems/pull/1"
        (page,) = confluence.state.pages.values()
        assert copies["confluence"].startswith(confluence.url) and page["title"].startswith(
            f"Post-mortem #{incident['number']}: "
        )
        (pull,) = github.state.repos["acme/postmortems"].pulls
        assert pull["title"].startswith(f"Post-mortem: #{incident['number']} ")
        assert copies["notion"].startswith("https://www.notion.so/")
        (page,) = [p for p in notion.state.pages.values() if p["parent"] == PARENT and not p["in_trash"]]
        assert page["title"].startswith(f"Post-mortem #{incident['number']}")
        assert (
            github.state.violations == []
            and confluence.state.violations == []
            and notion.state.violations == []
        )


def test_a_public_post_mortem_is_posted_only_when_asked_and_shown_escaped(
    platform, http, fixture_json, tmp_path
):
    incident = opened(http, platform, fixture_json, "pm-public")
    url = f"/v1/incidents/{incident['id']}/postmortem/public"
    summary = (
        "On 6 December checkout failed for 47 minutes.\n\nA bad deploy <script>x</script> was rolled back."
    )
    assert http.put(url, json={"body": summary}).status_code == 409  # still open on the page
    assert http.post(f"/v1/incidents/{incident['id']}/resolve").status_code == 200
    assert platform.drain()
    public = http.get(f"/v1/incidents/{incident['id']}/status-updates").json()
    page = httpx.get(f"{platform.url}/api/v2/incidents.json").json()
    (listed,) = [i for i in page["incidents"] if i["id"] == public["id"]]
    assert "postmortem_body" not in listed  # nothing reaches the page by itself

    assert http.put(url, json={"body": ""}).status_code == 400
    summary_file = tmp_path / "summary.md"
    summary_file.write_text(summary)
    runner = CliRunner(env={"COLUMNS": "250"})
    posted = runner.invoke(
        app,
        [
            "postmortem",
            "public",
            str(incident["number"]),
            "--file",
            str(summary_file),
            "--api",
            platform.url,
            "--token",
            TOKEN,
        ],
    )
    assert posted.exit_code == 0, posted.output
    assert platform.drain()
    page = httpx.get(f"{platform.url}/api/v2/incidents.json").json()
    (listed,) = [i for i in page["incidents"] if i["id"] == public["id"]]
    assert listed["postmortem_body"] == summary and listed["postmortem_published_at"]
    shown = httpx.get(f"{platform.url}/status/incidents/{public['id']}.html").text
    assert '<h2 id="postmortem">Postmortem</h2>' in shown
    assert "&lt;script&gt;x&lt;/script&gt;" in shown and "<script>x</script>" not in shown
    kinds = [e["kind"] for e in http.get(f"/v1/incidents/{incident['id']}/timeline").json()["timeline"]]
    assert "public postmortem" in kinds


def test_klaxon_postmortem_mark_measures_detection_from_the_impact_start(platform, http, fixture_json):
    from datetime import datetime, timedelta

    incident = resolved_p1(platform, http, fixture_json, "pm-mark")
    opened = datetime.fromisoformat(incident["created_at"])
    runner = CliRunner(env={"COLUMNS": "250"})
    impact = (opened - timedelta(minutes=12)).isoformat()
    marked = runner.invoke(
        app,
        [
            "postmortem",
            "mark",
            str(incident["number"]),
            "--impact-start",
            impact,
            "--api",
            platform.url,
            "--token",
            TOKEN,
        ],
    )
    assert marked.exit_code == 0 and "Detect 12.0 min" in marked.output, marked.output
    found = http.get(f"/v1/incidents/{incident['id']}/postmortem").json()
    assert found["postmortem"]["durations"]["detect_minutes"] == 12.0
    naive = http.put(
        f"/v1/incidents/{incident['id']}/postmortem",
        json={"version": found["version"], "impact_start": "2026-12-06T10:00"},
    )
    assert naive.status_code == 400
