"""moto's own code for the length of a block, beside klaxon.local's patches: the tests of a patch run the
same calls both ways and compare what comes back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ADDED = object()  # the original of an attribute the patches added: it is taken away for the block


@contextmanager
def motos_own(*swaps: tuple[Any, str, Any]) -> Iterator[None]:
    """Each (owner, attribute, original) put back for the block, and the patched ones after it."""
    patched = [(owner, name, vars(owner)[name]) for owner, name, _ in swaps]
    try:
        for owner, name, original in swaps:
            if original is ADDED:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
        yield
    finally:
        for owner, name, value in patched:
            setattr(owner, name, value)


def keyed_table(ddb: Any, name: str) -> None:
    """An on-demand table keyed by a string `pk` alone, for a patch's calls through DynamoDB."""
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def streamed_table(ddb: Any, name: str) -> str:
    """An on-demand table keyed by strings `pk` and `sk`, with a stream of both images (as the incidents
    table has), for a patch's calls compared both ways; returns its name."""
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return name
