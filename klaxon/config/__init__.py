"""Configuration as code: the YAML schema of an organisation's Klaxon setup, and its loader."""

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
