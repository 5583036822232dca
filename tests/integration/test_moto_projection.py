"""klaxon.local.moto_projection: a projected read answers exactly as moto's own `Item.project`, converting
only the attributes its paths can reach."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from moto.dynamodb.models.dynamo_type import DynamoType, Item, merge_dicts
from moto.dynamodb.models.utilities import find_nested_key

from klaxon.local import moto_projection, moto_speed
from tests.integration.moto_originals import keyed_table, motos_own
from tests.integration.source_digest import source_digest
from tests.integration.test_moto_sizes import scalars  # every kind of attribute value

moto_speed.install()  # once per process, as the emulation does: Item.project is ours from here on

# sha256 (first 16 digits) of the source of each moto function moto_projection replaces or relies on
# (moto as pinned): a change means reading the new code and updating moto_projection first.
MIRRORED = {
    "Item.project": ("f411e6d8b56886f4", lambda: moto_speed.ORIGINALS["Item.project"]),
    # each attribute is converted on its own
    "Item.to_regular_json": ("866aafe440d99a25", lambda: Item.to_regular_json),
    "find_nested_key": ("66e7b1b00236a811", lambda: find_nested_key),  # which top-level names a path reads
    "merge_dicts": ("e37c91dbbe97c54f", lambda: merge_dicts),  # botocore's: merges into its first argument
}

names = st.sampled_from(["a", "b", "status", "a[1]", "alerts", "x.y"])
values = st.recursive(  # maps keyed by the names paths use, so that paths reach into them
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(names, inner, max_size=3).map(lambda v: {"M": v}),
    ),
    max_leaves=12,
)
items = st.dictionaries(names, values, max_size=5)
# A path's elements: a name, or a name with list indexes ("a[1]", "a[0][2]"), as moto's parser splits them.
elements = st.builds(
    lambda name, indexes: name + "".join(f"[{i}]" for i in indexes),
    names,
    st.lists(st.integers(0, 3), max_size=2),
)
paths = st.lists(st.lists(elements, min_size=1, max_size=3), min_size=1, max_size=4)
# Paths that are prefixes of one another (`a`, `a.b[0]`, `a.b[1]`, `a` again), which moto's parser lets
# through: what one path finds must not be changed by merging the next.
overlapping = st.lists(elements, min_size=1, max_size=3).flatmap(
    lambda full: st.lists(
        st.integers(1, len(full)).flatmap(
            lambda n: st.builds(lambda last: [*full[: n - 1], last], st.just(full[n - 1]) | elements)
        ),
        min_size=2,
        max_size=4,
    )
)
LIST_IN_A_MAP = {"a": {"M": {"b": {"L": [{"S": "zero"}, {"S": "one"}]}}}}


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_the_code_moto_projection_replaces_is_unchanged(name: str, moto_alone: Any) -> None:
    expected, found = MIRRORED[name]
    assert source_digest(found()) == expected, f"moto changed {name}: read it, then update moto_projection"


def _unordered_sets(value: Any) -> Any:
    """A set's members in a fixed order: DynamoDB's sets have none, and a copied Python set may iterate
    its members in another order than the set it was copied from."""
    if isinstance(value, dict):
        return {k: sorted(v) if k in ("SS", "NS", "BS") else _unordered_sets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unordered_sets(v) for v in value]
    return value


def _answer(item: Item, exprs: list[list[str]]) -> Any:
    try:
        projected = item.project(exprs)
    except Exception as exc:
        return "error", type(exc).__name__, str(exc)
    return "answer", projected.hash_key, projected.range_key, _unordered_sets(projected.to_json())


def _motos_answer(item: Item, exprs: list[list[str]]) -> Any:
    with motos_own((Item, "project", moto_speed.ORIGINALS["Item.project"])):
        return _answer(item, exprs)


@settings(max_examples=400)
@given(items, st.one_of(paths, overlapping))
@example(LIST_IN_A_MAP, [["a"], ["a", "b[0]"], ["a", "b[1]"]])  # a reviewer's: moto answers ["one"]
@example(LIST_IN_A_MAP, [["a"], ["a", "b[0]"], ["a"]])  # and here both elements
def test_a_projection_answers_as_motos_own(attrs: dict[str, Any], exprs: list[list[str]]) -> None:
    """The same answer as moto's, except where moto's raises converting an attribute no path reaches (it
    cannot convert a binary set, so it refused every projection of an item holding one, where DynamoDB
    answers): there ours is moto's answer for the item without the attributes no path reaches."""
    assert Item.project is moto_projection.project  # installed: ours, against moto's
    item = Item(DynamoType({"S": "pk"}), DynamoType({"S": "sk"}), attrs)
    ours, motos = _answer(item, exprs), _motos_answer(item, exprs)
    if motos[0] == "answer":
        assert ours == motos
    else:
        reached = {name for expr in exprs for name in moto_projection._reached(item.attrs, expr[0])}
        only = Item(DynamoType({"S": "pk"}), DynamoType({"S": "sk"}), {k: attrs[k] for k in reached})
        assert ours == _motos_answer(only, exprs)


def test_an_item_holding_a_binary_set_answers_a_projection_of_its_other_attributes() -> None:
    item = Item(DynamoType({"S": "pk"}), None, {"status": {"S": "triggered"}, "blobs": {"BS": ["YQ=="]}})
    assert _motos_answer(item, [["status"]])[:2] == ("error", "TypeError")
    assert item.project([["status"]]).to_json() == {"Attributes": {"status": {"S": "triggered"}}}


def test_a_projected_read_through_dynamodb_answers_as_motos_own(moto_alone: Any) -> None:
    ddb = moto_alone
    keyed_table(ddb, "projected")
    alerts = {f"fp{n}": {"M": {"status": {"S": "firing"}, "n": {"N": str(n)}}} for n in range(50)}
    item = {
        "pk": {"S": "i1"},
        "status": {"S": "triggered"},
        "alerts": {"M": alerts},
        "parts": {"L": [{"S": "zero"}, {"M": {"deep": {"S": "one"}}}]},
        "nest": {"M": {"b": {"L": [{"S": "zero"}, {"S": "one"}]}}},
    }
    ddb.put_item(TableName="projected", Item=item)
    asks = [
        ("#s", {"#s": "status"}),
        ("#a.fp7.#s, #s", {"#a": "alerts", "#s": "status"}),
        ("parts[1].deep, parts[0], nothere, #s", {"#s": "status"}),
        ("#a.fp99", {"#a": "alerts"}),
        ("#n, #n.b[0], #n.b[1]", {"#n": "nest"}),  # overlapping: DynamoDB refuses them, moto answers
    ]

    def read_all() -> list[Any]:
        return [
            ddb.get_item(
                TableName="projected",
                Key={"pk": {"S": "i1"}},
                ProjectionExpression=text,
                ExpressionAttributeNames=names_,
                ConsistentRead=True,
            ).get("Item")
            for text, names_ in asks
        ]

    ours = read_all()
    with motos_own((Item, "project", moto_speed.ORIGINALS["Item.project"])):
        motos = read_all()
    assert ours == motos
    assert ours[0] == {"status": {"S": "triggered"}}
    fp7 = {"M": {"status": {"S": "firing"}}}
    assert ours[1] == {"status": {"S": "triggered"}, "alerts": {"M": {"fp7": fp7}}}
    assert ours[3] == {}  # no such alert: nothing projected
    assert ours[4] == {"nest": {"M": {"b": {"L": [{"S": "one"}]}}}}  # the last path's element, as moto
    assert ours[2]["status"] == {"S": "triggered"} and "parts" in ours[2]
