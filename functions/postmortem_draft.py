"""Post-mortem drafts: "Incident Resolved" of a priority the `postmortems` section names writes the
incident's draft from its timeline, once; "Postmortem Published" puts it where the configuration says (a
GitHub pull request); a timer every 30 minutes reminds owners of drafts coming due and overdue, and
sends the monthly action items message once a month is over, when its items fell short of the goal
(klaxon.services.postmortem)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring
from klaxon.events import DetailType, IncidentChanged, PostmortemPublished

logger = Logger(service="klaxon-postmortems")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("detail-type") == DetailType.POSTMORTEM_PUBLISHED:
        published = PostmortemPublished.model_validate(event["detail"])
        copies = wiring.container().postmortem_service.publish(published.incident_id)
        logger.info("post-mortem published", extra={"incident": published.incident_id, "copies": copies})
        return {"copies": copies}
    if event.get("detail-type") != DetailType.INCIDENT_RESOLVED:  # the reminders' timer
        reminded = wiring.container().postmortem_reminders.remind_due()
        if reminded:
            logger.info("post-mortem owners reminded", extra={"incidents": reminded})
        digest = wiring.container().action_digest.send_due()
        if digest is not None:
            logger.info("action items message sent", extra={"month": digest})
        return {"reminded": reminded, "action_items_message": digest}
    changed = IncidentChanged.model_validate(event["detail"])
    drafted = wiring.container().postmortem_service.draft(changed.incident.id)
    if drafted is not None:
        logger.info("post-mortem draft", extra={"incident": drafted.incident_id, "owner": drafted.owner})
    return {"drafted": drafted is not None}
