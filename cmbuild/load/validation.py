"""Turning pydantic validation errors into located, readable input errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from cmbuild.errors import InputError

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


def describe(error: Mapping[str, Any]) -> str:
    """A short English description of one pydantic error."""
    kind = str(error.get("type", ""))
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"expected one of {expected}, got {error.get('input')!r}"
    if kind in ("extra_forbidden", "missing"):
        return _FRIENDLY[kind]
    friendly = _FRIENDLY.get(kind)
    if friendly:
        return f"{friendly}, got {error.get('input')!r}"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def errors_from_validation(
    exc: ValidationError,
    file: str,
    line_of: Callable[[str], int | None],
    prefix: str = "",
    hints: dict[str, str] | None = None,
) -> list[InputError]:
    """One InputError per pydantic error, located by its key path."""
    found: list[InputError] = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
        # Union members add their type name to the location; keep the user's key path only.
        loc = [part for part in loc if not _is_type_tag(part)]
        key = ".".join([prefix, *loc] if prefix else loc)
        hint = None
        if hints:
            hint = hints.get(loc[-1] if loc else "") or hints.get(str(error.get("type")))
        found.append(InputError(file, describe(dict(error)), line=line_of(key), key=key, hint=hint))
    return found


def _is_type_tag(part: str) -> bool:
    return part in ("str", "int", "float", "bool", "list[str]", "date", "datetime") or (
        part.startswith(("list[", "dict[", "tagged-union[")) or part[:1].isupper()
    )
