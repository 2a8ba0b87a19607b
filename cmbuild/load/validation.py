"""Turning pydantic validation errors into located, readable input errors."""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Callable, Mapping
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from cmbuild.errors import InputError, did_you_mean

_FRIENDLY = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a table (key = value pairs)",
    "model_type": "expected a table (key = value pairs)",
    "missing": "missing",
    "extra_forbidden": "unknown key",
}


# The same shapes in the words of a YAML front matter (a writer never meets "table" there).
FRONT_MATTER_WORDS = {
    "list_type": "expected a list, like [a, b] or one `- item` per line",
    "dict_type": "expected `key: value` lines indented under it",
    "model_type": "expected `key: value` lines indented under it",
}
_SHOWN = 60  # characters of a wrong value quoted back; a whole map dumped helps nobody


def describe(error: Mapping[str, Any], words: Mapping[str, str] | None = None) -> str:
    """A short English description of one pydantic error (`words`: phrasing by error type)."""
    kind = str(error.get("type", ""))
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        got = str(error.get("input"))
        close = did_you_mean(got, re.findall(r"'([^']*)'", str(expected)))
        return f"expected one of {expected}, got {error.get('input')!r}{close}"
    if kind in ("extra_forbidden", "missing"):
        return _FRIENDLY[kind]
    friendly = (words or {}).get(kind) or _FRIENDLY.get(kind)
    if friendly:
        shown = repr(error.get("input"))
        return f"{friendly}, got {shown if len(shown) <= _SHOWN else shown[: _SHOWN - 1] + '…'}"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


_SHAPES = ("list_type", "dict_type", "model_type")


def _wrong_branch(error: Mapping[str, Any], every: list[Any]) -> bool:
    """A shape error of one branch of a union whose other branch took the value.

    `channels` is a list or a map: for a map with a bad entry, "expected a list" is not the cause.
    """
    loc = error["loc"]
    if error["type"] not in _SHAPES or not loc or not _is_type_tag(str(loc[-1])):
        return False
    union = loc[:-1]
    return any(
        other["loc"][: len(union)] == union
        and len(other["loc"]) > len(loc)
        and other["loc"][len(union)] != loc[-1]
        for other in every
    )


def errors_from_validation(
    exc: ValidationError,
    file: str,
    line_of: Callable[[str], int | None],
    prefix: str = "",
    hints: dict[str, str] | None = None,
    model: type[BaseModel] | None = None,
    words: Mapping[str, str] | None = None,
) -> list[InputError]:
    """One InputError per pydantic error, located by its key path.

    With the `model` that was validated, an unknown key's hint names the nearest known key.
    """
    found: list[InputError] = []
    every = exc.errors()
    shaped: set[str] = set()
    for error in every:
        if _wrong_branch(error, every):
            continue
        loc = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
        # Union members add their type name to the location; keep the user's key path only.
        loc = [part for part in loc if not _is_type_tag(part)]
        key = ".".join([prefix, *loc] if prefix else loc)
        if error["type"] in _SHAPES:
            if key in shaped:  # a value fitting no branch of a union: its first shape says it
                continue
            shaped.add(key)
        hint = None
        if hints:
            hint = hints.get(loc[-1] if loc else "") or hints.get(str(error.get("type")))
        if model is not None and error["type"] == "extra_forbidden" and hint is None:
            hint = unknown_key_hint(model, loc)
        found.append(
            InputError(file, describe(dict(error), words), line=line_of(key), key=key, hint=hint)
        )
    return found


def _is_type_tag(part: str) -> bool:
    return part in ("str", "int", "float", "bool", "list[str]", "date", "datetime") or (
        part.startswith(("list[", "dict[", "tagged-union[")) or part[:1].isupper()
    )


def unknown_key_hint(model: type[BaseModel], loc: list[str]) -> str | None:
    """`did you mean `colors`?` for the unknown key at `loc`, or the keys known there."""
    known = _keys_at(model, loc[:-1])
    if not known:
        return None
    close = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return f"known keys here: {', '.join(known)}"


def _keys_at(model: type[BaseModel], parents: list[str]) -> list[str]:
    """The keys the table at `parents` may hold (list indexes and free table names skipped)."""
    current: type[BaseModel] | None = model
    skip_next = False
    for part in parents:
        if skip_next or part.isdigit():
            skip_next = False
            continue
        if current is None or part not in current.model_fields:
            return []
        current, skip_next = _table_of(current.model_fields[part].annotation)
    return list(current.model_fields) if current is not None else []


def _table_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model a field holds (inside lists and unions), and whether a dict key comes first."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is dict and len(args) == 2:
        return _table_of(args[1])[0], True
    if origin in (list, Union, types.UnionType):
        for arg in args:
            found, keyed = _table_of(arg)
            if found is not None:
                return found, keyed
    return None, False
