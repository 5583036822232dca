"""Authentication follows the matched route (klaxon/topology.py API_ACCESS), never the path's text.

Every route of the api function is tried with no token, a wrong one and a revoked one: each gets 401
unless the topology declares it otherwise, and then it never asks for a token. Ids that look like public paths
(`ical`, `a`, `status`, an encoded `../`) cannot reach a private route, and a request without a valid
token gets its 401 before its body is validated.
"""

from __future__ import annotations

import re

import httpx
import pytest

from klaxon.http.api_app import app
from klaxon.local.platform import LocalPlatform, Options
from klaxon.topology import API_ACCESS, Access, access_of
from tests.conftest import DEMO_CONFIG
from tests.integration.conftest import TOKEN

ROUTES = sorted((r.method, r.openapi_path) for r in app._static_routes + app._dynamic_routes)
WRONG = {"Authorization": "Bearer not-a-token-of-this-deployment"}


@pytest.fixture(scope="module")
def platform():
    """One platform for the module: these requests change nothing a test after them reads."""
    running = LocalPlatform(Options(config=DEMO_CONFIG, port=0, api_token=TOKEN)).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def revoked(http):
    """The header of a token that worked, then was revoked."""
    created = http.post("/v1/tokens", json={"name": "gone", "role": "admin"}).json()
    header = {"Authorization": f"Bearer {created['secret']}"}
    with httpx.Client(base_url=http.base_url, headers=header, timeout=10) as client:
        assert client.get("/v1/incidents").status_code == 200
    assert http.delete(f"/v1/tokens/{created['token']['id']}").status_code == 200
    return header


@pytest.fixture(scope="module")
def http(platform):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=platform.url, headers=headers, timeout=10) as client:
        yield client


def _path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", template)


def _send(platform, method: str, path: str, headers: dict[str, str | bytes] | None = None) -> httpx.Response:
    with httpx.Client(base_url=platform.url, timeout=10) as anonymous:
        return anonymous.request(method, path, headers=headers, content=b"{}")


def test_every_declared_route_exists():
    assert {f"{m} {p}" for m, p in ROUTES} >= set(API_ACCESS)


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=str)
def test_a_route_needs_a_valid_token_unless_the_topology_says_otherwise(platform, revoked, method, template):
    access = access_of(method, template)
    path = _path(template)
    missing, wrong = _send(platform, method, path), _send(platform, method, path, WRONG)
    gone = _send(platform, method, path, revoked)
    assert missing.status_code < 500 and wrong.status_code < 500 and gone.status_code < 500
    if access is Access.TOKEN or access is Access.FEED:  # a feed without `?token=` is a token route
        assert (missing.status_code, wrong.status_code, gone.status_code) == (401, 401, 401)
        assert missing.json()["message"].startswith("missing API token")
        assert missing.headers["WWW-Authenticate"] == "Bearer"
    elif access is Access.OPTIONAL:
        assert not _asks_for_a_token(missing) and _asks_for_a_token(wrong) and _asks_for_a_token(gone)
    else:  # public, or a credential in the path that the route checks (its own 401 page for a bad link)
        assert not _asks_for_a_token(missing) and not _asks_for_a_token(wrong)


def _asks_for_a_token(answer: httpx.Response) -> bool:
    """The 401 of authentication itself (a route's own 401, for a bad link or key, says something else)."""
    if answer.status_code != 401 or "json" not in answer.headers.get("content-type", ""):
        return False
    message = answer.json()["message"]
    return message.startswith(("missing API token", "unknown, expired or revoked API token"))


@pytest.mark.parametrize("window_id", ["ical", "a", "status", "healthz", "..%2f", "..%2F..%2Fhealthz"])
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_ids_that_look_public_cannot_reach_a_private_route(platform, http, method, window_id):
    path = f"/v1/maintenance-windows/{window_id}?token=anything"
    assert _send(platform, method, path).status_code == 401
    assert http.request(method, path).status_code == 404  # with a token: just an unknown window


def test_a_feed_with_its_token_query_is_checked_by_the_route_not_the_bearer(platform, http):
    link = http.post("/v1/schedules/primary/ical/link").json()["url"]
    token = link.split("token=")[1]
    assert _send(platform, "GET", f"/v1/schedules/primary/ical?token={token}").status_code == 200
    assert _send(platform, "GET", "/v1/schedules/primary/ical?token=forged").status_code in (401, 403, 404)
    assert _send(platform, "GET", "/v1/schedules/primary/ical?token=").status_code == 401


def test_an_unauthenticated_request_gets_401_before_its_body_is_validated(platform):
    with httpx.Client(base_url=platform.url, timeout=10) as anonymous:
        answer = anonymous.put("/v1/config", content=b'{"not": "a config"}')
        bad_json = anonymous.post("/v1/maintenance-windows", content=b"{{{")
    assert (answer.status_code, bad_json.status_code) == (401, 401)
    assert "errors" not in answer.json()  # nothing about the schema leaks


def test_a_token_that_cannot_be_one_is_refused_with_401_never_a_5xx(platform):
    for header in ("Bearer \u00e9t\u00e9".encode(), b"Bearer " + b"x" * 5000, b"Bearer a\tb", b"Bearer \xff"):
        answer = _send(platform, "GET", "/v1/incidents", {"Authorization": header})
        assert answer.status_code == 401, header
