"""moto made to cost what AWS costs: memory bounded by what is stored (issue 14).

moto is written for short tests, and `klaxon up` runs it for hours. Every instance of a moto model
(`BaseModel`) is appended to its class's `instances_tracked`, kept for moto server's dashboard: every item
version and every deep copy stays alive for the life of the process (449,081 live items for ~2,600 stored
after 159 s). It is not tracked any more for the services Klaxon emulates (`UNTRACKED_SERVICES`).
tests/integration/test_moto_speed.py fails loudly when a moto upgrade moves what is replaced here.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from moto.core.common_models import BaseModel

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


def install() -> None:
    """Patch moto (once per process, before klaxon.local.emulation wraps the DynamoDB calls in its lock)."""
    if ORIGINALS:
        return
    ORIGINALS["BaseModel.__new__"] = BaseModel.__new__
    BaseModel.__new__ = _new  # type: ignore[method-assign]
    _forget_tracked()
    # An S3 object overwritten is now collected, not tracked forever; moto then closes its buffer itself.
    warnings.filterwarnings("ignore", "S3 key was not disposed of in time", ResourceWarning)
