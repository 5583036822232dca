"""YAML for config files: safe loading with YAML 1.2 scalars, duplicate-key checks and source lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from klaxon.config.problems import Loc

_BOOL, _INT, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("bool", "int", "float"))


class _Loader(yaml.SafeLoader):
    """SafeLoader, but booleans and numbers are read as YAML 1.2 reads them.

    YAML 1.1 reads `17:30` as the base-60 integer 1050 (a restriction's start would silently become
    00:17:30) and `no`, `on` or `off` as booleans; YAML 1.2 and people read them as text.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
# No leading zeros: PyYAML would read 010 as octal.
_Loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"
    ),
    list("-+0123456789."),
)


@dataclass(frozen=True)
class Document:
    """The parsed data plus the node tree it came from, to find the line of any path in it."""

    data: Any
    root: Node | None

    def line_of(self, loc: Loc) -> int:
        """1-based line of the deepest node along `loc`: the key for a mapping entry, the item in a list."""
        if self.root is None:
            return 1
        node, line = self.root, self.root.start_mark.line
        for part in loc:
            found = _child(node, part)
            if found is None:
                # Missing fields and pydantic's own loc parts (union tags) have no node: skip them.
                continue
            key, node = found
            line = (key or node).start_mark.line
        return line + 1


def _child(node: Node, part: str | int) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == str(part):
                return key, value
    elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


def parse(text: str) -> tuple[Document, list[tuple[Loc, int, str]]]:
    """The document and its duplicate keys as (path, line, reason); raises yaml.YAMLError on bad YAML."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        duplicates = _duplicate_keys(root) if root is not None else []
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return Document(data, root), duplicates


def _duplicate_keys(root: Node) -> list[tuple[Loc, int, str]]:
    # PyYAML keeps the last of two equal keys without a word, so a second `users:` would hide the first.
    found: list[tuple[Loc, int, str]] = []
    seen: set[int] = set()
    stack: list[tuple[Node, Loc]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:  # aliases can make the tree a graph
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if not isinstance(key, ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                    continue
                line = key.start_mark.line + 1
                if key.value in first:
                    reason = f"duplicate key {key.value!r} (first at line {first[key.value]})"
                    found.append(((*loc, key.value), line, reason))
                first.setdefault(key.value, line)
                stack.append((value, (*loc, key.value)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*loc, i)) for i, item in enumerate(node.value))
    return sorted(found, key=lambda problem: problem[1])
