"""Two-way SMS: replies to a page ("ack 12", "res 12", "12"), delivered by End User Messaging through SNS."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from klaxon import wiring
from klaxon.domain.paging.pages import DeliveryFailed
from klaxon.services.paging.acks import SmsResult

logger = Logger(service="klaxon-sms-inbound")


class InboundSms(BaseModel):
    """The message End User Messaging publishes for each SMS its two-way number receives."""

    model_config = ConfigDict(populate_by_name=True)

    sender: str = Field(alias="originationNumber")
    body: str = Field(alias="messageBody")
    to: str | None = Field(default=None, alias="destinationNumber")


def masked(number: str) -> str:
    """A phone number fit for logs: enough to recognise it, not enough to call it."""
    return f"…{number[-4:]}" if len(number) > 4 else "…"


def _reply(to: str, text: str) -> None:
    try:
        wiring.container().text_replier.reply(to, text)
    except DeliveryFailed as exc:  # the refusal stands; only its explanation was lost
        logger.warning("could not text the refusal back", extra={"sender": masked(to), "error": str(exc)})


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    service = wiring.container().ack_service
    results = []
    for record in SNSEvent(event).records:
        try:
            sms = InboundSms.model_validate_json(record.sns.message)
        except ValidationError:
            logger.warning("not an inbound SMS: ignored", extra={"sns_message_id": record.sns.message_id})
            results.append(SmsResult.IGNORED.value)
            continue
        outcome = service.handle_sms(sms.sender, sms.body)
        details: dict[str, Any] = {"result": outcome.result.value, "sender": masked(sms.sender)}
        if outcome.user is not None:
            details["user"] = outcome.user
        if outcome.command is not None:
            details |= {"action": outcome.command.action.value, "number": outcome.command.number}
        if outcome.reply is not None:
            _reply(sms.sender, outcome.reply)
        if outcome.result is SmsResult.REFUSED:
            logger.warning("SMS from a number that is no user's: refused", extra=details)
        elif outcome.result is SmsResult.NOT_PAGED:
            logger.warning("SMS reply for an incident this phone was not paged for: refused", extra=details)
        elif outcome.result is SmsResult.IGNORED:
            # Someone wrote back and nothing happened: worth a warning, they may believe they acknowledged.
            logger.warning("SMS reply is not a command: ignored", extra={**details, "text": sms.body[:40]})
        else:
            logger.info("SMS reply handled", extra=details)
        results.append(outcome.result.value)
    return {"results": results}
