"""Shared test setup. The tiers that talk to AWS (integration, e2e) load moto in their own conftest."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"  # byte-for-byte captures (tests/fixtures/README.md)
DEMO_CONFIG = ROOT / "examples" / "acme.yaml"


def require_program(name: str) -> str:
    """The path of an outside program; a missing one fails the test (`make test` installs it)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: `make test` installs it (make system-deps)")
    return path


@pytest.fixture
def fixture_json() -> object:
    import json

    def load(name: str) -> object:
        return json.loads((FIXTURES / name).read_text())

    return load


# What a test run may never leave behind in the checkout: `klaxon up` state, rewritten screenshots.
# `make screenshots` (KLAXON_REFRESH_SCREENSHOTS=1) is the one run asked to rewrite docs/*.png.
_SHOTS = () if os.environ.get("KLAXON_REFRESH_SCREENSHOTS") == "1" else sorted((ROOT / "docs").glob("*.png"))
LEFT_BEHIND = (ROOT / ".klaxon", *_SHOTS)


@pytest.fixture(scope="session", autouse=True)
def the_checkout_stays_as_it_was() -> object:
    before = {path: _fingerprint(path) for path in LEFT_BEHIND}
    yield
    changed = [str(path.relative_to(ROOT)) for path, mark in before.items() if _fingerprint(path) != mark]
    assert not changed, f"the test run wrote into the checkout: {changed} (use --ephemeral or tmp_path)"


def _fingerprint(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime_ns, stat.st_size)
