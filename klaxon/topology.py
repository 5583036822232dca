"""Which functions exist and which HTTP paths reach them: read by CDK and by the local runtime alike."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from klaxon.domain.access.roles import Role


@dataclass(frozen=True)
class Function:
    name: str
    handler: str  # "module.attribute", importable from the Lambda asset root
    description: str
    timeout_s: int = 10
    memory_mb: int = 512


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function("ingest", "functions.ingest.handler", "Accept alerts (PagerDuty Events v2, integrations)"),
        Function("api", "functions.api.handler", "Incidents API, config, OpenAPI"),
        Function("router", "functions.router.handler", "Dedup alerts into incidents", timeout_s=30),
        Function(
            "outbox_relay",
            "functions.outbox_relay.handler",
            "Publish each incident change's event from the incidents table's stream",
            timeout_s=30,
        ),
        Function("escalation_step", "functions.escalation_step.handler", "Page whoever is due", timeout_s=60),
        Function("escalation_stop", "functions.escalation_stop.handler", "Stop escalation on ack/resolve"),
        Function("sms_inbound", "functions.sms_inbound.handler", "Acknowledge or resolve by SMS reply"),
        Function(
            "statuspage_publish",
            "functions.statuspage_publish.handler",
            "Update public status incidents and publish the status page",
            timeout_s=120,
        ),
        Function(
            "statuspage_notify",
            "functions.statuspage_notify.handler",
            "Email and webhook status page subscribers: confirmations and every public update, once",
            timeout_s=300,
        ),
        Function(
            "heartbeat_check", "functions.heartbeat_check.handler", "Open incidents for missed heartbeats", 60
        ),
        Function(
            "escalation_sweeper",
            "functions.escalation_sweeper.handler",
            "Resume the escalation of any triggered incident left with nobody paging",
            timeout_s=60,
        ),
        Function(
            "maintenance_reminder",
            "functions.maintenance_reminder.handler",
            "Remind owners before maintenance windows end; page for incidents left open after",
            timeout_s=60,
        ),
        Function(
            "slack",
            "functions.slack.handler",
            "Slack's events, the /klaxon command, buttons and shortcuts (POST /slack/events)",
            timeout_s=30,
        ),
        Function(
            "postmortem_draft",
            "functions.postmortem_draft.handler",
            "Write the post-mortem draft of each significant incident when it resolves",
            timeout_s=60,
        ),
        Function(
            "action_sync",
            "functions.action_sync.handler",
            "File post-mortem action items as Jira, Linear or Asana tickets; retry; poll for completion",
            timeout_s=120,
        ),
        Function(
            "tracker_webhooks",
            "functions.tracker_webhooks.handler",
            "Jira, Linear and Asana webhooks: an action item's ticket done or reopened (POST /trackers/...)",
        ),
        Function(
            "sla_check",
            "functions.sla_check.handler",
            "Alert once when a customer's SLA budget passes 50, 75, 90 or 100% in its window",
            timeout_s=60,
        ),
        Function(
            "chat_sync",
            "functions.chat_sync.handler",
            "Open each significant incident's chat room, keep its summary current, archive it later",
            timeout_s=60,
        ),
    )
}


@dataclass(frozen=True)
class Timer:
    """A function run every `every_minutes` (EventBridge Scheduler in AWS, klaxon.local.ticker locally)."""

    name: str
    function: str
    every_minutes: int
    description: str


TIMERS: tuple[Timer, ...] = (
    Timer("heartbeat-check", "heartbeat_check", 1, "Open an incident for every heartbeat past due"),
    Timer(
        "escalation-sweeper",
        "escalation_sweeper",
        1,
        "Resume the escalation of every triggered incident that has none running",
    ),
    Timer(
        "statuspage-rerender",
        "statuspage_publish",
        10,
        "Render the status page again: maintenance windows start and end, the uptime bars move on",
    ),
    Timer(
        "postmortem-reminders",
        "postmortem_draft",
        30,
        "Remind post-mortem owners 24 hours before the due time, at it, and daily while overdue",
    ),
    Timer(
        "chat-housekeeping",
        "chat_sync",
        5,
        "Remind incident rooms to post status updates; archive rooms of incidents resolved long enough ago",
    ),
    Timer(
        "action-items-retry",
        "action_sync",
        5,
        "File the action items whose tracker failed before, once their wait (1 min doubling to 6 h) is over",
    ),
    Timer(
        "action-items-poll",
        "action_sync",
        24 * 60,
        "Ask each tracker which open tickets are done: the daily catch-up for webhooks that never came",
    ),
    Timer(
        "sla-check",
        "sla_check",
        5,
        "Raise the alert of each SLA budget threshold a customer passed, once per window",
    ),
    Timer(
        "maintenance-reminder",
        "maintenance_reminder",
        1,
        "Remind owners of maintenance windows ending soon; page for incidents still open after one",
    ),
)


@dataclass(frozen=True)
class StateMachine:
    """A Step Functions state machine from an ASL file; `${Name}` placeholders name functions' ARNs."""

    name: str
    definition: str  # path from the repository root
    functions: dict[str, str]  # placeholder -> function name


STATE_MACHINES: dict[str, StateMachine] = {
    "escalation": StateMachine(
        "escalation",
        "infra/statemachines/escalation.asl.json",
        {"EscalationStepFunctionArn": "escalation_step"},
    )
}


def execution_name(incident_id: str, escalation_round: int) -> str:
    """An incident's escalation execution: its id, or id-round after a restart (names are never reused)."""
    return incident_id if escalation_round == 0 else f"{incident_id}-{escalation_round}"


def resumed_execution_name(incident_id: str, escalation_round: int, stamp: int) -> str:
    """An execution the sweeper started for a round that had lost its own (`stamp`: epoch seconds)."""
    return f"{incident_id}-{escalation_round}-sweep-{stamp}"


def execution_round(name: str) -> tuple[str, int] | None:
    """The (incident id, round) an escalation execution pages for, from its name; None for an
    acknowledgement timer or a bus-started run (EventBridge names those with a dashed UUID)."""
    parts = name.split("-")
    if len(parts) == 1:
        return name, 0
    if len(parts) == 2 and parts[1].isdigit():
        return parts[0], int(parts[1])
    if len(parts) == 4 and parts[1].isdigit() and parts[2] == "sweep":
        return parts[0], int(parts[1])
    return None


@dataclass(frozen=True)
class Route:
    """An API Gateway resource path (with `{proxy+}` for subtrees) served by one function."""

    path: str
    function: str


ROUTES: tuple[Route, ...] = (
    Route("/v2/enqueue", "ingest"),
    Route("/v2/change/enqueue", "ingest"),
    Route("/v1/integrations/{proxy+}", "ingest"),
    Route("/healthz", "api"),
    Route("/v1/{proxy+}", "api"),
    Route("/a/{proxy+}", "api"),  # signed acknowledge links, short enough for any email client
    Route("/slack/events", "slack"),  # signed by Slack (its signing secret), checked by the function
    Route("/trackers/{proxy+}", "tracker_webhooks"),  # signed by each tracker, checked by the function
)


def function_for_path(path: str) -> str | None:
    """The function serving `path`, most specific route first (as API Gateway resolves them)."""
    for route in sorted(ROUTES, key=lambda r: (-r.path.count("/"), "{" in r.path)):
        prefix = route.path.removesuffix("{proxy+}")
        if route.path.endswith("{proxy+}"):
            if path.startswith(prefix) and len(path) > len(prefix):
                return route.function
        elif path.rstrip("/") == route.path:
            return route.function
    return None


class Access(StrEnum):
    """What a request to an API route must carry. Decided from the matched route, never the path's text."""

    TOKEN = "token"  # Authorization: Bearer <API token>: every route not declared below
    PUBLIC = "public"  # nothing
    LINK = "link"  # a signed token or a key in the path, which the route itself checks
    FEED = "feed"  # a calendar feed: a `?token=` the route checks, else a bearer token
    OPTIONAL = "optional"  # a bearer token is checked when sent; without one the route serves anyone


# The api function's routes that do not need an API token, as "METHOD /path/{param}" (OpenAPI form).
API_ACCESS: dict[str, Access] = {
    "GET /healthz": Access.PUBLIC,
    "GET /v1/openapi.json": Access.PUBLIC,
    "GET /a/{token}": Access.LINK,  # acknowledge links in pages
    "POST /a/{token}": Access.LINK,
    "POST /v1/heartbeats/{key}": Access.LINK,  # the heartbeat's key
    "GET /v1/statuspage/subscribers/confirm/{token}": Access.LINK,
    "GET /v1/statuspage/subscribers/unsubscribe/{token}": Access.LINK,
    "POST /v1/statuspage/subscribers/unsubscribe/{token}": Access.LINK,  # RFC 8058 one-click
    "GET /v1/schedules/{schedule_id}/ical": Access.FEED,
    "GET /v1/users/{user_id}/ical": Access.FEED,
    "POST /v1/statuspage/subscribers": Access.OPTIONAL,  # anyone may subscribe an email address
}


def access_of(method: str, path: str) -> Access:
    """The access of the api route `method path` (OpenAPI form); a route not declared needs a token."""
    return API_ACCESS.get(f"{method.upper()} {path}", Access.TOKEN)


# The role an API token needs for a route (domain.access.roles: admin > responder > observer). A read
# needs an observer and a change a responder, except the routes named here.
API_ROLES: dict[str, Role] = {
    "PUT /v1/config": Role.ADMIN,
    "GET /v1/tokens": Role.ADMIN,
    "POST /v1/tokens": Role.ADMIN,
    "DELETE /v1/tokens/{token_id}": Role.ADMIN,
    "GET /v1/audit": Role.ADMIN,
    "GET /v1/secrets": Role.ADMIN,
    "POST /v1/secrets/{name}/rotate": Role.ADMIN,
    "GET /v1/statuspage/subscribers/{subscriber_id}/secret": Role.ADMIN,
}


def role_of(method: str, path: str) -> Role:
    """The role a token needs for the api route `method path` (OpenAPI form)."""
    default = Role.OBSERVER if method.upper() in {"GET", "HEAD"} else Role.RESPONDER
    return API_ROLES.get(f"{method.upper()} {path}", default)


def is_mutating(method: str, path: str) -> bool:
    """Whether a route that takes an API token changes something: each such request, when it carries a
    token, writes one audit record."""
    takes_token = access_of(method, path) in {Access.TOKEN, Access.OPTIONAL}
    return method.upper() not in {"GET", "HEAD", "OPTIONS"} and takes_token
