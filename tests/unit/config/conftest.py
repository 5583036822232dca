"""Fixtures for the config tests: the demo file, and ways to break it and read the errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from klaxon.config import ConfigError, parse_config

ACME = Path(__file__).resolve().parents[3] / "examples" / "acme.yaml"


@pytest.fixture
def acme_path() -> Path:
    return ACME


@pytest.fixture
def acme_text() -> str:
    return ACME.read_text(encoding="utf-8")


@pytest.fixture
def edit_acme(acme_text: str) -> Callable[[str, str], tuple[str, int]]:
    """Replace the first `old` in the demo with `new`; return the text and the line `new` starts on."""

    def edit(old: str, new: str) -> tuple[str, int]:
        at = acme_text.index(old)
        return acme_text[:at] + new + acme_text[at + len(old) :], acme_text[:at].count("\n") + 1

    return edit


@pytest.fixture
def errors_of() -> Callable[[str], list[str]]:
    """The error lines parsing `text` as acme.yaml gives; fails the test if it parses."""

    def errors(text: str) -> list[str]:
        with pytest.raises(ConfigError) as raised:
            parse_config(text, "acme.yaml")
        return raised.value.errors

    return errors
