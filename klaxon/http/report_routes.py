"""Report routes of the API function: on-call load and the stipend owed, per person."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from klaxon.domain.instants import LaxInstant
from klaxon.http import deps
from klaxon.services.schedule.reports import LoadReport

router = Router()


@router.get(
    "/v1/reports/oncall-load",
    tags=["reports"],
    summary="Per person: hours on call, off-hours, weekend hours, pages and the stipend owed",
)
def handle_get_oncall_load(
    reports: deps.Reports,
    start: Annotated[LaxInstant, Query()],
    end: Annotated[LaxInstant, Query()],
    weekly_rate: Annotated[
        Decimal | None, Query(ge=0, description="Stipend for a full 168-hour week; prorated by hours on call")
    ] = None,
    currency: Annotated[str, Query(pattern="^[A-Z]{3}$")] = "USD",
) -> LoadReport:
    return reports.oncall_load(start, end, weekly_rate, currency)
