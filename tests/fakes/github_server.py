"""A threaded mock of GitHub's REST API for publishing post-mortems (a branch, a file, a pull request):
every request is checked against GitHub's own description (tests/fixtures/github/rest-api.json, trimmed)
- the operation must be described, its path and query parameters described and required ones present,
its JSON body valid against the operation's schema - and one that is not is answered 422 and recorded in
`violations`, which tests assert empty."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.mock_http import MockHandler, MockServer, check_openapi_request, compile_paths

SPEC = json.loads((Path(__file__).parents[1] / "fixtures" / "github" / "rest-api.json").read_text())
ROUTES = compile_paths(SPEC["paths"], slashes_in_last=True)


def check_request(method: str, url: str, body: Any) -> tuple[str | None, dict[str, str], list[str]]:
    """The described path the request is for, its path parameters, and what is wrong with it."""
    return check_openapi_request(SPEC, ROUTES, method, url, dict(parse_qsl(urlsplit(url).query)), body)


@dataclass
class Repository:
    branches: dict[str, str] = field(default_factory=lambda: {"main": "0" * 40})  # name -> commit sha
    files: dict[tuple[str, str], tuple[str, str]] = field(
        default_factory=dict
    )  # (branch, path) -> (text, sha)
    pulls: list[dict[str, Any]] = field(default_factory=list)


class GitHubState:
    def __init__(self, token: str) -> None:
        self.token = token
        self.repos: dict[str, Repository] = {}
        self.calls: list[tuple[str, str]] = []
        self.violations: list[str] = []
        self.lock = threading.Lock()
        self._numbers = itertools.count(1)

    def answer(
        self, method: str, path: str, v: dict[str, str], query: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        repo = self.repos.get(f"{v['owner']}/{v['repo']}")
        if repo is None:
            return 404, {"message": "Not Found"}
        if path.endswith("/git/ref/{ref}"):
            branch = v["ref"].removeprefix("heads/")
            if branch not in repo.branches:
                return 404, {"message": "Not Found"}
            return 200, {
                "ref": f"refs/heads/{branch}",
                "object": {"sha": repo.branches[branch], "type": "commit"},
            }
        if path.endswith("/git/refs"):
            branch = body["ref"].removeprefix("refs/heads/")
            if branch in repo.branches:
                return 422, {"message": "Reference already exists"}
            repo.branches[branch] = body["sha"]
            return 201, {"ref": body["ref"], "object": {"sha": body["sha"], "type": "commit"}}
        if path.endswith("/contents/{path}"):
            branch = query.get("ref") or (body or {}).get("branch") or "main"
            current = repo.files.get((branch, v["path"]))
            if method == "GET":
                if current is None:
                    return 404, {"message": "Not Found"}
                return 200, {"type": "file", "path": v["path"], "sha": current[1]}
            if current is not None and body.get("sha") != current[1]:
                return 409, {"message": f"{v['path']} does not match {body.get('sha')}"}
            text = base64.b64decode(body["content"]).decode()
            sha = hashlib.sha1(text.encode()).hexdigest()
            repo.files[(branch, v["path"])] = (text, sha)
            return (200 if current else 201), {
                "content": {"path": v["path"], "sha": sha},
                "commit": {"sha": sha},
            }
        if method == "GET":  # pulls
            head = query.get("head", "").partition(":")[2]
            return 200, [p for p in repo.pulls if not head or p["head"]["ref"] == head]
        number = next(self._numbers)
        pull = {
            "number": number,
            "html_url": f"https://github.com/{v['owner']}/{v['repo']}/pull/{number}",
            "title": body["title"],
            "body": body.get("body"),
            "head": {"ref": body["head"]},
            "base": {"ref": body["base"]},
            "state": "open",
        }
        repo.pulls.append(pull)
        return 201, pull


class _Handler(MockHandler):
    state: GitHubState
    methods = frozenset({"GET", "POST", "PUT"})

    def serve(self, method: str) -> None:
        raw = self.read_body()
        body = json.loads(raw) if raw else None
        path, values, problems = check_request(method, self.path, body)
        state = self.state
        with state.lock:
            state.calls.append((method, self.path))
            state.violations += problems
        if problems or path is None:
            self.send_json(422, {"message": "Validation Failed", "errors": problems})
            return
        if self.headers.get("Authorization", "").split(" ", 1)[-1] != state.token:
            self.send_json(401, {"message": "Bad credentials"})
            return
        with state.lock:
            status, answer = state.answer(
                method, path, values, dict(parse_qsl(urlsplit(self.path).query)), body
            )
        self.send_json(status, answer)


class GitHubServer(MockServer[GitHubState]):
    """`with GitHubServer() as github:` serves GitHub's REST API at `github.url` (GITHUB_API_URL)."""

    def __init__(self, token: str = "ghp_klaxon_test") -> None:
        super().__init__(GitHubState(token), _Handler)
