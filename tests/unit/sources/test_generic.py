"""Generic JSON: alert fields found by the integration's dotted paths."""

from __future__ import annotations

import pytest

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.models import AlertAction, Severity
from klaxon.domain.intake.integration import FieldPaths
from klaxon.domain.intake.sources import generic
from klaxon.domain.intake.sources.signatures import BadSignature
from tests.fakes.sources import encode, generic_headers, load
from tests.unit.sources.conftest import NOW, parse, parse_alert, ref

PATHS = FieldPaths(
    summary="title", severity="level", dedup_key="id", action="state", source="host", labels="tags"
)


def integration(paths: FieldPaths = PATHS, **settings: object):
    return ref(
        "generic", fields=paths, service="platform", service_label=None, default_service=None, **settings
    )


def test_a_firing_payload_triggers_with_the_mapped_fields():
    alert = parse_alert("generic", load("generic-firing"), integration())

    assert alert.action is AlertAction.TRIGGER
    assert alert.summary == "Nightly backup of db-1 failed: pg_dump exited with 1"
    assert alert.dedup_key == "nightly-backup-db-1"
    assert alert.severity is Severity.ERROR
    assert alert.source == "backup-runner-2"
    assert alert.labels == {"env": "prod", "job": "nightly-backup", "database": "db-1"}


def test_the_same_id_again_retriggers_the_same_dedup_key():
    again = load("generic-firing") | {"title": "Nightly backup of db-1 failed again"}

    assert parse_alert("generic", again, integration()).dedup_key == "nightly-backup-db-1"


def test_a_resolved_state_resolves():
    alert = parse_alert("generic", load("generic-resolved"), integration())

    assert (alert.action, alert.dedup_key) == (AlertAction.RESOLVE, "nightly-backup-db-1")


def test_paths_go_into_nested_objects_and_lists():
    paths = FieldPaths(summary="$.alert.messages.1", labels="alert.labels")
    body = {"alert": {"messages": ["first", "second"], "labels": {"team": "db", "replicas": 3}}}

    alert = parse_alert("generic", body, integration(paths))

    assert alert.summary == "second"
    assert alert.labels == {"team": "db", "replicas": "3"}


def test_without_a_dedup_key_path_the_summary_and_source_make_the_key():
    paths = FieldPaths(summary="title", source="host")
    one = parse_alert("generic", load("generic-firing"), integration(paths))
    two = parse_alert("generic", load("generic-firing"), integration(paths))

    assert one.dedup_key == two.dedup_key
    assert len(one.dedup_key) == 64


def test_every_missing_or_bad_field_is_listed():
    body = {"state": "exploded", "tags": 7}

    with pytest.raises(InvalidInput) as caught:
        parse("generic", body, integration())

    assert caught.value.errors == [
        "'title' (summary) is missing or blank",
        "'state' (action) is 'exploded'; use one of " + ", ".join(generic.ACTION_WORDS),
        "'id' (dedup_key) is missing or blank",
        "'tags' (labels) must be an object or a list of 'key:value' strings",
    ]


def test_an_integration_without_fields_says_how_to_configure_it():
    with pytest.raises(InvalidInput, match="no field mapping"):
        parse("generic", load("generic-firing"), ref("generic"))


def test_a_body_signed_with_the_secret_is_accepted():
    body = encode(load("generic-firing"))
    headers = {k.lower(): v for k, v in generic_headers(body, "generic-secret-000001").items()}

    generic.verify(body, headers, integration(secrets=("generic-secret-000001",)), NOW)


def test_a_wrong_signature_is_refused():
    body = encode(load("generic-firing"))
    headers = {k.lower(): v for k, v in generic_headers(body, "not-the-secret-00001").items()}

    with pytest.raises(BadSignature, match="X-Klaxon-Signature does not match"):
        generic.verify(body, headers, integration(secrets=("generic-secret-000001",)), NOW)
