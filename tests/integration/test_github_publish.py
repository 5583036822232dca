"""Post-mortems published to GitHub as pull requests, against a mock checked by GitHub's own description."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from klaxon.adapters.github import GitHubPublisher, PublishFailed
from klaxon.domain.incident.models import Priority
from klaxon.domain.postmortem.models import GitHubTarget, Postmortem
from tests.fakes.github_server import GitHubServer, Repository, check_request

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
POSTMORTEM = Postmortem(
    incident_id="inc1",
    incident_number=7,
    title="Checkout: 5xx above 5%",
    service="checkout",
    priority=Priority.P1,
    owner="carol",
    due=NOW,
    created_at=NOW,
    updated_at=NOW,
    updated_by="carol",
    markdown="# Post-mortem\n",
)


@pytest.fixture
def github() -> Iterator[GitHubServer]:
    with GitHubServer() as server:
        server.state.repos["acme/postmortems"] = Repository()
        yield server
        assert server.state.violations == []


def publisher(github: GitHubServer, **target: Any) -> GitHubPublisher:
    return GitHubPublisher(github.state.token, GitHubTarget("acme/postmortems", **target), github.url)


def test_a_pull_request_adds_the_markdown_to_the_docs_folder_and_publishing_again_updates_it(github):
    url = publisher(github).publish(POSTMORTEM)
    assert url == "https://github.com/acme/postmortems/pull/1"
    repo = github.state.repos["acme/postmortems"]
    path = ("klaxon/postmortem-7", "docs/postmortems/2026-12-06-7-checkout-5xx-above-5.md")
    assert repo.files[path][0] == "# Post-mortem\n"
    assert publisher(github).publish(POSTMORTEM.model_copy(update={"markdown": "# Better\n"})) == url
    assert repo.files[path][0] == "# Better\n"
    assert len(repo.pulls) == 1
    assert (repo.pulls[0]["base"]["ref"], repo.pulls[0]["head"]["ref"]) == ("main", "klaxon/postmortem-7")


def test_refusals_and_an_unreachable_github_are_publish_failures(github):
    with pytest.raises(PublishFailed, match="404"):
        publisher(github, base="no-such-branch").publish(POSTMORTEM)
    with pytest.raises(PublishFailed, match="401"):
        GitHubPublisher("wrong", GitHubTarget("acme/postmortems"), github.url).publish(POSTMORTEM)
    with GitHubServer() as gone:
        url = gone.url
    with pytest.raises(PublishFailed, match="could not be reached"):
        GitHubPublisher("t", GitHubTarget("acme/postmortems"), url).publish(POSTMORTEM)


def test_the_mock_refuses_what_githubs_description_does_not_allow():
    assert check_request("POST", "/repos/a/b/pulls", {"title": "t"})[2] == [
        "POST /repos/{owner}/{repo}/pulls: body: 'head' is a required property",
        "POST /repos/{owner}/{repo}/pulls: body: 'base' is a required property",
    ]
    assert check_request("DELETE", "/repos/a/b/pulls", None)[2] == [
        "DELETE /repos/a/b/pulls is not described"
    ]
    assert check_request("GET", "/repos/a/b/pulls?colour=red", None)[2] == [
        "GET /repos/{owner}/{repo}/pulls: query 'colour' is not described"
    ]
