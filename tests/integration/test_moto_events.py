"""klaxon.local.moto_events: PutEvents delivers to each rule's targets exactly what moto's own code does,
answers the same for entries it refuses, and builds a message only for the rules that match."""

from __future__ import annotations

import itertools
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.events.models import EventPattern, EventsBackend, Rule

from klaxon.local import emulation, moto_speed
from tests.integration.moto_originals import motos_own
from tests.integration.source_digest import source_digest

# sha256 (first 16 digits) of the source of each moto function moto_events mirrors or relies on (moto as
# pinned): a change means reading the new code and updating moto_events first.
MIRRORED = {
    "EventsBackend.put_events": (
        "c56f6ac1f932c70d",
        lambda: moto_speed.ORIGINALS["EventsBackend.put_events"],
    ),
    "EventPattern.matches_event": ("3e71eb7ff5903b50", lambda: EventPattern.matches_event),
    "Rule.send_to_targets": (
        "472e002e2dab8a59",
        lambda: Rule.send_to_targets,
    ),  # returns at once when its pattern misses
}
PATTERNS = {
    "everything": {"source": [{"prefix": ""}]},
    "alerts": {"detail-type": ["Alert Received"]},
    "critical": {"detail": {"alert": {"severity": ["critical"]}}},
    "either": {"$or": [{"detail": {"n": [{"numeric": [">", 5]}]}}, {"source": ["klaxon.other"]}]},
    "nothing": {"source": ["nobody"]},
}
ENTRIES = [
    {
        "Source": "klaxon.test",
        "DetailType": "Alert Received",
        "Detail": json.dumps({"alert": {"severity": "critical"}, "n": 1}),
    },
    {
        "Source": "klaxon.other",
        "DetailType": "Incident Updated",
        "Detail": json.dumps({"n": 9, "reason": "alert added"}),
    },
    {
        "Source": "klaxon.test",
        "DetailType": "Alert Received",
        "Detail": json.dumps({"alert": {"severity": "info"}, "n": 7}),
    },
    {"Source": "", "DetailType": "x", "Detail": "{}"},
    {"Source": "s", "DetailType": "", "Detail": "{}"},
    {"Source": "s", "DetailType": "x", "Detail": ""},
    {"Source": "s", "DetailType": "x", "Detail": "{not json"},
]
_runs = itertools.count()


@pytest.fixture
def aws(moto_alone: Any) -> Any:
    return moto_alone


def _motos_own() -> Any:
    return motos_own((EventsBackend, "put_events", moto_speed.ORIGINALS["EventsBackend.put_events"]))


def _deliveries(
    entries: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """A bus of its own with a rule per pattern, each sending to a queue: the answer, what each queue got."""
    events = boto3.client("events", region_name=emulation.REGION)
    sqs = boto3.client("sqs", region_name=emulation.REGION)
    run = next(_runs)
    bus = f"bus-{run}"
    events.create_event_bus(Name=bus)
    queues = {}
    for name, pattern in PATTERNS.items():
        url = sqs.create_queue(QueueName=f"q-{run}-{name}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
        events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
        queues[name] = url
    answer = events.put_events(Entries=[{**e, "EventBusName": bus} for e in entries])["Entries"]
    got = {}
    for name, url in queues.items():
        bodies = [
            json.loads(m["Body"])
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        ]
        got[name] = sorted((_without_ids_and_times(b) for b in bodies), key=json.dumps)
    return [_without_ids_and_times(a) for a in answer], got


def _without_ids_and_times(found: dict[str, Any]) -> dict[str, Any]:
    """The fields that differ from run to run (random ids, clocks) kept, but as a placeholder."""
    return {k: "…" if k in {"id", "EventId", "time", "ingestion-time"} else v for k, v in found.items()}


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_the_code_moto_events_mirrors_is_unchanged(name: str, aws: Any) -> None:
    expected, found = MIRRORED[name]
    assert source_digest(found()) == expected, (
        f"moto changed {name}: read it, update klaxon.local.moto_events, then this hash"
    )


@pytest.mark.filterwarnings("ignore:EventDetail should be of type dict")
def test_each_rule_gets_what_motos_own_code_sends_and_refusals_read_the_same(aws: Any) -> None:
    ours = _deliveries(ENTRIES)
    with _motos_own():
        theirs = _deliveries(ENTRIES)
    assert ours == theirs
    answer, got = ours
    assert [("EventId" in a) for a in answer] == [True, True, True, False, False, False, False]
    assert {name: len(bodies) for name, bodies in got.items()} == {
        "everything": 3,
        "alerts": 2,
        "critical": 1,
        "either": 2,
        "nothing": 0,
    }


def test_more_than_ten_entries_are_refused_as_moto_refuses_them(aws: Any) -> None:
    events = boto3.client("events", region_name=emulation.REGION)
    entry = {"Source": "s", "DetailType": "x", "Detail": "{}"}
    with pytest.raises(ClientError) as ours:
        events.put_events(Entries=[entry] * 11)
    with _motos_own(), pytest.raises(ClientError) as theirs:
        events.put_events(Entries=[entry] * 11)
    assert ours.value.response["Error"] == theirs.value.response["Error"]


def test_a_message_is_built_only_for_the_rules_that_match(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from klaxon.local import moto_events

    built = []
    original = moto_events._message

    def counted(*args: Any) -> dict[str, Any]:
        built.append(args)
        return original(*args)

    monkeypatch.setattr(moto_events, "_message", counted)
    _deliveries(ENTRIES[:1])  # matches "everything", "alerts" and "critical"
    assert len(built) == 1 + 3  # once to match, once for each rule that matched
