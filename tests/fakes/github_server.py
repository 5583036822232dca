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
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema

SPEC = json.loads((Path(__file__).parents[1] / "fixtures" / "github" / "rest-api.json").read_text())


def _template(path: str) -> re.Pattern[str]:
    """A path template as a regex; its last parameter may hold slashes (`{path}`, `{ref}`)."""
    names = re.findall(r"{(\w+)}", path)
    pattern = re.escape(path)
    for i, name in enumerate(names):
        last = i == len(names) - 1 and path.endswith("}")
        group = f"(?P<{name}>.+)" if last else f"(?P<{name}>[^/]+)"
        pattern = pattern.replace(re.escape("{" + name + "}"), group)
    return re.compile(f"^{pattern}$")


ROUTES = [(_template(path), path) for path in SPEC["paths"]]


def _parameter(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return SPEC["components"]["parameters"][node["$ref"].rsplit("/", 1)[1]]
    return node


def check_request(method: str, url: str, body: Any) -> tuple[str | None, dict[str, str], list[str]]:
    """The described path the request is for, its path parameters, and what is wrong with it."""
    parts = urlsplit(url)
    found = next(((p, m.groupdict()) for regex, p in ROUTES if (m := regex.match(parts.path))), None)
    if found is None or method.lower() not in SPEC["paths"][found[0]]:
        return None, {}, [f"{method} {parts.path} is not described"]
    path, values = found[0], {k: unquote(v) for k, v in found[1].items()}
    operation = SPEC["paths"][path][method.lower()]
    parameters = [_parameter(p) for p in operation.get("parameters", [])]
    query = dict(parse_qsl(parts.query))
    problems = [
        f"{method} {path}: query {q!r} is not described"
        for q in query
        if q not in {p["name"] for p in parameters if p["in"] == "query"}
    ]
    problems += [
        f"{method} {path}: required {p['in']} parameter {p['name']!r} is missing"
        for p in parameters
        if p.get("required") and (values if p["in"] == "path" else query).get(p["name"]) in (None, "")
    ]
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if schema is not None:
        validator = jsonschema.Draft7Validator({**schema, "components": SPEC["components"]})
        problems += [f"{method} {path}: body: {e.message}" for e in validator.iter_errors(body)]
    elif body is not None:
        problems.append(f"{method} {path}: takes no body")
    return path, values, problems


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


class _Handler(BaseHTTPRequestHandler):
    state: GitHubState

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def _serve(self, method: str) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw) if raw else None
        path, values, problems = check_request(method, self.path, body)
        state = self.state
        with state.lock:
            state.calls.append((method, self.path))
            state.violations += problems
        if problems or path is None:
            self._send(422, {"message": "Validation Failed", "errors": problems})
            return
        if self.headers.get("Authorization", "").split(" ", 1)[-1] != state.token:
            self._send(401, {"message": "Bad credentials"})
            return
        with state.lock:
            status, answer = state.answer(
                method, path, values, dict(parse_qsl(urlsplit(self.path).query)), body
            )
        self._send(status, answer)

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class GitHubServer:
    """`with GitHubServer() as github:` serves GitHub's REST API at `github.url` (GITHUB_API_URL)."""

    def __init__(self, token: str = "ghp_klaxon_test") -> None:
        self.state = GitHubState(token)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> GitHubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
