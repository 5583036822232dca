"""`make up`'s demo history: a fresh platform starts with a past P1 and its published post-mortem (action
items, one done), written as history (nobody paged, no event relayed); a platform that has incidents gets
none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from klaxon.local.platform import LocalPlatform, Options
from tests.conftest import DEMO_CONFIG
from tests.integration.conftest import TOKEN


def test_a_fresh_platform_shows_a_finished_post_mortem_and_its_history(tmp_path):
    platform = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token=TOKEN, demo_history=True)).start()
    try:
        with httpx.Client(
            base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        ) as http:
            assert platform.drain()
            (incident,) = http.get("/v1/incidents").json()["incidents"]
            assert (incident["status"], incident["priority"], incident["number"]) == ("resolved", "P1", 1)
            assert http.get(f"/v1/incidents/{incident['id']}/notifications").json()["notifications"] == []
            found = http.get(f"/v1/incidents/{incident['id']}/postmortem").json()["postmortem"]
            assert found["status"] == "published" and found["published_at"]
            text = found["markdown"]
            assert "one checkout in six failed" in text and "- Time to acknowledge: 4 min" in text
            assert "Rolling it back" in text or "rolling it back" in text
            done = [i["done_at"] is not None for i in found["action_items"]]
            assert done == [True, False, False]
            now = datetime.now(UTC)
            window = {"start": (now - timedelta(days=30)).isoformat(), "end": now.isoformat()}
            report = http.get("/v1/reports/response", params=window)
            (everything,) = [r for r in report.json()["rows"] if r["by"] == "all"]
            assert (everything["acknowledge"]["mean_minutes"], everything["resolve"]["mean_minutes"]) == (
                4.0,
                47.0,
            )
            assert platform.next_incident_number() == 2
    finally:
        platform.stop()


def test_a_platform_that_has_incidents_gets_no_second_history(tmp_path):
    options = Options(
        config=DEMO_CONFIG, port=0, api_token=TOKEN, demo_history=True, data_dir=tmp_path / "state"
    )
    for _ in range(2):  # the second start resumes the first's state
        platform = LocalPlatform(options).start()
        try:
            with httpx.Client(base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
                assert len(http.get("/v1/incidents").json()["incidents"]) == 1
        finally:
            platform.stop()
