"""Inhibition: while a source incident is open (say `alertname=region-down` in a region), target alerts with
the same `equal` labels are recorded and linked to it but page no one; they page once it resolves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import ConfigDict, Field

from klaxon.domain.model import Model

# The label open incidents are looked up by as inhibition sources: Alertmanager's rules name it on the
# source side (`source_match: {alertname: region-down}`) or among the `equal` labels (a critical alert
# mutes the warnings of the same alertname), and every Alertmanager alert carries it.
SOURCE_KEY = "alertname"


class InhibitionRule(Model):
    """Alertmanager's inhibit rule with equality matchers: `source_match` mutes `target_match` on `equal`."""

    model_config = ConfigDict(frozen=True)

    source_match: dict[str, str] = Field(min_length=1)
    target_match: dict[str, str] = Field(default_factory=dict)  # empty: every alert
    equal: tuple[str, ...] = ()


class Source(Model):
    """An open incident that may inhibit others: its id and labels."""

    model_config = ConfigDict(frozen=True)

    incident_id: str
    labels: dict[str, str]


def matches(labels: Mapping[str, str], match: Mapping[str, str]) -> bool:
    """Every matcher's label is present with exactly its value."""
    return all(labels.get(name) == value for name, value in match.items())


def rules_targeting(rules: Iterable[InhibitionRule], labels: Mapping[str, str]) -> list[InhibitionRule]:
    """The rules that could mute an alert with `labels`: nothing else needs a look at open incidents."""
    return [rule for rule in rules if matches(labels, rule.target_match)]


def source_labels(rule: InhibitionRule, target: Mapping[str, str]) -> dict[str, str]:
    """The labels every source that `rule` mutes `target` by must carry: the rule's `source_match`, and
    each `equal` label the target has with a value (one missing or empty on the target may be missing
    on the source too, so it narrows nothing). What a source must carry, not all it must satisfy:
    `inhibits` decides (where the two disagree on a label, no source does)."""
    equal = {name: target[name] for name in rule.equal if target.get(name)}
    return {**equal, **rule.source_match}


def source_key(labels: Mapping[str, str]) -> str | None:
    """The value of the label sources are looked up by (`SOURCE_KEY`); None when absent or empty."""
    return labels.get(SOURCE_KEY) or None


def inhibits(rule: InhibitionRule, source: Mapping[str, str], target: Mapping[str, str]) -> bool:
    """The rule mutes `target` because of `source`: both match their side, and the `equal` labels agree
    (a label missing on both sides counts as equal, as in Alertmanager). As in Alertmanager, an alert
    matching both sides is never muted by another that does too, so a rule cannot mute its own kind."""
    both = matches(target, rule.source_match) and matches(source, rule.target_match)
    return (
        not both
        and matches(source, rule.source_match)
        and matches(target, rule.target_match)
        and all(source.get(name, "") == target.get(name, "") for name in rule.equal)
    )


def inhibitor(
    rules: Iterable[InhibitionRule], target: Mapping[str, str], sources: Iterable[Source], *, itself: str = ""
) -> str | None:
    """The first open source incident that inhibits an alert with `target` labels (never the alert's own)."""
    candidates = [s for s in sources if s.incident_id != itself]
    for rule in rules:
        for source in candidates:
            if inhibits(rule, source.labels, target):
                return source.incident_id
    return None
