"""`PUT /v1/config` past DynamoDB's limits is refused with a 400 naming the limit, and nothing changes:
the running configuration still pages, once."""

from __future__ import annotations

import hashlib
from typing import Any

from klaxon.config.loader import load_config
from tests.conftest import DEMO_CONFIG
from tests.integration.noise_support import eventually, incidents, notifications, send_pd


def stored() -> dict[str, Any]:
    return load_config(DEMO_CONFIG).stored()  # what `klaxon config apply` sends


def pages_once(http, platform, key: str) -> None:
    send_pd(http, platform, key)
    (incident,) = incidents(http, dedup_key=key)
    sent = eventually(lambda: notifications(http, incident["id"]))
    pages = [(n["step"], n["user"], n["channel"]) for n in sent]
    assert pages and len(set(pages)) == len(pages)


def test_over_a_hundred_items_is_refused_with_the_limit_named_and_the_old_config_still_pages(
    platform, http
) -> None:
    before = http.get("/v1/config").json()
    config = stored()
    config["integrations"] += [
        {
            "id": f"extra-{n}",
            "kind": "pagerduty",
            "key_hash": hashlib.sha256(f"EXTRA-KEY-{n}".encode()).hexdigest(),
            "service": "checkout",
        }
        for n in range(120)
    ]

    response = http.put("/v1/config", json=config)

    assert response.status_code == 400, response.text
    assert any("one apply writes at most 100" in e for e in response.json()["errors"]), response.json()
    assert http.get("/v1/config").json() == before
    pages_once(http, platform, "after-refused-items")


def test_a_document_over_400_kb_is_refused_with_the_limit_named(platform, http) -> None:
    before = http.get("/v1/config").json()
    config = stored()
    config["services"][0]["description"] = "x" * (450 * 1024)

    response = http.put("/v1/config", json=config)

    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error.startswith("the configuration document is") and "at most 409,600 bytes" in error
    assert http.get("/v1/config").json() == before
    pages_once(http, platform, "after-refused-document")
