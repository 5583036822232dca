"""Routing rules: ordered, first match wins; equals, regex, in, exists and `not` on fields and labels."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from klaxon.domain.incident.lifecycle import open_incident
from klaxon.domain.incident.models import Alert, AlertAction, Priority, Severity, Urgency
from klaxon.domain.intake.routing import AlertField, Condition, Operator, Rule, compile_rules, decide, explain

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def alert(**fields: object) -> Alert:
    base: dict[str, object] = {
        "id": "a1",
        "action": AlertAction.TRIGGER,
        "dedup_key": "k",
        "service": "platform",
        "integration": "grafana",
        "source_kind": "grafana",
        "received_at": NOW,
        "summary": "Postgres replica lag above 30 s",
        "source": "grafana",
        "severity": Severity.WARNING,
        "labels": {"env": "prod", "team": "db"},
    }
    return Alert.model_validate({**base, **fields})


def label(
    name: str, operator: Operator, value: str | None = None, *values: str, negate: bool = False
) -> Condition:
    return Condition(label=name, operator=operator, value=value, values=values, negate=negate)


def on(field: AlertField, operator: Operator, value: str | None = None, *values: str) -> Condition:
    return Condition(field=field, operator=operator, value=value, values=values)


def rule(name: str, *conditions: Condition, **sets: object) -> Rule:
    return Rule.model_validate({"name": name, "conditions": conditions, **sets})


def routed(rules: list[Rule], subject: Alert | None = None) -> tuple[str | None, str]:
    decision = decide(compile_rules(rules), subject or alert())
    return decision.rule, decision.service


def test_no_rules_keep_the_alerts_own_service():
    assert routed([]) == (None, "platform")


def test_a_label_equal_to_the_value_matches():
    assert routed([rule("db", label("team", Operator.EQUALS, "db"), service="payments")]) == (
        "db",
        "payments",
    )


def test_a_label_with_another_value_does_not_match():
    assert routed([rule("web", label("team", Operator.EQUALS, "web"), service="checkout")]) == (
        None,
        "platform",
    )


def test_a_regex_matches_anywhere_in_the_field():
    rules = [rule("pg", on(AlertField.SUMMARY, Operator.REGEX, r"(?i)postgres"), service="payments")]

    assert routed(rules) == ("pg", "payments")


def test_in_matches_any_of_its_values():
    rules = [rule("envs", label("env", Operator.IN, None, "staging", "prod"), service="search")]

    assert routed(rules) == ("envs", "search")


def test_exists_matches_a_present_label_even_when_empty():
    rules = [rule("canary", label("canary", Operator.EXISTS), drop=True)]

    assert decide(compile_rules(rules), alert(labels={"canary": ""})).drop


def test_not_inverts_a_condition_so_a_missing_label_matches():
    rules = [rule("not-prod", label("region", Operator.EQUALS, "eu", negate=True), service="search")]

    assert routed(rules) == ("not-prod", "search")


def test_every_condition_of_a_rule_must_hold():
    rules = [
        rule(
            "both",
            label("team", Operator.EQUALS, "db"),
            label("env", Operator.EQUALS, "dev"),
            service="search",
        )
    ]

    assert routed(rules) == (None, "platform")


def test_the_first_matching_rule_wins():
    rules = [
        rule("first", on(AlertField.SOURCE, Operator.EQUALS, "grafana"), service="search"),
        rule("second", label("team", Operator.EQUALS, "db"), service="payments"),
    ]

    assert routed(rules) == ("first", "search")


def test_severity_is_matched_by_its_name():
    rules = [rule("warn", on(AlertField.SEVERITY, Operator.EQUALS, "warning"), priority=Priority.P4)]

    assert decide(compile_rules(rules), alert()).priority is Priority.P4


def test_class_component_and_group_are_fields_too():
    rules = [
        rule(
            "c",
            on(AlertField.CLASS, Operator.EQUALS, "disk"),
            on(AlertField.GROUP, Operator.EXISTS),
            drop=True,
        )
    ]

    assert decide(compile_rules(rules), alert(**{"class": "disk", "group": "db"})).drop


def test_without_a_rule_priority_follows_severity_and_urgency_follows_priority():
    decision = decide(compile_rules([]), alert(severity=Severity.CRITICAL))

    assert (decision.priority, decision.urgency) == (Priority.P1, Urgency.HIGH)


def test_a_rules_urgency_overrides_the_one_its_priority_implies():
    decision = decide(compile_rules([rule("quiet", priority=Priority.P1, urgency=Urgency.LOW)]), alert())

    assert (decision.priority, decision.urgency) == (Priority.P1, Urgency.LOW)


def test_a_priority_set_by_a_rule_reaches_the_incident():
    decision = decide(compile_rules([rule("p1", priority=Priority.P1)]), alert(severity=Severity.INFO))

    incident = open_incident(
        decision.apply(alert(severity=Severity.INFO)), incident_id="i", number=1, now=NOW
    )

    assert (incident.priority, incident.urgency) == (Priority.P1, Urgency.HIGH)


def test_an_alert_routed_without_a_rule_keeps_no_priority_of_its_own():
    routed_alert = decide(compile_rules([]), alert()).apply(alert())

    assert (routed_alert.priority, routed_alert.urgency) == (None, None)


def test_explain_names_the_first_failing_condition_of_each_rule_tried():
    rules = [
        rule("web", label("team", Operator.EQUALS, "web"), service="checkout"),
        rule("db", label("team", Operator.EQUALS, "db"), service="payments"),
        rule("never", service="search"),
    ]

    traces, decision = explain(compile_rules(rules), alert())

    assert [(t.rule, t.matched, t.reason) for t in traces] == [
        ("web", False, "label 'team' equals 'web' failed: label 'team' is 'db'"),
        ("db", True, "label 'team' equals 'db'"),
    ]
    assert decision.service == "payments"


def test_explain_says_when_a_value_is_missing():
    traces, _ = explain(
        compile_rules([rule("r", label("owner", Operator.IN, None, "a", "b"), drop=True)]), alert()
    )

    assert traces[0].reason == "label 'owner' is one of ['a', 'b'] failed: label 'owner' is missing"


NAMES = st.sampled_from(["team", "env", "region"])
VALUES = st.sampled_from(["db", "web", "prod", "dev", "eu", ""])
CONDITIONS = st.builds(
    Condition,
    label=NAMES,
    operator=st.sampled_from(list(Operator)),
    value=VALUES,
    values=st.lists(VALUES, max_size=3).map(tuple),
    negate=st.booleans(),
)
RULES = st.lists(
    st.builds(
        Rule,
        name=st.uuids().map(str),
        conditions=st.lists(CONDITIONS, max_size=3).map(tuple),
        drop=st.booleans(),
    ),
    max_size=12,
)
LABELS = st.dictionaries(NAMES, VALUES, max_size=3)


@settings(max_examples=300, deadline=None)
@given(rules=RULES, labels=LABELS)
def test_the_index_picks_the_same_rule_as_trying_every_rule_in_order(rules, labels):
    subject = alert(labels=labels)
    compiled = compile_rules(rules)

    assert decide(compiled, subject) == explain(compiled, subject)[1]


def test_the_matching_rule_is_named_on_the_routed_alert_and_the_incident_it_opens():
    rules = compile_rules([rule("db", label("team", Operator.EQUALS, "db"), service="payments")])
    routed_alert = decide(rules, alert()).apply(alert())
    assert routed_alert.routing_rule == "db"
    assert open_incident(routed_alert, incident_id="i1", number=1, now=NOW).routing_rule == "db"


def test_an_alert_no_rule_matched_names_no_rule():
    rules = compile_rules([rule("db", label("team", Operator.EQUALS, "web"), service="payments")])
    assert decide(rules, alert()).apply(alert()).routing_rule is None
