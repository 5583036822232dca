"""Runbooks kept as Markdown files in a repository's docs folder: an entry gives the file's `path` (and the
`repository` it is browsed at: RunbookEntry makes the URL), and the file's YAML front matter may carry its
`title` and the `labels` it is for. Read when the configuration file is loaded (`klaxon config validate`,
`apply`, `klaxon up`), next to it on disk; what it says is written into the entry, so the stored
configuration needs no files.

    ---
    title: Database connection pool exhausted
    labels:
      service: payments
      error_type: [PoolExhausted, TooManyConnections]
    ---
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from klaxon.config.problems import Loc

FENCE = "---"


def front_matter(text: str) -> dict[str, Any]:
    """The YAML between a leading `---` line and the next; {} when the file has none. ValueError when it
    is not a mapping of YAML."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != FENCE:
        return {}
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == FENCE)
    except StopIteration:
        raise ValueError("its front matter has no closing `---` line") from None
    try:
        found = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        raise ValueError(f"its front matter is not YAML: {error}") from None
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise ValueError("its front matter is not a mapping (`title:`, `labels:`)")
    return found


def _conditions(labels: Any) -> list[dict[str, Any]]:
    if not isinstance(labels, dict):
        raise ValueError("its front matter's `labels` is not a mapping of label to value(s)")
    conditions = []
    for label, value in labels.items():
        if isinstance(value, list):
            conditions.append({"label": str(label), "in": [str(v) for v in value]})
        else:
            conditions.append({"label": str(label), "equals": str(value)})
    return conditions


def expand_runbook_files(data: dict[str, Any], folder: Path | None) -> list[tuple[Loc, str]]:
    """Fill each file entry's `title` and `match` from its front matter, in place (the entry's own title
    wins; its own conditions are kept); the problems found, as (location, reason)."""
    problems: list[tuple[Loc, str]] = []
    for i, entry in enumerate(data.get("runbooks") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            continue
        path = entry["path"]
        file = (folder / path) if folder is not None else None
        if file is None or not file.is_file():
            continue  # not beside this configuration: the entry's own title and match apply
        try:
            found = front_matter(file.read_text(encoding="utf-8"))
            entry.setdefault("title", found.get("title"))
            entry["match"] = list(entry.get("match") or []) + _conditions(found.get("labels") or {})
        except (ValueError, OSError, UnicodeDecodeError) as error:
            problems.append((("runbooks", i, "path"), f"{path}: {error}"))
    return problems
