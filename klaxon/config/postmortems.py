"""The `postmortems` section: which incidents get a post-mortem draft, when it is due, and a team's own
template per priority (docs/postmortems.md)."""

from __future__ import annotations

from datetime import timedelta

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import ConfigDict, Field, field_validator

from klaxon.config.trackers import TrackerConfig
from klaxon.config.values import Email
from klaxon.domain.incident.models import Priority
from klaxon.domain.model import Model
from klaxon.domain.postmortem.actions import TrackerPolicy
from klaxon.domain.postmortem.models import ConfluenceTarget, GitHubTarget, NotionTarget, PostmortemPolicy


class GitHubPublishConfig(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    repository: str = Field(
        pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", description="`owner/name` of the repository."
    )
    folder: str = Field(
        default="docs/postmortems", pattern=r"^[A-Za-z0-9_./-]+$", description="The docs folder in it."
    )
    base: str = Field(default="main", min_length=1, max_length=100, description="The branch PRs go into.")


class ConfluencePublishConfig(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    site: str = Field(
        pattern=r"^https?://[^\s/]+(/wiki)?$", description="The site, `https://acme.atlassian.net`."
    )
    space_id: str = Field(pattern=r"^[0-9]{1,20}$", description="The space's numeric id (REST API v2).")
    parent_id: str | None = Field(
        default=None,
        pattern=r"^[0-9]{1,20}$",
        description="The page the post-mortems go under (else the space's home).",
    )


class NotionPublishConfig(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    parent_page_id: str = Field(
        pattern=r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$",
        description="The page post-mortems go under (shared with the integration): its id, from its link.",
    )


class PostmortemConfig(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    priorities: list[Priority] = Field(
        default_factory=lambda: [Priority.P1, Priority.P2],
        description="Incidents of these priorities get a post-mortem draft when they resolve.",
    )
    due_hours: int = Field(default=48, ge=1, le=24 * 60, description="Hours after resolution it is due.")
    templates: dict[Priority, str] = Field(
        default_factory=dict,
        description="A Jinja2 Markdown template per priority instead of the blameless default "
        "(klaxon/services/postmortem/default.md.j2 shows every value a template gets).",
    )

    github: GitHubPublishConfig | None = Field(
        default=None,
        description="Publishing a post-mortem opens (or updates) a pull request adding it to this "
        "repository's docs folder; the token is GITHUB_TOKEN locally, the stack's GitHub secret in AWS.",
    )

    confluence: ConfluencePublishConfig | None = Field(
        default=None,
        description="Publishing a post-mortem also writes (or updates) a Confluence page in this space; the "
        "credentials are the `confluence` entry of TRACKER_CREDENTIALS, or of the stack's tracker secret.",
    )
    notion: NotionPublishConfig | None = Field(
        default=None,
        description="Publishing a post-mortem also writes it as a Notion page under this page; the token is "
        "the `notion` entry of TRACKER_CREDENTIALS, or of the stack's tracker secret.",
    )
    trackers: list[TrackerConfig] = Field(
        default_factory=list,
        max_length=20,
        description="Where action items are filed as tickets (Jira, Linear, Asana), per service "
        "(docs/postmortems.md). None: action items stay in Klaxon.",
    )

    report_channel: str | None = Field(
        default=None,
        min_length=2,
        max_length=80,
        description="Where the monthly message goes when last month's action items fell short of 80% done "
        "(a chat channel, `#incidents`).",
    )
    executive_review_share: float = Field(
        default=50,
        gt=0,
        le=1000,
        description="An incident that took more than this percent of any customer's monthly SLA budget marks "
        "its post-mortem for executive review (docs/sla.md).",
    )
    executive_emails: list[Email] = Field(
        default_factory=list,
        max_length=50,
        description="Who is told when a post-mortem needs executive review.",
    )
    report_emails: list[Email] = Field(
        default_factory=list, max_length=50, description="Who else gets that monthly message, by email."
    )

    @field_validator("templates")
    @classmethod
    def _templates_parse(cls, templates: dict[Priority, str]) -> dict[Priority, str]:
        for priority, text in templates.items():
            try:
                SandboxedEnvironment().parse(text)
            except TemplateError as error:
                raise ValueError(f"the {priority} template is not Jinja2: {error}") from None
        return templates

    def to_domain(self) -> PostmortemPolicy:
        return PostmortemPolicy(
            priorities=frozenset(self.priorities),
            due_after=timedelta(hours=self.due_hours),
            templates=dict(self.templates),
            github=None if self.github is None else GitHubTarget(**self.github.model_dump()),
            confluence=None if self.confluence is None else ConfluenceTarget(**self.confluence.model_dump()),
            notion=None if self.notion is None else NotionTarget(self.notion.parent_page_id),
            report_channel=self.report_channel,
            report_emails=tuple(self.report_emails),
            executive_share=self.executive_review_share,
            executive_emails=tuple(self.executive_emails),
            trackers=TrackerPolicy(
                trackers={t.id: t.to_domain() for t in self.trackers},
                default=next((t.id for t in self.trackers if t.default), None),
            ),
        )
