"""Routing settings of an integration in the config: rules, conditions and per-kind settings."""

from __future__ import annotations

from collections.abc import Callable

from klaxon.config import parse_config
from klaxon.domain.intake.routing import Operator
from klaxon.services.configuration import integration_ref, signing_secrets

Edit = Callable[[str, str], tuple[str, int]]
Errors = Callable[[str], list[str]]
DATABASE_RULE = "        set: {service: payments, priority: P1}\n"


def test_a_rule_naming_an_unknown_service_is_reported_at_its_set(edit_acme: Edit, errors_of: Errors) -> None:
    text, line = edit_acme(DATABASE_RULE, "        set: {service: paymnets, priority: P1}\n")

    reason = "no service 'paymnets'; did you mean 'payments'?"
    assert errors_of(text) == [f"acme.yaml:{line}: integrations[3].rules[1].set.service: {reason}"]


def test_a_rule_with_both_set_and_drop_is_refused(edit_acme: Edit, errors_of: Errors) -> None:
    text, _ = edit_acme(DATABASE_RULE, DATABASE_RULE + "        drop: true\n")

    assert any("a rule needs `set` or `drop: true` (not both)" in e for e in errors_of(text))


def test_a_condition_with_two_tests_is_refused(edit_acme: Edit, errors_of: Errors) -> None:
    text, _ = edit_acme("{label: env, equals: test}", "{label: env, equals: test, regex: te}")

    assert any("give exactly one of `equals`, `regex`, `in` or `exists`" in e for e in errors_of(text))


def test_a_regex_that_does_not_compile_is_refused(edit_acme: Edit, errors_of: Errors) -> None:
    text, _ = edit_acme("{label: env, equals: test}", '{label: env, regex: "(unclosed"}')

    assert any("rules[0].match[0].regex: not a valid regular expression" in e for e in errors_of(text))


def test_duplicate_rule_names_are_refused(edit_acme: Edit, errors_of: Errors) -> None:
    text, _ = edit_acme("name: database-pages-payments", "name: drop-test-environment")

    assert any("duplicate rule name 'drop-test-environment'" in e for e in errors_of(text))


def test_a_cloudwatch_integration_needs_its_topics(edit_acme: Edit, errors_of: Errors) -> None:
    text, _ = edit_acme('    allowed_topic_arns: ["arn:aws:sns:us-east-1:123456789012:alarms"]\n', "")

    assert any("a cloudwatch integration needs the SNS topics it accepts" in e for e in errors_of(text))


def test_field_paths_belong_to_generic_integrations_only(edit_acme: Edit, errors_of: Errors) -> None:
    text, _ = edit_acme(
        "    service: checkout\n\n  - id: payments",
        "    service: checkout\n    fields: {summary: x}\n\n  - id: payments",
    )

    assert any("only a generic integration uses fields" in e for e in errors_of(text))


def test_in_and_not_are_written_and_stored_by_their_yaml_names(acme_text: str) -> None:
    text = acme_text.replace("{label: env, equals: test}", "{label: env, in: [test, dev], not: true}")

    stored = parse_config(text, "acme.yaml").stored()

    assert stored["integrations"][3]["rules"][0]["match"] == [
        {"label": "env", "in": ["test", "dev"], "not": True}
    ]


def test_the_integration_ingest_sees_carries_its_compiled_form(acme_text: str) -> None:
    config = parse_config(acme_text, "acme.yaml")
    grafana = config.integrations[3]

    ref = integration_ref(grafana)

    assert [r.name for r in ref.rules] == ["drop-test-environment", "database-pages-payments"]
    assert ref.rules[1].conditions[0].operator is Operator.IN
    assert ref.signed and ref.secret is None  # the secret itself goes to Secrets Manager, not the index
    assert signing_secrets(config)["grafana"] == "demo-grafana-signing-secret-0001"
    assert len(ref.rules_revision) == 16
