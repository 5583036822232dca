"""A component's `created_at` is when the configuration that introduced it was applied: kept across
later applies and renders, new for a component added later."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from klaxon.config.loader import load_config
from klaxon.domain.intake.integration import IntegrationRef
from klaxon.domain.statuspage.introductions import component_key, introduced
from klaxon.services.configuration import ConfigApplier
from statuspage_site import render
from tests.conftest import DEMO_CONFIG
from tests.fakes.memory import FixedClock, MemorySigningSecrets, PepperedDigest
from tests.unit.statuspage.factories import COMPONENTS, GROUPS, NOW, incident, snapshot

DEMO = load_config(DEMO_CONFIG)
APPLIED = NOW - timedelta(days=30)


class MemoryConfig:
    def __init__(self) -> None:
        self.document: dict[str, Any] | None = None
        self.times: dict[str, datetime] = {}

    def check_fits(self, *_: object) -> None:
        return None

    def apply(
        self,
        document: dict[str, Any],
        integrations: dict[str, IntegrationRef],
        introductions: Mapping[str, datetime],
    ) -> None:
        self.document, self.times = document, dict(introductions)

    def config_document(self) -> dict[str, Any] | None:
        return self.document

    def introductions(self) -> dict[str, datetime]:
        return dict(self.times)


def test_a_key_keeps_its_first_time_and_a_new_one_gets_now():
    assert introduced({"a": APPLIED}, ["a", "b"], NOW) == {"a": APPLIED, "b": NOW}


def test_a_key_removed_then_added_again_is_new():
    dropped = introduced({"a": APPLIED, "b": APPLIED}, ["a"], NOW)
    assert introduced(dropped, ["a", "b"], NOW + timedelta(days=1)) == {
        "a": APPLIED,
        "b": NOW + timedelta(days=1),
    }


def test_applying_again_keeps_each_components_time_and_dates_a_new_one():
    store, clock = MemoryConfig(), FixedClock(APPLIED)
    applier = ConfigApplier(store, PepperedDigest(), MemorySigningSecrets(clock), clock)
    applier.apply(DEMO)
    assert store.times[component_key("checkout")] == APPLIED

    assert DEMO.statuspage is not None
    extra = DEMO.statuspage.components[0].model_copy(update={"id": "status-api", "name": "Status API"})
    page = DEMO.statuspage.model_copy(update={"components": [*DEMO.statuspage.components, extra]})
    clock.at = NOW
    applier.apply(DEMO.model_copy(update={"statuspage": page}))

    assert (store.times[component_key("checkout")], store.times[component_key("status-api")]) == (
        APPLIED,
        NOW,
    )


def dated(at: datetime) -> list:
    return [c.model_copy(update={"created_at": at}) for c in COMPONENTS]


def components_json(now: datetime, *incidents) -> dict[str, dict[str, Any]]:
    state = snapshot(*incidents).model_copy(
        update={
            "components": dated(APPLIED),
            "groups": [g.model_copy(update={"created_at": APPLIED}) for g in GROUPS],
        }
    )
    files = render(state, now)
    return {c["id"]: c for c in json.loads(files["api/v2/components.json"])["components"]}


def test_created_at_in_the_json_is_the_configuration_time_whenever_it_renders():
    early, late = components_json(NOW), components_json(NOW + timedelta(days=3))
    assert early["checkout"]["created_at"] == late["checkout"]["created_at"] == "2026-10-28T12:00:00.000Z"
    assert early["storefront"]["created_at"] == "2026-10-28T12:00:00.000Z"


def test_summary_json_carries_the_same_created_at():
    state = snapshot().model_copy(update={"components": dated(APPLIED)})
    summary = json.loads(render(state, NOW)["api/v2/summary.json"])
    assert {c["created_at"] for c in summary["components"] if not c["group"]} == {"2026-10-28T12:00:00.000Z"}


def test_updated_at_is_the_last_status_change_and_created_at_stays():
    found = components_json(NOW, incident(1, started=NOW - timedelta(hours=1)))
    assert (found["checkout"]["created_at"], found["checkout"]["updated_at"]) == (
        "2026-10-28T12:00:00.000Z",
        "2026-11-27T11:00:00.000Z",
    )
    assert found["api"]["updated_at"] == "2026-10-28T12:00:00.000Z"
