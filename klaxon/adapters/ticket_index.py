"""Which post-mortem's action item each ticket is (for the trackers' webhooks), and the secrets Asana's
webhooks agreed in their handshake, in the config table.

| pk | sk | doc |
|---|---|---|
| `action-ticket` | `<tracker id>#<ticket key>` | {incident, item} |
| `tracker-hook` | tracker id | {secret}: from the last handshake (its URL carries a secret token) |
"""

from __future__ import annotations

from klaxon.adapters.tables import ConfigItem
from klaxon.domain.postmortem.actions import Ticket

TICKET_PK = "action-ticket"
HOOK_PK = "tracker-hook"


class DynamoTicketIndex:
    def put(self, ticket: Ticket, incident_id: str, item_id: str) -> None:
        doc = {"incident": incident_id, "item": item_id}
        ConfigItem(pk=TICKET_PK, sk=f"{ticket.tracker}#{ticket.key}", doc=doc).save()

    def find(self, tracker: str, key: str) -> tuple[str, str] | None:
        try:
            item = ConfigItem.get(TICKET_PK, f"{tracker}#{key}", consistent_read=True)
        except ConfigItem.DoesNotExist:
            return None
        return str(item.doc["incident"]), str(item.doc["item"])


class DynamoHookSecrets:
    def get(self, tracker: str) -> str | None:
        try:
            item = ConfigItem.get(HOOK_PK, tracker, consistent_read=True)
        except ConfigItem.DoesNotExist:
            return None
        return str(item.doc["secret"])

    def put(self, tracker: str, secret: str) -> None:
        """Keep a handshake's secret (a webhook registered again replaces the last one's)."""
        ConfigItem(pk=HOOK_PK, sk=tracker, doc={"secret": secret}).save()
