"""Atlassian Statuspage's public v2 JSON shapes: the field names and enums aggregators rely on."""

from __future__ import annotations

from typing import Any

PAGE_FIELDS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_FIELDS = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "position",
    "description",
    "showcase",
    "start_date",
    "group_id",
    "page_id",
    "group",
    "only_show_if_degraded",
}
GROUP_FIELDS = COMPONENT_FIELDS | {"components"}
INCIDENT_FIELDS = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "monitoring_at",
    "resolved_at",
    "impact",
    "shortlink",
    "started_at",
    "page_id",
    "incident_updates",
    "components",
}
MAINTENANCE_FIELDS = INCIDENT_FIELDS | {"scheduled_for", "scheduled_until"}
UPDATE_FIELDS = {
    "id",
    "status",
    "body",
    "incident_id",
    "created_at",
    "updated_at",
    "display_at",
    "affected_components",
    "deliver_notifications",
    "custom_tweet",
    "tweet_id",
}
AFFECTED_FIELDS = {"code", "name", "old_status", "new_status"}

COMPONENT_STATUSES = {
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved", "postmortem"}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
IMPACTS = {"none", "minor", "major", "critical"}
INDICATORS = {"none", "minor", "major", "critical"}

DOCUMENTS = {
    "summary.json": {"page", "components", "incidents", "scheduled_maintenances", "status"},
    "status.json": {"page", "status"},
    "components.json": {"page", "components"},
    "incidents.json": {"page", "incidents"},
    "incidents/unresolved.json": {"page", "incidents"},
    "scheduled-maintenances.json": {"page", "scheduled_maintenances"},
    "scheduled-maintenances/upcoming.json": {"page", "scheduled_maintenances"},
    "scheduled-maintenances/active.json": {"page", "scheduled_maintenances"},
}


def shape_problems(path: str, document: dict[str, Any]) -> list[str]:
    """Every way `document` (api/v2/<path>) differs from Statuspage's fields and enums; [] when it matches."""
    problems: list[str] = []

    def check(where: str, value: dict[str, Any], fields: set[str]) -> None:
        if set(value) != fields:
            problems.append(f"{where}: fields {sorted(set(value) ^ fields)} differ")

    def enum(where: str, value: object, allowed: set[str]) -> None:
        if value not in allowed:
            problems.append(f"{where}: {value!r} not in {sorted(allowed)}")

    check(path, document, DOCUMENTS[path])
    check(f"{path} page", document["page"], PAGE_FIELDS)
    if "status" in document:
        check(f"{path} status", document["status"], {"indicator", "description"})
        enum(f"{path} status.indicator", document["status"]["indicator"], INDICATORS)
    for c in document.get("components", []):
        check(f"component {c['id']}", c, GROUP_FIELDS if c["group"] else COMPONENT_FIELDS)
        enum(f"component {c['id']}", c["status"], COMPONENT_STATUSES)
    for kind, items in (
        ("incident", document.get("incidents", [])),
        ("maintenance", document.get("scheduled_maintenances", [])),
    ):
        for item in items:
            check(f"{kind} {item['id']}", item, INCIDENT_FIELDS if kind == "incident" else MAINTENANCE_FIELDS)
            enum(
                f"{kind} {item['id']} status",
                item["status"],
                INCIDENT_STATUSES if kind == "incident" else MAINTENANCE_STATUSES,
            )
            enum(
                f"{kind} {item['id']} impact",
                item["impact"],
                IMPACTS | ({"maintenance"} if kind == "maintenance" else set()),
            )
            for u in item["incident_updates"]:
                check(f"{kind} {item['id']} update {u['id']}", u, UPDATE_FIELDS)
                for a in u["affected_components"] or []:
                    check(f"update {u['id']} affected", a, AFFECTED_FIELDS)
                    enum(f"update {u['id']} old_status", a["old_status"], COMPONENT_STATUSES)
                    enum(f"update {u['id']} new_status", a["new_status"], COMPONENT_STATUSES)
            for c in item["components"]:
                check(f"{kind} {item['id']} component", c, COMPONENT_FIELDS)
    return problems
