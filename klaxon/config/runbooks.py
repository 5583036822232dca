"""Runbooks in the configuration: where each one is and which alerts it is for (see docs/runbooks.md)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator

from klaxon.config.problems import Problem, unknown
from klaxon.config.routing import RuleCondition
from klaxon.config.values import Id
from klaxon.domain.model import Model
from klaxon.domain.runbooks.choice import Runbook, Runbooks

if TYPE_CHECKING:
    from klaxon.config.schema import KlaxonConfig

_WEB_ADDRESS = re.compile(r"^https?://\S+$")


def _web_address(value: str) -> str:
    if not _WEB_ADDRESS.match(value):
        raise ValueError("give a web address starting https:// (or http://), without spaces")
    return value


# A runbook is opened from a page, a chat message and the API: a web address, short enough for any of them.
RunbookUrl = Annotated[str, StringConstraints(max_length=2048), AfterValidator(_web_address)]


class RunbookEntry(Model):
    """A runbook and the alerts it is for: a URL (Notion, Confluence, a GitHub wiki or a Markdown file in a
    repository's docs folder) and a matcher in the syntax of routing rules."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Id = Field(description="Short lowercase id, shown by `klaxon runbook test` and on the incident.")
    title: str = Field(
        min_length=1,
        max_length=200,
        description="What responders see as the link's text (for a `path`, its front matter's `title` if "
        "not given here).",
    )
    url: RunbookUrl = Field(
        description="Where the runbook is: an `https://` (or `http://`) address. For a `path`, made from "
        "`repository`, `ref` and `path` when not given."
    )
    path: str | None = Field(
        default=None,
        max_length=500,
        pattern=r"^[^\s]+\.md$",
        description="A Markdown file in a repository's docs folder (`docs/runbooks/db-pool.md`). When the "
        "file is beside the configuration file, its YAML front matter's `title` and `labels` (label: value, "
        "or label: [values]) are read when the file is loaded, as `equals`/`in` conditions added to `match`.",
    )
    repository: RunbookUrl | None = Field(
        default=None, description="Where `path` is browsed: `https://github.com/acme/platform`."
    )
    ref: str = Field(default="main", min_length=1, max_length=100, description="The branch or tag of `path`.")

    @model_validator(mode="before")
    @classmethod
    def _url_of_path(cls, data: Any) -> Any:
        """A file entry's URL: `<repository>/blob/<ref>/<path>` (GitHub's form) unless `url` is given."""
        if isinstance(data, dict) and "url" not in data and data.get("path") and data.get("repository"):
            path = str(data["path"]).lstrip("/")
            return {
                **data,
                "url": f"{str(data['repository']).rstrip('/')}/blob/{data.get('ref', 'main')}/{path}",
            }
        return data

    match: list[RuleCondition] = Field(
        default_factory=list,
        description="Conditions that must all hold, as in routing rules (`field` or `label`, then `equals`, "
        "`regex`, `in` or `exists`). `label: service` tests the service the alert was routed to. Of the "
        "entries that match, the one with the most conditions wins (the first on a tie). An entry "
        "without conditions matches every alert.",
    )

    def to_domain(self) -> Runbook:
        return Runbook(
            id=self.id, title=self.title, url=self.url, conditions=tuple(c.to_domain() for c in self.match)
        )


def runbooks_of(config: KlaxonConfig) -> Runbooks:
    """The entries and each service's default runbook, ready to choose from."""
    return Runbooks(
        [r.to_domain() for r in config.runbooks],
        {s.id: s.runbook for s in config.services if s.runbook is not None},
    )


def runbook_references_resolve(config: KlaxonConfig) -> list[Problem]:
    """A runbook's `label: service` test with `equals` or `in` names existing services."""
    services = [s.id for s in config.services]
    problems: list[Problem] = []
    for i, entry in enumerate(config.runbooks):
        for j, condition in enumerate(entry.match):
            if condition.label != "service":
                continue
            named = [condition.equals] if condition.equals is not None else list(condition.in_ or [])
            for name in named:
                if name not in services:
                    problems.append((("runbooks", i, "match", j), unknown("service", name, services)))
    return problems
