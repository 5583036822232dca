"""The Slack function's own module: what its cold import loads, and a refusal told to the command's author."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from klaxon.domain.chat.commands import Reply
from klaxon.domain.errors import Busy

ROOT = Path(__file__).resolve().parents[3]


def test_the_import_slack_s_acknowledgement_waits_on_leaves_the_command_services_out() -> None:
    """Each listener acknowledges from the parsed text alone; the services load in its lazy listener."""
    probe = "import sys, klaxon.http.slack_app; print('klaxon.services.chat.commands' in sys.modules)"
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1"}
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "False"


def test_a_command_refused_as_busy_tells_its_author_to_try_again() -> None:
    from klaxon.http.slack_app import _guarded

    said: list[dict[str, Any]] = []

    def busy() -> Reply:
        raise Busy("other changes to the same items are being written; try again in a second")

    _guarded(lambda **kwargs: said.append(kwargs), busy)

    assert said == [
        {
            "text": "Klaxon could not do that: other changes to the same items are being written; try again "
            "in a second",
            "response_type": "ephemeral",
        }
    ]
