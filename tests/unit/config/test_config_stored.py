"""The forms of a config: what the CLI sends holds key hashes, what the platform keeps holds digests under
the pepper and no signing secret, and what is shown holds neither, only each key's hint."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from klaxon.config import KlaxonConfig, hash_key, load_config, parse_config

DEMO_KEYS = (
    "KLAXON-DEMO-CHECKOUT-KEY-0000001",
    "KLAXON-DEMO-PAYMENTS-KEY-0000001",
    "KLAXON-DEMO-ALERTMANAGER-KEY-001",
    "KLAXON-DEMO-GRAFANA-KEY-00000001",
    "KLAXON-DEMO-CLOUDWATCH-KEY-00001",
    "KLAXON-DEMO-DATADOG-KEY-00000001",
    "KLAXON-DEMO-SENTRY-KEY-000000001",
    "KLAXON-DEMO-GENERIC-KEY-00000001",
)
SECRET = "signing-secret-0000000000000001"


@pytest.fixture
def acme(acme_path: Path) -> KlaxonConfig:
    return load_config(acme_path)


def test_a_key_hash_is_the_hex_sha256_of_the_key() -> None:
    assert (
        hash_key("KLAXON-DEMO-CHECKOUT-KEY-0000001")
        == hashlib.sha256(b"KLAXON-DEMO-CHECKOUT-KEY-0000001").hexdigest()
    )


def test_the_stored_form_holds_no_plaintext_key(acme: KlaxonConfig) -> None:
    stored = json.dumps(acme.stored())

    assert not any(key in stored for key in DEMO_KEYS)


def test_the_stored_form_holds_each_keys_hash(acme: KlaxonConfig) -> None:
    hashes = [item["key_hash"] for item in acme.stored()["integrations"]]

    assert hashes == [hash_key(key) for key in DEMO_KEYS]


def test_the_stored_form_loads_back_as_the_same_config(acme: KlaxonConfig) -> None:
    reloaded = KlaxonConfig.model_validate(acme.stored())

    assert reloaded.stored() == acme.stored()


@pytest.fixture
def signed(edit_acme: Callable[[str, str], tuple[str, int]]) -> KlaxonConfig:
    """The demo with a signing secret on its first integration."""
    text, _ = edit_acme("    service: checkout\n", f"    service: checkout\n    secret: {SECRET}\n")
    return parse_config(text, "acme.yaml")


def test_the_stored_form_keeps_a_signing_secret_to_verify_signatures_with(signed: KlaxonConfig) -> None:
    assert signed.stored()["integrations"][0]["secret"] == SECRET


def test_the_public_view_drops_signing_secrets(signed: KlaxonConfig) -> None:
    assert SECRET not in json.dumps(signed.public_view())


def _pepper(hashed: str) -> str:
    return hmac.new(b"pepper", hashed.encode(), hashlib.sha256).hexdigest()


def test_the_kept_form_holds_each_keys_sha256_digested_under_the_pepper(acme: KlaxonConfig) -> None:
    digests = [item["key_digest"] for item in acme.persisted(_pepper)["integrations"]]

    assert digests == [_pepper(hash_key(key)) for key in DEMO_KEYS]
    assert not any(hash_key(key) in json.dumps(acme.persisted(_pepper)) for key in DEMO_KEYS)


def test_a_key_given_by_its_sha256_is_kept_under_the_same_digest(acme: KlaxonConfig) -> None:
    sent = KlaxonConfig.model_validate(acme.stored())

    assert sent.persisted(_pepper)["integrations"] == acme.persisted(_pepper)["integrations"]


def test_the_kept_form_loads_back_and_holds_no_signing_secret(signed: KlaxonConfig) -> None:
    kept = signed.persisted(_pepper)

    assert KlaxonConfig.model_validate(kept).persisted(_pepper) == kept
    assert SECRET not in json.dumps(kept)


def test_the_public_view_shows_a_keys_prefix_and_last_four_and_no_hash_or_digest(acme: KlaxonConfig) -> None:
    shown = KlaxonConfig.model_validate(acme.persisted(_pepper)).public_view()

    assert [item["key_hint"] for item in shown["integrations"]] == [
        "KLAXON-…0001",
        "KLAXON-…0001",
        "KLAXON-…-001",
        "KLAXON-…0001",
        "KLAXON-…0001",
        "KLAXON-…0001",
        "KLAXON-…0001",
        "KLAXON-…0001",
    ]
    for item in shown["integrations"] + shown.get("heartbeats", []):
        assert not {"key", "key_hash", "key_digest", "secret"} & set(item)
