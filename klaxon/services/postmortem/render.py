"""Post-mortem Markdown from a Jinja2 template: the repository's blameless default, or a team's own per
priority (config `postmortems.templates`), rendered in Jinja2's sandbox (a template is configuration, and
configuration can be edited by any admin token)."""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.models import web_links
from klaxon.domain.postmortem.draft import DraftContext
from klaxon.domain.postmortem.durations import Durations

DEFAULT_TEMPLATE = files("klaxon.services.postmortem").joinpath("default.md.j2").read_text(encoding="utf-8")


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else "not yet"


def _minutes(value: float | None) -> str:
    return "not reached" if value is None else f"{value:g} min"


def _oneline(text: object) -> str:
    return " ".join(str(text).split())


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, autoescape=False
    )
    env.filters.update(when=_when, minutes=_minutes, oneline=_oneline, weblinks=web_links)
    return env


ENVIRONMENT = _environment()


def check_template(text: str) -> None:
    """InvalidInput when `text` is no Jinja2 template."""
    try:
        ENVIRONMENT.parse(text)
    except TemplateError as error:
        raise InvalidInput("the post-mortem template does not parse", [str(error)]) from None


def render(context: DraftContext, template: str | None = None) -> str:
    """The draft's Markdown; a template that fails while rendering falls back to the default, with the
    failure said at its top (a draft is never lost to a typo in a template)."""
    values = context.as_template_values()
    if template is not None:
        try:
            return ENVIRONMENT.from_string(template).render(values)
        except TemplateError as error:
            fallback = ENVIRONMENT.from_string(DEFAULT_TEMPLATE).render(values)
            return f"> The configured template failed ({error}); this is the default one.\n\n{fallback}"
    return ENVIRONMENT.from_string(DEFAULT_TEMPLATE).render(values)


# The lines of the default template that say the durations, by how each begins: an explicit mark rewrites
# them in place (a team's own template without them keeps its text; the structured figures still change).
DURATION_LINES = {
    "- Impact started: ": "{{ d.impact_start | when }}",
    "- Time to detect: ": "{{ d.detect.minutes | minutes }}",
    "- Time to mitigate: ": "{{ d.mitigate.minutes | minutes }} ({{ d.mitigate.end | when }})",
}


def with_durations(markdown: str, found: Durations) -> str:
    """`markdown` with its duration lines said again from `found`."""
    lines = markdown.split("\n")
    for prefix, value in DURATION_LINES.items():
        said = prefix + ENVIRONMENT.from_string(value).render(d=found)
        lines = [said if line.startswith(prefix) else line for line in lines]
    return "\n".join(lines)
