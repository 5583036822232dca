"""The "klaxon" EventBridge bus every state change travels on, with an archive to replay it from."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from constructs import Construct

from klaxon.events import SOURCE


class EventBus(Construct):
    """A custom bus plus an archive of everything Klaxon published, for replay after a bad deploy."""

    def __init__(
        self, scope: Construct, construct_id: str, *, bus_name: str, archive_retention: Duration
    ) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus", event_bus_name=bus_name)
        self.archive = self._build_archive(archive_retention)

    def _build_archive(self, retention: Duration) -> events.Archive:
        return self.bus.archive(
            "Archive",
            description="Every Klaxon event, replayable into the bus",
            event_pattern=events.EventPattern(source=[SOURCE]),
            retention=retention,
        )
