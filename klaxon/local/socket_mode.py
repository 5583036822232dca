"""Socket Mode for `klaxon up`: with SLACK_APP_TOKEN (an app-level `xapp-` token) beside the bot token and
signing secret, Slack's events, commands and button clicks come over a WebSocket the platform opens, so a
laptop needs no public URL. The same Bolt app as `POST /slack/events` answers them (klaxon.http.slack_app);
its lazy listeners run on threads here instead of invoking the function again."""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode.builtin import SocketModeHandler

from klaxon import wiring
from klaxon.http import slack_app
from klaxon.settings import Settings

log = logging.getLogger(__name__)


class SocketMode:
    """Started with the platform when SLACK_APP_TOKEN is set; closed with it."""

    def __init__(self) -> None:
        self.handler: SocketModeHandler | None = None

    def start(self, settings: Settings) -> bool:
        """Connect, when the app token and Slack's credentials are set; whether it did."""
        if not settings.slack_app_token:
            return False
        credentials = wiring.container().slack_credentials
        if credentials is None:
            log.warning(
                "SLACK_APP_TOKEN is set without SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET: no Socket Mode"
            )
            return False
        # An app of its own: Bolt's Lambda handler would run lazy listeners by invoking a function, and a
        # request over the socket has no function to invoke (here they run on threads).
        app = slack_app.build(credentials, settings.slack_api_url)
        self.handler = SocketModeHandler(app, settings.slack_app_token, web_client=app.client)
        self.handler.connect()
        return True

    def stop(self) -> None:
        if self.handler is not None:
            self.handler.close()
            self.handler = None
