"""One model of the environment; one container per process; routes get their services through Depends."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from klaxon import wiring
from klaxon.domain.access.rate_limits import Limits
from klaxon.domain.access.roles import Role
from klaxon.domain.errors import NotFound
from klaxon.ports import ApiPrincipal
from klaxon.services.access.rate_limits import RateLimiter
from klaxon.settings import ClientSettings, Settings
from tests.fakes.memory import FixedClock, MemoryRateCounter

ROOT = Path(__file__).resolve().parents[2]


def test_settings_read_every_variable_by_its_name_and_blank_is_unset():
    found = Settings.from_environ(
        {
            "KLAXON_EVENT_BUS": "bus-1",
            "KLAXON_TABLE_INCIDENTS": "inc-1",
            "KLAXON_PUBLIC_URL": "",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_LAMBDA_FUNCTION_NAME": "klaxon-api",
            "UNRELATED": "x",
        }
    )
    assert (found.event_bus, found.table("incidents"), found.table("dedup")) == (
        "bus-1",
        "inc-1",
        "klaxon-dedup",
    )
    assert found.public_url is None
    assert found.region == "eu-west-1"
    assert found.in_lambda and not found.allow_loopback_webhooks
    assert not Settings.from_environ({}).in_lambda
    assert (
        Settings.from_environ({"AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "x"}).region == "ap-south-1"
    )


def test_settings_are_frozen():
    with pytest.raises(ValueError, match="frozen"):
        Settings.from_environ({}).event_bus = "other"  # type: ignore[misc]


def test_every_klaxon_variable_the_code_names_is_a_setting():
    """No module spells a KLAXON_* name of its own: each is an alias in klaxon/settings.py."""
    known = {f.alias for model in (Settings, ClientSettings) for f in model.model_fields.values()}
    spelled: dict[str, set[str]] = {}
    for folder in ("klaxon", "functions", "infra"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "settings.py":
                continue
            for name in re.findall(r"\bKLAXON_[A-Z_]+[A-Z]\b", path.read_text()):
                spelled.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    unknown = {name: sorted(paths) for name, paths in spelled.items() if name not in known}
    assert unknown == {}


PRODUCTION = ("klaxon/adapters", "klaxon/services", "klaxon/domain", "klaxon/http", "functions", "infra")


def test_no_production_module_reads_the_environment_but_settings():
    readers = [
        str(path.relative_to(ROOT))
        for folder in (
            "klaxon/adapters",
            "klaxon/services",
            "klaxon/domain",
            "klaxon/http",
            "functions",
            "infra",
        )
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text())
    ]
    assert readers == []
    assert not re.search(r"os\.environ|getenv", (ROOT / "klaxon" / "wiring.py").read_text())


def test_the_container_builds_each_part_once_and_is_frozen():
    built = wiring.build(Settings.from_environ({"KLAXON_EVENT_BUS": "bus-2"}))
    assert built.router_service is built.router_service
    assert built.router_service.incidents is built.incident_service.incidents is built.incident_repository
    assert built.bus.bus_name == "bus-2"  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="frozen"):
        built.bus = None  # type: ignore[misc]


def test_a_part_can_be_provided_and_an_unknown_one_is_refused():
    clock = object()
    built = wiring.build(Settings(), clock=clock)
    assert built.incident_service.clock is clock
    with pytest.raises(TypeError, match="no such part"):
        wiring.build(Settings(), clocks=clock)


def test_the_process_container_is_the_installed_one_until_reset():
    mine = wiring.install(wiring.build(Settings()))
    try:
        assert wiring.container() is mine
    finally:
        wiring.reset()
    assert wiring.container() is not mine
    wiring.reset()


def test_the_escalation_runner_needs_its_state_machine():
    with pytest.raises(LookupError, match="KLAXON_ESCALATION_STATE_MACHINE"):
        _ = wiring.build(Settings()).escalation_runner


class _Tokens:
    def principal(self, token: str) -> ApiPrincipal | None:
        return ApiPrincipal(name="test", user="alice", role=Role.OBSERVER) if token == "t0ken" else None


def _limiter() -> RateLimiter:
    return RateLimiter(counter=MemoryRateCounter(), clock=FixedClock(), limits=Limits)


class _Incidents:
    def get_with_details(self, incident_id: str) -> object:
        raise NotFound(f"incident {incident_id} not found (from the override)")


def test_routes_take_their_services_through_depends_so_a_test_can_override_them():
    from klaxon.http import deps
    from klaxon.http.api_app import app
    from klaxon.local.gateway import proxy_event

    overrides = {deps.tokens: _Tokens, deps.incidents: _Incidents, deps.rate_limiter: _limiter}
    app.dependency_overrides.update(overrides)
    try:
        headers = {"Authorization": "Bearer t0ken"}
        event = proxy_event("GET", "/v1/incidents/abc", headers, b"", "127.0.0.1")
        answer = app.resolve(event, None)
    finally:
        app.dependency_overrides.clear()
    assert answer["statusCode"] == 404
    assert "from the override" in json.loads(answer["body"])["message"]


def test_the_operations_guide_lists_every_variable_as_the_model_has_it():
    from klaxon.settings import reference_table

    text = (ROOT / "docs" / "operations.md").read_text()
    start = text.index("<!-- generated from klaxon/settings.py: reference_table() -->\n")
    end = text.index("<!-- end of generated table -->")
    assert text[start:end].split("\n", 1)[1] == reference_table()


def test_the_unit_tier_and_the_handlers_load_no_moto():
    import subprocess
    import sys

    probe = (
        "import sys; import tests.conftest, tests.unit.conftest, klaxon.wiring, klaxon.http.api_app, "
        "klaxon.http.ingest_app, functions.router; print(sorted(m for m in sys.modules if m.split('.')[0] "
        "== 'moto'))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
