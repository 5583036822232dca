"""Inhibition rules: a source mutes targets with equal labels, never its own kind."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from klaxon.domain.noise.inhibition import (
    InhibitionRule,
    Source,
    inhibitor,
    inhibits,
    matches,
    rules_targeting,
    source_key,
    source_labels,
)

REGION = InhibitionRule(source_match={"alertname": "region-down"}, equal=("region",))
SOURCE = Source(incident_id="src", labels={"alertname": "region-down", "region": "eu-1"})


def test_a_source_mutes_a_target_in_its_region() -> None:
    assert inhibitor([REGION], {"alertname": "Slow", "region": "eu-1"}, [SOURCE]) == "src"


def test_a_source_does_not_mute_another_region() -> None:
    assert inhibitor([REGION], {"alertname": "Slow", "region": "us-1"}, [SOURCE]) is None


def test_a_target_without_the_equal_label_is_not_muted_by_a_source_that_has_it() -> None:
    assert inhibitor([REGION], {"alertname": "Slow"}, [SOURCE]) is None


def test_an_alert_never_inhibits_itself() -> None:
    assert inhibitor([REGION], {"alertname": "Slow", "region": "eu-1"}, [SOURCE], itself="src") is None


def test_an_alert_matching_both_sides_is_not_muted_by_its_own_kind() -> None:
    assert not inhibits(REGION, SOURCE.labels, {"alertname": "region-down", "region": "eu-1"})


def test_target_match_narrows_what_is_muted() -> None:
    rule = REGION.model_copy(update={"target_match": {"severity": "warning"}})

    assert rules_targeting([rule], {"severity": "critical", "region": "eu-1"}) == []


SEVERITY = InhibitionRule(
    source_match={"severity": "critical"}, target_match={"severity": "warning"}, equal=("alertname", "region")
)


def test_a_sources_labels_are_the_rules_source_match() -> None:
    assert source_labels(REGION, {"alertname": "Slow"}) == {"alertname": "region-down"}


def test_a_sources_labels_take_the_equal_labels_the_target_has() -> None:
    target = {"alertname": "Slow", "severity": "warning", "region": "eu-1"}

    assert source_labels(SEVERITY, target) == {"severity": "critical", "alertname": "Slow", "region": "eu-1"}


def test_an_equal_label_the_target_lacks_or_leaves_empty_narrows_nothing() -> None:
    """Missing on both sides counts as equal: a source without the label inhibits such a target."""
    assert source_labels(SEVERITY, {"severity": "warning", "region": ""}) == {"severity": "critical"}


def test_the_source_key_is_the_alertname() -> None:
    keys = [source_key({"alertname": "x"}), source_key({"alertname": ""}), source_key({})]

    assert keys == ["x", None, None]


_VALUES = st.sampled_from(["", "a", "b"])
_LABELS = st.dictionaries(st.sampled_from(["alertname", "region", "severity"]), _VALUES, max_size=3)


@given(
    source_match=_LABELS.filter(bool),
    target_match=_LABELS,
    equal=st.lists(st.sampled_from(["alertname", "region", "severity"]), max_size=3),
    source_extra=_LABELS,
    target_extra=_LABELS,
    copied=st.booleans(),
)
def test_every_source_that_inhibits_carries_the_labels_it_is_looked_up_by(
    source_match: dict[str, str],
    target_match: dict[str, str],
    equal: list[str],
    source_extra: dict[str, str],
    target_extra: dict[str, str],
    copied: bool,
) -> None:
    """The lookup may read more than the sources (the rule then decides), never fewer. Each side is
    drawn matching its side of the rule, and the source mostly shares the target's `equal` labels, so
    most draws do inhibit."""
    rule = InhibitionRule(source_match=source_match, target_match=target_match, equal=tuple(equal))
    target = {**target_extra, **target_match}
    shared = {name: target[name] for name in equal if name in target} if copied else {}
    source = {**source_extra, **shared, **source_match}

    assert not inhibits(rule, source, target) or matches(source, source_labels(rule, target))
