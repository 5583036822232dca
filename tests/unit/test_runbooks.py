"""Runbooks: the alert's own wins, then the most specific matching entry, then the service's default."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
import yaml
from typer.testing import CliRunner

from klaxon.cli import app
from klaxon.config.loader import ConfigError, validate_document
from klaxon.domain.incident.models import Alert, AlertAction, Link, Severity
from klaxon.domain.intake.routing import AlertField, Condition, Operator
from klaxon.domain.paging.messages import email_message
from klaxon.domain.paging.pages import Page
from klaxon.domain.paging.policy import Channel
from klaxon.domain.runbooks.choice import Runbook, Runbooks
from klaxon.domain.runbooks.models import RunbookSource
from tests.conftest import DEMO_CONFIG
from tests.unit.test_router_service import world  # noqa: F401 - fixture

NOW = datetime(2026, 12, 5, tzinfo=UTC)


def alert(service: str = "db", labels: dict[str, str] | None = None, **fields: object) -> Alert:
    base: dict[str, object] = {
        "id": "a1",
        "action": AlertAction.TRIGGER,
        "dedup_key": "k",
        "service": service,
        "integration": "am",
        "source_kind": "alertmanager",
        "received_at": NOW,
        "summary": "Connection pool exhausted on db-3",
        "severity": Severity.CRITICAL,
        "labels": labels if labels is not None else {"alertname": "PoolExhausted", "env": "prod"},
    }
    return Alert.model_validate({**base, **fields})


def label(name: str, value: str, operator: Operator = Operator.EQUALS) -> Condition:
    if operator is Operator.IN:
        return Condition(label=name, operator=operator, values=tuple(value.split(",")))
    return Condition(label=name, operator=operator, value=value)


POOL = Runbook(
    id="pool",
    title="Pool exhausted",
    url="https://wiki.example/pool",
    conditions=(label("alertname", "PoolExhausted"),),
)
DB_POOL = Runbook(
    id="db-pool",
    title="Database pool exhausted",
    url="https://wiki.example/db-pool",
    conditions=(label("service", "db"), label("alertname", "PoolExhausted")),
)
PROD = Runbook(
    id="prod", title="Anything in prod", url="https://wiki.example/prod", conditions=(label("env", "prod"),)
)
DEFAULTS = {"db": "https://wiki.example/db", "web": "https://wiki.example/web"}


def test_the_most_specific_matching_entry_wins_whatever_its_place_in_the_configuration():
    chosen = Runbooks([POOL, DB_POOL], DEFAULTS).choose(alert())
    assert chosen is not None
    assert (chosen.id, chosen.url, chosen.title, chosen.source) == (
        "db-pool",
        "https://wiki.example/db-pool",
        "Database pool exhausted",
        RunbookSource.MATCHED,
    )
    assert (
        chosen.reason
        == "matched db-pool: label 'service' equals 'db'; label 'alertname' equals 'PoolExhausted'"
    )


def test_of_equally_specific_entries_the_first_in_the_configuration_wins():
    assert Runbooks([POOL, PROD]).choose(alert()).id == "pool"  # type: ignore[union-attr]
    assert Runbooks([PROD, POOL]).choose(alert()).id == "prod"  # type: ignore[union-attr]


def test_the_alerts_own_runbook_url_wins_over_every_entry():
    links = [
        Link(href="https://grafana.example/d/1", text="dashboard"),
        Link(href="https://rb.example/x", text="runbook"),
    ]
    chosen = Runbooks([DB_POOL], DEFAULTS).choose(alert(links=links))
    assert chosen is not None
    assert (chosen.url, chosen.source, chosen.id) == ("https://rb.example/x", RunbookSource.ALERT, None)


def test_an_events_v2_alert_names_its_runbook_in_custom_details():
    own = alert(custom_details={"runbook_url": "https://rb.example/pd", "other": 1})
    assert Runbooks([DB_POOL]).choose(own).url == "https://rb.example/pd"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "bad",
    ["javascript:alert(1)", "ftp://x.example/r", "https://x.example/" + "a" * 2048, 42, None],
)
def test_an_own_runbook_url_that_is_not_a_web_address_is_ignored_for_the_configured_one(bad: object):
    chosen = Runbooks([DB_POOL]).choose(alert(custom_details={"runbook_url": bad}))
    assert chosen is not None and chosen.id == "db-pool"


def test_with_no_entry_matching_the_service_default_applies_and_else_nothing():
    other = alert(labels={"alertname": "DiskFull"})
    chosen = Runbooks([POOL, DB_POOL], DEFAULTS).choose(other)
    assert chosen is not None
    assert (chosen.url, chosen.source) == ("https://wiki.example/db", RunbookSource.SERVICE)
    assert Runbooks([POOL], DEFAULTS).choose(alert(service="queue", labels={})) is None


def test_the_service_label_is_the_routed_service_not_a_label_the_source_sent():
    sent = alert(service="web", labels={"alertname": "PoolExhausted", "service": "db"})
    chosen = Runbooks([DB_POOL, POOL]).choose(sent)
    assert chosen is not None and chosen.id == "pool"  # db-pool is for Klaxon's db service only


def test_fields_match_as_in_routing_rules():
    by_severity = Runbook(
        id="crit",
        title="Critical",
        url="https://wiki.example/crit",
        conditions=(Condition(field=AlertField.SEVERITY, operator=Operator.EQUALS, value="critical"),),
    )
    assert Runbooks([by_severity]).choose(alert()).id == "crit"  # type: ignore[union-attr]
    assert Runbooks([by_severity]).choose(alert(severity=Severity.INFO)) is None


def test_explain_gives_each_entry_most_specific_first_with_the_condition_that_failed():
    traces, chosen = Runbooks([POOL, PROD, DB_POOL], DEFAULTS).explain(alert(service="web"))
    assert [(t.id, t.matched) for t in traces] == [("db-pool", False), ("pool", True), ("prod", True)]
    assert traces[0].reason == "label 'service' equals 'db' failed: label 'service' is 'web'"
    assert chosen is not None and chosen.id == "pool"


def test_services_without_a_runbook_are_those_with_no_default_and_no_entry_for_them():
    runbooks = Runbooks([POOL, DB_POOL], {"web": "https://wiki.example/web"})
    # POOL is for an alert name on any service: it does not give a service a runbook of its own
    assert runbooks.without_runbook(["db", "web", "queue"]) == ["queue"]
    catch_all = Runbook(id="all", title="Start here", url="https://wiki.example/start")
    assert Runbooks([catch_all]).without_runbook(["db", "queue"]) == []


# --- configuration --------------------------------------------------------------------------------------


def _demo() -> dict:
    return yaml.safe_load(DEMO_CONFIG.read_text())


def test_the_demo_configuration_gives_every_service_a_runbook():
    config = validate_document(_demo(), "demo")
    assert config.runbooks and all(s.runbook for s in config.services)


@pytest.mark.parametrize(
    ("change", "where", "says"),
    [
        (
            lambda d: d["runbooks"][0]["match"].append({"label": "service", "equals": "paymnets"}),
            "runbooks[0].match[2]",
            "did you mean 'payments'",
        ),
        (lambda d: d["runbooks"].append(copy.deepcopy(d["runbooks"][0])), "runbooks[3].id", "duplicate id"),
        (
            lambda d: d["runbooks"][0].update(url="javascript:alert(1)"),
            "runbooks[0].url",
            "give a web address starting https://",
        ),
        (
            lambda d: d["services"][0].update(runbook="wiki/checkout"),
            "services[0].runbook",
            "give a web address starting https://",
        ),
        (
            lambda d: d["runbooks"][0]["match"].append({"label": "team"}),
            "runbooks[0].match[2]",
            "exactly one of",
        ),
    ],
)
def test_a_runbook_mistake_is_refused_with_where_it_is(change, where: str, says: str):
    document = _demo()
    change(document)
    with pytest.raises(ConfigError) as raised:
        validate_document(document, "demo.yaml")
    text = "\n".join(raised.value.errors)
    assert where in text and says in text, text


# --- the router, the page ----------------------------------------------------------------------------------


def test_an_incident_opens_with_its_runbook_and_keeps_it(world):  # noqa: F811
    router, incidents, _, _ = world
    router.runbooks = lambda: Runbooks([DB_POOL], DEFAULTS)
    opened = router.route(alert()).incident
    assert opened is not None and opened.runbook is not None
    assert incidents.get(opened.id).runbook == opened.runbook  # type: ignore[union-attr]
    assert opened.runbook.id == "db-pool"


def test_the_page_by_email_links_the_runbook_and_no_unsafe_one():
    page = Page(
        incident_id="i1",
        incident_number=7,
        title="Pool exhausted",
        service="db",
        priority="P1",
        user="alice",
        user_name="Alice",
        channel=Channel.EMAIL,
        address="alice@example.com",
        step=0,
        loop=0,
        runbook_url="https://wiki.example/db-pool?a=1&b=2",
    )
    email = email_message(page)
    assert "Runbook: https://wiki.example/db-pool?a=1&b=2" in email.text
    assert '<a href="https://wiki.example/db-pool?a=1&amp;b=2">' in email.html
    unsafe = email_message(page.model_copy(update={"runbook_url": "javascript:alert(1)"}))
    assert "Runbook" not in unsafe.text and "javascript" not in unsafe.html


# --- the command ------------------------------------------------------------------------------------------


def test_runbook_test_says_which_runbook_and_why():
    result = CliRunner().invoke(
        app,
        [
            "runbook",
            "test",
            "--config",
            str(DEMO_CONFIG),
            "--label",
            "service=payments",
            "--label",
            "alertname=CardDeclinesHigh",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "matched payments-card-declines" in result.output
    assert (
        "result:   Card declines above normal https://github.com/acme/runbooks/blob/main/docs/payments/card-declines.md"
        in result.output
    )
    fallback = CliRunner().invoke(
        app, ["runbook", "test", "--config", str(DEMO_CONFIG), "--label", "service=search"]
    )
    assert "why:      no entry matched: the default runbook of service search" in fallback.output


def test_runbook_test_refuses_a_label_without_a_value_or_an_unknown_field():
    bad_label = CliRunner().invoke(
        app, ["runbook", "test", "--config", str(DEMO_CONFIG), "--label", "service"]
    )
    assert bad_label.exit_code == 2 and "NAME=VALUE" in bad_label.output
    bad_field = CliRunner().invoke(
        app, ["runbook", "test", "--config", str(DEMO_CONFIG), "--field", "colour=red"]
    )
    assert bad_field.exit_code == 2 and "colour" in bad_field.output
    bad_value = CliRunner().invoke(
        app, ["runbook", "test", "--config", str(DEMO_CONFIG), "--field", "severity=bogus"]
    )
    said = " ".join(bad_value.output.replace("│", " ").split())  # as read, whatever the box's wrapping
    assert bad_value.exit_code == 2 and "severity: Input should be 'critical'" in said


def test_runbook_list_names_the_services_without_one(tmp_path):
    document = _demo()
    del document["services"][2]["runbook"]  # search
    path = tmp_path / "klaxon.yaml"
    path.write_text(yaml.safe_dump(document))
    result = CliRunner().invoke(app, ["runbook", "list", "--config", str(path), "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["services_without_runbook"] == ["search"]
    assert [r["id"] for r in found["runbooks"]] == [
        "payments-card-declines",  # two conditions: most specific
        "checkout-latency",
        "database-pool",
    ]
