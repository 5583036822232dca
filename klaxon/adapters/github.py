"""Post-mortems published to a GitHub repository's docs folder as a pull request (GitHub REST API: a branch
from the base, the Markdown file on it, a pull request), each step idempotent: publishing again updates
the same branch, file and pull request. GITHUB_API_URL replaces https://api.github.com (a test server)."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from klaxon.adapters.publishing import PublishFailed
from klaxon.adapters.secret_json import secret_fields
from klaxon.domain.chat.names import slug
from klaxon.domain.postmortem.models import GitHubTarget, Postmortem
from klaxon.settings import Settings

DEFAULT_API_URL = "https://api.github.com"


class GitHubPublisher:
    kind = "github"

    def __init__(self, token: str, target: GitHubTarget, api_url: str = DEFAULT_API_URL) -> None:
        self.target = target
        self.client = httpx.Client(
            base_url=api_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
            timeout=15,
        )

    def _call(self, method: str, path: str, ok: tuple[int, ...], **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, f"/repos/{self.target.repository}{path}", **kwargs)
        except httpx.HTTPError as error:
            raise PublishFailed(f"GitHub could not be reached: {error}") from error
        if response.status_code not in ok:
            raise PublishFailed(
                f"GitHub answered {method} {path} with {response.status_code}: {response.text[:200]}"
            )
        return response

    def path_of(self, postmortem: Postmortem) -> str:
        name = f"{postmortem.created_at:%Y-%m-%d}-{postmortem.incident_number}-{slug(postmortem.title)[:60]}"
        return f"{self.target.folder.strip('/')}/{name}.md"

    def publish(self, postmortem: Postmortem) -> str:
        """Make the post-mortem a pull request into the base branch; its URL."""
        branch = f"klaxon/postmortem-{postmortem.incident_number}"
        base = self._call("GET", f"/git/ref/heads/{self.target.base}", (200,)).json()["object"]["sha"]
        self._call("POST", "/git/refs", (201, 422), json={"ref": f"refs/heads/{branch}", "sha": base})
        path = self.path_of(postmortem)
        found = self._call("GET", f"/contents/{path}", (200, 404), params={"ref": branch})
        body: dict[str, Any] = {
            "message": f"Post-mortem of #{postmortem.incident_number}: {postmortem.title}",
            "content": base64.b64encode(postmortem.markdown.encode()).decode(),
            "branch": branch,
        }
        if found.status_code == 200:
            body["sha"] = found.json()["sha"]
        self._call("PUT", f"/contents/{path}", (200, 201), json=body)
        owner = self.target.repository.split("/", 1)[0]
        existing = self._call(
            "GET", "/pulls", (200,), params={"head": f"{owner}:{branch}", "state": "open"}
        ).json()
        if existing:
            return str(existing[0]["html_url"])
        pull = {
            "title": f"Post-mortem: #{postmortem.incident_number} {postmortem.title}",
            "head": branch,
            "base": self.target.base,
            "body": f"Published from Klaxon by {postmortem.updated_by}.",
        }
        return str(self._call("POST", "/pulls", (201,), json=pull).json()["html_url"])


def github_token(settings: Settings) -> str | None:
    """GITHUB_TOKEN (`klaxon up`), else the stack's GitHub secret's `token`; None: not set up."""
    if settings.github_token:
        return settings.github_token
    if not settings.github_secret:
        return None
    token = secret_fields(settings.github_secret).get("token")
    return str(token) if token else None
