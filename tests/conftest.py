"""Shared test setup. moto must be imported before any boto3/PynamoDB session exists."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import klaxon.local.emulation  # noqa: F401 - sets fake credentials and imports moto first

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"  # byte-for-byte captures (tests/fixtures/README.md)
DEMO_CONFIG = ROOT / "examples" / "acme.yaml"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_program(name: str) -> str:
    """The path of an outside program; outside CI a missing one skips, in CI it fails the test."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required in CI but is not installed (make test installs it)")
        pytest.skip(f"{name} is not installed")
    return path


@pytest.fixture
def fixture_json() -> object:
    import json

    def load(name: str) -> object:
        return json.loads((FIXTURES / name).read_text())

    return load
