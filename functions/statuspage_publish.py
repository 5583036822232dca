"""Status page publisher: incident events open and resolve public incidents, then the site is rendered and
uploaded (only changed files, only their CDN paths invalidated) if what it shows changed, at most once a
second across concurrent invocations. A schedule re-renders it for maintenance windows and the daily uptime
bars, and so do the other events (a status update, a maintenance window, `klaxon statuspage publish`).
The rules are klaxon.services.statuspage.page_events'."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from klaxon import wiring

logger = Logger(service="klaxon-statuspage")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcome = wiring.container().statuspage_events.handle(event.get("detail-type"), event.get("detail", {}))
    published = outcome.published
    if outcome.no_site:
        logger.warning("no status page site configured (KLAXON_STATUS_*): nothing published")
    elif published.uploaded or published.invalidated:
        logger.info(
            "status page published",
            extra={"uploaded": len(published.uploaded), "invalidated": list(published.invalidated)},
        )
    return {"public_incident": outcome.public_incident, "uploaded": len(published.uploaded)}
