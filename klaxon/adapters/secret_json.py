"""A Secrets Manager secret holding a JSON object (`{"bot_token": …}`), which the stack creates empty for
an operator to fill: its fields, or {} while it is empty or not JSON."""

from __future__ import annotations

import json
from typing import Any

from klaxon.adapters.aws import client


def secret_fields(secret_id: str) -> dict[str, Any]:
    stored = client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    try:
        found = json.loads(stored)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
