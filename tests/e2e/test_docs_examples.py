"""Every curl and CLI example in README.md, docs/api.md and docs/integrations.md, run as written
against a `klaxon up` of its own: the documented status, the body's shape (every documented key is
sent, with a value of the same kind), and error messages word for word.

An example is a ```bash or ```sh block that calls curl; what it answers is the ```http or ```json
block right after it (or, in README.md, a `# {...}` comment in the block itself). A ```text block
of `$ klaxon ...` lines and their output is run and compared line by line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import FIXTURES, ROOT
from tests.e2e.support import API_TOKEN, klaxon_up, wait_for

DOCS = ("README.md", "docs/api.md", "docs/integrations.md")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```[ \t]*$", re.S | re.M)
DOC_URL = "http://127.0.0.1:8080"
DOC_INCIDENT = re.compile(r"(/v1/incidents/)[0-9a-f]{32}")
EXACT_KEYS = ("status", "message", "errors")  # error bodies are the contract, word for word
PLACEHOLDER = re.compile(r"<[^>]+>|…|\.\.\.")


@dataclass(frozen=True)
class Example:
    where: str
    script: str
    status: int | None  # None: any 2xx
    body: Any  # the documented JSON, or None when none is shown


@dataclass(frozen=True)
class CliExample:
    where: str
    command: str
    output: list[str]


def _answer(lang: str, text: str) -> tuple[int | None, Any]:
    status = None
    if lang == "http":
        head, _, text = text.partition("\n\n")
        status = int(re.match(r"HTTP/\S+ (\d{3})", head).group(1))  # type: ignore[union-attr]
    text = text.strip()
    if not text:
        return status, None
    try:
        return status, json.loads(text)
    except ValueError:
        return status, json.loads(text.splitlines()[0])  # several bodies shown: the first


def collect(doc: str) -> tuple[list[Example], list[CliExample]]:
    text = (ROOT / doc).read_text()
    fences = list(FENCE.finditer(text))
    curls, clis = [], []
    for i, fence in enumerate(fences):
        lang, body = fence.group(1), fence.group(2)
        where = f"{doc}:{text[: fence.start()].count(chr(10)) + 1}"
        if lang == "text" and body.startswith("$ klaxon "):
            command, *output = body.rstrip("\n").splitlines()
            clis.append(CliExample(where, command[2:], output))
        if lang not in ("bash", "sh") or "curl " not in body:
            continue
        status, answer = None, None
        comment = re.search(r"^# (\{.*\})$", body, re.M)
        follower = fences[i + 1] if i + 1 < len(fences) else None
        if comment:
            answer = json.loads(comment.group(1))
        elif follower and follower.group(1) in ("http", "json"):
            between = text[fence.end() : follower.start()]
            if not re.search(r"^#", between, re.M) and len(between.strip().splitlines()) <= 2:
                status, answer = _answer(follower.group(1), follower.group(2))
        curls.append(Example(where, body, status, answer))
    return curls, clis


EXAMPLES = [e for doc in DOCS for e in collect(doc)[0]]
CLI_EXAMPLES = [e for doc in DOCS for e in collect(doc)[1]]


def mismatches(documented: Any, sent: Any, path: str = "body") -> list[str]:
    """How the sent JSON differs from the documented one: missing keys, other kinds of value, and
    (at the top) other words in `status`, `message` or `errors`."""
    if isinstance(documented, dict):
        if not isinstance(sent, dict):
            return [f"{path}: documented an object, sent {sent!r}"]
        found = []
        for key, value in documented.items():
            if key == "…":
                continue
            if key not in sent:
                found.append(f"{path}.{key}: documented but not sent")
            elif path == "body" and key in EXACT_KEYS and not PLACEHOLDER.search(json.dumps(value)):
                if value != sent[key]:
                    found.append(f"{path}.{key}: documented {value!r}, sent {sent[key]!r}")
            else:
                found += mismatches(value, sent[key], f"{path}.{key}")
        return found
    if isinstance(documented, list):
        if not isinstance(sent, list):
            return [f"{path}: documented a list, sent {sent!r}"]
        if documented and not sent:
            return [f"{path}: documented items, sent none"]
        return mismatches(documented[0], sent[0], f"{path}[0]") if documented else []
    if documented is None or sent is None:
        return []
    kinds = (bool, int | float, str)
    if any(isinstance(documented, k) != isinstance(sent, k) for k in kinds):
        return [f"{path}: documented {documented!r}, sent {sent!r}"]
    return []


@pytest.fixture(scope="module")
def docs_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Path]]:
    folder = tmp_path_factory.mktemp("docs-examples")
    shutil.copy(FIXTURES / "alertmanager-v4-firing.json", folder / "webhook.json")  # `-d @webhook.json`
    (folder / ".venv").symlink_to(Path(sys.prefix))  # README's `.venv/bin/klaxon`
    # As `make up` starts it (README's "with `make up` running"): the demo's history is incident #1.
    with klaxon_up(folder / "up.log", "--ephemeral", "--demo-history") as (api, _):
        yield api, folder


def _incident_id(api: httpx.Client) -> str:
    """The incident the docs' first example opens (`checkout-5xx`), which later examples name."""
    found = wait_for(
        lambda: api.get("/v1/incidents", params={"dedup_key": "checkout-5xx"}).json()["incidents"],
        what="the checkout-5xx incident the first example opens",
    )
    return str(found[0]["id"])


def _run(script: str, url: str, cwd: Path) -> tuple[int, str]:
    """Run the block; the last curl's status and body (the block may go on with `klaxon` commands)."""
    prelude = 'curl() { command curl -o "$CURL_BODY" -w "%{http_code}" "$@" > "$CURL_STATUS"; }\n'
    env = {**os.environ, "KLAXON_API": url, "CURL_BODY": "curl-body", "CURL_STATUS": "curl-status"}
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", prelude + script],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return int((cwd / "curl-status").read_text()), (cwd / "curl-body").read_text()


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.where for e in EXAMPLES])
def test_the_curl_example_answers_as_documented(example: Example, docs_platform) -> None:
    api, folder = docs_platform
    url = str(api.base_url).rstrip("/")
    script = example.script.replace(DOC_URL, url).replace("localhost:8080", url.removeprefix("http://"))
    if DOC_INCIDENT.search(script):
        script = DOC_INCIDENT.sub(rf"\g<1>{_incident_id(api)}", script)
    status, body = _run(script, url, folder)
    if example.status is None:
        assert 200 <= status < 300, (status, body)
    else:
        assert status == example.status, body
    if example.body is not None:
        assert mismatches(example.body, json.loads(body)) == [], body


@pytest.mark.parametrize("example", CLI_EXAMPLES, ids=[e.where for e in CLI_EXAMPLES])
def test_the_cli_example_prints_what_is_documented(example: CliExample, docs_platform) -> None:
    api, _ = docs_platform
    argv = example.command.split()[1:]
    env = {**os.environ, "KLAXON_API": str(api.base_url), "KLAXON_API_TOKEN": API_TOKEN, "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-m", "klaxon.cli", *argv],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert [line.rstrip() for line in proc.stdout.splitlines()] == [line.rstrip() for line in example.output]


def test_every_doc_has_examples_and_the_matcher_catches_drift() -> None:
    assert {e.where.split(":")[0] for e in EXAMPLES} == set(DOCS)
    assert CLI_EXAMPLES
    assert mismatches({"message": "a", "n": 1}, {"message": "b", "n": "1"}) == [
        "body.message: documented 'a', sent 'b'",
        "body.n: documented 1, sent '1'",
    ]
    assert mismatches({"incidents": [{"id": "x"}]}, {"incidents": [{"id": "y", "more": 1}]}) == []
