"""The tracker adapters against mock Jira, Linear and Asana servers that check every request against the
vendor's own published description (tests/fixtures/{jira,linear,asana}): filing, completion, failures,
and the webhooks' signatures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from klaxon.adapters import asana, jira, linear
from klaxon.adapters.asana import AsanaTracker
from klaxon.adapters.jira import JiraTracker
from klaxon.adapters.linear import LinearTracker
from klaxon.domain.incident.models import Priority
from klaxon.domain.postmortem.actions import TrackerFailed, TrackerKind, TrackerTarget
from klaxon.domain.postmortem.models import ActionItem, ActionKind
from tests.fakes.asana_server import AsanaServer, asana_events, asana_handshake
from tests.fakes.jira_server import JiraServer, jira_webhook
from tests.fakes.linear_server import TEAM_ID, LinearServer, linear_webhook
from tests.integration.test_github_publish import POSTMORTEM

LINK = "https://klaxon.acme.test/v1/incidents/inc1/postmortem"
ITEM = ActionItem(
    id="item1",
    title="Alert on connection pool saturation",
    owner="erin",
    due=date(2026, 12, 24),
    priority=Priority.P2,
    kind=ActionKind.DETECT,
)


@pytest.fixture
def jira_server() -> Iterator[JiraServer]:
    with JiraServer() as server:
        yield server
        assert server.state.violations == []


def jira_tracker(server: JiraServer, project: str = "OPS", token: str | None = None) -> JiraTracker:
    target = TrackerTarget(id="ops-jira", kind=TrackerKind.JIRA, site=server.url, project=project)
    return JiraTracker(target, server.state.email, token or server.state.token)


def test_jira_files_an_issue_with_an_adf_description_linking_back(jira_server):
    ticket = jira_tracker(jira_server).file(ITEM, POSTMORTEM, LINK)

    assert (ticket.key, ticket.url, ticket.tracker) == (
        "OPS-1",
        f"{jira_server.url}/browse/OPS-1",
        "ops-jira",
    )
    fields = jira_server.state.issues["OPS-1"]["fields"]
    assert fields["summary"] == ITEM.title
    assert fields["duedate"] == "2026-12-24"
    assert set(fields["labels"]) == {"klaxon", "klaxon-detect", "incident-7"}
    text = json.dumps(fields["description"])
    assert LINK in text and "Owner: erin." in text and "incident #7" in text


def test_jira_says_which_issues_are_done_and_skips_deleted_ones(jira_server):
    tracker = jira_tracker(jira_server)
    first, second = tracker.file(ITEM, POSTMORTEM, LINK), tracker.file(ITEM, POSTMORTEM, LINK)
    assert tracker.completions([first, second]) == {"OPS-1": None, "OPS-2": None}

    jira_server.state.complete("OPS-2")
    del jira_server.state.issues["OPS-1"]  # deleted in Jira: its key now fails a search
    done = tracker.completions([first, second])
    assert list(done) == ["OPS-2"] and done["OPS-2"] is not None


def test_jira_down_refusing_or_with_a_wrong_token_is_a_tracker_failure(jira_server):
    jira_server.state.fail(1)
    with pytest.raises(TrackerFailed, match="503"):
        jira_tracker(jira_server).file(ITEM, POSTMORTEM, LINK)
    with pytest.raises(TrackerFailed, match=r"400.*valid project is required"):
        jira_tracker(jira_server, project="NOPE").file(ITEM, POSTMORTEM, LINK)
    with pytest.raises(TrackerFailed, match="401"):
        jira_tracker(jira_server, token="wrong").file(ITEM, POSTMORTEM, LINK)
    target = TrackerTarget(id="x", kind=TrackerKind.JIRA, site="http://127.0.0.1:9", project="OPS")
    with pytest.raises(TrackerFailed, match="could not be reached"):
        JiraTracker(target, "a", "b").file(ITEM, POSTMORTEM, LINK)


def test_a_jira_webhook_is_verified_by_its_signature_and_read_as_a_completion(jira_server):
    jira_tracker(jira_server).file(ITEM, POSTMORTEM, LINK)
    body, headers = jira_webhook(jira_server.state.complete("OPS-1"), "jira-hook-secret")

    assert jira.verified(body, headers["X-Hub-Signature"], "jira-hook-secret")
    assert not jira.verified(body, headers["X-Hub-Signature"], "another secret")
    assert not jira.verified(body + b" ", headers["X-Hub-Signature"], "jira-hook-secret")
    assert not jira.verified(body, None, "jira-hook-secret")
    found = jira.completion("ops-jira", json.loads(body))
    assert found is not None and (found.tracker, found.key) == ("ops-jira", "OPS-1")
    assert found.done_at is not None


@pytest.fixture
def asana_server() -> Iterator[AsanaServer]:
    with AsanaServer() as server:
        yield server
        assert server.state.violations == []


def asana_tracker(server: AsanaServer, project: str = "1200000000000001") -> AsanaTracker:
    target = TrackerTarget(id="web-asana", kind=TrackerKind.ASANA, project=project)
    return AsanaTracker(target, server.state.token, f"{server.url}/api/1.0")


def test_asana_files_a_task_and_says_when_it_is_completed(asana_server):
    tracker = asana_tracker(asana_server)
    ticket = tracker.file(ITEM, POSTMORTEM, LINK)

    task = asana_server.state.tasks[ticket.key]
    assert (task["name"], task["due_on"]) == (ITEM.title, "2026-12-24")
    assert LINK in task["notes"]
    assert ticket.url == task["permalink_url"]
    assert tracker.completions([ticket]) == {ticket.key: None}
    asana_server.state.complete(ticket.key)
    assert tracker.completions([ticket])[ticket.key] is not None


def test_asana_down_or_refusing_is_a_tracker_failure(asana_server):
    asana_server.state.fail(1)
    with pytest.raises(TrackerFailed, match="503"):
        asana_tracker(asana_server).file(ITEM, POSTMORTEM, LINK)
    with pytest.raises(TrackerFailed, match="400"):
        asana_tracker(asana_server, project="999").file(ITEM, POSTMORTEM, LINK)


def test_asana_webhook_deliveries_are_verified_with_the_handshakes_secret():
    _, handshake = asana_handshake("hook-secret")
    body, headers = asana_events("1200000000001001", handshake["X-Hook-Secret"])
    assert asana.verified(body, headers["X-Hook-Signature"], "hook-secret")
    assert not asana.verified(body, headers["X-Hook-Signature"], "other")
    assert asana.changed_tasks(json.loads(body)) == ["1200000000001001"]


@pytest.fixture
def linear_server() -> Iterator[LinearServer]:
    with LinearServer() as server:
        yield server
        assert server.state.violations == []


def linear_tracker(server: LinearServer, team: str = TEAM_ID, key: str | None = None) -> LinearTracker:
    target = TrackerTarget(id="eng-linear", kind=TrackerKind.LINEAR, team=team)
    return LinearTracker(target, key or server.state.api_key, f"{server.url}/graphql")


def test_linear_files_an_issue_once_even_when_asked_again(linear_server):
    tracker = linear_tracker(linear_server)
    ticket = tracker.file(ITEM, POSTMORTEM, LINK)
    again = tracker.file(ITEM, POSTMORTEM, LINK)  # a retry after a lost answer: the same issue

    assert again == ticket and len(linear_server.state.issues) == 1
    issue = linear_server.state.issues[ticket.id]
    assert (ticket.key, issue["title"], issue["priority"]) == ("ENG-1", ITEM.title, 2)
    assert LINK in issue["description"] and ticket.url == issue["url"]


def test_linear_says_which_issues_are_completed(linear_server):
    tracker = linear_tracker(linear_server)
    ticket = tracker.file(ITEM, POSTMORTEM, LINK)
    assert tracker.completions([ticket]) == {"ENG-1": None}
    linear_server.state.complete(ticket.id)
    assert tracker.completions([ticket])["ENG-1"] is not None


def test_linear_down_refusing_or_with_a_wrong_key_is_a_tracker_failure(linear_server):
    linear_server.state.fail(1)
    with pytest.raises(TrackerFailed, match="503"):
        linear_tracker(linear_server).file(ITEM, POSTMORTEM, LINK)
    with pytest.raises(TrackerFailed, match="Team"):
        linear_tracker(linear_server, team="00000000-0000-4000-8000-000000000000").file(
            ITEM, POSTMORTEM, LINK
        )
    with pytest.raises(TrackerFailed, match="401"):
        linear_tracker(linear_server, key="lin_api_wrong").file(ITEM, POSTMORTEM, LINK)


def test_a_linear_webhook_is_verified_by_signature_and_age(linear_server):
    ticket = linear_tracker(linear_server).file(ITEM, POSTMORTEM, LINK)
    issue = linear_server.state.complete(ticket.id)
    now = datetime.now(UTC)
    body, headers = linear_webhook(issue, "lin_wh_secret", at_ms=int(now.timestamp() * 1000))
    delivery = json.loads(body)

    assert linear.verified(body, headers["Linear-Signature"], "lin_wh_secret", delivery, now)
    assert not linear.verified(body, headers["Linear-Signature"], "other", delivery, now)
    later = now + timedelta(minutes=2)  # a replay
    assert not linear.verified(body, headers["Linear-Signature"], "lin_wh_secret", delivery, later)
    found = linear.completion("eng-linear", delivery)
    assert found is not None and found.key == "ENG-1" and found.done_at is not None


def test_the_tracker_secret_is_read_at_most_once_a_minute_per_container(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from klaxon.adapters import trackers
    from klaxon.settings import Settings

    reads: list[str] = []
    stored = {"ops-jira": {"email": "ops@acme.test", "api_token": "t1", "webhook_secret": "s1"}}

    def read(secret_id: str) -> dict[str, object]:
        reads.append(secret_id)
        return json.loads(json.dumps(stored))

    clock = [1000.0]
    monkeypatch.setattr(trackers, "secret_fields", read)
    monkeypatch.setattr(trackers.time, "monotonic", lambda: clock[0])
    configured = trackers.ConfiguredTrackers(Settings(tracker_secret="arn:secret:trackers"))
    for _ in range(3):  # three webhook deliveries in one minute
        assert configured.credentials("ops-jira")["webhook_secret"] == "s1"
    assert reads == ["arn:secret:trackers"]
    stored["ops-jira"]["webhook_secret"] = "s2"  # rotated by the operator
    clock[0] += trackers.CACHE_SECONDS
    assert configured.credentials("ops-jira")["webhook_secret"] == "s2"
    assert configured.credentials("eng-linear") == {} and len(reads) == 2
