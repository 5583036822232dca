"""What moto's Step Functions builds again on every call, built once (`klaxon up` runs for hours).

- Each Lambda or Step Functions task built a new boto3 client (`boto_client_for`): ~2 ms of CPU, and a
  client is a web of reference cycles (its operation models, docstrings, event hooks), so each one lived
  until a full collection. Clients are kept per (region, service), as AWS's SDKs advise (create a client
  once and reuse it; low-level clients are thread-safe).
- Each JSONPath (`InputPath`, `ResultPath`, ...) was parsed again on every state, and jsonpath-ng's
  extended parser builds its PLY grammar tables each time it is made. The parsed expression is kept per
  path: evaluating one reads it and writes only the data it is given.

Measured on a soak probe before this module: ~23,000 objects of cyclic garbage every 90 s after start-up,
most of it these two (botocore OperationModels, docstrings and hooks, PLY productions); 2,300 after it.
py-spy gave client building 5% of `klaxon up`'s time under load. tests/integration/test_moto_reuse.py
checks that the code it replaces is unchanged and that clients and JSONPaths answer as before.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import jsonpath_ng
import jsonpath_ng.ext
from moto.core.models import botocore_stubber
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_sfn
from moto.stepfunctions.parser.asl.utils import boto_client, json_path

ORIGINALS: dict[str, Callable[..., Any]] = {}
PATHS_KEPT = 512  # distinct JSONPaths in Klaxon's state machines: a dozen


@functools.lru_cache(maxsize=64)
def _client(region: str, service: str, intercepted: bool) -> Any:
    return ORIGINALS["boto_client_for"](region, service)


def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    """moto's `boto_client_for`, one client per (region, service) while the mock intercepts the same way.
    moto's ignores `state_credentials` (a task's role) and signs with fixed keys: so does this."""
    return _client(region, service, bool(botocore_stubber.enabled))


def install() -> None:
    """Swap the builders in every moto module that imported them (once per process): Klaxon's state
    machines invoke Lambda functions and start executions; other tasks' modules, if loaded, too."""
    if ORIGINALS:
        return
    ORIGINALS["boto_client_for"] = boto_client.boto_client_for
    for module in [*sys.modules.values(), lambda_eval_utils, state_task_service_sfn]:
        if getattr(module, "boto_client_for", None) is ORIGINALS["boto_client_for"]:
            module.boto_client_for = boto_client_for  # type: ignore[attr-defined]
    ORIGINALS["json_path.parse"] = json_path.parse
    json_path.parse = functools.lru_cache(maxsize=PATHS_KEPT)(jsonpath_ng.ext.parse)
    ORIGINALS["result_path.parse"] = result_path.parse
    result_path.parse = functools.lru_cache(maxsize=PATHS_KEPT)(jsonpath_ng.parse)
