"""The trackers of the configuration, with their credentials: TRACKER_CREDENTIALS (JSON, `klaxon up`) or
the stack's tracker secret, each by tracker id:

    {"ops-jira": {"email": "…", "api_token": "…", "webhook_secret": "…"},
     "eng-linear": {"api_key": "lin_api_…", "webhook_secret": "lin_wh_…"},
     "web-asana": {"token": "…", "webhook_token": "…"}}

A tracker without its credentials files nothing: its items wait (`klaxon action list --unsynced`). A
container reads the secret at most once a minute: a changed credential is used within a minute."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from klaxon.adapters.asana import AsanaTracker
from klaxon.adapters.jira import JiraTracker
from klaxon.adapters.linear import LinearTracker
from klaxon.adapters.secret_json import secret_fields
from klaxon.domain.postmortem.actions import TrackerKind, TrackerTarget
from klaxon.ports import Tracker
from klaxon.settings import Settings

NEEDED = {
    TrackerKind.JIRA: ("email", "api_token"),
    TrackerKind.LINEAR: ("api_key",),
    TrackerKind.ASANA: ("token",),
}
CACHE_SECONDS = 60.0  # as the integrations' signing secrets (klaxon.adapters.signing_secrets)


def tracker_credentials(settings: Settings) -> dict[str, dict[str, Any]]:
    """Each tracker's credentials by id; {} when none are set (or they are not a JSON object)."""
    if settings.tracker_credentials:
        try:
            found = json.loads(settings.tracker_credentials)
        except ValueError:
            return {}
    elif settings.tracker_secret:
        found = secret_fields(settings.tracker_secret)
    else:
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): v for k, v in found.items() if isinstance(v, dict)}


class ConfiguredTrackers:
    """`Trackers`: the tracker of a configured target, built with its credentials."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._read: tuple[float, dict[str, dict[str, Any]]] | None = None
        self._lock = threading.Lock()

    def credentials(self, tracker_id: str) -> dict[str, Any]:
        """One tracker's credentials, from a copy of the secret at most CACHE_SECONDS old: a webhook
        delivery or a filing run does not read Secrets Manager each time."""
        with self._lock:
            if self._read is None or time.monotonic() - self._read[0] >= CACHE_SECONDS:
                self._read = (time.monotonic(), tracker_credentials(self.settings))
            return self._read[1].get(tracker_id, {})

    def __call__(self, target: TrackerTarget) -> Tracker | None:
        found = self.credentials(target.id)
        if not all(isinstance(found.get(name), str) and found[name] for name in NEEDED[target.kind]):
            return None
        if target.kind is TrackerKind.JIRA:
            return JiraTracker(target, found["email"], found["api_token"])
        if target.kind is TrackerKind.LINEAR:
            return LinearTracker(target, found["api_key"], self.settings.linear_api_url)
        return AsanaTracker(target, found["token"], self.settings.asana_api_url)
