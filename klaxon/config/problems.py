"""Report several config problems at once, each at its own location, as one pydantic ValidationError."""

from __future__ import annotations

import difflib

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


def raise_if_any(title: str, problems: list[Problem]) -> None:
    """Raise the problems as one ValidationError; pydantic keeps (and prefixes) each `loc` when nested."""
    if not problems:
        return
    # The message travels in ctx so braces in ids or messages are not read as a template.
    details = [
        InitErrorDetails(
            type=PydanticCustomError("klaxon_config", "{reason}", {"reason": reason}), loc=loc, input=None
        )
        for loc, reason in problems
    ]
    raise ValidationError.from_exception_data(title, details)


def unknown(kind: str, ref: str, known: list[str]) -> str:
    """`no user 'alise'; did you mean 'alice'?`: the reason for a dangling reference."""
    known = list(dict.fromkeys(known))
    # A stricter cutoff than difflib's 0.6, which offers `primary` for `tertiary`.
    close = difflib.get_close_matches(ref, known, n=1, cutoff=0.75)
    if close:
        return f"no {kind} {ref!r}; did you mean {close[0]!r}?"
    if not known:
        return f"no {kind} {ref!r}; none are defined"
    shown = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")
    return f"no {kind} {ref!r}; defined: {shown}"


def format_loc(loc: Loc) -> str:
    """`users[2].contact_methods[0].address`; the empty path is `(top level)`."""
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    return text or "(top level)"
