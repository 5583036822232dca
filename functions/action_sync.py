"""Action items as tickets: "Postmortem Published" and "Action Items Added" file the post-mortem's items
in its service's tracker; a timer every 5 minutes retries those a tracker failed, once their wait is over;
a daily timer asks the trackers which open tickets are done (klaxon.services.postmortem.actions)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring
from klaxon.events import DetailType

logger = Logger(service="klaxon-actions")
POLL_TIMER = "action-items-poll"


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    actions = wiring.container().action_service
    if event.get("detail-type") in (DetailType.POSTMORTEM_PUBLISHED, DetailType.ACTION_ITEMS_ADDED):
        incident_id = str(event["detail"]["incident_id"])
        items = actions.file(incident_id)
        filed = sum(1 for item in items if item.ticket is not None)
        logger.info(
            "action items filed", extra={"incident": incident_id, "filed": filed, "items": len(items)}
        )
        return {"filed": filed, "items": len(items)}
    if event.get("timer") == POLL_TIMER:
        done = actions.poll()
        logger.info("trackers polled", extra={"changed": done})
        return {"changed": done}
    tried = actions.file_due()
    if tried:
        logger.info("action items retried", extra={"incidents": tried})
    return {"retried": tried}
