"""The config of how an integration routes its alerts: rules, a severity map and source settings."""

from __future__ import annotations

import re

from pydantic import ConfigDict, Field, field_validator, model_validator

from klaxon.config.problems import Problem, raise_if_any
from klaxon.domain.incident.models import Priority, Urgency
from klaxon.domain.intake.integration import FieldPaths
from klaxon.domain.intake.routing import AlertField, Condition, Operator, Rule
from klaxon.domain.model import Model

# `in` and `not` are Python keywords: the fields are `in_`/`not_`, written and stored by their alias.
_CONFIG = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True, serialize_by_alias=True)


class RuleCondition(Model):
    """One test on an alert: name a `field` or a `label`, then one of `equals`, `regex`, `in`, `exists`."""

    model_config = _CONFIG

    field: AlertField | None = Field(default=None, description="An alert field to test.")
    label: str | None = Field(
        default=None, min_length=1, description="Instead of `field`: the alert label to test (e.g. `team`)."
    )
    equals: str | None = Field(default=None, description="Matches when the value is exactly this.")
    regex: str | None = Field(
        default=None,
        description="Matches when this Python regular expression is found anywhere in the value; "
        "anchor it with `^…$` for a whole match.",
    )
    in_: list[str] | None = Field(
        default=None, alias="in", min_length=1, description="Matches when the value is one of these."
    )
    exists: bool | None = Field(
        default=None, description="`true`: matches when the field or label is present; `false`: when absent."
    )
    not_: bool = Field(
        default=False,
        alias="not",
        description="Invert the test. A missing value fails `equals`, `regex` and `in`, so with `not` it "
        "matches.",
    )

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _one_subject_one_test(self) -> RuleCondition:
        problems: list[Problem] = []
        if (self.field is None) == (self.label is None):
            problems.append(((), "name exactly one of `field` or `label`"))
        tests = [name for name in ("equals", "regex", "in_", "exists") if getattr(self, name) is not None]
        if len(tests) != 1:
            problems.append(((), "give exactly one of `equals`, `regex`, `in` or `exists`"))
        raise_if_any("RuleCondition", problems)
        return self

    def to_domain(self) -> Condition:
        if self.exists is not None:
            return Condition(
                field=self.field,
                label=self.label,
                operator=Operator.EXISTS,
                negate=self.not_ ^ (not self.exists),
            )
        if self.in_ is not None:
            operator, value, values = Operator.IN, None, tuple(self.in_)
        elif self.regex is not None:
            operator, value, values = Operator.REGEX, self.regex, ()
        else:
            operator, value, values = Operator.EQUALS, self.equals, ()
        return Condition(
            field=self.field,
            label=self.label,
            operator=operator,
            value=value,
            values=values,
            negate=self.not_,
        )


class RuleSettings(Model):
    """What a matching rule sets on the alert; unset fields keep what the alert would otherwise get."""

    model_config = _CONFIG

    service: str | None = Field(default=None, description="Service id the alert goes to.")
    priority: Priority | None = Field(default=None, description="Priority of the incident it opens.")
    urgency: Urgency | None = Field(
        default=None, description="Urgency of the incident it opens; unset, it follows the priority."
    )

    @model_validator(mode="after")
    def _sets_something(self) -> RuleSettings:
        if self.service is None and self.priority is None and self.urgency is None:
            raise_if_any("RuleSettings", [((), "set at least one of service, priority or urgency")])
        return self


class RoutingRule(Model):
    """If every condition in `match` holds, `set` or `drop`; rules run in order and the first match wins."""

    model_config = _CONFIG

    name: str = Field(min_length=1, max_length=100, description="Shown by `klaxon route test` and in logs.")
    match: list[RuleCondition] = Field(
        default_factory=list, description="Conditions that must all hold; none matches every alert."
    )
    set: RuleSettings | None = Field(default=None, description="What to set on a matching alert.")
    drop: bool = Field(
        default=False,
        description="Drop a matching alert: it is answered 202, opens nothing, and only a log line says so.",
    )

    @model_validator(mode="after")
    def _set_or_drop(self) -> RoutingRule:
        if (self.set is None) == (not self.drop):
            raise_if_any("RoutingRule", [((), "a rule needs `set` or `drop: true` (not both)")])
        return self

    def to_domain(self) -> Rule:
        settings = self.set or RuleSettings.model_construct()
        return Rule(
            name=self.name,
            conditions=tuple(c.to_domain() for c in self.match),
            drop=self.drop,
            service=settings.service,
            priority=settings.priority,
            urgency=settings.urgency,
        )


class GenericFields(Model):
    """Where a `generic` integration's JSON keeps each alert field: dotted paths such as `alert.title`."""

    model_config = _CONFIG

    summary: str = Field(min_length=1, description="Path to the summary, the incident's title (required).")
    severity: str | None = Field(
        default=None, description="Path to the severity; mapped by `severity_map`, then by name."
    )
    dedup_key: str | None = Field(
        default=None,
        description="Path to the dedup key; unset, the key is a hash of summary and source (resolve then "
        "needs "
        "the same summary).",
    )
    action: str | None = Field(
        default=None,
        description="Path to the action: `firing`/`trigger`, `resolved`/`ok`/`recovered`, `acknowledge`; "
        "unset, every payload triggers.",
    )
    source: str | None = Field(default=None, description="Path to the source (host, job, tool).")
    labels: str | None = Field(
        default=None, description="Path to the labels: an object, or a list of `key:value` strings."
    )
    timestamp: str | None = Field(
        default=None,
        description="Path to when the event happened (ISO 8601 or epoch): a resolve dated before the "
        "incident began is ignored as stale, so a replayed capture cannot end a newer incident.",
    )

    def to_domain(self) -> FieldPaths:
        return FieldPaths.model_validate(self.model_dump())


def rule_names_are_unique(rules: list[RoutingRule]) -> list[Problem]:
    first: dict[str, int] = {}
    problems: list[Problem] = []
    for i, rule in enumerate(rules):
        if rule.name in first:
            problems.append(
                (
                    ("rules", i, "name"),
                    f"duplicate rule name {rule.name!r}; first at rules[{first[rule.name]}]",
                )
            )
        first.setdefault(rule.name, i)
    return problems
