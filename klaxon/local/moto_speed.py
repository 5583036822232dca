"""moto made to cost what AWS costs: flat as the tables grow, memory bounded by what is stored (issue 14).

moto is written for short tests, and `klaxon up` runs it for hours. Three of its habits grow without bound:
- Every instance of a moto model (`BaseModel`) is appended to its class's `instances_tracked`, kept for moto
  server's dashboard: every item version and every deep copy stays alive for the life of the process. It is
  not tracked any more for the services Klaxon emulates (`UNTRACKED_SERVICES`).
- `TransactWriteItems` deep-copied every table it touched, on every call, to roll back on failure: its cost
  grew with the tables (121 ms a transaction at 1,200 incidents). It is replaced by moto's own code with an
  undo log of only the items it touches (their previous value or absence) and of the tables' stream lengths:
  on any failure exactly those are put back. Safe because every emulated DynamoDB request holds one lock
  (klaxon.local.emulation), so nothing can see or write an item between the transaction and its rollback.
- Every Query scanned and sorted the whole table: klaxon.local.moto_query answers it from sorted partitions.
- Every attribute an update set sized the whole item again, copying it to size the copy:
  klaxon.local.moto_sizes counts without copying.
- Every projected read turned the whole item into plain values once per path projected: an incident's status
  cost as much as all its alerts. klaxon.local.moto_projection converts only what a path can reach.
- Every answer walked botocore's model for each attribute of each item: klaxon.local.moto_serialize writes
  items as the JSON they already are; klaxon.local.moto_calls drops the per-call work nothing reads
  (signatures, moto's method listing, its request ids).
- Every UpdateItem copied the item through deepcopy's dispatch, and every write to a table with a stream
  deep-copied its images at each level to make them plain: klaxon.local.moto_items does both directly.
- Every DynamoDB request's items were read by a walk of the service model per attribute:
  klaxon.local.moto_parse reads them directly.
- Every call was an HTTP request through botocore's endpoint and moto's stubber: klaxon.local.moto_direct
  hands those of the page path's services to moto's handler at botocore's `before-call`.
- Every Step Functions execution parsed its state machine's definition again (ANTLR, ~30 ms; two
  executions per incident): the parsed program is kept per definition and shared (`_evaluation_entrypoint`).
- Every finished execution was kept whole, its event history carrying each state's input and output
  (~50-220 KB an execution), and every thread moto ever started stayed listed in `TMP_THREADS`: only the
  newest `HISTORIES_KEPT` finished executions keep their history now (`_terminated`); older ones keep
  their record (status, dates, output), so describe, list and the name's uniqueness answer as before.
  Finished executions of one state machine revision share one copy of it (`_shared_snapshot`).

`freeze_heap` (once the platform has started) moves what start-up built, and then what survives each full
collection, out of the collector's reach.
tests/integration/test_moto_speed.py proves the patches keep moto's semantics and fails loudly when a moto
upgrade moves what they replace.
"""

from __future__ import annotations

import collections
import copy
import gc
import json
import threading
import warnings
from collections.abc import Callable
from typing import Any

from moto.core.common_models import BaseModel
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    ResourceNotFoundException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamShard, Table
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.utils import TMP_THREADS

from klaxon.local import (
    moto_calls,
    moto_direct,
    moto_events,
    moto_expressions,
    moto_items,
    moto_parse,
    moto_projection,
    moto_query,
    moto_serialize,
    moto_sizes,
)

# moto's packages (`moto.<service>`) whose models Klaxon's local platform creates: everything `klaxon up`
# calls (klaxon.adapters, klaxon.local) and what those services make in turn (streams, logs, schedules).
UNTRACKED_SERVICES = frozenset(
    {
        "awslambda",
        "cloudfront",
        "dynamodb",
        "dynamodbstreams",
        "events",
        "iam",
        "logs",
        "s3",
        "scheduler",
        "secretsmanager",
        "ses",
        "sesv2",
        "sns",
        "sqs",  # the alerts queue (klaxon.local.event_source drains it)
        "ssm",
        "stepfunctions",
        "sts",
    }
)
# What install replaced, by name: the canary test checks each still is what the patch was written against.
ORIGINALS: dict[str, Callable[..., Any]] = {}
_tracked: dict[type, bool] = {}  # per model class: does moto still track its instances?


def _is_tracked(cls: type) -> bool:
    found = _tracked.get(cls)
    if found is None:
        parts = cls.__module__.split(".")  # as moto's InstanceTrackerMeta names a model's service
        found = _tracked[cls] = not (len(parts) > 1 and parts[1] in UNTRACKED_SERVICES)
    return found


def _new(cls: type, *args: Any, **kwargs: Any) -> Any:
    """moto's `BaseModel.__new__`, appending the instance to `instances_tracked` only outside our services."""
    instance = super(BaseModel, cls).__new__(cls)  # type: ignore[misc]
    if _is_tracked(cls):
        cls.instances_tracked.append(instance)  # type: ignore[attr-defined]
    return instance


def _forget_tracked() -> None:
    """Drop what was tracked before install (models imported and instantiated earlier)."""
    from moto.core.model_instances import model_data

    for service, models in model_data.items():
        if service in UNTRACKED_SERVICES:
            for model in models.values():
                model.instances_tracked = []  # type: ignore[attr-defined]


class _UndoLog:
    """What a transaction changed, to put back: each touched item's value before it, each stream's length."""

    def __init__(self) -> None:
        self.items: dict[tuple[int, DynamoType, DynamoType | None], tuple[Table, Item | None]] = {}
        self.streams: list[tuple[Table, StreamShard, list[Any], int]] = []

    def streams_of(self, backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        """Remember the stream length of every table named, before anything is written (where moto copied)."""
        tables: dict[int, Table] = {}
        for item in transact_items:
            _, op = next(iter(item.items()))
            name = op.get("TableName")
            if name:
                try:
                    table = backend.get_table(name)
                except ResourceNotFoundException:
                    continue  # that item fails: nothing is written there
                tables[id(table)] = table
        for table in tables.values():
            if table.stream_shard is not None:
                shard = table.stream_shard
                self.streams.append((table, shard, shard.items, len(shard.items)))

    def record(
        self,
        backend: DynamoDBBackend,
        table_name: str,
        key: dict[str, Any],
        current: Item | None,
        *,
        edited_in_place: bool,
    ) -> None:
        """Keep the item's value before its first write here: a copy where moto edits the stored item in
        place (UpdateItem); the item itself where moto replaces it with a new one (PutItem) or drops it
        (DeleteItem), which leaves it as it was."""
        table = backend.get_table(table_name)
        hash_key, range_key = backend.get_keys_value(table, key)
        slot = (id(table), hash_key, range_key if table.range_key_attr is not None else None)
        if slot not in self.items:
            self.items[slot] = (table, copy.deepcopy(current) if edited_in_place else current)

    def rollback(self) -> None:
        for (_, hash_key, range_key), (table, before) in self.items.items():
            _put_back(table, hash_key, range_key, before)
            moto_query.touched(table, hash_key, range_key)  # the write marked it too: not relied on
        for table, shard, records, length in self.streams:
            if table.stream_shard is shard:
                # moto replaces the list once a Lambda mapping took the records: go back to the one we saw.
                del records[length:]
                shard.items = records


def _put_back(table: Table, hash_key: DynamoType, range_key: DynamoType | None, before: Item | None) -> None:
    stored: Any = table.items  # {hash: item}, or {hash: {range: item}} with a sort key
    if table.range_key_attr is None:
        if before is None:
            stored.pop(hash_key, None)
        else:
            stored[hash_key] = before
        return
    partition = stored[hash_key]
    if before is None:
        partition.pop(range_key, None)
        if not partition:
            del stored[hash_key]
    else:
        partition[range_key] = before


class _Transaction:
    """moto 5.2.5's `DynamoDBBackend.transact_write_items` loop, unchanged but for the undo log it keeps."""

    def __init__(self, backend: DynamoDBBackend, undo: _UndoLog) -> None:
        self.backend = backend
        self.undo = undo
        self.target_items: set[tuple[str, str]] = set()
        self.errors: list[tuple[str, str, dict[str, Any]] | tuple[None, None, None]] = []
        self.original_item: dict[str, Any] | None = None

    def check_unicity(self, table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in self.target_items:
            raise MultipleTransactionsException()
        self.target_items.add(item)

    def apply(self, item: dict[str, Any]) -> None:
        self.original_item = None
        # Check transact writes are not performing multiple operations on the same item
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException
        try:
            self._apply(item)
            self.errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            raise
        except ConditionalCheckFailed as e:
            self.errors.append(("ConditionalCheckFailed", str(e.message), self.original_item))  # type: ignore[arg-type]
        except Exception as e:  # as moto: any other failure is this item's cancellation reason
            self.errors.append((type(e).__name__, str(e), self.original_item))  # type: ignore[arg-type]

    def _apply(self, item: dict[str, Any]) -> None:
        op_type, op = next(iter(item.items()))
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise ValueError("Unsupported transaction operation")
        table_name = op["TableName"]
        condition_expression = op.get("ConditionExpression")
        names = op.get("ExpressionAttributeNames")
        values = op.get("ExpressionAttributeValues")
        if op_type == "Put":
            attrs = op["Item"]
            table = self.backend.get_table(table_name)
            key = {table.hash_key_attr: attrs[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attrs[table.range_key_attr]
        else:
            key = op["Key"]
        self.check_unicity(table_name, key)
        current = self.backend.get_item(table_name, key)
        if op_type != "ConditionCheck":  # a check writes nothing: nothing to put back
            self.undo.record(self.backend, table_name, key, current, edited_in_place=op_type == "Update")
        if condition_expression is not None:
            from moto.dynamodb.comparisons import get_filter_expression

            if not get_filter_expression(condition_expression, names, values).expr(current):
                if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                    self.original_item = current.to_json()["Attributes"]
                raise ConditionalCheckFailed(item=self.original_item)
        conditions = {
            "condition_expression": condition_expression,
            "expression_attribute_names": names,
            "expression_attribute_values": values,
        }
        if op_type == "Put":
            self.backend.put_item(table_name, op["Item"], **conditions)
        elif op_type == "Delete":
            self.backend.delete_item(table_name, key, **conditions)
        elif op_type == "Update":
            self.backend.update_item(table_name, key, update_expression=op["UpdateExpression"], **conditions)


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """TransactWriteItems as moto answers it, rolled back from an undo log instead of copies of the tables.

    Unlike moto, a failure that escapes the loop (two operations in one item) rolls back too: DynamoDB
    writes all of a transaction or nothing.
    """
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    undo = _UndoLog()
    undo.streams_of(self, transact_items)
    transaction = _Transaction(self, undo)
    try:
        for item in transact_items:
            transaction.apply(item)
    except BaseException:
        undo.rollback()
        raise
    if any(code is not None for code, _, _ in transaction.errors):
        undo.rollback()
        raise TransactionCanceledException(transaction.errors)


# Parsed state machines, by definition. A parsed program is only read by an execution (its state lives in
# the execution's environment), except Map and Parallel states, whose parsed parts count their running
# branches: a definition with one of those is parsed for each execution, as moto does.
_PROGRAMS: dict[str, Any] = {}
_PROGRAMS_KEPT = 16
_PER_EXECUTION_TYPES = frozenset({"Map", "Parallel"})


def _state_types(definition: Any) -> set[str]:
    """Every `Type` of every state, nested ones (Map iterators, Parallel branches) included."""
    found: set[str] = set()
    if isinstance(definition, dict):
        if isinstance(definition.get("Type"), str):
            found.add(definition["Type"])
        for value in definition.values():
            found |= _state_types(value)
    elif isinstance(definition, list):
        for value in definition:
            found |= _state_types(value)
    return found


def _evaluation_entrypoint(self: ExecutionWorker) -> Any:
    """moto's `ExecutionWorker._get_evaluation_entrypoint`, parsing each definition once."""
    definition = self._evaluation_details.state_machine_details.definition
    program = _PROGRAMS.get(definition)
    if program is None:
        program = AmazonStateLanguageParser.parse(definition)[0]
        if not _state_types(json.loads(definition)) & _PER_EXECUTION_TYPES:
            if len(_PROGRAMS) >= _PROGRAMS_KEPT:
                _PROGRAMS.pop(next(iter(_PROGRAMS)))
            _PROGRAMS[definition] = program
    return program


HISTORIES_KEPT = 100  # finished executions whose event history stays readable (get_execution_history)
_finished: collections.deque[Any] = collections.deque()
_finished_lock = threading.Lock()


class _HistoryDropped:
    """What a finished execution keeps of its worker once its history is dropped: no environment (moto then
    answers an empty history) and nothing left to stop."""

    env = None

    def stop(self, stop_date: Any, error: str | None, cause: str | None) -> None:
        return None


_snapshots: dict[tuple[Any, ...], Any] = {}  # one state machine snapshot per revision, for finished runs


def _shared_snapshot(snapshot: Any) -> Any:
    """The state machine as this execution started it, shared by every finished execution of the same
    revision: moto deep-copies the state machine into each execution (~3 KB, two executions an incident),
    and copies of one revision are equal, so describe and list answer the same from one."""
    revision = (
        snapshot.arn,
        snapshot.definition,
        snapshot.roleArn,
        snapshot.update_date,
        getattr(snapshot, "revision_id", None),
        getattr(snapshot, "source_arn", None),
    )
    return _snapshots.setdefault(revision, snapshot)


def _terminated(original: Callable[..., None]) -> Callable[..., None]:
    """moto's end of an execution, then: it shares its revision's state machine snapshot, the oldest
    finished executions past HISTORIES_KEPT drop their history, and threads that have ended leave moto's
    list of every thread it started."""

    def terminated(self: BaseExecutionWorkerCommunication) -> None:
        original(self)
        with _finished_lock:
            self.execution.state_machine = _shared_snapshot(self.execution.state_machine)
            _finished.append(self.execution)
            while len(_finished) > HISTORIES_KEPT:
                _finished.popleft().exec_worker = _HistoryDropped()
            TMP_THREADS[:] = [thread for thread in TMP_THREADS if thread.is_alive()]

    return terminated


def freeze_heap() -> None:
    """Once the platform has started: what start-up built (modules, botocore's models, moto's backends;
    ~480,000 objects) lives as long as the platform, so move it out of the collector's way. No collection
    first: it would cost ~0.4 s a start, for ~40,000 objects of start-up's garbage that stay frozen until
    `thaw_heap`.

    Then, while the platform runs, what survives each full collection is frozen too (`_freeze_survivors`):
    the stored items, executions and caches of a long run are long-lived the same way. Without it a full
    collection walked everything stored since start (a soak: 24 ms pauses after 2 minutes, ~400 ms by
    minute 30, each one stalling every request in flight). Objects freed by reference counting are freed as
    before; only a reference cycle among frozen objects waits for `thaw_heap`."""
    gc.freeze()
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)


def _freeze_survivors(phase: str, info: dict[str, int]) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


def thaw_heap() -> None:
    """At stop: give the collector back what `freeze_heap` hid, so a stopped platform's cycles are freed."""
    if _freeze_survivors in gc.callbacks:
        gc.callbacks.remove(_freeze_survivors)
    gc.unfreeze()


def install() -> None:
    """Patch moto (once per process, before klaxon.local.emulation wraps the DynamoDB calls in its lock)."""
    if ORIGINALS:
        return
    ORIGINALS["BaseModel.__new__"] = BaseModel.__new__
    ORIGINALS["DynamoDBBackend.transact_write_items"] = DynamoDBBackend.transact_write_items
    BaseModel.__new__ = _new  # type: ignore[method-assign]
    _forget_tracked()
    # An S3 object overwritten is now collected, not tracked forever; moto then closes its buffer itself.
    warnings.filterwarnings("ignore", "S3 key was not disposed of in time", ResourceWarning)
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    ORIGINALS.update(moto_query.install())
    ORIGINALS.update(moto_serialize.install())
    ORIGINALS.update(moto_calls.install())  # signing, moto's dispatch and request ids: per call
    ORIGINALS.update(moto_expressions.install())  # update expressions: parsed once, walked once a validator
    ORIGINALS.update(moto_events.install())  # PutEvents: each entry matched against the rules once
    ORIGINALS.update(moto_sizes.install())  # item sizes (the 400 KB check at every attribute set): no copies
    ORIGINALS.update(moto_projection.install())  # a projected read converts only what it projects
    ORIGINALS.update(moto_items.install())  # items copied and made plain without deepcopy's dispatch
    ORIGINALS.update(moto_parse.install())  # DynamoDB requests' attribute values: read without the model
    moto_direct.install()  # the page path's calls skip the HTTP round trip (adds handlers, replaces nothing)
    ORIGINALS["ExecutionWorker._get_evaluation_entrypoint"] = ExecutionWorker._get_evaluation_entrypoint
    ExecutionWorker._get_evaluation_entrypoint = _evaluation_entrypoint  # type: ignore[method-assign]
    ORIGINALS["BaseExecutionWorkerCommunication.terminated"] = BaseExecutionWorkerCommunication.terminated
    BaseExecutionWorkerCommunication.terminated = _terminated(  # type: ignore[method-assign]
        BaseExecutionWorkerCommunication.terminated
    )
