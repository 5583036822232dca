"""Inhibition rules: a source mutes targets with equal labels, never its own kind."""

from __future__ import annotations

from klaxon.domain.noise.inhibition import InhibitionRule, Source, inhibitor, inhibits, rules_targeting

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
