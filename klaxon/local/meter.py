"""What the emulated DynamoDB was asked for: requests, and the write units AWS would bill for them.

Requests are counted always (a transaction counts one write per item). Write units are counted only while
`sizing` is on (a benchmark's choice: each sized write reads its item before and after), by AWS's rule for
on-demand tables: a put, update or delete costs the larger of the item's size before and after, rounded up
to the next KB (at least one unit), twice that inside a transaction; a write whose condition fails costs the
same. Base table only: a global secondary index's writes are not counted.

Counts are also kept per calling thread, so a benchmark can measure one code path while other subscribers
(escalation, the status page) write in the background.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType

WRITES = frozenset({"put_item", "update_item", "delete_item"})
UNIT_BYTES = 1024


class DynamoMeter:
    def __init__(self) -> None:
        self.sizing = False
        self.reset()

    def record(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if name in WRITES:
            count = 1
        elif name == "transact_write_items":
            count = len(kwargs.get("transact_items", args[1] if len(args) > 1 else []))
        else:
            self.reads += 1
            return
        self.writes += count
        thread = threading.get_ident()
        self.writes_by_thread[thread] = self.writes_by_thread.get(thread, 0) + count

    def record_units(self, size_before: int, size_after: int, *, in_transaction: bool) -> None:
        units = max(1, math.ceil(max(size_before, size_after) / UNIT_BYTES)) * (2 if in_transaction else 1)
        thread = threading.get_ident()
        self.write_units_by_thread[thread] = self.write_units_by_thread.get(thread, 0) + units

    def writes_here(self) -> int:
        """Writes made by the calling thread since the last reset."""
        return self.writes_by_thread.get(threading.get_ident(), 0)

    def write_units_here(self) -> int:
        """Write units the calling thread's writes cost since the last reset (while `sizing`)."""
        return self.write_units_by_thread.get(threading.get_ident(), 0)

    def reset(self) -> None:
        self.writes = self.reads = 0
        self.writes_by_thread: dict[int, int] = {}
        self.write_units_by_thread: dict[int, int] = {}


def item_size(backend: Any, table_name: str, key: dict[str, Any]) -> int:
    """The stored item's size in bytes as DynamoDB counts it (names and values), 0 when there is none."""
    table = backend.tables.get(table_name)
    if table is None or table.hash_key_attr not in key:
        return 0
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr in key else None
    item = table.get_item(DynamoType(key[table.hash_key_attr]), range_key)
    return 0 if item is None else int(item.size())


METER = DynamoMeter()
