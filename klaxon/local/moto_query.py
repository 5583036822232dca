"""moto's DynamoDB Query at the cost of what it reads, not of the table (issue 14 §2).

moto answers every Query by sorting the whole table, then filtering it, whatever the Limit: the by-status
queries of each new incident and `GET /v1/incidents` slowed with every incident kept. Here each queried
index (the table itself or a secondary index) keeps its partitions sorted as moto sorts them, so a query
bisects to its start key and reads from there until its page is full. The page is then built by moto's
own rules, mirrored from moto 5.2.5's `Table.query`: the key condition on the sort key, ScanIndexForward,
Limit and the 1 MB page, ExclusiveStartKey and LastEvaluatedKey, the index's projection, the
FilterExpression after the Limit, the ProjectionExpression. The filter now runs before the copy moto makes
of each returned item, so only the items kept are copied; each item's size (for the 1 MB page) is kept
until the item is written again.

The views follow the writes: in moto 5.2.5 every item is written by `Table.put_item` or `Table.delete_item`
(PutItem, DeleteItem, transactions, PartiQL, imports) or edited in place by `DynamoDBBackend.update_item`;
each names the item it touched, and the view re-reads it before its next query (a rolled-back transaction
names what it put back too). All of it runs under klaxon.local.emulation's DynamoDB lock.

Only the common shape takes this path: one partition key compared for equality, at most one sort key,
string or number keys, a partition whose items all have the same key types. Anything else (a QueryFilter,
multi-attribute keys, binary keys, a malformed start key, what moto rejects) is answered by moto's code.
"""

from __future__ import annotations

import bisect
import copy
import functools
import inspect
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import RESULT_SIZE_LIMIT, Table

Key = tuple[tuple[str, Any], ...]  # the sort attributes' (type, value), compared as moto compares them
PrimaryKey = tuple[DynamoType, DynamoType | None]
_SORTABLE = ("S", "N")


class _Switch:
    enabled = True  # tests turn it off to compare with moto's own answer


@contextmanager
def moto_only() -> Iterator[None]:
    """Answer queries with moto's original code for a while (tests compare both answers)."""
    _Switch.enabled = False
    try:
        yield
    finally:
        _Switch.enabled = True


@dataclass(frozen=True)
class _Spec:
    """Which items an index holds, in which partition, in which order (moto's, for one key condition)."""

    partition_attr: str
    required: tuple[str, ...]  # an index with a sort key holds only the items that have it
    sort_attrs: tuple[str, ...]  # moto's `_generate_attr_to_sort_by`: index keys, then the table's


def _encode(value: DynamoType | None) -> tuple[str, Any] | None:
    """A key value as moto orders it: strings and numbers of one type compare by their Python value."""
    if value is None or value.type not in _SORTABLE:
        return None
    return value.type, value.cast_value


class _Partition:
    __slots__ = ("items", "keys", "odd", "sizes", "types")

    def __init__(self) -> None:
        self.keys: list[Key] = []  # sorted
        self.items: dict[Key, Item] = {}
        self.sizes: dict[Key, int] = {}  # moto's `Item.size()`, kept until the item is written again
        self.odd: dict[PrimaryKey, Item] = {}  # items with a key of another type: moto's code answers
        self.types: Counter[tuple[str, ...]] = Counter()

    def uniform(self) -> tuple[str, ...] | None:
        """The key types every item here has, or None if they differ (then moto's sort is not ours)."""
        if self.odd or len(self.types) > 1:
            return None
        return next(iter(self.types), ())

    def read(self, key: Key) -> tuple[Item, int]:
        """An item and its size: the 1 MB page counts every item read, and sizing one walks all of it."""
        size = self.sizes.get(key)
        if size is None:
            size = self.sizes[key] = self.items[key].size()
        return self.items[key], size


class _View:
    """One index's partitions, each sorted; brought up to date with the items written since last read."""

    def __init__(self, table: Table, spec: _Spec) -> None:
        self.spec = spec
        self.partitions: dict[tuple[str, Any], _Partition] = {}
        self.placed: dict[PrimaryKey, tuple[tuple[str, Any], Key | None]] = {}
        self.dirty: set[PrimaryKey] = set()
        for pk, item in _all(table):
            self._add(pk, item)

    def sync(self, table: Table) -> None:
        for pk in self.dirty:
            self._remove(pk)
            item = _lookup(table, pk)
            if item is not None:
                self._add(pk, item)
        self.dirty.clear()

    def _add(self, pk: PrimaryKey, item: Item) -> None:
        attrs = item.attrs
        partition_value = _encode(attrs.get(self.spec.partition_attr))
        if partition_value is None or any(a not in attrs for a in self.spec.required):
            return  # not in this index, or never equal to a string or number
        partition = self.partitions.get(partition_value)
        if partition is None:
            partition = self.partitions[partition_value] = _Partition()
        encoded = [_encode(attrs.get(a)) for a in self.spec.sort_attrs]
        if any(e is None for e in encoded):
            partition.odd[pk] = item
            self.placed[pk] = (partition_value, None)
            return
        key: Key = tuple(encoded)  # type: ignore[arg-type]
        bisect.insort(partition.keys, key)
        partition.items[key] = item
        partition.types[tuple(t for t, _ in key)] += 1
        self.placed[pk] = (partition_value, key)

    def _remove(self, pk: PrimaryKey) -> None:
        found = self.placed.pop(pk, None)
        if found is None:
            return
        partition_value, key = found
        partition = self.partitions[partition_value]
        if key is None:
            del partition.odd[pk]
        else:
            del partition.keys[bisect.bisect_left(partition.keys, key)]
            del partition.items[key]
            partition.sizes.pop(key, None)
            types = tuple(t for t, _ in key)
            partition.types[types] -= 1
            if not partition.types[types]:
                del partition.types[types]
        if not partition.keys and not partition.odd:
            del self.partitions[partition_value]


def _all(table: Table) -> Iterator[tuple[PrimaryKey, Item]]:
    stored: Any  # moto's table.items: {hash: item}, or {hash: {range: item}} with a sort key
    for hash_key, stored in table.items.items():
        if table.range_key_attr is None:
            yield (hash_key, None), stored
        else:
            for range_key, item in stored.items():
                yield (hash_key, range_key), item


def _lookup(table: Table, pk: PrimaryKey) -> Item | None:
    stored: Any = table.items.get(pk[0])
    if table.range_key_attr is None or stored is None:
        return stored
    return stored.get(pk[1])


_VIEWS: weakref.WeakKeyDictionary[Table, dict[_Spec, _View]] = weakref.WeakKeyDictionary()


def touched(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> None:
    """The item at this key may have changed: the views re-read it before their next query."""
    views = _VIEWS.get(table)
    if views:
        pk = (hash_key, range_key if table.range_key_attr is not None else None)
        for view in views.values():
            view.dirty.add(pk)


def _forget(table: Table) -> None:
    """A write we could not place: the table's views are rebuilt at their next query."""
    _VIEWS.pop(table, None)


@dataclass(frozen=True)
class _Plan:
    spec: _Spec
    value: tuple[str, Any]  # the partition key's value, encoded
    compare_attr: str | None  # the attribute a sort key condition applies to (moto's choice)


def _plan(table: Table, call: dict[str, Any]) -> _Plan | None:
    """How to answer this query from a view, mirroring moto's choices; None: moto's code answers it."""
    limit, forward = call["limit"], call["scan_index_forward"]
    range_conditions = call["range_key_conditions"] or []
    if call["filter_kwargs"] or len(range_conditions) > 1 or forward not in (True, False):
        return None
    if limit is not None and (type(limit) is not int or limit < 1):
        return None
    last_range_name = range_conditions[-1][0] if range_conditions else None
    index_name = call["index_name"]
    if not index_name:
        value = _encode(call["hash_key"])
        hash_attrs, range_attrs = [table.hash_key_attr], [table.range_key_attr]
        spec = _Spec(table.hash_key_attr, (), tuple(table._generate_attr_to_sort_by(hash_attrs, range_attrs)))
        return _Plan(spec, value, last_range_name) if value is not None else None
    index = {i.name: i for i in table.all_indexes()}.get(index_name)
    if index is None or (call["consistent_read"] and index in table.global_indexes):
        return None  # moto raises
    hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
    conditions = call["hash_key_conditions"] or []
    if len(hashes) != 1 or len(ranges) > 1 or len(conditions) != 1 or conditions[0][0] != hashes[0]:
        return None
    if ranges:
        index_range = ranges[0]
    elif call["range_comparison"]:
        return None  # moto raises
    else:
        from moto.dynamodb.models.table import GlobalSecondaryIndex

        keep_table_range = isinstance(index, GlobalSecondaryIndex) and table.range_key_attr
        index_range = table.range_key_attr if keep_table_range else table.hash_key_attr  # type: ignore[assignment]
    sort_attrs = table._generate_attr_to_sort_by(
        [*hashes, table.hash_key_attr], [index_range, table.range_key_attr]
    )
    value = _encode(conditions[0][1])
    spec = _Spec(hashes[0], tuple(ranges), tuple(sort_attrs))
    return _Plan(spec, value, last_range_name or index_range) if value is not None else None


def _candidates(
    partition: _Partition | None, start: Key | None, forward: bool
) -> Iterator[tuple[Item, int]] | None:
    """The partition's items in moto's order, after the start key; None: moto's code must answer."""
    if partition is None:
        return iter(())
    types = partition.uniform()
    if types is None or (start is not None and partition.keys and tuple(t for t, _ in start) != types):
        return None
    keys, read = partition.keys, partition.read
    if forward:
        first = bisect.bisect_right(keys, start) if start is not None else 0
        return (read(keys[i]) for i in range(first, len(keys)))
    stop = bisect.bisect_left(keys, start) if start is not None else len(keys)
    return (read(keys[i]) for i in range(stop - 1, -1, -1))


def _start(spec: _Spec, exclusive_start_key: dict[str, Any] | None) -> tuple[bool, Key | None]:
    """The start key as a view key: (usable?, key); unusable when moto would compare it otherwise."""
    if exclusive_start_key is None:
        return True, None
    if any(a not in exclusive_start_key for a in spec.sort_attrs):
        return False, None
    encoded = [_encode(DynamoType(exclusive_start_key[a])) for a in spec.sort_attrs]
    if any(e is None for e in encoded):
        return False, None
    return True, tuple(encoded)  # type: ignore[arg-type]


def _view(table: Table, spec: _Spec) -> _View:
    views = _VIEWS.get(table)
    if views is None:
        views = _VIEWS[table] = {}
    view = views.get(spec)
    if view is None:
        view = views[spec] = _View(table, spec)
    else:
        view.sync(table)
    return view


def _page(
    table: Table, candidates: Iterator[tuple[Item, int]], call: dict[str, Any], compare_attr: str | None
) -> tuple[list[Item], int, dict[str, Any] | None]:
    """moto's loop over the sorted candidates: the sort key condition, Limit and the 1 MB page."""
    limit, index_name = call["limit"], call["index_name"]
    range_comparison, range_objs = call["range_comparison"], call["range_objs"]
    results: list[Item] = []
    result_size = 0
    scanned_count = 0
    last_evaluated_key = None
    for result, size in candidates:
        reached_length_limit = len(results) == limit
        reached_size_limit = (result_size + size) > RESULT_SIZE_LIMIT
        if reached_length_limit or reached_size_limit:
            last_evaluated_key = table._get_last_evaluated_key(results[-1], index_name)
            break
        if not range_comparison:
            matched = True
        elif compare_attr and result.attrs.get(compare_attr):
            matched = result.attrs[compare_attr].compare(range_comparison, range_objs)
        elif not index_name:
            matched = result.range_key.compare(range_comparison, range_objs)  # type: ignore[union-attr]
        else:
            matched = False
        if matched:
            results.append(result)
            result_size += size
            scanned_count += 1
    return results, scanned_count, last_evaluated_key


def _returned(table: Table, results: list[Item], call: dict[str, Any]) -> list[Item]:
    """The index's projection, the filter, copies of what is kept, the ProjectionExpression (moto's order)."""
    index = table.get_index(call["index_name"]) if call["index_name"] else None
    kept_filter = call["filter_expression"]
    kept: list[Item] = []
    for result in results:
        projected = index.project(result) if index is not None else result
        if kept_filter is None or kept_filter.expr(projected):
            kept.append(copy.deepcopy(projected))
    if call["projection_expressions"]:
        kept = [r.project(call["projection_expressions"]) for r in kept]
    return kept


def _fast_query(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def query(self: Table, *args: Any, **kwargs: Any) -> tuple[list[Item], int, dict[str, Any] | None]:
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        call = bound.arguments  # moto's parameter names; a QueryFilter in `filter_kwargs`
        plan = _plan(self, call) if _Switch.enabled else None
        usable, start = _start(plan.spec, call["exclusive_start_key"]) if plan is not None else (False, None)
        if plan is not None and usable:
            partition = _view(self, plan.spec).partitions.get(plan.value)
            candidates = _candidates(partition, start, call["scan_index_forward"])
            if candidates is not None:
                results, scanned, last_key = _page(self, candidates, call, plan.compare_attr)
                return _returned(self, results, call), scanned, last_key
        return original(self, *args, **kwargs)

    return query


def _key_of(table: Table, attrs: dict[str, Any]) -> PrimaryKey:
    range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr is not None else None
    return DynamoType(attrs[table.hash_key_attr]), range_key


def _noting_put(original: Callable[..., Item]) -> Callable[..., Item]:
    @functools.wraps(original)
    def put_item(self: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Item:
        try:
            return original(self, item_attrs, *args, **kwargs)
        finally:
            if self in _VIEWS:
                try:
                    touched(self, *_key_of(self, item_attrs))
                except Exception:  # no usable key: nothing was written, but be sure
                    _forget(self)

    return put_item


def _noting_delete(original: Callable[..., Item | None]) -> Callable[..., Item | None]:
    @functools.wraps(original)
    def delete_item(self: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
        try:
            return original(self, hash_key, range_key)
        finally:
            touched(self, hash_key, range_key)

    return delete_item


def _noting_update(original: Callable[..., Item]) -> Callable[..., Item]:
    """moto's UpdateItem edits the stored item in place: the table's views re-read it afterwards."""

    @functools.wraps(original)
    def update_item(
        self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Item:
        try:
            return original(self, table_name, key, *args, **kwargs)
        finally:
            table = self.tables.get(table_name) or next(
                (t for t in self.tables.values() if t.table_arn == table_name), None
            )
            if table is not None and table in _VIEWS:
                try:
                    touched(table, *_key_of(table, key))
                except Exception:  # a key moto read some other way: rebuild rather than guess
                    _forget(table)

    return update_item


def install() -> dict[str, Callable[..., Any]]:
    """Patch moto's Query and the writes the views follow; returns what was replaced, by name."""
    originals: dict[str, Callable[..., Any]] = {
        "Table.query": Table.query,
        "Table.put_item": Table.put_item,
        "Table.delete_item": Table.delete_item,
        "DynamoDBBackend.update_item": DynamoDBBackend.update_item,
    }
    Table.query = _fast_query(Table.query)  # type: ignore[method-assign]
    Table.put_item = _noting_put(Table.put_item)  # type: ignore[method-assign]
    Table.delete_item = _noting_delete(Table.delete_item)  # type: ignore[method-assign]
    DynamoDBBackend.update_item = _noting_update(DynamoDBBackend.update_item)  # type: ignore[method-assign]
    return originals
