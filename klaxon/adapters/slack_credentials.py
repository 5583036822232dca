"""The Slack app's credentials: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (`klaxon up`), else the Secrets
Manager secret KLAXON_SLACK_SECRET names (`{"bot_token": "xoxb-…", "signing_secret": "…"}`), which the
stack creates empty for an operator to fill (docs/slack.md). None: Slack is not set up."""

from __future__ import annotations

from dataclasses import dataclass

from klaxon.adapters.secret_json import secret_fields
from klaxon.settings import Settings


@dataclass(frozen=True)
class SlackCredentials:
    bot_token: str
    signing_secret: str


def slack_credentials(settings: Settings) -> SlackCredentials | None:
    if settings.slack_bot_token and settings.slack_signing_secret:
        return SlackCredentials(settings.slack_bot_token, settings.slack_signing_secret)
    if not settings.slack_secret:
        return None
    found = secret_fields(settings.slack_secret)
    if not found.get("bot_token") or not found.get("signing_secret"):
        return None
    return SlackCredentials(str(found["bot_token"]), str(found["signing_secret"]))
