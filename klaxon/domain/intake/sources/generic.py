"""Any JSON: the integration's `fields` say where the summary, severity, dedup key and action are."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from klaxon.domain.errors import InvalidInput
from klaxon.domain.incident.dedup import summary_key
from klaxon.domain.incident.models import Alert, AlertAction
from klaxon.domain.instants import parse_instant
from klaxon.domain.intake.integration import FieldPaths, IntegrationRef, service_for_labels
from klaxon.domain.intake.sources.common import header, require_object, severity_of, summary
from klaxon.domain.intake.sources.datadog import labels_of
from klaxon.domain.intake.sources.signatures import BadSignature, require_fresh, require_hmac

SIGNATURE_HEADER = "X-Klaxon-Signature"
TIMESTAMP_HEADER = "X-Klaxon-Request-Timestamp"
INVALID = "JSON payload does not fit the integration's fields"
ACTION_WORDS: dict[str, AlertAction] = {
    **dict.fromkeys(
        ["trigger", "triggered", "firing", "alert", "alerting", "open", "problem"], AlertAction.TRIGGER
    ),
    **dict.fromkeys(
        ["resolve", "resolved", "ok", "recovered", "closed", "clear", "cleared"], AlertAction.RESOLVE
    ),
    **dict.fromkeys(["acknowledge", "acknowledged", "ack"], AlertAction.ACKNOWLEDGE),
}
_MISSING = object()


def verify(body: bytes, headers: Mapping[str, str], integration: IntegrationRef, now: datetime) -> None:
    """With a secret, either signature (hex HMAC-SHA256 under the secret):

    - `X-Klaxon-Signature: v0=<hmac of "v0:<timestamp>:<body>">` with `X-Klaxon-Request-Timestamp:
      <Unix seconds>`, as Slack signs: refused once the timestamp is 5 minutes old, so a capture cannot
      be replayed;
    - `X-Klaxon-Signature: sha256=<hmac of the body>`: a replay of it is caught only by the delivery
      memory (24 h) and by the stale-resolve rule.
    """
    if not integration.secrets:
        return
    signature = header(headers, SIGNATURE_HEADER)
    if signature is not None and signature.strip().startswith("v0="):
        timestamp = header(headers, TIMESTAMP_HEADER)
        if timestamp is None:
            raise BadSignature(f"a v0= signature needs its {TIMESTAMP_HEADER} header")
        signed = b"v0:" + timestamp.encode() + b":" + body
        require_hmac(integration.secrets, signed, signature.strip().removeprefix("v0="), SIGNATURE_HEADER)
        require_fresh(timestamp, now, TIMESTAMP_HEADER)
        return
    require_hmac(integration.secrets, body, signature, SIGNATURE_HEADER)


def lookup(data: Any, path: str) -> Any:
    """Follow a dotted path (`alert.labels`, `items.0.name`, optionally starting `$.`); _MISSING if absent."""
    current = data
    for segment in path.removeprefix("$").removeprefix(".").split("."):
        if isinstance(current, dict) and segment in current:
            current = current[segment]
        elif (
            isinstance(current, list)
            and segment.lstrip("-").isdigit()
            and -len(current) <= int(segment) < len(current)
        ):
            current = current[int(segment)]
        else:
            return _MISSING
    return current


class _Reader:
    """Reads each mapped field once and collects every problem, so one 400 lists them all."""

    def __init__(self, data: Any, paths: FieldPaths) -> None:
        self.data = data
        self.paths = paths
        self.errors: list[str] = []

    def text(self, name: str, *, required: bool = False) -> str | None:
        path = getattr(self.paths, name)
        value = _MISSING if path is None else lookup(self.data, path)
        if value is _MISSING or value is None or value == "":
            if required:
                self.errors.append(f"'{path}' ({name}) is missing or blank")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.errors.append(f"'{path}' ({name}) must be a string, got {type(value).__name__}")
            return None
        return str(value)

    def instant(self, name: str) -> datetime | None:
        text = self.text(name)
        if text is None:
            return None
        try:
            found = parse_instant(text)
        except ValueError as exc:
            self.errors.append(f"'{getattr(self.paths, name)}' ({name}) {exc}")
            return None
        if found.tzinfo is None:
            self.errors.append(f"'{getattr(self.paths, name)}' ({name}) needs a time zone (or Z)")
            return None
        return found

    def labels(self) -> dict[str, str]:
        path = self.paths.labels
        value = None if path is None else lookup(self.data, path)
        if value is _MISSING or value is None:
            return {}
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items() if isinstance(v, str | int | float | bool)}
        if isinstance(value, list | str):
            return labels_of(value if isinstance(value, str) else [str(v) for v in value])
        self.errors.append(f"'{path}' (labels) must be an object or a list of 'key:value' strings")
        return {}


def parse(
    body: Any,
    *,
    headers: Mapping[str, str],
    alert_id: str,
    integration: IntegrationRef,
    known_services: frozenset[str],
    now: datetime,
) -> Alert:
    """Map the payload by the configured paths; without a dedup key path, the key is a hash of the summary."""
    paths = integration.fields
    if paths is None:
        raise InvalidInput(
            "this generic integration has no field mapping",
            [
                "give the integration `fields` (at least `summary`), "
                "or send PagerDuty Events v2 to /v2/enqueue"
            ],
        )
    read = _Reader(require_object(body, "JSON payload"), paths)
    text = read.text("summary", required=True)
    source = read.text("source")
    word = read.text("action")
    action = AlertAction.TRIGGER if word is None else ACTION_WORDS.get(word.strip().lower())
    if action is None:
        read.errors.append(f"'{paths.action}' (action) is {word!r}; use one of {', '.join(ACTION_WORDS)}")
    dedup_key = read.text("dedup_key", required=paths.dedup_key is not None)
    if dedup_key is None and paths.dedup_key is None and text is not None:
        dedup_key = summary_key(text, source)
    raw_severity = read.text("severity")
    labels = read.labels()
    happened = read.instant("timestamp")
    if read.errors or text is None or action is None or dedup_key is None:
        raise InvalidInput(INVALID, read.errors)
    return Alert(
        id=alert_id,
        action=action,
        dedup_key=dedup_key[:255],
        service=service_for_labels(integration, labels, known_services),
        integration=integration.id,
        source_kind="generic",
        received_at=now,
        summary=summary(text),
        source=source or "generic",
        severity=severity_of(raw_severity, integration),
        timestamp=happened,
        custom_details=body,
        labels=labels,
    )
