"""klaxon.local.moto_expressions: update expressions parsed once per text, validators' walks without waste,
and moto's answers exactly as before, errors included. Each case runs with the patches and with moto's own
code, on two tables, and the items and errors are compared."""

from __future__ import annotations

import contextlib
import copy
import itertools
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node  # type: ignore[attr-defined]
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]
from moto.dynamodb.parsing.validators import (
    ActionCountValidator,
    OverlappingPathsValidator,
    UpdateExpressionValidator,
    UpdateHashRangeKeyValidator,
    Validator,
)

from klaxon.local import emulation, moto_expressions, moto_speed
from tests.integration.moto_originals import ADDED, motos_own
from tests.integration.source_digest import source_digest

# sha256 (first 16 digits) of the source of each moto function moto_expressions replaces or relies on
# (moto as pinned): a change means reading the new code and updating moto_expressions first.
MIRRORED = {
    "UpdateExpressionParser.make": (
        "2c00ed96d6e191f2",
        lambda: moto_speed.ORIGINALS["UpdateExpressionParser.make"],
    ),
    "DepthFirstTraverser.traverse": (
        "c78f8583f1961be7",
        lambda: moto_speed.ORIGINALS["DepthFirstTraverser.traverse"],
    ),
    "DepthFirstTraverser.traverse_node_recursively": (
        "d7f01d9b45cf9f64",
        lambda: DepthFirstTraverser.traverse_node_recursively,
    ),
    "DepthFirstTraverser.process": ("58328ec7c2f9b1f9", lambda: DepthFirstTraverser.process),
    "DepthFirstTraverser.nodes_to_be_processed": (
        "1c2c84c8097e3517",
        lambda: DepthFirstTraverser.nodes_to_be_processed,
    ),
    "Node.__init__": (
        "73e3e0773294a2bf",
        lambda: Node.__init__,
    ),  # a node's attributes: type, children, parent
    "ConditionExpressionParser._lex_condition_expression": (
        "a815288359216b2e",
        lambda: moto_speed.ORIGINALS["ConditionExpressionParser._lex_condition_expression"],
    ),
    "ConditionExpressionParser._lex_one_node": (
        "58485dd15b2f6df5",
        lambda: ConditionExpressionParser._lex_one_node,
    ),
    "ConditionExpressionParser.parse": (
        "5c9b63c5f49ed5d5",
        lambda: moto_speed.ORIGINALS["ConditionExpressionParser.parse"],
    ),  # reads the nodes; kept per text, names and values
    "Validator.__init__": (
        "9489b532dd0fb359",
        lambda: Validator.__init__,
    ),  # deep-copies the tree it is given
    "Validator.validate": (
        "5a99f0d36c7b7b8e",
        lambda: moto_speed.ORIGINALS["UpdateExpressionValidator.validate"],
    ),
    # the processors, in order; and what the three CHECKS_ONLY read (the tree, the names, the table's keys)
    "UpdateExpressionValidator.get_ast_processors": (
        "918400bbecd67e83",
        lambda: UpdateExpressionValidator.get_ast_processors,
    ),
    "ActionCountValidator.verify_action_counts": (
        "8cd8c9a3ae3a414a",
        lambda: ActionCountValidator.verify_action_counts,
    ),
    "OverlappingPathsValidator.check_for_overlapping_paths": (
        "2488117d3c3a1f22",
        lambda: OverlappingPathsValidator.check_for_overlapping_paths,
    ),
    "UpdateHashRangeKeyValidator.check_for_hash_or_range_key": (
        "a453e5e1e3fe9d37",
        lambda: UpdateHashRangeKeyValidator.check_for_hash_or_range_key,
    ),
}

SEED = {
    "pk": {"S": "item"},
    "count": {"N": "3"},
    "name": {"S": "checkout"},
    "tags": {"SS": ["a", "b"]},
    "ids": {"L": [{"S": "x"}, {"S": "y"}, {"S": "z"}]},
    "alerts": {"M": {"f1": {"M": {"status": {"S": "firing"}, "n": {"N": "1"}}}}},
}

# (update expression, names, values): what Klaxon's adapters write, and moto's harder corners.
CASES: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    (
        "ADD #0 :0 SET #1 = :1, #2 = :2",
        {"#0": "count", "#1": "name", "#2": "fresh"},
        {":0": {"N": "1"}, ":1": {"S": "n"}, ":2": {"N": "7"}},
    ),
    (
        "SET #a.#f = :v, #n = #n + :one",
        {"#a": "alerts", "#f": "f2", "#n": "count"},
        {":v": {"M": {"s": {"S": "ok"}}}, ":one": {"N": "1"}},
    ),
    (
        "SET #l = list_append(#l, :more) REMOVE #t",
        {"#l": "ids", "#t": "tags"},
        {":more": {"L": [{"S": "w"}]}},
    ),
    ("REMOVE ids[2], ids[0]", {}, {}),
    ("SET #x = if_not_exists(#x, :zero) + :one", {"#x": "absent"}, {":zero": {"N": "0"}, ":one": {"N": "1"}}),
    ("ADD tags :more DELETE tags :gone", {}, {":more": {"SS": ["c"]}, ":gone": {"SS": ["a"]}}),
    ("DELETE tags :gone", {}, {":gone": {"SS": ["a"]}}),
    ("SET alerts.f1.n = alerts.f1.n - :one", {}, {":one": {"N": "1"}}),
    # moto's errors, which must read the same
    ("SET #n = :a, #n = :b", {"#n": "name"}, {":a": {"S": "1"}, ":b": {"S": "2"}}),
    ("SET pk = :v", {}, {":v": {"S": "other"}}),
    ("SET #n = #n + :one", {"#n": "name"}, {":one": {"N": "1"}}),
    ("SET #m.#k = :v", {"#m": "missing", "#k": "k"}, {":v": {"S": "v"}}),
    ("SET a = :v SET b = :v", {}, {":v": {"S": "v"}}),
    ("SET #n = :undefined", {"#n": "name"}, {}),
    ("ADD #c :s", {"#c": "count"}, {":s": {"S": "text"}}),
    ("SET #n = :e", {"#n": "name"}, {":e": {"S": ""}}),
]
_tables = itertools.count()


@pytest.fixture
def aws(moto_alone: Any) -> Any:
    return moto_alone


def _motos_own() -> Any:
    """moto's own parser, walk, node copy, validation and condition lexer, for the length of the block."""
    return motos_own(
        (UpdateExpressionValidator, "__init__", moto_speed.ORIGINALS["UpdateExpressionValidator.__init__"]),
        (UpdateExpressionValidator, "validate", moto_speed.ORIGINALS["UpdateExpressionValidator.validate"]),
        (ConditionExpressionParser, "parse", moto_speed.ORIGINALS["ConditionExpressionParser.parse"]),
        (UpdateExpressionParser, "make", moto_speed.ORIGINALS["UpdateExpressionParser.make"]),
        (DepthFirstTraverser, "traverse", moto_speed.ORIGINALS["DepthFirstTraverser.traverse"]),
        (Node, "__deepcopy__", ADDED),
        (
            ConditionExpressionParser,
            "_lex_condition_expression",
            moto_speed.ORIGINALS["ConditionExpressionParser._lex_condition_expression"],
        ),
    )


def _table(ddb: Any, key: str = "pk") -> str:
    name = f"expr-{next(_tables)}"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName=name, Item={**SEED, key: {"S": "item"}})
    return name


def _update(
    ddb: Any, table: str, expression: str, names: dict[str, str], values: dict[str, Any], key: str = "pk"
) -> Any:
    arguments: dict[str, Any] = {
        "TableName": table,
        "Key": {key: {"S": "item"}},
        "UpdateExpression": expression,
    }
    if names:
        arguments["ExpressionAttributeNames"] = names
    if values:
        arguments["ExpressionAttributeValues"] = values
    try:
        ddb.update_item(**arguments, ReturnValues="ALL_NEW")
    except ClientError as exc:
        return ("error", exc.response["Error"]["Code"], exc.response["Error"]["Message"])
    return ddb.get_item(TableName=table, Key={key: {"S": "item"}}, ConsistentRead=True)["Item"]


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_the_code_moto_expressions_replaces_is_unchanged(name: str, aws: Any) -> None:
    expected, found = MIRRORED[name]
    assert source_digest(found()) == expected, (
        f"moto changed {name}: read it, update klaxon.local.moto_expressions, then this hash"
    )


@pytest.mark.parametrize(("expression", "names", "values"), CASES, ids=[c[0] for c in CASES])
def test_an_update_reads_and_fails_as_with_motos_own_code(
    aws: Any, expression: str, names: Any, values: Any
) -> None:
    _same_both_ways(aws, lambda table: _update(aws, table, expression, names, values))


def _same_both_ways(ddb: Any, write: Any) -> None:
    """`write` on a table with moto's own code and on one with ours, twice (the second from what was
    kept): the items or errors are the same each time."""
    ours, theirs = _table(ddb), _table(ddb)
    for _ in range(2):
        with _motos_own():
            expected = write(theirs)
        assert write(ours) == expected


def test_names_that_are_not_strings_fail_as_with_motos_own_code(aws: Any) -> None:
    """A client that skips botocore's validation can send any JSON as a name: the same error either way."""
    loose = boto3.client("dynamodb", region_name=emulation.REGION, config=Config(parameter_validation=False))
    for names in ({"#a": ["x"]}, {"#a": {"k": "v"}}):
        outcomes = []
        for own in (False, True):
            table = _table(aws)
            try:
                with _motos_own() if own else contextlib.nullcontext():
                    _update(loose, table, "SET #a = :v", names, {":v": {"S": "v"}})
            except Exception as exc:  # moto's own raises inside its handler
                outcomes.append((type(exc).__name__, str(exc)))
            else:
                outcomes.append(("no error", ""))
        assert outcomes[0] == outcomes[1] and outcomes[0][0] != "no error"


def test_checks_passed_once_still_refuse_other_names_and_other_keys(aws: Any) -> None:
    """The checks are skipped only for the tree, names and table keys they passed with: the same text with
    names that overlap or name the key, or on a table keyed by what it sets, is refused as moto refuses."""
    text, value = "SET #a = :v, #b = :v", {":v": {"S": "v"}}
    writes = [
        ("pk", {"#a": "x", "#b": "y"}),
        ("pk", {"#a": "x", "#b": "x"}),  # overlapping paths
        ("pk", {"#a": "x", "#b": "pk"}),  # the table's key
        ("y", {"#a": "x", "#b": "y"}),  # the names that passed on "pk", on a table keyed by "y"
        ("pk", {"#a": "x", "#b": "y"}),
    ]
    outcomes = []
    for key, names in writes:
        ours, theirs = _table(aws, key), _table(aws, key)
        with _motos_own():
            expected = _update(aws, theirs, text, names, value, key)
        outcomes.append(_update(aws, ours, text, names, value, key))
        assert outcomes[-1] == expected
    assert [isinstance(o, tuple) and o[0] == "error" for o in outcomes] == [False, True, True, True, False]


# (condition expression, names, values): the shapes Klaxon's adapters write, then moto's errors.
CONDITIONS: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    (
        "#s IN (:a, :b) AND (attribute_not_exists(#l) OR #l <> :id)",
        {"#s": "name", "#l": "last"},
        {":a": {"S": "checkout"}, ":b": {"S": "x"}, ":id": {"S": "a1"}},
    ),
    ("NOT contains(tags, :t) AND NOT contains(#i, :t)", {"#i": "ids"}, {":t": {"S": "a"}}),
    ("#c = :n", {"#c": "count"}, {":n": {"N": "3"}}),
    ("#c = :n", {"#c": "name"}, {":n": {"N": "3"}}),  # the same text and values, other names: not kept's
    ("#c = :n", {"#c": "count"}, {":n": {"N": "4"}}),
    (
        "attribute_exists(pk) AND size(#n) BETWEEN :lo AND :hi",
        {"#n": "name"},
        {":lo": {"N": "1"}, ":hi": {"N": "9"}},
    ),
    ("alerts.f1.n >= :one", {}, {":one": {"N": "1"}}),
    ("#c = :n AND", {"#c": "count"}, {":n": {"N": "3"}}),
    ("#c == :n", {"#c": "count"}, {":n": {"N": "3"}}),
    ("#missing = :n", {}, {":n": {"N": "3"}}),
    ("#c = :missing", {"#c": "count"}, {}),
    ("#c = :n ; DROP", {"#c": "count"}, {":n": {"N": "3"}}),
]


def _conditional(ddb: Any, table: str, condition: str, names: dict[str, str], values: dict[str, Any]) -> Any:
    arguments: dict[str, Any] = {
        "TableName": table,
        "Key": {"pk": {"S": "item"}},
        "ConditionExpression": condition,
    }
    arguments["UpdateExpression"] = "SET #touched = :touched"
    arguments["ExpressionAttributeNames"] = {**names, "#touched": "touched"}
    arguments["ExpressionAttributeValues"] = {**values, ":touched": {"N": "1"}}
    try:
        ddb.update_item(**arguments)
    except ClientError as exc:
        return ("error", exc.response["Error"]["Code"], exc.response["Error"]["Message"])
    except Exception as exc:  # what moto itself lets escape (a name or value not given: KeyError)
        return ("raised", type(exc).__name__, str(exc))
    return ddb.get_item(TableName=table, Key={"pk": {"S": "item"}}, ConsistentRead=True)["Item"]


@pytest.mark.parametrize(("condition", "names", "values"), CONDITIONS, ids=[c[0] for c in CONDITIONS])
def test_a_condition_holds_fails_and_is_refused_as_with_motos_own_code(
    aws: Any, condition: str, names: Any, values: Any
) -> None:
    _same_both_ways(aws, lambda table: _conditional(aws, table, condition, names, values))


def test_an_expression_is_parsed_once_and_its_kept_tree_never_changes(aws: Any) -> None:
    expression = "SET #a.#f = :v, #n = #n + :one REMOVE ids[1]"
    names = {"#a": "alerts", "#f": "f9", "#n": "count"}
    values = {":v": {"M": {"s": {"S": "ok"}}}, ":one": {"N": "1"}}
    table = _table(aws)
    parse = vars(UpdateExpressionParser)["make"].__func__
    before = parse.cache_info()
    _update(aws, table, expression, names, values)
    kept = UpdateExpressionParser.make(expression)
    shape = _shape(kept)
    for _ in range(3):
        _update(aws, table, expression, names, values)
    after = parse.cache_info()
    assert (
        after.misses - before.misses == 1
    )  # parsed once; every other use (two per update) from the kept tree
    assert after.hits - before.hits >= 7
    assert _shape(kept) == shape == _shape(moto_speed.ORIGINALS["UpdateExpressionParser.make"](expression))


@pytest.mark.parametrize(
    "expression",
    ["SET a.b[2] = if_not_exists(c, :z) + :o ADD d :e REMOVE f"]
    + [c[0] for c in CASES if "SET a = :v SET" not in c[0]],
)
def test_a_node_copy_is_the_default_deep_copy(aws: Any, expression: str) -> None:
    tree = UpdateExpressionParser.make(expression)
    ours = copy.deepcopy(tree)
    with _motos_own():
        theirs = copy.deepcopy(tree)
    assert _shape(ours) == _shape(theirs) == _shape(tree)
    assert ours is not tree and _nodes(ours).isdisjoint(_nodes(tree))  # nothing shared with the original


def test_the_parse_cache_is_bounded() -> None:
    assert vars(UpdateExpressionParser)["make"].__func__.cache_info().maxsize == moto_expressions.PARSED_KEPT


def _shape(node: Any, parent: Any = None) -> Any:
    """A node's class, its children's shapes and values, and whether its parent link points at its parent."""
    if not isinstance(node, Node):
        return repr(node)
    return (
        type(node).__name__,
        {k: repr(v) for k, v in vars(node).items() if k not in ("children", "parent")},
        node.parent is parent,
        None if node.children is None else [_shape(c, node) for c in node.children],
    )


def _nodes(node: Any) -> set[int]:
    if not isinstance(node, Node):
        return set()
    return {id(node)}.union(*(_nodes(c) for c in node.children or []))


def test_a_condition_is_parsed_once_per_text_names_and_values_and_lexed_once_per_text(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    condition, names, values = CONDITIONS[0]
    table = _table(aws)
    parsed: list[str] = []
    parse = moto_expressions._PARSE_CONDITION
    monkeypatch.setattr(
        moto_expressions,
        "_PARSE_CONDITION",
        lambda parser: parsed.append(parser.condition_expression) or parse(parser),
    )
    moto_expressions._CONDITIONS.clear()
    before = moto_expressions._tokens.cache_info()
    for _ in range(3):
        _conditional(aws, table, condition, names, values)
    assert parsed == [condition]  # once, not twice per write (the request handler's, the backend's)
    _conditional(aws, table, condition, names, {**values, ":id": {"S": "a2"}})
    assert parsed == [condition, condition]  # other values: parsed again, from the tokens kept for the text
    after = moto_expressions._tokens.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) in ((1, 1), (0, 2))
    assert moto_expressions._tokens.cache_info().maxsize == moto_expressions.PARSED_KEPT


def test_a_kept_condition_is_not_changed_by_what_the_write_does_to_its_values(aws: Any) -> None:
    """moto puts the request's own list into the item for `SET s = :set`, and ADD then grows that list in
    place: a condition kept with those values still compares with what the request sent."""
    moto_expressions._CONDITIONS.clear()
    writes = [
        ("SET s = :set", "attribute_not_exists(s) OR s <> :set", {":set": {"SS": ["a"]}}),
        ("ADD s :more", "", {":more": {"SS": ["b"]}}),
        ("SET s = :set", "attribute_not_exists(s) OR s <> :set", {":set": {"SS": ["a"]}}),
    ]

    def run(table: str) -> list[Any]:
        outcomes = []
        for expression, condition, values in writes:
            arguments: dict[str, Any] = {
                "TableName": table,
                "Key": {"pk": {"S": "item"}},
                "UpdateExpression": expression,
                "ExpressionAttributeValues": values,
            }
            if condition:
                arguments["ConditionExpression"] = condition
            try:
                aws.update_item(**arguments)
                outcomes.append(aws.get_item(TableName=table, Key={"pk": {"S": "item"}})["Item"].get("s"))
            except ClientError as exc:
                outcomes.append(exc.response["Error"]["Code"])
        return outcomes

    ours, theirs = _table(aws), _table(aws)
    with _motos_own():
        expected = run(theirs)
    assert run(ours) == expected
    assert expected[-1] == {"SS": ["a"]}  # {a, b} differs from {a}: the condition holds, s is set again


def test_a_kept_conditions_key_tells_bytes_from_their_text() -> None:
    text = moto_expressions.json.dumps({":b": {"B": "b'a'"}}, sort_keys=True, default=moto_expressions._typed)
    raw = moto_expressions.json.dumps({":b": {"B": b"a"}}, sort_keys=True, default=moto_expressions._typed)
    assert text != raw
