"""Generate docs/configuration.md from the config schema, so the reference cannot drift from the code."""

from __future__ import annotations

import difflib
import sys
import types
from collections.abc import Iterator
from datetime import datetime, time
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
from pydantic import AfterValidator, BaseModel, Secret
from pydantic.fields import FieldInfo

from klaxon.config.integrity import CHECKS
from klaxon.config.loader import ConfigError, parse_config
from klaxon.config.schema import KlaxonConfig
from klaxon.config.values import check_email, check_id, check_time_zone

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
COMMAND = "python -m klaxon.config.reference"

# The domain models keep no Field descriptions (they are shared contracts, not config docs), so the
# words for their fields live here. A field missing from this table shows up undescribed, and a
# unit test fails on that.
_DOMAIN_MODEL_NOTES = {
    "Schedule": "Who is on call when: layers of rotations, a later layer winning where layers overlap.",
    "EscalationPolicy": "Who is paged, how and when: ordered steps, run again `repeat` times if nobody "
    "acknowledges.",
}
_DOMAIN_FIELD_NOTES = {
    ("Schedule", "id"): "Short lowercase id that escalation steps refer to.",
    ("Schedule", "name"): "Display name.",
    ("Schedule", "time_zone"): "IANA time zone the schedule is shown in.",
    ("Schedule", "layers"): "Rotations; where layers overlap, the later one wins.",
    ("Layer", "name"): "Name of the layer, shown on the shifts it produces.",
    ("Layer", "rotation"): "Who takes turns, and when they hand off.",
    ("Layer", "restrictions"): "Weekly windows outside which the layer is silent; none means always on.",
    ("Rotation", "type"): "Unit of a shift; `custom` shifts are `shift_hours` long.",
    ("Rotation", "participants"): "User ids, in the order they take turns.",
    ("Rotation", "start"): "The first hand-off: a wall-clock time in `time_zone`, no offset "
    "(`2026-01-05T09:00`). Every hand-off is at this local time.",
    ("Rotation", "time_zone"): "IANA time zone of `start` and of every hand-off.",
    ("Rotation", "shift_length"): "Units of `type` per shift: `2` with `weekly` is a fortnight each.",
    ("Rotation", "shift_hours"): "Only for `custom`: hours per shift.",
    ("Restriction", "days"): "Days on which the window opens.",
    ("Restriction", "start"): "When the window opens, `HH:MM`.",
    ("Restriction", "end"): "When it closes; at or before `start` means the next day.",
    ("EscalationPolicy", "id"): "Short lowercase id that services refer to.",
    ("EscalationPolicy", "name"): "Display name.",
    ("EscalationPolicy", "steps"): "Run in order, each after the previous step's delay.",
    ("EscalationPolicy", "repeat"): "How many more times to run all the steps while nobody acknowledges.",
    ("EscalationPolicy", "ack_timeout_minutes"): "Minutes an acknowledgement holds before the incident "
    "triggers again; unset, it holds until the incident is resolved.",
    ("EscalationPolicy", "low_urgency_channels"): "How a low-urgency (P3/P4) incident is told when it "
    "triggers, or triggers again after an acknowledgement timed out: the first step's people, once, by "
    "these channels (e.g. `[email]`), with no escalation. Empty (the default): it pages nobody.",
    ("Step", "targets"): "Who to page.",
    ("Step", "delay_minutes"): "Minutes to wait after paging before the next step; the last step's is "
    "unused unless the policy repeats.",
    ("Step", "channels"): "Page on these channels only; unset, each user's notification rules apply.",
    ("Target", "user"): "A user id.",
    ("Target", "schedule"): "A schedule id: whoever is on call on it when the step runs.",
}

_VALUE_NAMES: dict[Any, str] = {check_id: "id", check_time_zone: "time zone", check_email: "email address"}

EXAMPLE = """\
users:
  - id: ada
    name: Ada Lovelace
    email: ada@example.com
    time_zone: Europe/London
    contact_methods:
      - {type: push, address: ada-phone}
      - {type: sms, address: "+447700900123"}
  - id: charles
    name: Charles Babbage
    email: charles@example.com
    time_zone: Europe/London
    contact_methods:
      - {type: email, address: charles@example.com}

schedules:
  - id: on-call
    time_zone: Europe/London
    layers:
      - name: weekly
        rotation:
          type: weekly
          participants: [ada, charles]
          start: 2026-01-05T09:00
          time_zone: Europe/London

escalation_policies:
  - id: default
    steps:
      - targets: [{schedule: on-call}]
        delay_minutes: 10
      - targets: [{user: ada}, {user: charles}]
        channels: [sms, email]
        delay_minutes: 0

services:
  - id: website
    name: Website
    escalation_policy: default

integrations:
  - id: website-alerts
    kind: generic
    key: change-me-to-a-long-random-key
    service: website
"""


class ReferenceOutOfDate(AssertionError):
    """docs/configuration.md is not what the schema generates."""


def models() -> list[type[BaseModel]]:
    """KlaxonConfig and every model inside it, depth first in field order."""
    found: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in found:
            return
        found.append(model)
        for field in model.model_fields.values():
            for inner in _models_in(field.annotation):
                visit(inner)

    visit(KlaxonConfig)
    return found


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)


def describe(model: type[BaseModel], name: str, field: FieldInfo) -> str:
    """A field's description: its own, or the note kept here for domain models."""
    return field.description or _DOMAIN_FIELD_NOTES.get((model.__name__, name), "")


def render() -> str:
    """The whole of docs/configuration.md."""
    parts = [_intro(), *(_model_section(model) for model in models()), _rules(), _errors(), _stored()]
    return "\n".join(parts).rstrip() + "\n"


def _intro() -> str:
    return f"""<!-- Generated by `{COMMAND}` from klaxon/config; do not edit by hand. -->

# Configuration reference

A Klaxon organisation is one YAML file: who can be paged, who is on call when, how incidents
escalate, which services exist and where their alerts come in. `klaxon.config.load_config(path)`
reads and checks it; [examples/acme.yaml](../examples/acme.yaml) is a complete, commented example.

Unknown keys are errors, so a typo never falls back to a default silently. Sections refer to each
other by `id`: 1 to 64 lowercase letters, digits, `.`, `-` or `_`. Time zones are IANA names such as
`America/New_York`. Quote phone numbers (`"+15550101001"`): unquoted, YAML reads them as numbers.
Booleans and numbers follow YAML 1.2, so `17:30` is a time and `no` is text.

## A short example

```yaml
{EXAMPLE.rstrip()}
```
"""


def _model_section(model: type[BaseModel]) -> str:
    doc = model.__dict__.get("__doc__") or _DOMAIN_MODEL_NOTES.get(model.__name__, "")
    summary = " ".join(doc.strip().split()) if doc else ""
    rows = [
        f"| `{field.alias or name}` | {_type(field)} | {_default(field)} | {describe(model, name, field)} |"
        for name, field in model.model_fields.items()
    ]
    header = "| Field | Type | Required / default | Description |\n|---|---|---|---|"
    return f"## {model.__name__}\n\n{summary}\n\n{header}\n" + "\n".join(rows) + "\n"


def _type(field: FieldInfo) -> str:
    text = _type_name(field.annotation)
    limits = []
    for meta in field.metadata:
        if isinstance(meta, AfterValidator) and meta.func in _VALUE_NAMES:
            text = _VALUE_NAMES[meta.func]
        elif isinstance(meta, annotated_types.MinLen):
            limits.append(f"at least {meta.min_length}")
        elif isinstance(meta, annotated_types.Ge):
            limits.append(f"≥ {meta.ge}")
        elif isinstance(meta, annotated_types.Le):
            limits.append(f"≤ {meta.le}")
    return ", ".join([text, *limits])


def _type_name(annotation: Any) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(arg) for arg in args if arg is not type(None))
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"map of {_type_name(args[0])} to {_type_name(args[1])}"
    if origin is Annotated:
        return _type_name(args[0])
    if origin is Secret or (isinstance(origin, type) and issubclass(origin, Secret)):
        return "string (secret)"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " \\| ".join(f"`{member.value}`" for member in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    names = {str: "string", int: "integer", bool: "boolean", datetime: "date-time", time: "time"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "optional"
    if isinstance(value, list):
        return "`[" + ", ".join(str(item.value if isinstance(item, Enum) else item) for item in value) + "]`"
    return f"`{value}`"


def _rules() -> str:
    lines = [" ".join((check.__doc__ or check.__name__).split()) for check in CHECKS]
    bullets = "\n".join(f"- {line}" for line in lines)
    intro = "Once every section has the right shape, the whole file is checked:"
    return f"## Checks across sections\n\n{intro}\n\n{bullets}\n"


def _errors() -> str:
    typo_in_key = _errors_of(EXAMPLE.replace("    email: charles@", "    emial: charles@"))
    typo_in_id = _errors_of(EXAMPLE.replace("escalation_policy: default", "escalation_policy: defualt"))
    return f"""## Errors

Every problem is reported, one line each, as `FILE:LINE: path.to.field: reason`. Misspelling a key
in the example above gives:

```text
{typo_in_key}
```

and misspelling an id:

```text
{typo_in_id}
```

The checks across sections run once every section has the right shape, so fixing the first kind
of error can reveal the second. A YAML syntax error or a duplicate key is reported the same way.
"""


def _errors_of(text: str) -> str:
    try:
        parse_config(text, "example.yaml")
    except ConfigError as e:
        return "\n".join(e.errors)
    raise AssertionError("the broken example loaded")


def _stored() -> str:
    return """## Integration keys and the stored form

Integration and heartbeat keys are secrets, and so are signing secrets. Three forms of a
configuration exist:

- What you write: `key` in the clear (or its SHA-256 as `key_hash`), and each signing `secret`.
- What `klaxon config apply` sends (`KlaxonConfig.stored()`): each key replaced by its SHA-256 and
  its `key_hint` (its prefix and last four characters); signing secrets kept, over TLS.
- What the platform keeps (`KlaxonConfig.persisted()`): each key as `key_digest`, HMAC-SHA-256 of
  its SHA-256 under the deployment's pepper (a Secrets Manager secret), so a leaked config table
  gives nothing to test a guessed key against; no signing secret, because those go to their own
  Secrets Manager secret. A changed signing secret is rotated: the old one still verifies for 24
  hours, so the sender can be switched after the apply.

`GET /v1/config` gives `KlaxonConfig.public_view()`: each key by its `key_hint` alone, no hash,
digest or signing secret. Keys and secrets are write-only, so that view can be edited and put back
with `PUT /v1/config`: an entry without a key keeps its key, and an integration without a `secret`
field keeps its secret (`"secret": null` removes it).
"""


def check_reference_up_to_date(path: Path = DOC_PATH) -> None:
    """Raise ReferenceOutOfDate, with a diff, if `path` is not what `render()` produces."""
    expected = render()
    actual = path.read_text(encoding="utf-8") if path.exists() else ""
    if actual != expected:
        diff = difflib.unified_diff(
            actual.splitlines(), expected.splitlines(), str(path), "generated", lineterm="", n=1
        )
        shown = "\n".join(list(diff)[:40])
        raise ReferenceOutOfDate(f"{path} is out of date; run `{COMMAND}`\n{shown}")


def main(argv: list[str]) -> int:
    """Write the reference, or with `--check` only report whether it is up to date."""
    if "--check" in argv:
        try:
            check_reference_up_to_date()
        except ReferenceOutOfDate as e:
            print(e, file=sys.stderr)
            return 1
        return 0
    DOC_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
