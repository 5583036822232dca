"""SLA routes of the API function: every customer's error budget now (docs/sla.md)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from klaxon.domain.model import Model
from klaxon.domain.sla.customers import CustomerBudget
from klaxon.http import deps

router = Router()


class Budgets(Model):
    budgets: list[CustomerBudget]


@router.get(
    "/v1/sla",
    tags=["sla"],
    summary="Every customer's error budget per contract: allowed, consumed, remaining, when it runs out",
    description="Consumed is the weighted, merged down time of the customer's components in the SLO's "
    "window so far (an open incident up to now); `breach_at`: when the budget runs out at the current burn.",
)
def handle_get_sla(
    sla: deps.Sla,
    customer: Annotated[
        str | None, Query(min_length=1, max_length=64, description="only this customer")
    ] = None,
) -> Budgets:
    return Budgets(budgets=sla.budgets(customer))
