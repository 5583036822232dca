"""klaxon.local.moto_speed: moto's answers unchanged, its costs no longer growing.

The canaries fail loudly when a moto upgrade changes what the patches replace or mirror.
"""

from __future__ import annotations

import hashlib
import inspect
import itertools
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from klaxon.local import emulation, moto_speed

REGION = emulation.REGION
_names = itertools.count()

# sha256 (first 16 digits) of the source of each moto function the patches replace or mirror, as of
# moto 5.2.5: a change means reading the new code and updating the patch in klaxon.local.moto_speed first.
MIRRORED = {
    "BaseModel.__new__": ("moto.core.common_models", "08cf0ef20e88029a"),
}


def _source_hash(qualname: str) -> str:
    import importlib

    module, _ = MIRRORED[qualname]
    owner, name = qualname.split(".")
    found = moto_speed.ORIGINALS.get(qualname) or vars(getattr(importlib.import_module(module), owner))[name]
    found = found.fget if isinstance(found, property) else found
    return hashlib.sha256(inspect.getsource(inspect.unwrap(found)).encode()).hexdigest()[:16]


@pytest.fixture
def aws() -> Iterator[Any]:
    """moto with Klaxon's patches, no platform: tables made by each test."""
    emulation.install(lambda name, event: None)
    mock = emulation.start_mock()
    yield boto3.client("dynamodb", region_name=REGION)
    mock.stop()


# --- canaries -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("qualname", sorted(MIRRORED))
def test_the_moto_code_the_patches_mirror_is_unchanged(qualname, aws):
    assert _source_hash(qualname) == MIRRORED[qualname][1], (
        f"moto changed {qualname}: klaxon.local.moto_speed mirrors it; read the new code, "
        "update the patch, then this hash"
    )


def test_every_untracked_service_is_a_moto_package():
    import importlib.util

    for service in moto_speed.UNTRACKED_SERVICES:
        assert importlib.util.find_spec(f"moto.{service}") is not None, service


# --- instances are not tracked ------------------------------------------------------------------------------


def _tracked() -> dict[str, int]:
    from moto.core.model_instances import model_data

    return {
        f"{service}.{name}": len(model.instances_tracked)  # type: ignore[attr-defined]
        for service, models in model_data.items()
        for name, model in models.items()
        if model.instances_tracked  # type: ignore[attr-defined]
    }


def test_moto_no_longer_keeps_every_item_and_copy_it_made(aws):
    name = _table(aws)
    for n in range(20):
        aws.put_item(TableName=name, Item=_item(f"p{n % 3}", f"s{n}", status="open"))
    aws.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p1"}})
    assert _tracked() == {}


def test_a_platform_session_leaves_nothing_tracked_in_any_service(platform, http):
    """Every service `klaxon up` uses is in UNTRACKED_SERVICES: an incident, its pages, the status page."""
    sent = http.post("/v2/enqueue", json=_alert())
    assert sent.status_code == 202, sent.text
    assert platform.drain(30)
    assert http.get("/v1/incidents").json()["incidents"]
    assert _tracked() == {}


def _alert() -> dict[str, Any]:
    return {
        "routing_key": "KLAXON-DEMO-CHECKOUT-KEY-0000001",
        "event_action": "trigger",
        "dedup_key": "tracked",
        "payload": {"summary": "checkout down", "source": "test", "severity": "critical"},
    }


# --- tables -------------------------------------------------------------------------------------------------


def _table(aws: Any, region: str = REGION, name: str | None = None, range_type: str = "S") -> str:
    """Like Klaxon's incidents: a sort key, two GSIs (one keys-only), a stream of both images."""
    name = name or f"t{next(_names)}"
    client = aws if region == REGION else boto3.client("dynamodb", region_name=region)
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": range_type},
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "created", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-status",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "created", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "by-status-keys",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return name


def _item(pk: str, sk: str, **attrs: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"pk": {"S": pk}, "sk": {"S": sk}}
    for name, value in attrs.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    return item
