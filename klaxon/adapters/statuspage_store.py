"""Public status incidents in the config table (pk `status-incident`, sk the Klaxon incident id), and the
mark the publishers share (pk `status-render`, sk `site`)."""

from __future__ import annotations

from pynamodb.exceptions import PutError

from klaxon.adapters.tables import ConfigItem
from klaxon.adapters.timeutil import iso, parse_iso
from klaxon.domain.errors import Conflict
from klaxon.domain.statuspage.models import PublicIncident
from klaxon.domain.statuspage.render_gate import RenderMark

PK = "status-incident"
RENDER_PK, RENDER_SK = "status-render", "site"


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


class DynamoRenderMarks:
    """`value` is the mark's version: a claim or release is conditional on it."""

    def read(self) -> tuple[RenderMark, int]:
        try:
            item = ConfigItem.get(RENDER_PK, RENDER_SK, consistent_read=True)
        except ConfigItem.DoesNotExist:
            return RenderMark(), 0
        doc = item.doc or {}
        mark = RenderMark(
            doc.get("digest"),
            parse_iso(doc.get("rendered_at")),
            parse_iso(doc.get("lease_until")),
            doc.get("owner"),
        )
        return mark, int(item.value or 0)

    def replace(self, version: int, mark: RenderMark) -> int | None:
        doc = {
            "digest": mark.digest,
            "rendered_at": iso(mark.rendered_at) if mark.rendered_at else None,
            "lease_until": iso(mark.lease_until) if mark.lease_until else None,
            "owner": mark.owner,
        }
        item = ConfigItem(pk=RENDER_PK, sk=RENDER_SK, value=version + 1, doc=doc)
        condition = ConfigItem.sk.does_not_exist() if version == 0 else ConfigItem.value == version
        try:
            item.save(condition=condition)
        except PutError as error:
            if _is_conditional_failure(error):
                return None
            raise
        return version + 1
