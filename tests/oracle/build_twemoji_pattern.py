"""Regenerate cmbuild/text/_twemoji.py from the installed twemoji-parser.

Official twitter-text 3.1.0 finds emoji with twemoji-parser's generated regular expression. That
expression is written for JavaScript strings, that is over UTF-16 code units: an astral emoji is a
high surrogate followed by a low surrogate or a class of low surrogates. Python strings hold code
points, so each such pair is rewritten as the code point (or class of code points) it encodes. The
result matches exactly the same texts; tests/platforms/x/test_oracle.py checks that the committed
module is what this script produces.

Usage, after installing the oracle (see tests/oracle/README.md):

    python tests/oracle/build_twemoji_pattern.py > cmbuild/text/_twemoji.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARSER = HERE / "node_modules" / "twemoji-parser"
REGEX_JS = PARSER / "dist" / "lib" / "regex.js"

_HIGH = re.compile(r"\\u(d[89ab][0-9a-f]{2})")
_LOW = re.compile(r"\\u(d[c-f][0-9a-f]{2})")
_LOW_ITEM = re.compile(r"\\u(d[c-f][0-9a-f]{2})(?:-\\u(d[c-f][0-9a-f]{2}))?")


def javascript_source() -> tuple[str, str]:
    """The expression's source and twemoji-parser's version."""
    text = REGEX_JS.read_text(encoding="utf-8")
    match = re.search(r"exports\.default = /(.*)/g;", text)
    if match is None:
        raise SystemExit(f"{REGEX_JS}: no `exports.default = /.../g;` found")
    version = json.loads((PARSER / "package.json").read_text(encoding="utf-8"))["version"]
    return match.group(1), version


def _astral(high: int, low: int) -> str:
    return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"


def to_code_points(source: str) -> str:
    """Rewrite surrogate pairs (and high surrogate + class of low surrogates) as code points."""
    out: list[str] = []
    i = 0
    while i < len(source):
        high = _HIGH.match(source, i)
        if high is None:
            if _LOW.match(source, i):
                raise ValueError(f"lone low surrogate at {i}: {source[i : i + 20]!r}")
            out.append(source[i])
            i += 1
            continue
        hi = int(high.group(1), 16)
        i = high.end()
        low = _LOW.match(source, i)
        if low is not None:
            out.append(_astral(hi, int(low.group(1), 16)))
            i = low.end()
            continue
        if source[i] != "[":
            raise ValueError(f"high surrogate not followed by a low one at {i}")
        close = source.index("]", i)
        body = source[i + 1 : close]
        if _LOW_ITEM.sub("", body):
            raise ValueError(f"class after a high surrogate holds more than low surrogates: {body}")
        items = []
        for first, last in _LOW_ITEM.findall(body):
            item = _astral(hi, int(first, 16))
            if last:
                item += "-" + _astral(hi, int(last, 16))
            items.append(item)
        out.append("[" + "".join(items) + "]")
        i = close + 1
    return "".join(out)


def candidates(pattern: str) -> str:
    """The code points the pattern can match, except ASCII, © and ®, plus every astral one.

    ASCII, © and ® only take part in a match next to U+FE0F or U+20E3, which are in the class: a
    text with no candidate has no emoji, and a match starts at most two code points before one. The
    astral plane is kept whole because `re` searches a class of a few ranges much faster than one of
    hundreds; matching at a non-emoji astral character simply fails.
    """
    from re import _parser  # type: ignore[attr-defined]

    points: set[int] = set()

    def walk(items: object) -> None:
        for op, arg in items:  # type: ignore[attr-defined]
            name = str(op)
            if name == "LITERAL":
                points.add(arg)
            elif name == "RANGE":
                points.update(range(arg[0], arg[1] + 1))
            elif name == "IN":
                walk(arg)
            elif name in ("SUBPATTERN",):
                walk(arg[-1])
            elif name in ("MAX_REPEAT", "MIN_REPEAT"):
                walk(arg[2])
            elif name == "BRANCH":
                for branch in arg[1]:
                    walk(branch)
            elif name == "ASSERT_NOT":
                pass  # a look-ahead consumes nothing
            elif name == "NEGATE":
                raise ValueError("negated class: cannot list candidates")

    walk(_parser.parse(pattern))
    points = {p for p in points if 0x80 <= p <= 0xFFFF and p not in (0xA9, 0xAE)}
    ranges: list[tuple[int, int]] = []
    for point in sorted(points):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))

    def esc(point: int) -> str:
        return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"

    ranges.append((0x10000, 0x10FFFF))
    parts = [esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges]
    return "[" + "".join(parts) + "]"


def _chunks(pattern: str, width: int = 88) -> list[str]:
    """Split `pattern` into pieces of at most `width` characters, never inside an escape."""
    tokens = re.findall(r"\\U[0-9a-f]{8}|\\u[0-9a-f]{4}|\\.|.", pattern)
    pieces: list[str] = []
    current = ""
    for token in tokens:
        if len(current) + len(token) > width:
            pieces.append(current)
            current = ""
        current += token
    pieces.append(current)
    return pieces


def render(source: str, version: str) -> str:
    pattern = to_code_points(source)
    re.compile(pattern)
    lines = [
        f'"""The emoji pattern of twemoji-parser {version}, used by official twitter-text 3.1.0.',
        "",
        "Generated by tests/oracle/build_twemoji_pattern.py from twemoji-parser's",
        "dist/lib/regex.js (Copyright (c) 2018 Twitter, Inc., MIT licence). The JavaScript pattern",
        "works on UTF-16 code units; here each surrogate pair is written as the code point it",
        "encodes, so the pattern matches the same texts on Python strings. Do not edit by hand:",
        "regenerate it.",
        '"""',
        "",
        "PATTERN = (",
        *(f'    "{piece}"' for piece in _chunks(pattern)),
        ")",
        "",
        "# The BMP code points that can take part in a match, except ASCII, © and ® (which only",
        "# match next to U+FE0F or U+20E3, in this class), and the whole astral plane: a text",
        "# without any of these has no emoji, and a match starts at most two code points before",
        "# one of them.",
        "CANDIDATES = (",
        *(f'    "{piece}"' for piece in _chunks(candidates(pattern))),
        ")",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    source, version = javascript_source()
    sys.stdout.write(render(source, version))


if __name__ == "__main__":
    main()
