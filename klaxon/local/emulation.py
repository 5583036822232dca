"""Every moto hook Klaxon relies on, in one place, with moto pinned (pyproject) to the version checked.

moto runs in-process (`mock_aws`): one process, no sockets between the handlers and "AWS". Three gaps are
closed here:
- EventBridge rules with Lambda targets raise NotImplementedError in moto: `Rule.send_to_targets` is wrapped
  so a Lambda target is handed to our invoker (which runs the real handler, asynchronously, like AWS).
- moto's DynamoDB is not atomic under threads (a condition is checked, then the item written, without a
  lock), while DynamoDB is atomic per request: every mutating backend call is serialised with one lock.
- Step Functions waits really sleep: `WaitFunction._wait_interval` is wrapped to divide them by the time
  scale (see klaxon.local.stepfunctions once escalation lands).
tests/integration/test_moto_hooks.py fails loudly when an upgrade moves any of these.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
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
from moto.dynamodb.models import DynamoDBBackend  # noqa: E402
from moto.events.models import Rule  # noqa: E402

LambdaTarget = Callable[[str, dict[str, Any]], None]

_DDB_LOCK = threading.RLock()
_DDB_CALLS = ("put_item", "update_item", "delete_item", "transact_write_items", "get_item", "query")
_DDB_WRITES = frozenset({"put_item", "update_item", "delete_item"})


class DynamoMeter:
    """Counts the requests the emulated DynamoDB receives; a transaction counts one write per item."""

    def __init__(self) -> None:
        self.writes = 0
        self.reads = 0

    def record(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if name in _DDB_WRITES:
            self.writes += 1
        elif name == "transact_write_items":
            items = kwargs.get("transact_items", args[1] if len(args) > 1 else [])
            self.writes += len(items)
        else:
            self.reads += 1

    def reset(self) -> None:
        self.writes = self.reads = 0


METER = DynamoMeter()
_nesting = threading.local()


class _Hooks:
    """Process-wide state of the patches: installed once, the Lambda target swappable per platform."""

    lambda_target: LambdaTarget | None = None
    installed = False


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with _DDB_LOCK:
            # moto's transact_write_items calls put_item & co. itself: count only the outermost request.
            depth = getattr(_nesting, "depth", 0)
            if depth == 0:
                METER.record(method.__name__, args, kwargs)
            _nesting.depth = depth + 1
            try:
                return method(*args, **kwargs)
            finally:
                _nesting.depth = depth

    return call


def _send_to_targets(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def send(self: Rule, event: dict[str, Any], transform_input: bool = True) -> None:
        lambda_targets = [t for t in self.targets if ":lambda:" in t["Arn"]]
        others = [t for t in self.targets if ":lambda:" not in t["Arn"]]
        matched = self.event_pattern.matches_event(event)  # type: ignore[arg-type]
        if lambda_targets and matched and _Hooks.lambda_target is not None:
            delivered = {
                **event,
                "account": event.get("account", ACCOUNT),
                "region": event.get("region", REGION),
            }
            for target in lambda_targets:
                _Hooks.lambda_target(target["Arn"].rsplit(":", 1)[-1], delivered)
        if others:
            saved = self.targets
            self.targets = others
            try:
                original(self, event, transform_input)
            finally:
                self.targets = saved

    return send


def install(lambda_target: LambdaTarget) -> None:
    """Patch moto once per process; `lambda_target(function_name, event)` receives rule deliveries."""
    _Hooks.lambda_target = lambda_target
    if _Hooks.installed:
        return
    for name in _DDB_CALLS:
        setattr(DynamoDBBackend, name, _serialised(getattr(DynamoDBBackend, name)))
    Rule.send_to_targets = _send_to_targets(Rule.send_to_targets)  # type: ignore[method-assign]
    _Hooks.installed = True


def start_mock() -> Any:
    """Start moto's in-process AWS; the returned mock is stopped by the caller."""
    mock = moto.mock_aws(
        config={"core": {"reset_boto3_session": False}, "stepfunctions": {"execute_state_machine": True}}
    )
    mock.start()
    return mock
