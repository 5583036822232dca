"""SLA budgets on the local platform, on the demo's two customers: a P1 on checkout (a major outage on the
status page) burns Acme Bank's storefront budget while it is open, with when it runs out, and stops when
it resolves; Globex's API contract is untouched; `klaxon sla` shows the same."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from typer.testing import CliRunner

from klaxon.cli import app
from tests.integration.conftest import TOKEN
from tests.integration.test_chat_platform import opened


def budgets(http, customer: str | None = None) -> dict:
    answer = http.get("/v1/sla", params={"customer": customer} if customer else None)
    assert answer.status_code == 200, answer.text
    return {b["customer"]: b for b in answer.json()["budgets"]}


def test_an_open_p1_burns_the_customers_budget_and_its_resolution_stops_it(platform, http, fixture_json):
    before = budgets(http)
    assert set(before) == {"acme-bank", "globex"}
    assert before["acme-bank"]["budget"]["allowed_minutes"] in (
        21.6,
        22.32,
        20.88,
    )  # 99.95% of a 30/31/29-day month

    incident = opened(http, platform, fixture_json, "sla-p1")
    burning = budgets(http)["acme-bank"]["budget"]
    assert burning["burning"] == 1.0 and burning["breach_at"] is not None
    runs_out = datetime.fromisoformat(burning["breach_at"])
    assert 0 < (runs_out - datetime.now(UTC)).total_seconds() / 60 <= burning["remaining_minutes"] + 0.1
    assert budgets(http)["globex"]["budget"]["consumed_minutes"] == 0.0  # its SLO covers the API only
    # The room may open before the status page's incident (two consumers of one event): the status page's
    # first public update brings its summary the budget line, with no change to the incident.
    assert platform.drain()
    room = http.get(f"/v1/incidents/{incident['id']}/chat").json()
    said = json.dumps(room)
    assert "Acme Bank's 99.95% storefront budget" in said and "runs out at" in said, said[:2000]
    assert platform.ticker is not None
    platform.ticker.fire("sla-check")  # 21.6 minutes of budget at a burn of 1: it runs out within 30
    assert platform.drain()
    said = json.dumps(http.get(f"/v1/incidents/{incident['id']}/chat").json())
    assert ":warning: Acme Bank's 99.95% budget (storefront) runs out in" in said, said[:3000]
    paged = http.get("/v1/incidents", params={"service": "platform"}).json()["incidents"]
    assert [i["priority"] for i in paged if "runs out in" in i["title"]] == ["P1"]

    assert http.post(f"/v1/incidents/{incident['id']}/acknowledge").status_code == 200
    assert http.post(f"/v1/incidents/{incident['id']}/resolve").status_code == 200
    assert platform.drain()
    after = budgets(http, "acme-bank")["acme-bank"]["budget"]
    assert (after["burning"], after["breach_at"]) == (0.0, None)
    assert after["consumed_minutes"] >= burning["consumed_minutes"]
    draft = http.get(f"/v1/incidents/{incident['id']}/postmortem").json()["postmortem"]
    impact = [line for line in draft["markdown"].splitlines() if line.startswith("- Acme Bank: ")]
    assert len(impact) == 1 and "of its 99.95% storefront budget" in impact[0], draft["markdown"][:1500]
    assert not draft["executive_review"]  # seconds of a 21.6-minute budget

    window = {"start": after["window_start"], "end": after["window_end"]}
    report = http.get("/v1/reports/sla", params={"customer": "acme-bank", **window}).json()
    (contract,) = report["contracts"]
    assert contract["consumed_minutes"] == after["consumed_minutes"]  # the report and the API agree
    assert [i["status"] for i in contract["incidents"]] == ["major_outage"]

    runner = CliRunner(env={"COLUMNS": "250"})
    month = datetime.now(UTC).strftime("%Y-%m")
    where = ["--api", platform.url, "--token", TOKEN]
    printed = runner.invoke(app, ["report", "sla", "--customer", "acme-bank", "--month", month, *where])
    assert printed.exit_code == 0 and "99.95% promised" in printed.output, printed.output
    shown = runner.invoke(app, ["sla", "--customer", "acme-bank", "--api", platform.url, "--token", TOKEN])
    assert shown.exit_code == 0 and "Acme Bank" in shown.output and "storefront" in shown.output, shown.output
    assert http.get("/v1/sla", params={"customer": "nobody"}).status_code == 404


def test_a_budget_passing_its_thresholds_alerts_once_each_telling_then_paging(tmp_path, fixture_json):
    """Acme Bank promised 99.99999% here (a quarter of a second a month): an open P1 passes all thresholds."""
    import httpx

    from klaxon.local.platform import LocalPlatform, Options
    from tests.conftest import DEMO_CONFIG

    config = tmp_path / "acme.yaml"
    config.write_text(
        DEMO_CONFIG.read_text().replace("target: 99.95            # promised", "target: 99.99999  # promised")
    )
    platform = LocalPlatform(Options(config=config, port=0, api_token=TOKEN)).start()
    try:
        with httpx.Client(
            base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        ) as http:
            opened(http, platform, fixture_json, "sla-thresholds")
            assert platform.ticker is not None
            platform.ticker.fire("sla-check")
            assert platform.drain()
            platform.ticker.fire("sla-check")  # once per threshold and window
            assert platform.drain()
            found = http.get("/v1/incidents", params={"service": "platform"}).json()["incidents"]
    finally:
        platform.stop()
    budget_alerts = [i for i in found if "budget" in i["title"]]
    assert len(budget_alerts) == 4, [i["title"] for i in found]
    priorities = sorted(i["priority"] for i in budget_alerts)
    assert priorities == ["P1", "P1", "P3", "P3"]  # 90 and 100% page; 50 and 75% tell
    assert all(i["title"].startswith("Acme Bank's 99.99999% budget (storefront)") for i in budget_alerts)
