"""Configuration as code: the YAML schema of an organisation's Klaxon setup, and its loader.

The names below are imported on first use, so a function that needs only `hash_key` does not pay
for the whole schema at cold start (about 40 ms).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from klaxon.config.loader import ConfigError, load_config, parse_config
    from klaxon.config.schema import (
        ContactMethod,
        Integration,
        IntegrationKind,
        KlaxonConfig,
        NotificationRule,
        Service,
        Team,
        User,
    )
    from klaxon.config.secrets import hash_key

_WHERE = {
    "ConfigError": "loader",
    "load_config": "loader",
    "parse_config": "loader",
    "ContactMethod": "schema",
    "Integration": "schema",
    "IntegrationKind": "schema",
    "KlaxonConfig": "schema",
    "NotificationRule": "schema",
    "Service": "schema",
    "Team": "schema",
    "User": "schema",
    "hash_key": "secrets",
}

__all__ = [
    "ConfigError",
    "ContactMethod",
    "Integration",
    "IntegrationKind",
    "KlaxonConfig",
    "NotificationRule",
    "Service",
    "Team",
    "User",
    "hash_key",
    "load_config",
    "parse_config",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'klaxon.config' has no attribute {name!r}")
    return getattr(importlib.import_module(f"klaxon.config.{_WHERE[name]}"), name)
