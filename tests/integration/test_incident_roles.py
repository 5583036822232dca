"""Priority and roles through the API: the same use cases as `/klaxon sev` and `role`."""

from __future__ import annotations

from tests.integration.test_chat_platform import opened


def test_priority_and_roles_change_an_open_incident_and_refuse_bad_input(platform, http, fixture_json):
    incident = opened(http, platform, fixture_json, "roles-api")
    url = f"/v1/incidents/{incident['id']}"
    changed = http.put(f"{url}/priority", json={"priority": "P2"})
    assert (changed.status_code, changed.json()["priority"]) == (200, "P2")
    assigned = http.put(f"{url}/roles/commander", json={"user": "carol"})
    assert (assigned.status_code, assigned.json()["roles"]) == (200, {"commander": "carol"})
    assert http.put(f"{url}/roles/boss", json={"user": "carol"}).status_code == 400
    assert http.put(f"{url}/roles/scribe", json={"user": "nobody"}).status_code == 404
    assert http.put(f"{url}/priority", json={"priority": "P9"}).status_code == 400
    kinds = [e["kind"] for e in http.get(f"{url}/timeline").json()["timeline"]]
    assert kinds.count("priority changed") == 1 and kinds.count("role assigned") == 1
    assert http.post(f"{url}/resolve").status_code == 200
    assert http.put(f"{url}/priority", json={"priority": "P1"}).status_code == 409


def test_the_cli_changes_priority_and_roles(platform, http, fixture_json):
    from typer.testing import CliRunner

    from klaxon.cli import app
    from tests.integration.conftest import TOKEN

    incident = opened(http, platform, fixture_json, "roles-cli")
    runner = CliRunner(env={"COLUMNS": "250"})
    where = ["--api", platform.url, "--token", TOKEN]
    number = str(incident["number"])
    changed = runner.invoke(app, ["incidents", "priority", number, "p2", *where])
    assert changed.exit_code == 0 and "P2" in changed.output, changed.output
    assigned = runner.invoke(app, ["incidents", "role", number, "scribe", "dave", *where])
    assert assigned.exit_code == 0 and "'scribe': 'dave'" in assigned.output, assigned.output
    refused = runner.invoke(app, ["incidents", "role", number, "boss", "dave", *where])
    assert refused.exit_code == 1 and "no role 'boss'" in refused.output
