"""The Slack app manifest: valid against Slack's own manifest schema (vendored in tests/fixtures/slack/),
and asking for what Klaxon's Slack code listens to and calls."""

from __future__ import annotations

import json

import jsonschema
import yaml

from klaxon.http import slack_app
from klaxon.topology import ROUTES
from tests.conftest import ROOT

MANIFEST = yaml.safe_load((ROOT / "infra" / "slack-manifest.yaml").read_text())
SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "slack" / "manifest.schema.1.0.0.json").read_text())


def test_the_manifest_is_valid_against_slacks_schema():
    jsonschema.Draft7Validator(SCHEMA).validate(MANIFEST)


def test_every_url_is_the_one_route_the_slack_function_serves():
    (route,) = [r.path for r in ROUTES if r.function == "slack"]
    settings, features = MANIFEST["settings"], MANIFEST["features"]
    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(c["url"] for c in features["slash_commands"]),
    }
    assert urls == {f"https://klaxon.example.com{route}"}


def test_it_subscribes_to_what_the_app_listens_for():
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == ["/klaxon"]
    assert [s["callback_id"] for s in MANIFEST["features"]["shortcuts"]] == [slack_app.SHORTCUT]
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == {
        "pin_added",
        "reaction_added",
        "message.channels",
    }
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True


def test_a_broken_manifest_is_caught():
    broken = {**MANIFEST, "settings": {**MANIFEST["settings"], "socket_mode_enabled": "yes"}}
    assert list(jsonschema.Draft7Validator(SCHEMA).iter_errors(broken))
