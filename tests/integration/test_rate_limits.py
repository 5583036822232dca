"""Rate limits through the local platform (issue 12 §6): per API token, per integration key, per heartbeat,
each answered 429 with Retry-After past its limit, counted in the real dedup table, and reset by the window.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from klaxon import wiring
from klaxon.domain.access.rate_limits import Limits, window_of
from klaxon.domain.access.roles import Role
from klaxon.local.platform import LocalPlatform, Options
from klaxon.services.access.tokens import NewToken
from tests.conftest import DEMO_CONFIG
from tests.integration.conftest import TOKEN

TOKEN_LIMIT, KEY_LIMIT, PING_LIMIT = 6, 3, 2
CHECKOUT_KEY = "KLAXON-DEMO-CHECKOUT-KEY-0000001"
PAYMENTS_KEY = "KLAXON-DEMO-PAYMENTS-KEY-0000001"
ALERTMANAGER_KEY = "KLAXON-DEMO-ALERTMANAGER-KEY-001"
HEARTBEAT_KEY = "KLAXON-DEMO-HEARTBEAT-KEY-000001"
LIMITS = f"""
rate_limits:
  token_requests_per_minute: {TOKEN_LIMIT}
  integration_events_per_minute: {KEY_LIMIT}
  heartbeat_pings_per_minute: {PING_LIMIT}
"""


class ShiftedClock:
    """The system clock moved on by `offset`: lets a test step into the next window without waiting."""

    def __init__(self, clock: object) -> None:
        self.clock = clock
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return self.clock.now() + self.offset  # type: ignore[attr-defined]


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[LocalPlatform]:
    config = tmp_path / "limited.yaml"
    config.write_text(DEMO_CONFIG.read_text() + LIMITS)
    running = LocalPlatform(Options(config=config, port=0, api_token=TOKEN)).start()
    yield running
    running.drain()  # the alerts accepted are routed before moto goes away
    running.stop()


@pytest.fixture
def clock(platform: LocalPlatform, monkeypatch: pytest.MonkeyPatch) -> ShiftedClock:
    """The limiter's clock, set a second into the next window: a test's few requests never straddle two
    windows, whose counts start again at each whole minute (straddling one, all five were let in)."""
    limiter = wiring.container().rate_limiter
    shifted = ShiftedClock(limiter.clock)
    _, next_window = window_of(shifted.now())
    shifted.offset = next_window + timedelta(seconds=1) - shifted.clock.now()  # type: ignore[attr-defined]
    monkeypatch.setattr(limiter, "clock", shifted)
    return shifted


def client(platform: LocalPlatform, secret: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return httpx.Client(base_url=platform.url, headers=headers, timeout=10)


def new_token(name: str, role: Role) -> str:
    """A token made in-process, so making it spends none of the admin token's budget."""
    service = wiring.container().token_service
    return service.create(NewToken(name=name, role=role), created_by="test").secret


def trigger(key: str) -> dict[str, object]:
    return {
        "routing_key": key,
        "event_action": "trigger",
        "payload": {"summary": "Checkout is down", "source": "web", "severity": "critical"},
    }


def assert_retry_after(answer: httpx.Response) -> int:
    assert answer.status_code == 429, answer.text
    seconds = int(answer.headers["Retry-After"])
    assert 1 <= seconds <= 60
    return seconds


def test_a_token_over_its_limit_gets_429_with_retry_after_and_no_audit_records(
    platform: LocalPlatform, clock: ShiftedClock
) -> None:
    flooder = new_token("flooder", Role.RESPONDER)
    with client(platform, flooder) as api:
        answers = [api.post("/v1/incidents/no-such-incident/acknowledge") for _ in range(TOKEN_LIMIT + 20)]

    assert [a.status_code for a in answers] == [404] * TOKEN_LIMIT + [429] * 20
    assert_retry_after(answers[-1])
    assert answers[-1].json() == {
        "message": f"token flooder sent more than {TOKEN_LIMIT} requests in a minute"
    }
    with client(platform, TOKEN) as admin:  # another token's budget is untouched
        records = admin.get("/v1/audit", params={"actor": "token:flooder", "limit": 500}).json()["records"]
    assert [r["status"] for r in records] == [404] * TOKEN_LIMIT  # the refusals for speed are not audited


def test_a_token_s_budget_comes_back_when_the_window_ends(
    platform: LocalPlatform, clock: ShiftedClock
) -> None:
    reader = new_token("reader", Role.OBSERVER)
    with client(platform, reader) as api:
        for _ in range(TOKEN_LIMIT):
            assert api.get("/v1/incidents").status_code == 200
        wait = assert_retry_after(api.get("/v1/incidents"))

        clock.offset += timedelta(seconds=wait)

        assert api.get("/v1/incidents").status_code == 200


def test_an_integration_key_over_its_limit_gets_pagerduty_s_429(
    platform: LocalPlatform, clock: ShiftedClock
) -> None:
    with client(platform) as sender:
        answers = [sender.post("/v2/enqueue", json=trigger(CHECKOUT_KEY)) for _ in range(KEY_LIMIT + 2)]
        other_key = sender.post("/v2/enqueue", json=trigger(PAYMENTS_KEY))

    assert [a.status_code for a in answers] == [202] * KEY_LIMIT + [429] * 2
    assert_retry_after(answers[-1])
    body = answers[-1].json()
    assert body["status"] == "throttle exceeded"
    assert body["message"] == "Requests for this service are arriving too quickly. Please retry later."
    assert body["errors"] == [f"integration checkout-events sent more than {KEY_LIMIT} requests in a minute"]
    assert other_key.status_code == 202  # each key has its own budget


def test_an_integration_key_s_budget_comes_back_when_the_window_ends(
    platform: LocalPlatform, clock: ShiftedClock
) -> None:
    with client(platform) as sender:
        for _ in range(KEY_LIMIT):
            assert sender.post("/v2/enqueue", json=trigger(CHECKOUT_KEY)).status_code == 202
        wait = assert_retry_after(sender.post("/v2/enqueue", json=trigger(CHECKOUT_KEY)))

        clock.offset += timedelta(seconds=wait)

        assert sender.post("/v2/enqueue", json=trigger(CHECKOUT_KEY)).status_code == 202


def test_a_webhook_key_over_its_limit_gets_429_in_the_api_s_format(
    platform: LocalPlatform, clock: ShiftedClock
) -> None:
    path = f"/v1/integrations/alertmanager/{ALERTMANAGER_KEY}"
    with client(platform) as sender:
        answers = [sender.post(path, content=b"not json") for _ in range(KEY_LIMIT + 1)]

    assert [a.status_code for a in answers] == [400] * KEY_LIMIT + [429]
    assert_retry_after(answers[-1])
    assert set(answers[-1].json()) == {"message"}


def test_a_heartbeat_pinging_too_fast_gets_429(platform: LocalPlatform, clock: ShiftedClock) -> None:
    with client(platform) as job:
        answers = [job.post(f"/v1/heartbeats/{HEARTBEAT_KEY}") for _ in range(PING_LIMIT + 1)]

    assert [a.status_code for a in answers] == [200] * PING_LIMIT + [429]
    assert_retry_after(answers[-1])


def test_counters_live_in_the_dedup_table_and_expire(platform: LocalPlatform, clock: ShiftedClock) -> None:
    from klaxon.adapters.tables import DedupItem

    with client(platform) as sender:
        sender.post("/v2/enqueue", json=trigger(CHECKOUT_KEY))

    (counter,) = [item for item in DedupItem.scan() if item.key.startswith("rate#integration:")]
    assert counter.hits == 1
    assert counter.expires_at is not None
    assert timedelta(minutes=1) < counter.expires_at - clock.now() <= timedelta(minutes=2)


def test_the_limits_are_read_from_their_section_alone(
    platform: LocalPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every request of ingest and the api checks them: a cold container validated the whole configuration
    (its schema imported, every template compiled) before its first answer, over a third of that answer."""
    from klaxon.config.schema import KlaxonConfig

    def whole(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole configuration was validated for its rate limits")

    monkeypatch.setattr(KlaxonConfig, "model_validate", whole)
    cold = wiring.build(wiring.container().settings)  # a new container's, as a cold function builds it

    limits = cold.rate_limiter.limits()

    assert (limits.integration, limits.token, limits.heartbeat) == (KEY_LIMIT, TOKEN_LIMIT, PING_LIMIT)


def test_the_limits_follow_the_configuration_applied(platform: LocalPlatform, tmp_path: Path) -> None:
    changed, without = tmp_path / "changed.yaml", tmp_path / "without.yaml"
    changed.write_text(DEMO_CONFIG.read_text() + LIMITS.replace(f": {KEY_LIMIT}\n", ": 7\n"))
    without.write_text(DEMO_CONFIG.read_text())
    limits = wiring.container().rate_limiter.limits

    platform.apply_config_file(changed)
    after_change = limits()
    platform.apply_config_file(without)

    assert (after_change.integration, after_change.token) == (7, TOKEN_LIMIT)
    assert limits() == Limits()  # no section: the defaults
