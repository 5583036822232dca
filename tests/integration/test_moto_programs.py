"""klaxon.local.moto_speed and Step Functions: a state machine's definition is parsed once, not for each
execution, and each execution still runs with its own input (a definition whose parsed states keep per-run
state is not shared); only the newest finished executions keep their event history, and every execution
still answers describe, list and its name's uniqueness."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import boto3
import pytest

from klaxon.local import emulation, moto_speed

ACCOUNT, REGION = emulation.ACCOUNT, emulation.REGION
_names = itertools.count()


@pytest.fixture
def aws(moto_alone: Any) -> Any:
    return moto_alone


def _machine(definition: dict[str, Any]) -> str:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    role = f"arn:aws:iam::{ACCOUNT}:role/sfn"
    return sfn.create_state_machine(
        name=f"machine-{next(_names)}", definition=json.dumps(definition), roleArn=role
    )["stateMachineArn"]


def _run(arn: str, value: int) -> dict[str, Any]:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    execution = sfn.start_execution(
        stateMachineArn=arn, name=f"run-{next(_names)}", input=json.dumps({"n": value})
    )["executionArn"]
    for _ in range(200):
        found = sfn.describe_execution(executionArn=execution)
        if found["status"] != "RUNNING":
            return found
        time.sleep(0.02)
    raise AssertionError(f"{execution} still running")


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    seen: list[str] = []
    original = AmazonStateLanguageParser.parse

    def counted(definition: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(definition)
        return original(definition, *args, **kwargs)

    monkeypatch.setattr(AmazonStateLanguageParser, "parse", staticmethod(counted))
    monkeypatch.setattr(moto_speed, "_PROGRAMS", {})
    return seen


CHOOSE = {
    "StartAt": "Big?",
    "States": {
        "Big?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
            "Default": "Small",
        },
        "Big": {"Type": "Pass", "Result": "big", "End": True},
        "Small": {"Type": "Pass", "Result": "small", "End": True},
    },
}


def test_a_definition_is_parsed_once_and_each_execution_runs_it_with_its_own_input(aws, parses):
    arn = _machine(CHOOSE)
    parses.clear()  # creating the machine validates it: a parse of its own
    outputs = [_run(arn, n)["output"] for n in (1, 50, 2)]  # moto gives a string result unquoted
    assert outputs == ["small", "big", "small"]
    assert len(parses) == 1


def test_a_definition_with_a_parallel_state_is_parsed_for_each_execution(aws, parses):
    parallel = {
        "StartAt": "Both",
        "States": {"Both": {"Type": "Parallel", "Branches": [CHOOSE, CHOOSE], "End": True}},
    }
    arn = _machine(parallel)
    parses.clear()
    outputs = [json.loads(_run(arn, n)["output"]) for n in (1, 50)]
    assert outputs == [["small", "small"], ["big", "big"]]
    assert len(parses) == 2


# --- finished executions: histories of the newest only ----------------------------------------------------


def test_only_the_newest_finished_executions_keep_their_history_and_all_keep_their_record(aws, monkeypatch):
    from botocore.exceptions import ClientError

    monkeypatch.setattr(moto_speed, "HISTORIES_KEPT", 2)
    monkeypatch.setattr(moto_speed, "_finished", type(moto_speed._finished)())
    sfn = boto3.client("stepfunctions", region_name=REGION)
    arn = _machine(CHOOSE)
    runs = [_run(arn, n) for n in (1, 50, 2, 60)]
    histories = [sfn.get_execution_history(executionArn=run["executionArn"])["events"] for run in runs]
    assert [bool(events) for events in histories] == [False, False, True, True]
    assert [run["status"] for run in runs] == ["SUCCEEDED"] * 4
    described = [sfn.describe_execution(executionArn=run["executionArn"]) for run in runs]
    assert [d["output"] for d in described] == ["small", "big", "small", "big"]
    listed = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert {e["executionArn"] for e in listed} == {run["executionArn"] for run in runs}
    with pytest.raises(ClientError, match="ExecutionAlreadyExists"):  # an old name is still taken
        sfn.start_execution(stateMachineArn=arn, name=runs[0]["name"], input="{}")


def test_threads_that_ended_are_no_longer_listed_by_moto(aws):
    from moto.stepfunctions.parser.utils import TMP_THREADS

    arn = _machine(CHOOSE)
    for n in range(5):
        _run(arn, n)
    time.sleep(0.1)
    assert sum(1 for thread in TMP_THREADS if not thread.is_alive()) <= 1  # the last run's, at most


def test_finished_executions_of_one_revision_share_its_snapshot_and_describe_as_before(aws):
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    sfn = boto3.client("stepfunctions", region_name=REGION)
    arn = _machine(CHOOSE)
    before = [_run(arn, n) for n in (1, 50)]
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps({**CHOOSE, "Comment": "v2"}))
    after = _run(arn, 3)

    machine = next(m for m in stepfunctions_parser_backends[ACCOUNT][REGION].state_machines if m.arn == arn)
    snapshots = {e.execution_arn: e.state_machine for e in machine.executions}
    first, second, third = (snapshots[run["executionArn"]] for run in (*before, after))
    assert first is second  # one revision, one copy
    assert third is not first and "v2" in third.definition and "v2" not in first.definition
    for run in (*before, after):
        described = sfn.describe_execution(executionArn=run["executionArn"])
        assert described["stateMachineArn"] == arn
        assert described["output"] == run["output"]
