"""Integration keys and signing secrets at rest (security: keys under the pepper, secrets in Secrets
Manager): the config table holds neither a key, nor its SHA-256, nor a signing secret; a changed secret
verifies beside the old one through its grace period; what `GET /v1/config` shows can be put back."""

from __future__ import annotations

import hashlib
import json
import time

import httpx

from klaxon.adapters.aws import client
from klaxon.adapters.tables import ConfigItem
from klaxon.config.loader import load_config
from tests.conftest import DEMO_CONFIG
from tests.fakes.sources import encode, grafana_headers, load

GRAFANA_KEY = "KLAXON-DEMO-GRAFANA-KEY-00000001"
OLD_SECRET = "demo-grafana-signing-secret-0001"
NEW_SECRET = "rotated-grafana-signing-secret-0002"
DEMO_KEYS = [i.key.get_secret_value() for i in load_config(DEMO_CONFIG).integrations if i.key is not None]


def _config_table_text() -> str:
    return json.dumps([item.doc for item in ConfigItem.scan()] + [item.sk for item in ConfigItem.scan()])


def _grafana(platform, secret: str) -> httpx.Response:
    body = encode(load("grafana-firing"))
    headers = {"Authorization": f"Bearer {GRAFANA_KEY}", **grafana_headers(body, secret, int(time.time()))}
    return httpx.post(f"{platform.url}/v1/integrations/grafana", content=body, headers=headers, timeout=10)


def test_the_config_table_holds_no_key_no_key_hash_and_no_signing_secret(platform, http):
    stored = _config_table_text()

    for key in DEMO_KEYS:
        assert key not in stored
        assert hashlib.sha256(key.encode()).hexdigest() not in stored
    assert OLD_SECRET not in stored


def test_signing_secrets_are_kept_in_secrets_manager(platform, http):
    vault = json.loads(
        client("secretsmanager").get_secret_value(SecretId="klaxon/integration-secrets")["SecretString"]
    )
    assert vault["grafana"]["current"] == OLD_SECRET


def test_an_applied_new_secret_verifies_beside_the_old_one_and_is_listed(platform, http):
    config = load_config(DEMO_CONFIG).stored()
    (grafana,) = [i for i in config["integrations"] if i["id"] == "grafana"]
    grafana["secret"] = NEW_SECRET
    assert http.put("/v1/config", json=config).status_code == 200

    assert _grafana(platform, NEW_SECRET).status_code == 202
    assert _grafana(platform, OLD_SECRET).status_code == 202  # the sender not switched yet
    assert _grafana(platform, "some-other-secret-000003").status_code == 401
    (listed,) = [s for s in http.get("/v1/secrets").json()["secrets"] if s["name"] == "integration:grafana"]
    assert listed["rotated_at"] is not None and listed["previous_valid_until"] is not None


def test_an_integration_secret_is_rotated_by_applying_it_not_by_the_rotate_route(platform, http):
    refused = http.post("/v1/secrets/integration:grafana/rotate")
    assert refused.status_code == 400
    assert "apply" in refused.json()["errors"][0]


def test_what_get_config_shows_can_be_put_back_and_every_key_still_works(platform, http):
    shown = http.get("/v1/config").json()
    assert http.put("/v1/config", json=shown).status_code == 200

    event = {
        "routing_key": "KLAXON-DEMO-CHECKOUT-KEY-0000001",
        "event_action": "trigger",
        "payload": {"summary": "still keyed", "source": "test", "severity": "critical"},
    }
    assert httpx.post(f"{platform.url}/v2/enqueue", json=event, timeout=10).status_code == 202
    assert _grafana(platform, OLD_SECRET).status_code == 202
    assert _grafana(platform, "some-other-secret-000003").status_code == 401  # still checked


def test_a_secret_given_as_null_is_removed(platform, http):
    shown = http.get("/v1/config").json()
    (grafana,) = [i for i in shown["integrations"] if i["id"] == "grafana"]
    grafana["secret"] = None
    assert http.put("/v1/config", json=shown).status_code == 200

    assert "integration:grafana" not in {s["name"] for s in http.get("/v1/secrets").json()["secrets"]}
    assert _grafana(platform, "any-secret-at-all-00004").status_code == 202  # no secret: not signed
