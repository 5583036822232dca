"""Runbooks as Markdown files in a docs folder: the URL from the repository, front matter for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from klaxon.config.loader import ConfigError, load_config
from klaxon.config.runbook_files import front_matter
from klaxon.domain.incident.models import Alert, AlertAction
from tests.conftest import DEMO_CONFIG

ENTRY = """runbooks:
  - id: db-pool-file
    path: docs/runbooks/db-pool.md
    repository: https://github.com/acme/platform
"""
FILE = """---
title: Database pool exhausted
labels:
  service: payments
  error_type: [PoolExhausted, TooManyConnections]
---
# Database pool exhausted

1. Check the pool's size.
"""


def configured(tmp_path: Path, runbook_file: str | None, entry: str = ENTRY) -> Path:
    text = DEMO_CONFIG.read_text().replace("runbooks:\n", entry, 1)
    (tmp_path / "acme.yaml").write_text(text)
    if runbook_file is not None:
        (tmp_path / "docs" / "runbooks").mkdir(parents=True)
        (tmp_path / "docs" / "runbooks" / "db-pool.md").write_text(runbook_file)
    return tmp_path / "acme.yaml"


def alert(**labels: str) -> Alert:
    return Alert(
        id="a1",
        action=AlertAction.TRIGGER,
        dedup_key="k",
        service=labels.pop("service", "payments"),
        integration="i",
        source_kind="pagerduty",
        received_at="2026-12-06T00:00:00Z",
        labels=labels,
    )


def test_the_front_matter_gives_the_title_and_labels_and_the_repository_the_url(tmp_path):
    config = load_config(configured(tmp_path, FILE))
    entry = next(r for r in config.runbooks if r.id == "db-pool-file")
    assert entry.url == "https://github.com/acme/platform/blob/main/docs/runbooks/db-pool.md"
    assert entry.title == "Database pool exhausted"
    assert [(c.label, c.equals, c.in_) for c in entry.match] == [
        ("service", "payments", None),
        ("error_type", None, ["PoolExhausted", "TooManyConnections"]),
    ]
    from klaxon.config.runbooks import runbooks_of

    chosen = runbooks_of(config).choose(alert(error_type="TooManyConnections"))
    assert chosen is not None and chosen.id == "db-pool-file"


def test_without_the_file_beside_it_the_entry_needs_its_own_title(tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_config(configured(tmp_path, None))
    assert [line.split(": ", 1)[1] for line in raised.value.errors] == [
        "runbooks[0].title: required field is missing"
    ]
    entry = ENTRY + "    title: Pool\n    ref: v2\n"
    config = load_config(configured(tmp_path, None, entry))
    found = next(r for r in config.runbooks if r.id == "db-pool-file")
    assert (found.title, found.url, found.match) == (
        "Pool",
        "https://github.com/acme/platform/blob/v2/docs/runbooks/db-pool.md",
        [],
    )


def test_bad_front_matter_is_an_error_at_the_entrys_path(tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_config(configured(tmp_path, "---\ntitle: [unclosed\n---\n"))
    (line,) = raised.value.errors
    assert "runbooks[0].path: docs/runbooks/db-pool.md: its front matter is not YAML" in line


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("# No front matter\n", {}),
        ("---\n---\nbody", {}),
        ("\ufeff---\ntitle: T\n---\n", {"title": "T"}),
    ],
)
def test_front_matter(text, found):
    assert front_matter(text) == found


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: T\n", "no closing `---` line"),
        ("---\n- a list\n---\n", "not a mapping"),
    ],
)
def test_front_matter_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        front_matter(text)
