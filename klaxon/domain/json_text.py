"""JSON from outside, read strictly: whatever a request holds, reading it fails only as bad input.

`json.loads` alone lets hostile input through to a 5xx later: nesting deep enough to exhaust the
recursion limit, integers past Python's 4,300-digit limit (ValueError, not JSONDecodeError), and lone
UTF-16 surrogates (`"\\ud800"`), which parse but cannot be written to DynamoDB or encoded as UTF-8.
`loads` turns each into a `json.JSONDecodeError`, which every caller already answers with a 400.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64  # far beyond any monitoring payload or configuration document


def loads(text: str | bytes) -> Any:
    """`json.loads`, refusing what cannot be stored or answered, always with a JSONDecodeError."""
    shown = text if isinstance(text, str) else ""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError(f"nested deeper than {MAX_DEPTH} levels", shown, 0) from None
    except ValueError as exc:  # integers past the digit limit, undecodable bytes
        raise json.JSONDecodeError(str(exc), shown, 0) from None
    _check(value, shown)
    return value


def _check(value: Any, shown: str) -> None:
    """Depth and text, walked without recursion so the check cannot overflow either."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _text(item, shown)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise json.JSONDecodeError(f"nested deeper than {MAX_DEPTH} levels", shown, 0)
        if isinstance(item, dict):
            for key, inner in item.items():
                _text(key, shown)
                pending.append((inner, depth + 1))
        else:
            pending.extend((inner, depth + 1) for inner in item)


def _text(text: str, shown: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise json.JSONDecodeError("text holds a lone UTF-16 surrogate", shown, 0) from None
