"""Status page publisher: incident events open and resolve public incidents, then the site is rendered and
uploaded (only changed files, only their CDN paths invalidated) if what it shows changed, at most once a
second across concurrent invocations. A schedule re-renders it for maintenance windows and the daily uptime
bars, and so do the other events (a status update, a maintenance window, `klaxon statuspage publish`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring
from klaxon.events import INCIDENT_DETAIL_TYPES, DetailType, IncidentChanged

logger = Logger(service="klaxon-statuspage")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    parts = wiring.container()
    service = parts.statuspage_service
    detail_type = event.get("detail-type")
    public = None
    if detail_type in INCIDENT_DETAIL_TYPES:
        incident = IncidentChanged.model_validate(event["detail"]).incident
        public = service.on_incident(DetailType(detail_type), incident)
    site = parts.status_site()
    if site is None:
        logger.warning("no status page site configured (KLAXON_STATUS_*): nothing published")
        return {"public_incident": public.id if public else None, "uploaded": 0}
    # Only an incident event can leave the page as it was (most incidents are not public).
    published = parts.statuspage_publisher.publish(site, forced=detail_type not in INCIDENT_DETAIL_TYPES)
    logger.info(
        "status page published",
        extra={"uploaded": len(published.uploaded), "invalidated": list(published.invalidated)},
    )
    return {"public_incident": public.id if public else None, "uploaded": len(published.uploaded)}
