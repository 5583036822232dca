"""moto's DynamoDB update expressions, parsed once per text and walked without waste (issue 14 §4, §6).

An `UpdateItem` cost ~3 ms in the emulated DynamoDB against ~1 ms for a `GetItem`, and the router's join,
the rate counter and every escalation tick make one. Three parts of that were moto redoing work:
- The update expression was tokenised and parsed twice per call (once by the request handler to check the
  names and values it uses, once by the backend), every call, though the text repeats: an adapter writes
  the same few expressions over and over. The parsed tree is kept per text (`PARSED_KEPT`): moto only reads
  it (`find_clauses`), and every validator deep-copies it before rewriting it.
- The ten validators' depth-first walks rebuilt their processing map (a dict of bound methods) twice at
  every node, and asked `isinstance` of moto's ABC node classes at every node. A walk now builds the map
  once; which of its processors a node class gets is kept per traverser class, and the hook before each
  child is only called when the traverser has one.
- Each validator deep-copies the tree through the pickle protocol; a node copies itself now, attribute by
  attribute as that protocol does, its names, children lists and nodes without deepcopy's dispatch.
- Every condition expression was lexed again, twice per conditional write, with a regular expression
  looked up for each of six patterns at each token: the tokens are kept per text now (`_lex_condition`),
  and each call gets fresh nodes of them (the parser only reads them; their `children` lists are new).
- The first three of the ten validators only check the tree (one SET, ADD and REMOVE clause at most; no
  overlapping paths; no key attribute updated), and what they check is the text, its attribute names and
  the table's keys. Once they pass for a parsed text (the same tree, kept per text) with the same names
  and keys, they are not walked again for it (`validate`); one that raises is walked again each time.
- A conditional write parsed its condition twice (the request handler, for the names and values it uses;
  then the backend, to evaluate it), and a filtered query once per call. The parse is kept per text,
  names and values (`_parse_condition`); the tree is built from a private copy of the values, so what
  moto later does to the request's values (a set put into an item is the request's own list) cannot
  reach a kept tree.
Measured with the rate counter's `UpdateItem`: ~3.4 → ~2.4 ms, then (the checks) 2.5 → 2.1 ms on a slower
day. Semantics are moto's own: the same processors, in the same order, over the same tree (the checks
skipped would pass again). tests/integration/test_moto_expressions.py holds the results to moto's, errors
included, and fails when moto changes what is replaced here.
"""

from __future__ import annotations

import copy
import functools
import json
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node  # type: ignore[attr-defined]
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]
from moto.dynamodb.parsing.validators import (
    ActionCountValidator,
    OverlappingPathsValidator,
    UpdateExpressionValidator,
    UpdateHashRangeKeyValidator,
)

PARSED_KEPT = 512  # distinct update expressions; Klaxon's adapters write a few dozen


_NOT_A_NODE = object()  # what a walk keeps for a child that is a value, not a node


_NO_HOOK = DepthFirstTraverser.pre_processing_of_child  # the base class's: does nothing
# Per (traverser class, its map's classes in order), each node class's place in that map: which processor
# `process` would pick (the first class the node is an instance of), None for none, or _NOT_A_NODE.
_PLACES: dict[tuple[type, tuple[type, ...]], dict[type, Any]] = {}


def _place(classes: tuple[type, ...], kind: type) -> Any:
    if not issubclass(kind, Node):
        return _NOT_A_NODE
    return next((i for i, k in enumerate(classes) if issubclass(kind, k)), None)


def _walk(self: DepthFirstTraverser, root: Any) -> Any:
    """`DepthFirstTraverser.traverse`, with the processing map built once per walk, each node class's
    processor (the first class of the map it is an instance of, as `process` picks) found once per
    traverser class and map, and the hook before each child called only if the traverser has one."""
    mapping: dict[type, Callable[[Any], Any]] = self._processing_map()
    classes = tuple(mapping)
    processors = list(mapping.values())
    places = _PLACES.setdefault((type(self), classes), {})
    hook = type(self).pre_processing_of_child
    before_child = None if hook is _NO_HOOK else self.pre_processing_of_child

    def visit(node: Any, child_id: int = -1) -> Any:
        kind = type(node)
        place = places[kind] if kind in places else places.setdefault(kind, _place(classes, kind))
        if place is _NOT_A_NODE:
            return node
        parent = node.parent
        if node.children is not None:
            for i, child in enumerate(node.children):
                if before_child is not None:
                    before_child(node, i)
                visit(child, i)
        if place is not None:
            node = processors[place](node)
            node.parent = parent
            if parent:
                parent.children[child_id] = node
        return node

    return visit(root)


def _deepcopy_node(self: Node, memo: dict[int, Any]) -> Node:
    """`copy.deepcopy` of a node, attribute by attribute as the default does, without its pickle protocol
    (`__reduce_ex__`, `copyreg`): a validator's set-up, which copies the tree, in half the time."""
    copied = object.__new__(type(self))
    memo[id(self)] = copied
    copied.__dict__.update({k: _copied(v, memo) for k, v in self.__dict__.items()})
    return copied


_AS_THEY_ARE = frozenset({str, int, bool, type(None)})  # what deepcopy returns itself, remembering nothing


def _copied(value: Any, memo: dict[int, Any]) -> Any:
    """`copy.deepcopy(value, memo)` for what a tree holds (its children lists, nodes, names), taking the
    same steps without deepcopy's dispatch at each value; anything else goes to deepcopy itself."""
    kind = type(value)
    if kind in _AS_THEY_ARE:
        return value
    found = memo.get(id(value))
    if found is not None:
        return found
    if kind is list:
        listed: list[Any] = []
        memo[id(value)] = listed
        listed.extend(_copied(v, memo) for v in value)
        return listed
    if getattr(kind, "__deepcopy__", None) is _deepcopy_node:
        return _deepcopy_node(value, memo)
    return copy.deepcopy(value, memo)


@functools.lru_cache(maxsize=PARSED_KEPT)
def _tokens(expression: str) -> tuple[tuple[str, str, str, str], ...]:
    """moto's lexing of a condition expression, kept per text (an error is raised again each time)."""
    lexed = _LEX_CONDITION(ConditionExpressionParser(expression, None, None))
    return tuple((n.nonterminal, n.kind, n.text, n.value) for n in lexed)


def _lex_condition(self: ConditionExpressionParser) -> deque[Any]:
    """`ConditionExpressionParser._lex_condition_expression` from the tokens kept for the text."""
    node = self.Node
    return deque(
        node(k, kind, text, value, []) for k, kind, text, value in _tokens(self.condition_expression)
    )


_LEX_CONDITION = ConditionExpressionParser._lex_condition_expression

CONDITIONS_KEPT = 256  # parsed conditions (text, names, values): a write's two parses, a query's filter
_CONDITIONS: OrderedDict[tuple[str, str, str], tuple[Any, tuple[str, ...], tuple[str, ...]]] = OrderedDict()
_PARSE_CONDITION = ConditionExpressionParser.parse


def _typed(value: Any) -> list[str]:
    """A value JSON cannot write (bytes), in the key with its type: b"a" and the text "b'a'" differ."""
    return [type(value).__qualname__, repr(value)]


def _parse_condition(self: ConditionExpressionParser) -> Any:
    """`ConditionExpressionParser.parse`, kept per (text, names, values): the tree, and the names and values
    it found. A parse that raises is not kept (it raises again next time)."""
    if not self.condition_expression:
        return _PARSE_CONDITION(self)
    names, values = self.expression_attribute_names, self.expression_attribute_values
    key = (
        self.condition_expression,
        json.dumps(names, sort_keys=True, default=_typed),
        json.dumps(values, sort_keys=True, default=_typed),
    )
    kept = _CONDITIONS.get(key)
    if kept is None:
        private = ConditionExpressionParser(self.condition_expression, names, copy.deepcopy(values))
        op = _PARSE_CONDITION(private)
        kept = (op, tuple(private.expr_attr_names_found), tuple(private.expr_attr_values_found))
        _CONDITIONS[key] = kept
        if len(_CONDITIONS) > CONDITIONS_KEPT:
            _CONDITIONS.popitem(last=False)
    else:
        _CONDITIONS.move_to_end(key)
    self.expr_attr_names_found.extend(kept[1])
    self.expr_attr_values_found.extend(kept[2])
    return kept[0]


# The validators that only read the tree, what they read besides it being the names and the table's keys.
CHECKS_ONLY = (ActionCountValidator, OverlappingPathsValidator, UpdateHashRangeKeyValidator)
# Per parsed tree (kept per text by the parser's cache): the (names, table keys) it passed those checks with.
_PASSED: weakref.WeakKeyDictionary[Node, set[tuple[Any, ...]]] = weakref.WeakKeyDictionary()
_INIT_VALIDATOR = UpdateExpressionValidator.__init__


def _init_validator(self: UpdateExpressionValidator, expression: Node, *args: Any, **kwargs: Any) -> None:
    _INIT_VALIDATOR(self, expression, *args, **kwargs)
    self.parsed = expression  # type: ignore[attr-defined]  # the tree as parsed: node_to_validate copies it


def _validate(self: UpdateExpressionValidator) -> Node:
    """`Validator.validate`: each processor over the tree in turn, but the checks of CHECKS_ONLY only
    until they have passed once for this tree with these names and these table keys."""
    processors = self.processors
    names = self.expression_attribute_names
    checks = len(CHECKS_ONLY)
    seen: tuple[Any, ...]
    try:
        seen = (frozenset(names.items()) if names else None, tuple(self.table.table_key_attrs))
    except TypeError:  # a name that is not a string: every processor, which raise what moto raises
        seen, known = (), False
    else:
        known = tuple(type(p) for p in processors[:checks]) == CHECKS_ONLY
    passed = _PASSED.setdefault(self.parsed, set()) if known else set()  # type: ignore[attr-defined]
    node = self.node_to_validate
    start = checks if seen in passed else 0
    for index, processor in enumerate(processors[start:], start):
        node = processor.traverse(node)
        if known and index == checks - 1:
            passed.add(seen)
    return node


def install() -> dict[str, Callable[..., Any]]:
    """Patch moto's update expression parser, its validators' walk and checks, and its condition lexer;
    returns what it replaced."""
    originals: dict[str, Callable[..., Any]] = {
        "UpdateExpressionParser.make": UpdateExpressionParser.make,
        "DepthFirstTraverser.traverse": DepthFirstTraverser.traverse,
        "ConditionExpressionParser._lex_condition_expression": _LEX_CONDITION,
        "UpdateExpressionValidator.__init__": _INIT_VALIDATOR,
        "UpdateExpressionValidator.validate": UpdateExpressionValidator.validate,
        "ConditionExpressionParser.parse": _PARSE_CONDITION,
    }
    ConditionExpressionParser.parse = _parse_condition  # type: ignore[method-assign]
    UpdateExpressionValidator.__init__ = _init_validator  # type: ignore[method-assign,assignment]
    UpdateExpressionValidator.validate = _validate  # type: ignore[method-assign,assignment]
    ConditionExpressionParser._lex_condition_expression = _lex_condition  # type: ignore[method-assign]
    Node.__deepcopy__ = _deepcopy_node
    parse = functools.lru_cache(maxsize=PARSED_KEPT)(UpdateExpressionParser.make)
    UpdateExpressionParser.make = staticmethod(parse)
    DepthFirstTraverser.traverse = _walk
    return originals
