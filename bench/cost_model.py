"""Monthly AWS bill for a reference team, from the calls the pipeline was measured to make.

Public on-demand prices, us-east-1, no free tier (so the figure is an upper bound for a small team).
"""

from __future__ import annotations

PRICES = {
    "apigw_rest_per_million": 3.50,
    "lambda_request_per_million": 0.20,
    "lambda_arm_gb_second": 0.0000133334,
    "eventbridge_custom_event_per_million": 1.00,
    "ddb_write_request_unit_per_million": 0.625,
    "ddb_read_request_unit_per_million": 0.125,
    "cloudwatch_alarm_month": 0.10,
    "cloudwatch_logs_ingest_per_gb": 0.50,
    "scheduler_invocation_per_million": 1.00,
    "stepfunctions_transition_per_thousand": 0.025,
    "sqs_request_per_million": 0.40,
}
# An update of an incident item also writes each index it appears in that projects every attribute;
# by-number is written only with the incident, and by-source-key also when its status changes.
GSIS_ON_INCIDENTS = 4
# CloudWatch alarms in the platform stack; tests/infra/test_ops.py fails when the template has another number.
PLATFORM_ALARMS = 46
# Scheduled invocations a month: heartbeat_check, escalation_sweeper and maintenance_reminder every minute,
# the status page re-render every ten minutes, the chat rooms' reminders and archiving every five, the
# post-mortem reminders every thirty, the action items' retries every five and their daily poll, the SLA
# check every five.
SCHEDULED_INVOCATIONS = 3 * 30 * 24 * 60 + 30 * 24 * 6 + 2 * 30 * 24 * 12 + 30 * 24 * 2 + 30 * 24 * 12 + 30


def escalation_write_units(incident_units: float, ticks: float, pages: float) -> float:
    """Write units of a policy walked to its end in `ticks` ticks and `pages` pages (bench_escalation's
    walk of the demo's policy), for an incident item of `incident_units` units. A tick's claim is a small
    put (2) in a transaction; each page brings a check of the incident (billed by its size, twice as any
    item in a transaction) and its reservation, a small put (2), into the claim's transaction (the first
    page) or the previous page's result's; a page's result and its timeline entry are two small puts (4);
    the round's end mark and its `escalation finished` entry, 1 each. (Every tick of a policy walked to
    its end pages someone: the next tick is when a channel or step is due.)"""
    checked = 2 * incident_units
    return ticks * 2 + pages * (checked + 2 + 4) + 2


# Lambda's SQS event source mapping long-polls the alerts queue all month whether alerts come or not:
# about five pollers, each a 20-second receive, when the queue is quiet.
IDLE_QUEUE_RECEIVES = 5 * 3 * 60 * 24 * 30


def monthly(
    measured: dict[str, float], walk: dict[str, float], alerts: int = 10_000, incidents: int = 200
) -> dict[str, object]:
    """A reference month: `alerts` alerts folding into `incidents` incidents, each acked and resolved.
    `measured`: bench_pipeline's write units; `walk`: bench_escalation's figures of the demo's policy
    walked to its end (its ticks, pages and state transitions), which every escalation is counted as."""
    ticks = walk["escalation_step_invocations_per_incident"]
    pages = walk["pages_per_escalated_incident"]
    duplicates = alerts - incidents
    api_calls = incidents * 10  # people looking at, acknowledging and resolving incidents
    escalations = incidents  # upper bound: every incident high urgency, nobody acknowledging
    # The outbox relay runs once per incident write at most (alerts, acks, resolves; a busy stream batches
    # them); DynamoDB Streams reads by Lambda are free.
    relay_invocations = alerts + incidents * 2
    # chat_sync takes each incident's triggered, acknowledged and resolved events, room or not.
    chat_invocations = incidents * 3 + incidents  # and postmortem_draft, once per resolution
    # The router drains the alerts queue in batches of up to 10; counted here as if every alert came
    # alone (a batch of one), the most it can cost. A storm's alerts share invocations.
    lambda_invocations = (
        (
            alerts * 2
            + api_calls
            + SCHEDULED_INVOCATIONS
            + escalations * (ticks + 1)  # its ticks and the stop
        )
        + relay_invocations
        + chat_invocations
    )
    gb_seconds = lambda_invocations * 0.5 * 0.12  # 512 MB, ~120 ms billed on average
    bus_events = alerts * 2 + incidents * 2  # Alert Received + Incident Triggered/Updated; ack, resolve
    # Write units, as measured (bench_pipeline): a write is billed by the size of the item it writes, and
    # an incident's item grows with the alert ids it remembers; the month's incidents hold 50 alerts on
    # average, so its duplicates are counted at the cost of the 51st. Each write of an incident item also
    # writes each index it appears in, at the item's size (they project all attributes).
    duplicate_units = measured["ddb_write_units_per_duplicate_alert_at_50_alerts"]
    ddb_wru = (
        incidents * measured["ddb_write_units_per_new_incident"]
        + duplicates * duplicate_units
        + incidents * measured["ddb_write_units_to_acknowledge_and_resolve_at_50_alerts"]
        + (incidents * 3 + duplicates) * GSIS_ON_INCIDENTS * duplicate_units
        + incidents * 3  # by-source-key (keys, labels, status): written with it, acknowledged, removed
        + escalations * escalation_write_units(duplicate_units, ticks, pages)  # incidents of 50 alerts
    )
    ddb_rru = alerts * 2 + api_calls * 2
    log_gb = lambda_invocations * 1.5 / 1024 / 1024  # ~1.5 KB of structured log per invocation
    lines = {
        "api_gateway": (alerts + api_calls) / 1e6 * PRICES["apigw_rest_per_million"],
        "lambda": lambda_invocations / 1e6 * PRICES["lambda_request_per_million"]
        + gb_seconds * PRICES["lambda_arm_gb_second"],
        "eventbridge": bus_events / 1e6 * PRICES["eventbridge_custom_event_per_million"],
        "dynamodb": ddb_wru / 1e6 * PRICES["ddb_write_request_unit_per_million"]
        + ddb_rru / 1e6 * PRICES["ddb_read_request_unit_per_million"],
        "cloudwatch_alarms": PLATFORM_ALARMS * PRICES["cloudwatch_alarm_month"],
        "eventbridge_scheduler": SCHEDULED_INVOCATIONS / 1e6 * PRICES["scheduler_invocation_per_million"],
        "step_functions": escalations
        * walk["state_transitions_per_escalated_incident"]
        / 1000
        * PRICES["stepfunctions_transition_per_thousand"],
        "cloudwatch_logs": log_gb * PRICES["cloudwatch_logs_ingest_per_gb"],
        # Each alert sent to the queue, received and deleted (a batch of one at most), and the idle polls.
        "sqs": (alerts * 3 + IDLE_QUEUE_RECEIVES) / 1e6 * PRICES["sqs_request_per_million"],
    }
    return {
        "assumptions": {
            "alerts": alerts,
            "incidents": incidents,
            "api_calls": api_calls,
            "escalations_walked_to_the_end": escalations,
            "region": "us-east-1",
            "excluded": "SMS and voice messages, email, the status page's CloudFront traffic",
        },
        "usd_by_service": {k: round(v, 4) for k, v in lines.items()},
        "usd_total": round(sum(lines.values()), 2),
        # What a million more duplicates of one long, noisy incident (1,000 alerts in) add to the DynamoDB
        # line: the remembered ids make each write ~33 units, and each index write as many.
        "dynamodb_usd_per_million_duplicates_at_1000_alerts": round(
            measured["ddb_write_units_per_duplicate_alert_at_1000_alerts"]
            * (1 + GSIS_ON_INCIDENTS)
            * PRICES["ddb_write_request_unit_per_million"],
            2,
        ),
    }
