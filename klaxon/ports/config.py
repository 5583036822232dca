"""Port of the configuration store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from klaxon.domain.intake.integration import IntegrationRef


class ConfigStore(Protocol):
    def check_fits(
        self,
        document: dict[str, Any],
        integrations: dict[str, IntegrationRef],
        introductions: Mapping[str, datetime],
    ) -> None:
        """InvalidInput naming each storage limit `apply` would pass with these, before anything changes."""

    def apply(
        self,
        document: dict[str, Any],
        integrations: dict[str, IntegrationRef],
        introductions: Mapping[str, datetime],
    ) -> None:
        """Store the configuration, its integrations and when each of its named things first appeared."""

    def config_document(self) -> dict[str, Any] | None: ...

    def introductions(self) -> dict[str, datetime]:
        """When each named thing of the configuration first appeared (domain.statuspage.introductions)."""
