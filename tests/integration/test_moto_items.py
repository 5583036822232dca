"""klaxon.local.moto_items: an item copies and turns into plain values exactly as moto's own code does it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from klaxon.local import moto_speed
from tests.integration.moto_originals import motos_own
from tests.integration.source_digest import source_digest
from tests.integration.test_moto_sizes import text, values  # every kind of attribute value, nested

moto_speed.install()  # once per process, as the emulation does: the copies are ours from here on

REPLACED = {  # sha256 (first 16 digits) of moto's code, as pinned: a change means updating moto_items first
    "DynamoType.__deepcopy__": (DynamoType, "9b2947b28c815792"),
    "Item.__deepcopy__": (Item, "7621d16ad7ce49d9"),
    "DynamoType.to_regular_json": (DynamoType, "a9fe48d6f3f9aa7e"),
}
items = st.dictionaries(text, values, max_size=5)


def _motos_own() -> Any:
    swaps = [(owner, name.split(".")[1], moto_speed.ORIGINALS[name]) for name, (owner, _) in REPLACED.items()]
    return motos_own(*swaps)


@pytest.mark.parametrize("name", sorted(REPLACED))
def test_the_code_moto_items_replaces_is_unchanged(name: str) -> None:
    _, expected = REPLACED[name]
    found = source_digest(moto_speed.ORIGINALS[name])
    assert found == expected, f"moto changed {name}: read it, then update moto_items"


def _item(attrs: dict[str, Any]) -> Item:
    return Item(DynamoType({"S": "key"}), DynamoType({"N": "7"}), {"pk": {"S": "key"}, **attrs})


def _containers(value: Any) -> list[Any]:
    """Every list and dict inside an item (its attributes' values too), to check a copy shares none."""
    found: list[Any] = []
    stack = [value.attrs] if isinstance(value, Item) else [value]
    while stack:
        current = stack.pop()
        if isinstance(current, DynamoType):
            stack.append(current.value)
        elif isinstance(current, list | dict):
            found.append(current)
            stack.extend(current.values() if isinstance(current, dict) else current)
    return found


@given(items)
def test_a_copy_of_an_item_is_motos_copy(attrs: dict[str, Any]) -> None:
    item = _item(attrs)
    ours = copy.deepcopy(item)
    with _motos_own():
        motos = copy.deepcopy(item)
    assert ours.to_json() == motos.to_json()
    assert (ours.hash_key, ours.range_key) == (motos.hash_key, motos.range_key)
    assert type(ours.attrs) is type(motos.attrs)
    shared = {id(c) for c in _containers(item)} & {id(c) for c in _containers(ours)}
    assert not shared, "a copy shares a list or a map with its item"


@given(values)
def test_a_value_turns_plain_as_motos_own_turns_it(value: dict[str, Any]) -> None:
    attribute = DynamoType(value)
    ours = attribute.to_regular_json()
    with _motos_own():
        motos = attribute.to_regular_json()
    assert ours == motos
    assert attribute == DynamoType(value) and attribute.to_regular_json() == ours  # left as it was


def test_a_value_shared_within_a_copy_is_copied_once_as_deepcopy_does() -> None:
    shared = DynamoType({"M": {"a": {"S": "x"}}})
    outer = DynamoType({"L": [{"S": "y"}]})
    outer.value = [shared, shared]  # one object twice: the memo makes it one copy, as deepcopy's does
    ours = copy.deepcopy(outer)
    assert ours.value[0] is ours.value[1] and ours.value[0] is not shared
