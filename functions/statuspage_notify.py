"""Status page subscribers: "Status Subscriber Added" emails a pending address its confirmation link;
"Status Update Posted" sends the incident's public updates to every confirmed subscriber still owed them,
each delivery recorded before it is sent, so a repeated event or a retried run sends nothing twice."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring
from klaxon.events import DetailType, StatusSubscriberAdded, StatusUpdatePosted

logger = Logger(service="klaxon-statuspage-notify")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    service = wiring.container().subscriber_service
    detail_type = event.get("detail-type")
    if detail_type == DetailType.STATUS_SUBSCRIBER_ADDED:
        added = StatusSubscriberAdded.model_validate(event["detail"])
        sent = service.send_confirmation(added.subscriber_id)
        logger.info("confirmation", extra={"subscriber": added.subscriber_id, "sent": sent})
        return {"confirmation_sent": sent}
    if detail_type == DetailType.STATUS_UPDATE_POSTED:
        posted = StatusUpdatePosted.model_validate(event["detail"])
        done = service.deliver(posted.incident_id)
        counts = {
            "planned": done.planned,
            "delivered": done.delivered,
            "failed": done.failed,
            "skipped": done.skipped,
        }
        logger.info("status update fanned out", extra={"update": posted.update_id, **counts})
        return counts
    logger.warning("ignored an event of an unexpected type", extra={"detail_type": detail_type})
    return {}
