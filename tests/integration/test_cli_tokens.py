"""`klaxon token create|list|revoke` and `klaxon audit` against the local platform."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from klaxon.cli import app
from tests.integration.conftest import TOKEN


@pytest.fixture
def klaxon(platform):
    runner = CliRunner(env={"COLUMNS": "250"})

    def run(*args: str, token: str = TOKEN):
        return runner.invoke(app, [*args, "--api", platform.url, "--token", token])

    return run


def test_a_token_made_by_the_cli_works_until_the_cli_revokes_it(platform, klaxon):
    made = klaxon("token", "create", "ci-bot", "--role", "observer", "--days", "7", "--json")
    assert made.exit_code == 0, made.output
    created = json.loads(made.stdout)
    secret, token_id = created["secret"], created["token"]["id"]
    with httpx.Client(base_url=platform.url, headers={"Authorization": f"Bearer {secret}"}) as client:
        assert client.get("/v1/incidents").status_code == 200
        assert client.post("/v1/statuspage/publish").status_code == 403  # an observer only reads
        listed = klaxon("token", "list")
        assert listed.exit_code == 0 and "ci-bot" in listed.stdout and secret not in listed.stdout
        assert "observer" in listed.stdout
        revoked = klaxon("token", "revoke", token_id)
        assert revoked.exit_code == 0 and "revoked ci-bot" in revoked.stdout
        assert client.get("/v1/incidents").status_code == 401


def test_a_bad_role_is_refused_with_its_reason(klaxon):
    refused = klaxon("token", "create", "x", "--role", "superuser")
    assert refused.exit_code == 1 and "role" in refused.output


def test_the_audit_command_shows_who_changed_what(klaxon):
    assert klaxon("token", "create", "audited-by-cli", "--role", "observer").exit_code == 0
    shown = klaxon("audit", "--actor", "token:local", "--json")
    assert shown.exit_code == 0, shown.output
    routes = [r["route"] for r in json.loads(shown.stdout)["records"]]
    assert routes[0] == "POST /v1/tokens"
    table = klaxon("audit", "--limit", "5")
    assert table.exit_code == 0 and "POST /v1/tokens" in table.stdout


def test_a_non_admin_cannot_read_the_audit_log(klaxon):
    created = json.loads(klaxon("token", "create", "peek", "--role", "responder", "--json").stdout)
    refused = klaxon("audit", token=created["secret"])
    assert refused.exit_code == 1 and "403" in refused.output
