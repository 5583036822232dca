"""Integrations' signing secrets: an apply that changes one rotates it, and the sender is verified under
the new or the old one until the grace period ends; keys are shown only by their hint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from klaxon.config.keys import with_kept_credentials
from klaxon.config.secrets import key_hint
from klaxon.domain.access.rotation import DEFAULT_GRACE, SecretVersions, reconciled
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.intake.sources.signatures import BadSignature
from klaxon.services.intake.ingest import IngestService
from tests.fakes.memory import (
    CountingIds,
    FixedClock,
    MemoryDirectory,
    MemoryPayloads,
    MemorySigningSecrets,
    RecordingBus,
)
from tests.fakes.sources import encode, hmac_hex, load

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
OLD, NEW = "grafana-secret-old-0001", "grafana-secret-new-0001"
BODY = encode(load("grafana-firing"))


def test_an_unchanged_secret_is_kept_as_it_was():
    kept = {"g": SecretVersions(current=OLD)}
    assert reconciled(kept, {"g": OLD}, NOW) == kept


def test_a_changed_secret_is_rotated_and_the_old_one_kept_for_the_grace_period():
    found = reconciled({"g": SecretVersions(current=OLD)}, {"g": NEW}, NOW)["g"]
    assert found.accepted(NOW + DEFAULT_GRACE - timedelta(seconds=1)) == [NEW, OLD]
    assert found.accepted(NOW + DEFAULT_GRACE) == [NEW]


def test_a_new_integration_gets_its_secret_and_a_removed_one_loses_it():
    found = reconciled({"gone": SecretVersions(current=OLD)}, {"new": NEW}, NOW)
    assert set(found) == {"new"} and found["new"].previous is None


def _ingest(clock: FixedClock, signing: MemorySigningSecrets) -> IngestService:
    ref = IntegrationRef(id="g", kind="grafana", service="checkout", signed=True)
    return IngestService(
        directory=MemoryDirectory(integrations={"grafana-key": ref}),
        bus=RecordingBus(),
        payloads=MemoryPayloads(),
        clock=clock,
        ids=CountingIds(),
        signing=signing,
    )


def _send(ingest: IngestService, secret: str) -> None:
    headers = {"x-grafana-alerting-signature": hmac_hex(secret, BODY)}
    ingest.enqueue_integration("grafana", "grafana-key", BODY, headers)


def test_during_a_rotation_the_sender_is_accepted_under_either_secret_then_only_the_new():
    clock = FixedClock(NOW)
    signing = MemorySigningSecrets(clock)
    signing.replace({"g": OLD})
    ingest = _ingest(clock, signing)
    signing.replace({"g": NEW})  # the team applied a config with the new secret

    _send(ingest, NEW)
    _send(ingest, OLD)  # the sender not yet switched

    clock.advance(hours=24)
    _send(ingest, NEW)
    with pytest.raises(BadSignature):
        _send(ingest, OLD)


def test_a_signed_integration_whose_secret_cannot_be_found_refuses_every_request():
    clock = FixedClock(NOW)
    ingest = _ingest(clock, MemorySigningSecrets(clock))  # signed, but no secret stored

    with pytest.raises(BadSignature, match="signing secret"):
        _send(ingest, OLD)
    with pytest.raises(BadSignature, match="signing secret"):
        ingest.enqueue_integration("grafana", "grafana-key", BODY, {})


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("am-prod-7f3c9d2e8b1a4c6f", "am-…4c6f"),
        ("klx_abcdefghijklmnopqrstuvwxyz", "klx_…wxyz"),
        ("7f3c9d2e8b1a4c6f0a1b", "…0a1b"),
        ("averyveryverylongprefix-0123456789", "…6789"),
    ],
)
def test_a_key_is_shown_by_its_conventional_prefix_and_last_four(key: str, hint: str):
    assert key_hint(key) == hint


STORED = {
    "integrations": [{"id": "g", "kind": "grafana", "key_digest": "d" * 64, "key_hint": "…0001"}],
    "heartbeats": [{"id": "nightly", "key_digest": "e" * 64}],
}


def test_an_entry_without_a_key_keeps_the_stored_one_and_a_given_key_replaces_it():
    body = {
        "integrations": [
            {"id": "g", "kind": "grafana"},
            {"id": "new", "kind": "generic", "key_hash": "f" * 64},
        ],
        "heartbeats": [{"id": "nightly"}],
    }
    filled = with_kept_credentials(body, STORED, {})
    assert filled["integrations"][0]["key_digest"] == "d" * 64
    assert "key_digest" not in filled["integrations"][1]
    assert filled["heartbeats"][0]["key_digest"] == "e" * 64


def test_an_absent_secret_is_kept_and_a_null_one_removed():
    kept = with_kept_credentials({"integrations": [{"id": "g"}]}, STORED, {"g": OLD})
    removed = with_kept_credentials({"integrations": [{"id": "g", "secret": None}]}, STORED, {"g": OLD})
    assert (kept["integrations"][0]["secret"], removed["integrations"][0]["secret"]) == (OLD, None)


@pytest.mark.parametrize("body", [None, [], {"integrations": "x"}, {"integrations": [1, {"id": ["g"]}]}])
def test_a_malformed_body_is_left_for_validation_to_refuse(body):
    assert with_kept_credentials(body, STORED, {"g": OLD}) == body
