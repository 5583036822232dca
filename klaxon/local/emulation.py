"""Every moto hook Klaxon relies on, in one place, with moto pinned (pyproject) to the version checked.

moto runs in-process (`mock_aws`): one process, no sockets between the handlers and "AWS". Three gaps are
closed here:
- EventBridge rules with Lambda targets raise NotImplementedError in moto: `Rule.send_to_targets` is wrapped
  so a Lambda target is handed to our invoker (which runs the real handler, asynchronously, like AWS).
- moto's DynamoDB is not atomic under threads (a condition is checked, then the item written, without a
  lock), while DynamoDB is atomic per request: every request is serialised with one lock, from parsing to
  the response (moto serialises the item after the backend call: another writer must not change it then).
- Step Functions waits really sleep: `WaitFunction._wait_interval` is replaced to divide them by the time
  scale (`klaxon up --time-scale`) and record them.
- Lambda tasks need Docker: `LambdaFunction._invoke_lambda` runs the real handler in-process instead.
- Stopping an execution in the instant after it started fails in moto (its worker has no environment
  yet) where AWS stops it: the stop waits for the environment first.
- The `states:startExecution` integration hands botocore Step Functions' PascalCase parameter names
  (`StateMachineArn`), which botocore's shapes spell `stateMachineArn`: they are converted first.
- `klaxon up --data DIR` keeps state across restarts: every DynamoDB and S3 write names the item it
  touched to an observer, and every Step Functions wait reports when it starts and ends
  (klaxon.local.state writes them to disk).
- DynamoDB Streams have no reader without Lambda in Docker: `StreamShard.add` tells an observer that a
  record is waiting, and `take_stream_records` hands the records over (and forgets them, so a stream does
  not grow for ever), for klaxon.local.streams to run the function their event source mapping names.
- moto's costs grew with everything it ever stored (klaxon.local.moto_speed, klaxon.local.moto_query):
  model instances are no longer kept in `instances_tracked`, TransactWriteItems rolls back from an undo log
  of the items it touched instead of deep copies of every table, and Query reads sorted partitions
  instead of sorting the whole table.
- moto's Step Functions built a boto3 client per task and parsed each JSONPath per state: both are built
  once now (klaxon.local.moto_reuse).
- A call went through botocore's endpoint and moto's stubber as an HTTP request: the page path's services'
  calls are handed to moto's handler at botocore's `before-call` instead (klaxon.local.moto_direct),
  DynamoDB's items read without a walk of the service model (moto_parse) and copied without deepcopy's
  dispatch (moto_items).
tests/integration/test_moto_hooks.py, test_moto_speed.py and test_moto_reuse.py fail loudly when an upgrade
moves any of these.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"

# Must precede any boto3/PynamoDB session: moto patches botocore when imported.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
os.environ.setdefault("AWS_REGION", REGION)
os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")

import moto  # noqa: E402
from moto.awslambda.models import LambdaFunction  # noqa: E402
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends  # noqa: E402
from moto.dynamodb.models.table import StreamShard  # noqa: E402
from moto.dynamodb.responses import DynamoHandler  # noqa: E402
from moto.events.models import Rule  # noqa: E402
from moto.s3.models import S3Backend  # noqa: E402
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (  # noqa: E402
    StateTaskServiceSfn,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import (  # noqa: E402
    WaitFunction,
)
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker  # noqa: E402

from klaxon.local import moto_reuse, moto_speed  # noqa: E402
from klaxon.local.meter import METER, WRITES, item_size  # noqa: E402

WriteObserver = Callable[[str, str, Any], None]  # ("dynamodb", table, key) or ("s3", bucket, key)
WriteGuard = Callable[[str, dict[str, Any]], None]  # (table, key): raises to refuse the write
WaitObserver = Callable[[bool, dict[str, Any]], None]  # (started?, the wait: execution, input, seconds)
LambdaTarget = Callable[[str, dict[str, Any]], None]
QueueTarget = Callable[[str, dict[str, Any]], None]  # (queue name, the bus event): klaxon.local.event_source
StateMachineTarget = Callable[[str, dict[str, Any]], None]
SyncInvoke = Callable[[str, dict[str, Any]], Any]

_DDB_LOCK = threading.RLock()
_DDB_CALLS = ("put_item", "update_item", "delete_item", "transact_write_items", "get_item", "query")

_nesting = threading.local()


class _Hooks:
    """Process-wide state of the patches: installed once, the Lambda target swappable per platform."""

    lambda_target: LambdaTarget | None = None
    state_machine_target: StateMachineTarget | None = None
    queue_target: QueueTarget | None = None
    sync_invoke: SyncInvoke | None = None
    time_scale: float = 1.0
    waits: list[float] = []  # every Step Functions wait asked for, in unscaled seconds
    write_observer: WriteObserver | None = None
    write_guard: WriteGuard | None = None
    wait_observer: WaitObserver | None = None
    stream_observer: Callable[[], None] | None = None
    installed = False


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    name = method.__name__

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with _DDB_LOCK:
            # moto's transact_write_items calls put_item & co. itself: count only the outermost request.
            depth = getattr(_nesting, "depth", 0)
            if depth == 0:
                METER.record(name, args, kwargs)
            if _Hooks.write_guard is not None and name == "transact_write_items" and depth == 0:
                _guard_transaction(args, kwargs)  # as AWS: one item refused denies the whole request
            if _Hooks.write_guard is not None and name in WRITES:
                found = _item_key(name, args, kwargs)
                if found is not None:
                    _Hooks.write_guard(*found)  # inside a transaction too: moto writes each item itself
            sized = _item_key(name, args, kwargs) if METER.sizing and name in WRITES else None
            before = item_size(args[0], *sized) if sized else 0
            _nesting.depth = depth + 1
            try:
                return method(*args, **kwargs)
            finally:
                _nesting.depth = depth
                if sized:
                    METER.record_units(before, item_size(args[0], *sized), in_transaction=depth > 0)
                if _Hooks.write_observer is not None and name in WRITES:
                    _observe_item(name, args, kwargs)

    return call


def _item_key(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The table and key of the item a put/update/delete names, as DynamoDB JSON (`{"pk": {"S": …}}`)."""
    backend = args[0]
    table_name = args[1] if len(args) > 1 else kwargs["table_name"]
    second = "item_attrs" if name == "put_item" else "key"
    given = args[2] if len(args) > 2 else kwargs[second]
    table = backend.tables.get(table_name)
    if table is None:
        return None
    names = [n for n in (table.hash_key_attr, table.range_key_attr) if n is not None]
    return table_name, {n: given[n] for n in names if n in given}


def _guard_transaction(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    items = args[1] if len(args) > 1 else kwargs["transact_items"]
    for item in items:
        for action in ("Put", "Update", "Delete"):
            if action in item and _Hooks.write_guard is not None:
                given = item[action]
                _Hooks.write_guard(given["TableName"], given.get("Item") or given.get("Key") or {})


def _observe_item(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Name the item a put/update/delete touched (written or not: the observer reads what is there)."""
    found = _item_key(name, args, kwargs)
    if found is None or _Hooks.write_observer is None:
        return
    _Hooks.write_observer("dynamodb", *found)


def _observed_s3(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        result = method(self, bucket_name, key_name, *args, **kwargs)
        if _Hooks.write_observer is not None:
            _Hooks.write_observer("s3", bucket_name, key_name)
        return result

    return call


def ddb_lock() -> threading.RLock:
    """The lock every emulated DynamoDB request holds: hold it to read or write tables consistently."""
    return _DDB_LOCK


def _whole_request(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def call(*args: Any, **kwargs: Any) -> Any:
        with _DDB_LOCK:
            return original(*args, **kwargs)

    return call


def _send_to_targets(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def send(self: Rule, event: dict[str, Any], transform_input: bool = True) -> None:
        kinds = (":lambda:", ":states:", ":sqs:") if _Hooks.queue_target else (":lambda:", ":states:")
        ours = [t for t in self.targets if any(kind in t["Arn"] for kind in kinds)]
        others = [t for t in self.targets if t not in ours]
        matched = self.event_pattern.matches_event(event)  # type: ignore[arg-type]
        if ours and matched:
            delivered = {
                **event,
                "account": event.get("account", ACCOUNT),
                "region": event.get("region", REGION),
            }
            for target in ours:
                if ":lambda:" in target["Arn"] and _Hooks.lambda_target is not None:
                    _Hooks.lambda_target(target["Arn"].rsplit(":", 1)[-1], delivered)
                elif ":states:" in target["Arn"] and _Hooks.state_machine_target is not None:
                    _Hooks.state_machine_target(target["Arn"], delivered)
                elif ":sqs:" in target["Arn"] and _Hooks.queue_target is not None:
                    _Hooks.queue_target(target["Arn"].rsplit(":", 1)[-1], delivered)
        if others:
            saved = self.targets
            self.targets = others
            try:
                original(self, event, transform_input)
            finally:
                self.targets = saved

    return send


def _camel_parameters(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def call(
        self: Any,
        env: Any,
        resource_runtime_part: Any,
        normalised_parameters: dict[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        converted = {k[:1].lower() + k[1:]: v for k, v in normalised_parameters.items()}
        return original(self, env, resource_runtime_part, converted, *args, **kwargs)

    return call


def _stop_when_started(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def stop(self: Any, stop_date: Any, error: str | None, cause: str | None) -> None:
        deadline = time.monotonic() + 5
        while self.env is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.env is not None:
            original(self, stop_date, error, cause)

    return stop


def _invoke_lambda(self: Any, event: str | bytes | dict[str, Any] | None = None) -> tuple[str, bool, str]:
    """Run the real handler in-process instead of in Docker (Step Functions tasks, direct invokes)."""
    if _Hooks.sync_invoke is None:
        return json.dumps({"errorMessage": "no local invoker"}), True, ""
    payload = event if isinstance(event, dict) else json.loads(event) if event else {}
    try:
        result = _Hooks.sync_invoke(self.function_name, payload)
    except Exception as exc:  # a Lambda error: Step Functions sees it and retries
        return json.dumps({"errorMessage": str(exc), "errorType": type(exc).__name__}), True, ""
    return json.dumps(result), False, ""


def _event_invokes_queue(original: Callable[..., Any]) -> Callable[..., Any]:
    """An `InvocationType=Event` invoke (Bolt's lazy listeners invoke their own function so) goes to the
    invoker's queue and returns at once, as in AWS; moto would run it before answering."""

    def invoke(self: Any, body: str, request_headers: Any, response_headers: Any) -> str | bytes:
        kind = {k.lower(): v for k, v in dict(request_headers or {}).items()}.get("x-amz-invocation-type")
        if kind == "Event" and _Hooks.lambda_target is not None:
            _Hooks.lambda_target(self.function_name, json.loads(body) if body else {})
            return b""
        return original(self, body, request_headers, response_headers)

    return invoke


def _scaled_wait(self: Any, env: Any, wait_seconds: int) -> None:
    """Record the wait and sleep it divided by the time scale; a stop (ack) still interrupts it."""
    _Hooks.waits.append(wait_seconds)
    observer = _Hooks.wait_observer
    wait = _describe_wait(env, wait_seconds) if observer is not None and wait_seconds > 0 else None
    if observer is not None and wait is not None:
        observer(True, wait)
    try:
        if wait_seconds > 0:
            env.program_state_event.wait(wait_seconds / _Hooks.time_scale)
    finally:
        if observer is not None and wait is not None:
            observer(False, wait)


def _describe_wait(env: Any, wait_seconds: int) -> dict[str, Any]:
    """Which execution waits, with what state, for how long (scenario seconds, before scaling)."""
    context = env.states.context_object.context_object_data
    return {
        "state_machine": context["StateMachine"]["Id"],
        "execution": context["Execution"]["Name"],
        "input": env.states.get_input(),
        "seconds": wait_seconds,
        "time_scale": _Hooks.time_scale,
    }


def _announced(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def add(self: StreamShard, old: Any, new: Any) -> None:
        original(self, old, new)
        if _Hooks.stream_observer is not None:
            _Hooks.stream_observer()

    return add


def on_stream_record(observer: Callable[[], None] | None) -> None:
    """Call `observer` after each record a table's stream takes (under the request's lock: be quick)."""
    _Hooks.stream_observer = observer


def take_stream_records(table_name: str) -> list[dict[str, Any]]:
    """The records waiting in the table's stream, oldest first, as Lambda receives them; forgotten here.

    Taken under the DynamoDB lock, so a transaction is seen whole or not at all (one that fails leaves
    no record, as in DynamoDB)."""
    with _DDB_LOCK:
        table = dynamodb_backends[ACCOUNT][REGION].tables.get(table_name)
        shard = table.stream_shard if table is not None else None
        if table is None or shard is None or not shard.items:
            return []
        records = [record.to_json() for record in shard.items]
        shard.starting_sequence_number += len(shard.items)
        shard.items = []
        arn = f"{table.table_arn}/stream/local"
    for record in records:
        change = record["dynamodb"] = dict(record["dynamodb"])
        created = change["ApproximateCreationDateTime"]  # moto's naive UTC datetime; Lambda's epoch seconds
        change["ApproximateCreationDateTime"] = created.replace(tzinfo=created.tzinfo or UTC).timestamp()
        record["eventSourceARN"] = arn
    return records


def guard(writes: WriteGuard | None) -> None:
    """Let `writes` refuse a DynamoDB write before it happens (klaxon.local.iam: the functions' IAM)."""
    _Hooks.write_guard = writes


def observe(writes: WriteObserver | None, waits: WaitObserver | None) -> None:
    """Tell `writes` about every DynamoDB item and S3 object written, `waits` about every wait."""
    _Hooks.write_observer = writes
    _Hooks.wait_observer = waits


# moto logs a missing JSON path as an ERROR even where ASL defines it as false (`IsPresent`, `Not`).
logging.getLogger("moto.stepfunctions.parser.asl.component.eval_component").setLevel(logging.CRITICAL)


def install(
    lambda_target: LambdaTarget,
    state_machine_target: StateMachineTarget | None = None,
    sync_invoke: SyncInvoke | None = None,
    time_scale: float = 1.0,
    queue_target: QueueTarget | None = None,
) -> None:
    """Patch moto once per process; the callbacks receive rule deliveries and Lambda invocations."""
    _Hooks.lambda_target = lambda_target
    _Hooks.queue_target = queue_target
    _Hooks.state_machine_target = state_machine_target
    _Hooks.sync_invoke = sync_invoke
    _Hooks.time_scale = time_scale
    if _Hooks.installed:
        return
    moto_speed.install()  # first: the lock below must wrap its transactions and writes too
    moto_reuse.install()
    for name in _DDB_CALLS:
        setattr(DynamoDBBackend, name, _serialised(getattr(DynamoDBBackend, name)))
    DynamoHandler.call_action = _whole_request(DynamoHandler.call_action)  # type: ignore[method-assign]
    Rule.send_to_targets = _send_to_targets(Rule.send_to_targets)  # type: ignore[method-assign]
    LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
    LambdaFunction.invoke = _event_invokes_queue(LambdaFunction.invoke)  # type: ignore[method-assign]
    WaitFunction._wait_interval = _scaled_wait  # type: ignore[method-assign]
    ExecutionWorker.stop = _stop_when_started(ExecutionWorker.stop)  # type: ignore[method-assign]
    StreamShard.add = _announced(StreamShard.add)  # type: ignore[method-assign]
    S3Backend.put_object = _observed_s3(S3Backend.put_object)  # type: ignore[method-assign]
    S3Backend.delete_object = _observed_s3(S3Backend.delete_object)  # type: ignore[method-assign]
    StateTaskServiceSfn._eval_service_task = _camel_parameters(StateTaskServiceSfn._eval_service_task)  # type: ignore[method-assign]
    _Hooks.installed = True


def start_mock() -> Any:
    """Start moto's in-process AWS; the returned mock is stopped by the caller."""
    mock = moto.mock_aws(
        config={"core": {"reset_boto3_session": False}, "stepfunctions": {"execute_state_machine": True}}
    )
    mock.start()
    return mock
