"""`slos` and `customers`: what is promised (docs/sla.md). An SLO covers status page components with a
target over a window, weighting each status; a customer depends on components and holds contracts, each
an SLO with the target promised to them and the service credit table."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from pydantic import ConfigDict, Field, model_validator

from klaxon.config.problems import Loc, Problem, unknown
from klaxon.config.values import Email, Id, TimeZone
from klaxon.domain.model import Model
from klaxon.domain.sla.budget import Slo, WindowKind
from klaxon.domain.sla.burn import AlertSource
from klaxon.domain.sla.customers import Contract, Credit, Customer
from klaxon.domain.sla.thresholds import DEFAULT_THRESHOLDS, AlertPolicy
from klaxon.domain.statuspage.models import ComponentStatus

if TYPE_CHECKING:
    from klaxon.config.schema import KlaxonConfig

_FORBID = ConfigDict(frozen=True, extra="forbid")
Target = float


class Weights(Model):
    model_config = _FORBID

    major_outage: float = Field(default=1.0, ge=0, le=1, description="A major outage's share of down time.")
    partial_outage: float = Field(default=0.5, ge=0, le=1, description="A partial outage's share.")
    degraded_performance: float = Field(default=0.0, ge=0, le=1, description="Degraded performance's share.")

    @model_validator(mode="after")
    def _worse_weighs_more(self) -> Weights:
        if not self.major_outage >= self.partial_outage >= self.degraded_performance:
            raise ValueError("weights must not grow as the status gets better: major >= partial >= degraded")
        return self

    def to_domain(self) -> dict[ComponentStatus, float]:
        return {ComponentStatus(name): value for name, value in self.model_dump().items()}


class AlertSourceConfig(Model):
    model_config = _FORBID

    service: str = Field(description="The service whose incidents count.")
    labels: dict[str, str] = Field(default_factory=dict, description="Labels those incidents must carry.")


class SloConfig(Model):
    model_config = _FORBID

    id: Id = Field(description="Short id contracts refer to.")
    components: list[str] = Field(
        default_factory=list, description="Status page components it covers (none for an alert-driven SLO)."
    )
    alerts: AlertSourceConfig | None = Field(
        default=None,
        description="An alert-driven SLO: down while its service's incidents with these labels are open; it "
        "raises multi-window burn-rate alerts (sla_alerts) and holds no customer contract.",
    )
    target: Target = Field(gt=0, lt=100, description="Availability promised, in percent: `99.9`.")
    window: WindowKind = Field(
        default=WindowKind.CALENDAR_MONTH, description="`calendar_month` (in `time_zone`) or `rolling_30d`."
    )
    time_zone: TimeZone = Field(default="UTC", description="The calendar month's zone (IANA name).")
    weights: Weights = Field(default_factory=Weights, description="What each status counts as down time.")
    exclude_maintenance: bool = Field(default=True, description="Scheduled maintenance counts nothing.")

    @model_validator(mode="after")
    def _components_or_alerts(self) -> SloConfig:
        if bool(self.components) == (self.alerts is not None):
            raise ValueError("give an SLO either components (the status page's) or alerts, not both or none")
        return self

    def to_domain(self) -> Slo:
        return Slo(
            id=self.id,
            components=frozenset(self.components),
            target=self.target,
            window=self.window,
            time_zone=self.time_zone,
            weights=self.weights.to_domain(),
            exclude_maintenance=self.exclude_maintenance,
            alerts=None
            if self.alerts is None
            else AlertSource(self.alerts.service, dict(self.alerts.labels)),
        )


class CreditConfig(Model):
    model_config = _FORBID

    below: Target = Field(gt=0, le=100, description="Owed when availability is under this percent.")
    credit_percent: float = Field(gt=0, le=100, description="The credit, in percent of the month's fee.")


class ContractConfig(Model):
    model_config = _FORBID

    slo: str = Field(description="The SLO it holds to.")
    target: Target | None = Field(default=None, gt=0, lt=100, description="What this customer was promised.")
    credits: list[CreditConfig] = Field(default_factory=list, description="The service credit table.")

    def to_domain(self) -> Contract:
        return Contract(
            slo=self.slo,
            target=self.target,
            credits=tuple(Credit(c.below, c.credit_percent) for c in self.credits),
        )


class CustomerConfig(Model):
    model_config = _FORBID

    id: Id = Field(description="Short id: `klaxon sla --customer acme`.")
    name: str = Field(min_length=1, max_length=100, description="As reports name them.")
    components: list[str] = Field(min_length=1, description="Status page components they depend on.")
    contracts: list[ContractConfig] = Field(min_length=1, description="What they were promised.")
    account_owner: Email | None = Field(default=None, description="Who answers for the account.")

    def to_domain(self) -> Customer:
        return Customer(
            id=self.id,
            name=self.name,
            components=frozenset(self.components),
            contracts=tuple(c.to_domain() for c in self.contracts),
            account_owner=self.account_owner,
        )


class SlaAlertsConfig(Model):
    model_config = _FORBID

    service: str = Field(description="The service the budgets' alerts open incidents on.")
    thresholds: list[int] = Field(
        default_factory=lambda: list(DEFAULT_THRESHOLDS),
        min_length=1,
        description="Percents of a budget at which to alert, once per customer, SLO and window.",
    )
    runs_out_within_minutes: int = Field(
        default=30,
        ge=1,
        le=24 * 60,
        description="A budget that runs out this soon at the current burn pages, once per window.",
    )
    page_at: int = Field(
        default=90,
        ge=1,
        le=1000,
        description="From this threshold on the alert pages (critical); below, it tells.",
    )

    @model_validator(mode="after")
    def _thresholds_are_percents(self) -> SlaAlertsConfig:
        if any(not 1 <= t <= 1000 for t in self.thresholds):
            raise ValueError("thresholds are percents of the budget, from 1 to 1000")
        return self

    def to_domain(self) -> AlertPolicy:
        return AlertPolicy(
            service=self.service,
            thresholds=tuple(sorted(set(self.thresholds))),
            page_at=self.page_at,
            runs_out_within=timedelta(minutes=self.runs_out_within_minutes),
        )


def sla_references_resolve(config: KlaxonConfig) -> list[Problem]:
    """SLOs and customers name status page components; contracts name SLOs."""
    components = [c.id for c in config.statuspage.components] if config.statuspage else []
    slos = [s.id for s in config.slos]
    problems: list[Problem] = []

    def named(loc: Loc, found: list[str], kind: str, known: list[str]) -> None:
        problems.extend(
            ((*loc, j), unknown(kind, ref, known)) for j, ref in enumerate(found) if ref not in known
        )

    services = [s.id for s in config.services]
    for i, slo in enumerate(config.slos):
        named(("slos", i, "components"), slo.components, "status page component", components)
        if slo.alerts is not None and slo.alerts.service not in services:
            problems.append(
                (("slos", i, "alerts", "service"), unknown("service", slo.alerts.service, services))
            )
    if config.sla_alerts is not None and config.sla_alerts.service not in services:
        problems.append((("sla_alerts", "service"), unknown("service", config.sla_alerts.service, services)))
    for i, customer in enumerate(config.customers):
        named(("customers", i, "components"), customer.components, "status page component", components)
        for j, contract in enumerate(customer.contracts):
            if contract.slo not in slos:
                problems.append((("customers", i, "contracts", j, "slo"), unknown("slo", contract.slo, slos)))
            elif next(s for s in config.slos if s.id == contract.slo).alerts is not None:
                where: Loc = ("customers", i, "contracts", j, "slo")
                problems.append(
                    (where, f"{contract.slo!r} is alert-driven: a contract holds to a component SLO")
                )
    return problems


__all__ = ["CustomerConfig", "SlaAlertsConfig", "SloConfig", "sla_references_resolve"]
