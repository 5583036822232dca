"""Public status incidents in the config table (pk `status-incident`, sk the Klaxon incident id)."""

from __future__ import annotations

from pynamodb.exceptions import PutError

from klaxon.adapters.tables import ConfigItem
from klaxon.domain.errors import Conflict
from klaxon.domain.statuspage.models import PublicIncident

PK = "status-incident"


def _is_conditional_failure(error: PutError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


class DynamoStatusIncidents:
    """`value` is the item's version: every replace is conditional on it, so concurrent updates never mix."""

    def get(self, incident_id: str) -> tuple[PublicIncident, int] | None:
        try:
            item = ConfigItem.get(PK, incident_id, consistent_read=True)
        except ConfigItem.DoesNotExist:
            return None
        return PublicIncident.model_validate(item.doc), int(item.value or 0)

    def create(self, incident: PublicIncident) -> None:
        item = ConfigItem(pk=PK, sk=incident.incident_id, value=1, doc=incident.model_dump(mode="json"))
        try:
            item.save(condition=ConfigItem.sk.does_not_exist())
        except PutError as error:
            if _is_conditional_failure(error):
                raise Conflict(f"incident {incident.incident_id} is already on the status page") from error
            raise

    def replace(self, incident: PublicIncident, version: int) -> None:
        item = ConfigItem(
            pk=PK, sk=incident.incident_id, value=version + 1, doc=incident.model_dump(mode="json")
        )
        try:
            item.save(condition=ConfigItem.value == version)
        except PutError as error:
            if _is_conditional_failure(error):
                raise Conflict(f"status incident {incident.id} changed meanwhile") from error
            raise

    def all(self) -> list[PublicIncident]:
        return [PublicIncident.model_validate(item.doc) for item in ConfigItem.query(PK)]
