"""Canaries for the private moto hooks klaxon.local.emulation patches: an upgrade moving one fails."""

from __future__ import annotations

import inspect
import tomllib
from importlib.metadata import version

from tests.conftest import ROOT


def test_moto_is_pinned_to_the_version_the_hooks_were_checked_against():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["local"]
    pin = next(d for d in extras if d.startswith("moto"))
    assert pin.endswith("==5.2.5")
    assert version("moto") == "5.2.5"


def test_eventbridge_rule_delivery_hook_exists_with_the_expected_signature():
    from moto.events.models import Rule

    # functools.wraps keeps the original signature visible even after klaxon.local.emulation wrapped it.
    assert list(inspect.signature(Rule.send_to_targets).parameters) == [
        "self",
        "original_event",
        "transform_input",
    ]


def test_dynamodb_requests_are_served_by_the_handler_whose_call_action_is_locked():
    from moto.dynamodb.responses import DynamoHandler

    assert "call_action" in vars(DynamoHandler) or callable(DynamoHandler.call_action)
    assert inspect.unwrap(DynamoHandler.call_action).__qualname__ == "DynamoHandler.call_action"


def test_dynamodb_backend_calls_that_are_serialised_exist():
    from moto.dynamodb.models import DynamoDBBackend

    from klaxon.local.emulation import _DDB_CALLS

    for name in _DDB_CALLS:
        assert callable(getattr(DynamoDBBackend, name))


def test_step_functions_execution_worker_still_builds_its_environment_lazily():
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    # klaxon.local.emulation waits for `env` before stopping: it must still be the attribute stop uses.
    assert "self.env.set_stop" in inspect.getsource(inspect.unwrap(ExecutionWorker.stop))


def test_step_functions_wait_and_lambda_invoke_hooks_exist_for_escalation():
    from moto.awslambda.models import LambdaFunction
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

    assert callable(WaitFunction._wait_interval)
    assert callable(LambdaFunction._invoke_lambda)


def test_the_writes_local_state_observes_keep_the_arguments_it_reads():
    from moto.dynamodb.models import DynamoDBBackend
    from moto.s3.models import S3Backend

    for name, second in (("put_item", "item_attrs"), ("update_item", "key"), ("delete_item", "key")):
        assert list(inspect.signature(getattr(DynamoDBBackend, name)).parameters)[:3] == [
            "self",
            "table_name",
            second,
        ]
    for name in ("put_object", "delete_object"):
        assert list(inspect.signature(getattr(S3Backend, name)).parameters)[:3] == [
            "self",
            "bucket_name",
            "key_name",
        ]
    assert callable(DynamoDBBackend.get_keys_value)


def test_a_wait_can_tell_its_execution_and_input():
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.asl.eval.states import ContextObjectData, States

    assert {"Execution", "StateMachine"} <= set(ContextObjectData.__annotations__)
    assert callable(States.get_input)
    assert "states" in Environment.__annotations__


def test_a_stream_shard_still_appends_one_record_per_write_from_its_first_sequence_number():
    """klaxon.local.emulation wraps `StreamShard.add` and takes `items` away, advancing the first number."""
    from moto.dynamodb.models.table import StreamRecord, StreamShard

    assert list(inspect.signature(StreamShard.add).parameters) == ["self", "old", "new"]
    source = inspect.getsource(inspect.unwrap(StreamShard.add))
    assert "len(self.items) + self.starting_sequence_number" in source
    assert "self.items.append(StreamRecord(" in source
    assert list(inspect.signature(StreamRecord.to_json).parameters) == ["self"]
