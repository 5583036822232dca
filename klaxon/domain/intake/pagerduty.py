"""PagerDuty Events API v2: validate an event exactly as PagerDuty does and normalise it into an Alert."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from klaxon.domain.errors import InvalidInput, PayloadTooLarge
from klaxon.domain.incident.models import Alert, AlertAction, ChangeEvent, Image, Link, Severity
from klaxon.domain.instants import parse_instant

MAX_BODY_BYTES = 512 * 1024
MAX_DEDUP_KEY = 255
MAX_SUMMARY = 1024
INVALID_EVENT = "Event object is invalid"
# What PagerDuty's events endpoint answers a key that sends too fast (with 429 on Events API v2).
THROTTLED = "throttle exceeded"
THROTTLED_MESSAGE = "Requests for this service are arriving too quickly. Please retry later."
_ACTIONS = [a.value for a in AlertAction]
_SEVERITIES = [s.value for s in Severity]


def check_size(body: bytes) -> None:
    """PagerDuty refuses events over 512 KB; so do we, before parsing anything."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(
            "Event object is too large",
            [f"the request body is {len(body)} bytes; the limit is {MAX_BODY_BYTES} bytes (512 KB)"],
        )


def _str(obj: dict[str, Any], key: str, path: str, errors: list[str], *, required: bool) -> str | None:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(f"'{path}' is missing or blank")
        return None
    if not isinstance(value, str):
        errors.append(f"'{path}' must be a string")
        return None
    return value


def _timestamp(obj: dict[str, Any], path: str, errors: list[str]) -> datetime | None:
    """ISO 8601 as PagerDuty documents it, or an epoch number (seconds; milliseconds above 10^11)."""
    raw = obj.get("timestamp")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return parse_instant(raw)
    except ValueError:
        errors.append(f"'{path}' must be an ISO 8601 timestamp or an epoch number, got {raw!r}")
        return None


def _links(body: dict[str, Any], errors: list[str]) -> list[Link]:
    raw = body.get("links") or []
    if not isinstance(raw, list):
        errors.append("'links' must be an array")
        return []
    links = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("href"), str):
            errors.append(f"'links[{i}].href' is missing or not a string")
            continue
        text = item.get("text")
        links.append(Link(href=item["href"], text=text if isinstance(text, str) else None))
    return links


def _client_link(body: dict[str, Any], errors: list[str]) -> list[Link]:
    """`client` / `client_url` (Alertmanager sends its own URL there): the incident's first link."""
    client = _str(body, "client", "client", errors, required=False)
    client_url = _str(body, "client_url", "client_url", errors, required=False)
    return [Link(href=client_url, text=client)] if client_url else []


def _images(body: dict[str, Any], errors: list[str]) -> list[Image]:
    raw = body.get("images") or []
    if not isinstance(raw, list):
        errors.append("'images' must be an array")
        return []
    images = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("src"), str):
            errors.append(f"'images[{i}].src' is missing or not a string")
            continue
        href, alt = item.get("href"), item.get("alt")
        images.append(
            Image(
                src=item["src"],
                href=href if isinstance(href, str) else None,
                alt=alt if isinstance(alt, str) else None,
            )
        )
    return images


def _require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput(INVALID_EVENT, ["Event must be a JSON object"])
    return body


def routing_key_of(body: Any) -> str:
    """The routing key of an event, validated first so an unknown sender learns nothing else."""
    errors: list[str] = []
    key = _str(_require_object(body), "routing_key", "routing_key", errors, required=True)
    if errors or key is None:
        raise InvalidInput(INVALID_EVENT, errors)
    return key


def parse_alert_event(
    body: Any, *, alert_id: str, generated_dedup_key: str, service: str, integration: str, now: datetime
) -> Alert:
    """Validate an Events v2 alert event (trigger/acknowledge/resolve); every problem is listed at once."""
    body = _require_object(body)
    errors: list[str] = []
    _str(body, "routing_key", "routing_key", errors, required=True)
    action = body.get("event_action")
    if action not in _ACTIONS:
        errors.append(f"'event_action' must be one of {', '.join(_ACTIONS)}")
    dedup_key = _str(body, "dedup_key", "dedup_key", errors, required=action in ("acknowledge", "resolve"))
    if dedup_key is not None and len(dedup_key) > MAX_DEDUP_KEY:
        errors.append(f"'dedup_key' must be at most {MAX_DEDUP_KEY} characters")
    fields: dict[str, Any] = {}
    if action == "trigger":
        fields = _trigger_payload(body.get("payload"), errors)
    links = _client_link(body, errors) + _links(body, errors)
    images = _images(body, errors)
    if errors:
        raise InvalidInput(INVALID_EVENT, errors)
    return Alert(
        id=alert_id,
        action=AlertAction(action),
        dedup_key=dedup_key or generated_dedup_key,
        service=service,
        integration=integration,
        source_kind="pagerduty",
        received_at=now,
        links=links,
        images=images,
        **fields,
    )


def _trigger_payload(payload: Any, errors: list[str]) -> dict[str, Any]:
    if not isinstance(payload, dict):
        errors.append("'payload' is missing or not an object")
        return {}
    summary = _str(payload, "summary", "payload.summary", errors, required=True)
    source = _str(payload, "source", "payload.source", errors, required=True)
    severity = payload.get("severity")
    if severity not in _SEVERITIES:
        errors.append(f"'payload.severity' must be one of {', '.join(_SEVERITIES)}")
    fields: dict[str, Any] = {
        "summary": summary[:MAX_SUMMARY] if summary else None,
        "source": source,
        "severity": Severity(severity) if severity in _SEVERITIES else None,
        "timestamp": _timestamp(payload, "payload.timestamp", errors),
        "custom_details": payload.get("custom_details"),
    }
    for key in ("component", "group", "class"):
        value = _str(payload, key, f"payload.{key}", errors, required=False)
        if value is not None:
            fields["class_" if key == "class" else key] = value
    return fields


def parse_change_event(
    body: Any, *, change_id: str, service: str, integration: str, now: datetime
) -> ChangeEvent:
    """Validate a change event (`/v2/change/enqueue`): a summary and a source-free timeline entry."""
    body = _require_object(body)
    errors: list[str] = []
    _str(body, "routing_key", "routing_key", errors, required=True)
    payload = body.get("payload")
    summary = source = None
    timestamp = None
    details = None
    if not isinstance(payload, dict):
        errors.append("'payload' is missing or not an object")
    else:
        summary = _str(payload, "summary", "payload.summary", errors, required=True)
        source = _str(payload, "source", "payload.source", errors, required=False)
        timestamp = _timestamp(payload, "payload.timestamp", errors)
        details = payload.get("custom_details")
    links = _links(body, errors)
    if errors or summary is None:
        raise InvalidInput(INVALID_EVENT, errors)
    return ChangeEvent(
        id=change_id,
        service=service,
        integration=integration,
        summary=summary[:MAX_SUMMARY],
        source=source,
        timestamp=timestamp,
        received_at=now,
        custom_details=details,
        links=links,
    )
