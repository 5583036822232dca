"""Tokens with roles and scopes, and the audit log (issue: security §4 and §8), through the local platform.

The route-by-role matrix is generated from the topology (klaxon/topology.py API_ROLES): each role gets
exactly what its row says, a 403 for the rest. Every mutating route, called with a token, leaves exactly
one audit record, refused or not.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from klaxon.domain.access.roles import Role, permits
from klaxon.domain.access.tokens import TokenRecord
from klaxon.http.api_app import app
from klaxon.local.platform import LocalPlatform, Options
from klaxon.topology import Access, access_of, is_mutating, role_of
from tests.conftest import DEMO_CONFIG
from tests.integration.conftest import TOKEN

ROUTES = sorted((r.method, r.openapi_path) for r in app._static_routes + app._dynamic_routes)
TOKEN_ROUTES = [(m, p) for m, p in ROUTES if access_of(m, p) is Access.TOKEN]
MUTATING = [(m, p) for m, p in ROUTES if is_mutating(m, p)]


@pytest.fixture(scope="module")
def platform():
    running = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token=TOKEN)).start()
    yield running
    running.stop()


def _client(platform, secret: str) -> httpx.Client:
    return httpx.Client(base_url=platform.url, headers={"Authorization": f"Bearer {secret}"}, timeout=10)


@pytest.fixture(scope="module")
def admin(platform):
    with _client(platform, TOKEN) as client:
        yield client


@pytest.fixture(scope="module")
def role_tokens(admin):
    made = {}
    for role in Role:
        answer = admin.post("/v1/tokens", json={"name": f"matrix-{role.value}", "role": role.value})
        assert answer.status_code == 201, answer.text
        made[role] = answer.json()["secret"]
    return made


def _path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", template)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_gets_exactly_its_row_of_the_matrix(platform, role_tokens, role):
    with _client(platform, role_tokens[role]) as client:
        for method, template in TOKEN_ROUTES:
            answer = client.request(method, _path(template), content=b"{}")
            allowed = permits(role, role_of(method, template))
            assert answer.status_code < 500, (method, template)
            if allowed:
                assert answer.status_code not in (401, 403), (role, method, template, answer.text)
            else:
                assert answer.status_code == 403, (role, method, template, answer.text)
                assert role.value in answer.json()["message"]


def test_the_matrix_reads_as_the_issue_says():
    assert role_of("PUT", "/v1/config") is Role.ADMIN and role_of("POST", "/v1/tokens") is Role.ADMIN
    assert role_of("POST", "/v1/incidents/{incident_id}/acknowledge") is Role.RESPONDER
    assert role_of("POST", "/v1/schedules/{schedule_id}/overrides") is Role.RESPONDER
    assert role_of("GET", "/v1/incidents") is Role.OBSERVER
    assert not permits(Role.INTEGRATION, Role.OBSERVER) and not permits(Role.OBSERVER, Role.RESPONDER)
    assert permits(Role.ADMIN, Role.RESPONDER) and permits(Role.RESPONDER, Role.OBSERVER)


def test_the_secret_is_shown_once_and_only_a_hint_is_listed(admin):
    created = admin.post("/v1/tokens", json={"name": "shown-once", "role": "observer"}).json()
    secret = created["secret"]
    assert secret.startswith("klx_") and created["token"]["hint"] == f"klx_…{secret[-4:]}"
    listed = admin.get("/v1/tokens").text
    assert secret not in listed and secret[4:-4] not in listed
    record = next(t for t in admin.get("/v1/tokens").json()["tokens"] if t["name"] == "shown-once")
    expires = datetime.fromisoformat(record["expires_at"])
    assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)


def test_a_token_lives_at_most_a_year(admin):
    answer = admin.post("/v1/tokens", json={"name": "forever", "role": "admin", "expires_in_days": 3650})
    assert answer.status_code == 400


def test_revocation_is_immediate_and_last_use_is_recorded(platform, admin):
    created = admin.post("/v1/tokens", json={"name": "revoke-me", "role": "responder"}).json()
    with _client(platform, created["secret"]) as client:
        assert client.get("/v1/incidents").status_code == 200
        listed = {t["id"]: t for t in admin.get("/v1/tokens").json()["tokens"]}
        assert listed[created["token"]["id"]]["last_used_at"] is not None
        assert admin.delete(f"/v1/tokens/{created['token']['id']}").status_code == 200
        refused = client.get("/v1/incidents")
    assert refused.status_code == 401 and "revoked" in refused.json()["message"]


def test_an_expired_token_is_refused(platform):
    from klaxon import wiring

    container = wiring.container()
    now = datetime.now(UTC)
    secret = "klx_expired-token-of-the-test-0123456789"
    record = TokenRecord(
        id="expired",
        name="expired",
        role=Role.ADMIN,
        created_at=now - timedelta(days=91),
        created_by="test",
        expires_at=now - timedelta(seconds=1),
        hint="klx_…6789",
    )
    container.token_store.add(record, container.keyed.digest(secret))
    with _client(platform, secret) as client:
        assert client.get("/v1/incidents").status_code == 401


def test_tokens_are_stored_keyed_by_the_pepper_never_by_a_plain_digest(platform):
    import hashlib

    from klaxon.adapters.tables import ConfigItem

    stored = {item.sk for item in ConfigItem.query("api-token")}
    assert hashlib.sha256(TOKEN.encode()).hexdigest() not in stored
    from klaxon import wiring

    assert wiring.container().keyed.digest(TOKEN) in stored


def test_a_scoped_token_reaches_only_its_services_incidents(platform, admin):
    created = admin.post(
        "/v1/tokens", json={"name": "checkout-only", "role": "responder", "services": ["checkout"]}
    )
    assert created.status_code == 201, created.text
    drill = admin.post("/v1/drills", json={"policy": "default", "service": "payments"})
    assert drill.status_code == 201, drill.text
    incident = drill.json()["id"]
    with _client(platform, created.json()["secret"]) as client:
        assert client.get("/v1/incidents", params={"service": "payments"}).status_code == 403
        assert all(i["service"] == "checkout" for i in client.get("/v1/incidents").json()["incidents"])
        assert client.get(f"/v1/incidents/{incident}").status_code == 404
        assert client.post(f"/v1/incidents/{incident}/acknowledge").status_code == 404
        assert client.post("/v1/maintenance-windows", json={}).status_code == 403
    assert admin.post(f"/v1/incidents/{incident}/resolve").status_code == 200
    unknown = admin.post("/v1/tokens", json={"name": "nowhere", "role": "observer", "services": ["nope"]})
    assert unknown.status_code == 400


@pytest.mark.parametrize(("method", "template"), MUTATING, ids=str)
def test_every_mutating_route_leaves_exactly_one_audit_record(admin, method, template):
    before = admin.get("/v1/audit", params={"limit": 500}).json()["records"]
    answer = admin.request(method, _path(template), content=b"{}", headers={"User-Agent": "audit-test/1"})
    after = admin.get("/v1/audit", params={"limit": 500}).json()["records"]
    new = [r for r in after if r["id"] not in {b["id"] for b in before}]
    assert len(new) == 1, (method, template, new)
    (record,) = new
    assert record["route"] == f"{method} {template}" and record["status"] == answer.status_code
    assert record["actor"] == "token:local" and record["role"] == "admin"
    assert record["user_agent"] == "audit-test/1" and record["source_ip"] == "127.0.0.1"


def test_an_audit_record_holds_the_change_with_secrets_masked(admin):
    created = admin.post("/v1/tokens", json={"name": "audited", "role": "observer"}).json()
    records = admin.get("/v1/audit", params={"target": created["token"]["id"]}).json()["records"]
    assert [r["route"] for r in records] == ["POST /v1/tokens"]
    dump = str(records[0]["changes"])
    assert created["secret"] not in dump and "***" in dump
    removed = admin.delete(f"/v1/tokens/{created['token']['id']}")
    assert removed.status_code == 200
    last = admin.get("/v1/audit", params={"target": created["token"]["id"]}).json()["records"][0]
    assert last["route"] == "DELETE /v1/tokens/{token_id}"
    assert {c["path"] for c in last["changes"]} >= {"name", "role"}
    assert admin.get("/v1/audit", params={"actor": "token:nobody"}).json()["records"] == []
