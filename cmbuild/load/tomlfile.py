"""Reading TOML files with the line of every key, so errors can point at it.

`tomllib` parses; it keeps no positions, so `key_lines` scans the text once for table headers and
`key = value` lines (skipping multi-line strings and arrays) and maps dotted key paths to lines.
Array-of-tables entries get their index: `wording.banned.2.expression`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from cmbuild.errors import InputError

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=\s*(.*)$"""
)
_INLINE_KEY = re.compile(r"""(?:[{,]\s*)("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'[^']*'""")
_TOML_ERROR_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def _split_key(dotted: str) -> list[str]:
    parts = re.findall(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""", dotted)
    return [a or b or c for a, b, c in parts]


def key_lines(text: str) -> dict[str, int]:
    """Map each dotted key path in a TOML document to its (1-based) line."""
    lines: dict[str, int] = {}
    table: list[str] = []
    array_counts: dict[str, int] = {}
    in_multiline: str | None = None
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if in_multiline in line:
                in_multiline = None
            continue
        if depth > 0:
            depth += line.count("[") - line.count("]")
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            path = _split_key(header.group(2))
            if header.group(1) == "[[":
                name = ".".join(path)
                index = array_counts.get(name, 0)
                array_counts[name] = index + 1
                path = [*path, str(index)]
            table = path
            lines.setdefault(".".join(table), number)
            continue
        match = _KEY.match(line)
        if not match:
            continue
        key = ".".join([*table, *_split_key(match.group(1))])
        lines.setdefault(key, number)
        value = match.group(2)
        for inner in _INLINE_KEY.finditer(value):
            lines.setdefault(key + "." + _split_key(inner.group(1))[0], number)
        for quote in ('"""', "'''"):
            if value.count(quote) == 1:
                in_multiline = quote
        # Brackets and '#' inside strings ("#ad") are not structure: drop strings, then comments.
        stripped = _STRING.sub('""', value).split("#", 1)[0]
        if stripped.lstrip().startswith("["):
            depth = stripped.count("[") - stripped.count("]")
    return lines


def read_toml(path: Path, display: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse a TOML file; return its data and its key lines, or raise a located InputError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(display, "file not found", hint=f"create {display}") from None
    except UnicodeDecodeError as error:
        raise InputError(display, f"not UTF-8 text ({error.reason})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_ERROR_POS.search(message)
        line = int(position.group(1)) if position else None
        message = _TOML_ERROR_POS.sub("", message).strip().rstrip(".")
        raise InputError(
            display,
            f"invalid TOML: {message}",
            line=line,
            hint="check quotes, brackets and '=' on this line",
        ) from None
    return data, key_lines(text)


def nearest_line(lines: dict[str, int], path: str) -> int | None:
    """The line of `path`, or of its closest enclosing key that has one."""
    parts = path.split(".")
    while parts:
        line = lines.get(".".join(parts))
        if line is not None:
            return line
        parts.pop()
    return None
