"""What the threaded mocks of vendors' HTTP APIs share (github_server, jira_server, asana_server,
linear_server): a request handler that passes each request to `serve`, reads JSON and answers it, a
server that runs it on a free local port on a daemon thread, the record of calls, violations and injected
failures, and, for the mocks that check requests against the vendor's OpenAPI description, the described
paths as regexes and the JSON Schema checks of a request."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Generic, Self, TypeVar
from urllib.parse import unquote, urlsplit

import jsonschema

StateT = TypeVar("StateT")
CallT = TypeVar("CallT")


class MockState(Generic[CallT]):
    """What a mock keeps of every request (`calls`) and of what was wrong with any (`violations`, which
    tests assert empty), the statuses `fail` makes the next requests fail with, and the `lock` guarding
    these and the mock's own data."""

    def __init__(self) -> None:
        self.calls: list[CallT] = []
        self.violations: list[str] = []
        self.lock = threading.Lock()
        self._failures: list[int] = []  # statuses the next requests are answered, whatever they ask

    def fail(self, times: int, status: int = 503) -> None:
        """Answer the next `times` requests `status` (503: the service unavailable), without effect."""
        with self.lock:
            self._failures += [status] * times

    def record(self, call: CallT, problems: list[str], failing: bool = True) -> int | None:
        """Note a request and what is wrong with it; if `failing` (the request is one a failure may
        answer), the status `fail` asked for it, if any, taken under the same lock."""
        with self.lock:
            self.calls.append(call)
            self.violations += problems
            return self._failures.pop(0) if failing and self._failures else None


class MockHandler(BaseHTTPRequestHandler):
    """A mock's request handler: a request of one of `methods` is passed to `serve`, any other is answered
    501 as BaseHTTPRequestHandler answers a method it has no `do_` for; nothing is logged. A subclass
    declares its `state`, which MockServer sets."""

    methods: ClassVar[frozenset[str]] = frozenset({"GET", "POST", "PUT", "DELETE"})
    content_type: ClassVar[str] = "application/json; charset=utf-8"  # of every answer
    not_json: ClassVar[str] = "the body is not JSON"  # a violation, by read_json

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        if method in self.methods:
            self.serve(method)
        else:
            self.send_error(HTTPStatus.NOT_IMPLEMENTED, f"Unsupported method ({method!r})")

    def serve(self, method: str) -> None:
        raise NotImplementedError

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def read_json(self, method: str) -> tuple[Any, list[str]]:
        """The request's JSON body (None if there is none or it is not JSON) and what is wrong with it,
        each as `METHOD /path: ...`: not JSON (`not_json`), or not sent as JSON (`json_type_problem`)."""
        raw = self.read_body()
        body: Any = None
        problems: list[str] = []
        if raw:
            where = f"{method} {urlsplit(self.path).path}"
            try:
                body = json.loads(raw)
            except ValueError:
                problems.append(f"{where}: {self.not_json}")
            wrong_type = self.json_type_problem()
            if wrong_type is not None:
                problems.append(f"{where}: {wrong_type}")
        return body, problems

    def json_type_problem(self) -> str | None:
        """What is wrong with the Content-Type of a request with a body, if anything (unchecked here)."""
        return None

    def send_json(
        self, status: int, body: Any, headers: Mapping[str, str] | None = None, indent: int | None = None
    ) -> None:
        """Answer `status` with `body` as JSON (`content_type`, its length, then `headers`)."""
        data = json.dumps(body, indent=indent).encode()
        self.send_response(status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class MockServer(Generic[StateT]):
    """`with Mock() as mock:` serves `handler` at `mock.url` (127.0.0.1, a free port) on a daemon thread
    until the block ends; every request's handler sees `mock.state`."""

    def __init__(self, state: StateT, handler: type[MockHandler], poll_interval: float = 0.5) -> None:
        self.state = state
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (handler,), {"state": state}))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True
        )

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# OpenAPI descriptions.

Routes = list[tuple[re.Pattern[str], str]]


def _template(path: str, prefix: str, slashes_in_last: bool) -> re.Pattern[str]:
    names = re.findall(r"{(\w+)}", path)
    pattern = re.escape(prefix + path)
    for i, name in enumerate(names):
        last = slashes_in_last and i == len(names) - 1 and path.endswith("}")
        group = f"(?P<{name}>.+)" if last else f"(?P<{name}>[^/]+)"
        pattern = pattern.replace(re.escape("{" + name + "}"), group)
    return re.compile(f"^{pattern}$")


def compile_paths(paths: Iterable[str], prefix: str = "", slashes_in_last: bool = False) -> Routes:
    """Each described path template (`/repos/{owner}/{repo}`) as a regex of the URL paths it stands for,
    under `prefix` (a server's path); with `slashes_in_last`, a template's last parameter, if it ends it,
    may hold slashes (GitHub's `{path}`, `{ref}`)."""
    return [(_template(path, prefix, slashes_in_last), path) for path in paths]


def find_operation(
    spec: Mapping[str, Any], routes: Routes, method: str, url: str
) -> tuple[str | None, dict[str, str], list[str]]:
    """The described path a request for `url` is for and its path parameters (unquoted), if the first
    template that matches the URL's path describes `method`; else None, none and that it is not."""
    url_path = urlsplit(url).path
    found = next(((p, m.groupdict()) for regex, p in routes if (m := regex.match(url_path))), None)
    if found is None or method.lower() not in spec["paths"][found[0]]:
        return None, {}, [f"{method} {url_path} is not described"]
    return found[0], {k: unquote(v) for k, v in found[1].items()}, []


def deref(spec: Mapping[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """`node`, or the component its `$ref` (`#/components/<kind>/<name>`) names."""
    if "$ref" not in node:
        return node
    _, _, kind, name = node["$ref"].split("/", 3)
    component: dict[str, Any] = spec["components"][kind][name]
    return component


def schema_problems(spec: Mapping[str, Any], schema: dict[str, Any], instance: Any, where: str) -> list[str]:
    """`where: message` for each way `instance` breaks `schema` (its `$ref`s into the document's
    components), read as JSON Schema draft 7."""
    validator = jsonschema.Draft7Validator({**schema, "components": spec["components"]})
    return [f"{where}: {e.message}" for e in validator.iter_errors(instance)]


def check_openapi_request(
    spec: Mapping[str, Any], routes: Routes, method: str, url: str, query: Mapping[str, Any], body: Any
) -> tuple[str | None, dict[str, str], list[str]]:
    """The described path the request is for, its path parameters, and what is wrong with it: not
    described, or a query parameter (`query`, parsed from `url`) the operation does not describe, a
    required parameter missing or empty, a JSON body not valid against the operation's schema, or one
    the operation takes none of."""
    path, values, problems = find_operation(spec, routes, method, url)
    if path is None:
        return path, values, problems
    operation = spec["paths"][path][method.lower()]
    parameters = [deref(spec, p) for p in operation.get("parameters", [])]
    problems = [
        f"{method} {path}: query {q!r} is not described"
        for q in query
        if q not in {p["name"] for p in parameters if p["in"] == "query"}
    ]
    problems += [
        f"{method} {path}: required {p['in']} parameter {p['name']!r} is missing"
        for p in parameters
        if p.get("required") and (values if p["in"] == "path" else query).get(p["name"]) in (None, "", [""])
    ]
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if schema is not None:
        problems += schema_problems(spec, schema, body, f"{method} {path}: body")
    elif body is not None:
        problems.append(f"{method} {path}: takes no body")
    return path, values, problems
