"""Grouping rules: the group key, each alert's identity inside its group, the window, what still fires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from klaxon.domain.incident.models import (
    Alert,
    AlertAction,
    AlertInstance,
    Incident,
    IncidentStatus,
    Priority,
    Urgency,
)
from klaxon.domain.noise.grouping import (
    GroupRule,
    alert_labels,
    as_group_alert,
    firing,
    group_key,
    joins,
    members,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
RULE = GroupRule(service="search", group_by=("alertname", "region"), window=timedelta(minutes=5))


def alert(key: str = "k1", action: AlertAction = AlertAction.TRIGGER, **extra: object) -> Alert:
    return Alert(
        id=f"a-{key}",
        action=action,
        dedup_key=key,
        service="search",
        integration="pd",
        source_kind="pagerduty",
        received_at=NOW,
        summary="Slow queries",
        **extra,  # type: ignore[arg-type]
    )


def incident(created: datetime, alerts: dict[str, AlertInstance] | None = None) -> Incident:
    return Incident(
        id="i1",
        number=1,
        title="t",
        service="search",
        priority=Priority.P1,
        urgency=Urgency.HIGH,
        status=IncidentStatus.TRIGGERED,
        dedup_key="group:x",
        created_at=created,
        updated_at=created,
        alerts=alerts or {},
    )


def test_group_key_names_every_group_by_label_in_order() -> None:
    assert (
        group_key({"region": "eu", "alertname": "Slow", "pod": "p1"}, RULE)
        == "group:alertname=Slow,region=eu"
    )


def test_an_alert_with_none_of_the_labels_is_not_grouped() -> None:
    assert group_key({"pod": "p1"}, RULE) is None


def test_a_missing_label_groups_as_empty() -> None:
    assert group_key({"alertname": "Slow"}, RULE) == "group:alertname=Slow,region="


def test_pagerduty_fields_can_be_grouped_on_as_labels() -> None:
    labels = alert_labels(alert(component="db", source="db-1"))

    assert (labels["component"], labels["source"]) == ("db", "db-1")


def test_a_real_label_wins_over_a_pagerduty_field_of_the_same_name() -> None:
    assert alert_labels(alert(source="db-1", labels={"source": "label"}))["source"] == "label"


def test_a_pagerduty_event_is_one_alert_known_by_its_dedup_key() -> None:
    (member,) = members(alert("disk-db-1"))

    assert (member.fingerprint, member.status) == ("disk-db-1", "firing")


def test_a_resolve_marks_its_alert_resolved() -> None:
    (member,) = members(alert("disk-db-1", AlertAction.RESOLVE))

    assert member.status == "resolved"


def test_alertmanager_instances_keep_their_fingerprints() -> None:
    instances = [
        AlertInstance(fingerprint="f1", status="firing"),
        AlertInstance(fingerprint="f2", status="resolved"),
    ]

    assert [(m.fingerprint, m.status) for m in members(alert(instances=instances))] == [
        ("f1", "firing"),
        ("f2", "resolved"),
    ]


def test_the_group_alert_claims_the_group_key_and_carries_its_members() -> None:
    grouped = as_group_alert(alert("disk-db-1"), "group:alertname=Slow,region=eu")

    assert grouped.dedup_key == "group:alertname=Slow,region=eu"
    assert [m.fingerprint for m in grouped.instances] == ["disk-db-1"]


def test_a_new_alert_joins_within_the_window_of_the_first() -> None:
    assert joins(incident(NOW - timedelta(minutes=4)), as_group_alert(alert("new"), "g"), RULE.window, NOW)


def test_a_new_alert_after_the_window_does_not_join() -> None:
    assert not joins(
        incident(NOW - timedelta(minutes=6)), as_group_alert(alert("new"), "g"), RULE.window, NOW
    )


def test_an_alert_already_on_the_incident_joins_however_late() -> None:
    held = incident(NOW - timedelta(hours=3), {"old": AlertInstance(fingerprint="old", status="firing")})

    assert joins(held, as_group_alert(alert("old"), "g"), RULE.window, NOW)


def test_firing_lists_the_alerts_not_yet_resolved() -> None:
    alerts = {
        "a": AlertInstance(fingerprint="a", status="firing"),
        "b": AlertInstance(fingerprint="b", status="resolved"),
    }

    assert firing(alerts) == ["a"]


_values = st.text(alphabet="abc", max_size=3)


@given(
    st.dictionaries(st.sampled_from(["alertname", "region", "pod"]), _values),
    st.dictionaries(st.sampled_from(["alertname", "region", "pod"]), _values),
)
def test_two_alerts_share_a_group_exactly_when_their_group_by_labels_agree(
    first: dict[str, str], second: dict[str, str]
) -> None:
    key_a, key_b = group_key(first, RULE), group_key(second, RULE)
    if key_a is None or key_b is None:
        return
    same = all(first.get(n, "") == second.get(n, "") for n in RULE.group_by)
    assert (key_a == key_b) is same
