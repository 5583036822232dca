"""Rotating the link-signing secret through the API and the CLI (security: secrets in Secrets Manager).

The secret is made at deploy time (locally: at start) in Secrets Manager, never in the config table.
After a rotation new links are signed with the new secret and links signed before still work for the
grace period; with no grace, they stop at once.
"""

from __future__ import annotations

import json

import httpx
from typer.testing import CliRunner

from klaxon.adapters.tables import ConfigItem
from klaxon.cli import app
from tests.integration.conftest import TOKEN


def _feed(http) -> str:
    return http.post("/v1/schedules/primary/ical/link").json()["url"]


def _get(url: str) -> int:
    return httpx.get(url, timeout=10).status_code


def test_the_link_secret_is_not_in_the_config_table(platform, http):
    _feed(http)
    assert [item for item in ConfigItem.query("feed") if item.sk == "secret"] == []


def test_links_signed_before_a_rotation_work_through_its_grace_period(platform, http):
    before = _feed(http)
    rotated = http.post("/v1/secrets/link/rotate", json={"grace_hours": 24})
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["previous_valid_until"] is not None
    after = _feed(http)
    assert after != before  # signed with the new secret
    assert (_get(before), _get(after)) == (200, 200)


def test_without_a_grace_period_the_old_links_stop_at_once(platform, http):
    before = _feed(http)
    assert http.post("/v1/secrets/link/rotate", json={"grace_hours": 0}).status_code == 200
    assert _get(before) == 401
    assert _get(_feed(http)) == 200


def test_only_admins_rotate_and_unknown_secrets_are_404(platform, http):
    observer = http.post("/v1/tokens", json={"name": "peeker", "role": "responder"}).json()["secret"]
    with httpx.Client(base_url=platform.url, headers={"Authorization": f"Bearer {observer}"}) as other:
        assert other.post("/v1/secrets/link/rotate").status_code == 403
    assert http.post("/v1/secrets/pepper/rotate").status_code == 404


def test_the_cli_lists_and_rotates(platform):
    runner = CliRunner(env={"COLUMNS": "250"})
    rotated = runner.invoke(app, ["secrets", "rotate", "link", "--api", platform.url, "--token", TOKEN])
    assert rotated.exit_code == 0 and "rotated link" in rotated.stdout
    listed = runner.invoke(app, ["secrets", "list", "--json", "--api", platform.url, "--token", TOKEN])
    (link,) = [s for s in json.loads(listed.stdout)["secrets"] if s["name"] == "link"]
    assert link["name"] == "link" and link["rotated_at"] is not None


def test_a_secret_of_an_older_deployment_still_verifies_until_the_first_rotation(platform, http):
    from klaxon import wiring
    from klaxon.domain.schedule.feeds import feed_token

    legacy = b"l" * 32
    ConfigItem(pk="feed", sk="secret", doc={"hex": legacy.hex()}).save()
    version = wiring.container().feed_state.version("schedule:primary")
    old_url = (
        f"{platform.url}/v1/schedules/primary/ical?token={feed_token(legacy, 'schedule:primary', version)}"
    )
    assert _get(old_url) == 200
    assert http.post("/v1/secrets/link/rotate", json={"grace_hours": 0}).status_code == 200
    assert _get(old_url) == 401
