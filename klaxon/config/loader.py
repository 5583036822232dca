"""Load a Klaxon YAML config into a KlaxonConfig, reporting every problem as `FILE:LINE: path: reason`."""

from __future__ import annotations

import difflib
import os
import types
from pathlib import Path
from typing import Any, NoReturn, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from klaxon.config.problems import Loc, format_loc
from klaxon.config.runbook_files import expand_runbook_files
from klaxon.config.schema import KlaxonConfig
from klaxon.config.yaml_source import parse
from klaxon.domain.errors import InvalidInput

_SECTIONS = ", ".join(KlaxonConfig.model_fields)


class ConfigError(InvalidInput):
    """The config is unreadable, not YAML, or not a valid Klaxon config; `errors` has one line per problem."""

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  {error}" for error in self.errors)])


def load_config(path: str | os.PathLike[str]) -> KlaxonConfig:
    """Read and validate the config file at `path`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        _fail(str(path), [f"{path}: cannot read the file: {e.strerror or e}"])
    except UnicodeDecodeError as e:
        _fail(str(path), [f"{path}: not UTF-8 text (byte {e.start})"])
    return parse_config(text, str(path), folder=Path(path).parent)


def parse_config(text: str, filename: str = "<config>", folder: Path | None = None) -> KlaxonConfig:
    """Validate config `text`; `filename` starts every error line. Runbook files (`runbooks[].path`) are
    read from `folder`, the configuration file's own."""
    try:
        document, duplicates = parse(text)
    except yaml.MarkedYAMLError as e:
        _fail(filename, [_yaml_error(filename, e)])
    except yaml.YAMLError as e:
        _fail(filename, [f"{filename}:1: invalid YAML: {e}"])
    if document.data is None:
        _fail(filename, [f"{filename}:1: (top level): the file is empty; expected sections: {_SECTIONS}"])
    if not isinstance(document.data, dict):
        got = type(document.data).__name__
        reason = f"expected a mapping of sections ({_SECTIONS}), got a {got}"
        _fail(filename, [f"{filename}:{document.line_of(())}: (top level): {reason}"])

    if duplicates:
        # Stop here: YAML kept only the last of each duplicate, so the rest would check the wrong data.
        _fail(filename, _lines(filename, [(line, loc, reason) for loc, line, reason in duplicates]))
    found = expand_runbook_files(document.data, folder)
    if found:
        _fail(filename, _lines(filename, [(document.line_of(loc), loc, reason) for loc, reason in found]))
    try:
        return KlaxonConfig.model_validate(document.data)
    except ValidationError as e:
        problems = [(document.line_of(tuple(d["loc"])), tuple(d["loc"]), _reason(d)) for d in e.errors()]
    _fail(filename, _lines(filename, problems))


def _lines(filename: str, problems: list[tuple[int, Loc, str]]) -> list[str]:
    ordered = sorted(set(problems), key=lambda p: (p[0], format_loc(p[1]), p[2]))
    return [f"{filename}:{line}: {format_loc(loc)}: {reason}" for line, loc, reason in ordered]


def _fail(filename: str, errors: list[str]) -> NoReturn:
    count = f"{len(errors)} problem{'s' if len(errors) > 1 else ''}"
    raise ConfigError(f"{filename}: {count} in the Klaxon config", errors)


def _yaml_error(filename: str, e: yaml.MarkedYAMLError) -> str:
    mark = e.problem_mark or e.context_mark
    reason = ", ".join(part for part in (e.context, e.problem) if part) or "not valid YAML"
    if e.context_mark and e.problem_mark and e.context_mark.line != e.problem_mark.line:
        reason += f" (started at line {e.context_mark.line + 1})"
    return f"{filename}:{mark.line + 1 if mark else 1}: invalid YAML: {reason}"


def _reason(error: ErrorDetails) -> str:
    loc = tuple(error["loc"])
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return _unknown_key(str(loc[-1]), _fields_at(loc[:-1]))
    if error["type"] == "too_short" and "ctx" in error:
        least = error["ctx"]["min_length"]
        return f"needs at least {least} item{'s' if least > 1 else ''}"
    return error["msg"].removeprefix("Value error, ")


def _unknown_key(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
    if close:
        return f"unknown key {key!r}; did you mean {close[0]!r}?"
    if allowed:
        return f"unknown key {key!r}; expected one of: {', '.join(allowed)}"
    return f"unknown key {key!r}"


def _fields_at(loc: Loc) -> list[str]:
    """The field names of the model found by following `loc` from KlaxonConfig, to suggest a typo's fix."""
    kind: Any = KlaxonConfig
    for part in loc:
        kind = _strip_optional(kind)
        if isinstance(part, int) and get_origin(kind) is list:
            kind = get_args(kind)[0]
        elif isinstance(kind, type) and issubclass(kind, BaseModel) and part in kind.model_fields:
            kind = kind.model_fields[str(part)].annotation
        else:
            return []
    kind = _strip_optional(kind)
    return list(kind.model_fields) if isinstance(kind, type) and issubclass(kind, BaseModel) else []


def _strip_optional(kind: Any) -> Any:
    if get_origin(kind) in (Union, types.UnionType):
        options = [arg for arg in get_args(kind) if arg is not type(None)]
        return options[0] if len(options) == 1 else kind
    return kind


def validate_document(data: Any, source: str) -> KlaxonConfig:
    """Validate parsed data (an API body, a stored document); errors read `source: path: reason`."""
    if not isinstance(data, dict):
        _fail(source, [f"{source}: (top level): expected a mapping of sections ({_SECTIONS})"])
    try:
        return KlaxonConfig.model_validate(data)
    except ValidationError as e:
        _fail(source, [f"{source}: {format_loc(tuple(d['loc']))}: {_reason(d)}" for d in e.errors()])
