"""Pages as chat direct messages (the `slack` channel): the person is found by their contact method's address
(a Slack email or member id), and the message carries Acknowledge / Resolve / Escalate buttons, which
`POST /slack/events` turns into the API's actions. Without Slack credentials the chat is the log chat."""

from __future__ import annotations

from klaxon.config.values import SLACK_USER
from klaxon.domain.chat.rooms import ChatFailed
from klaxon.domain.paging.messages import chat_page
from klaxon.domain.paging.pages import DeliveryFailed, Page
from klaxon.ports import Chat


class ChatPager:
    def __init__(self, chat: Chat) -> None:
        self.chat = chat

    def send(self, page: Page) -> str:
        try:
            user = page.address if SLACK_USER.match(page.address) else self.chat.user_for_email(page.address)
            if user is None:
                raise DeliveryFailed(f"slack: no Slack user has the email {page.address}")
            return self.chat.post(user, chat_page(page)).id
        except ChatFailed as error:
            raise DeliveryFailed(f"slack: {error}") from error
