"""Regenerate cmbuild/text/_link_patterns.py from the installed twitter-text-parser.

cmbuild finds links with the expressions of twitter-text-parser (``twitter_text``), a Python port
of twitter-text v3. Importing that package at run time costs about a third of a second (it compiles
every expression it has, a huge emoji one included) and needs ``pkg_resources``. So the sources of
the three expressions cmbuild uses (``extract_url``, ``valid_ascii_domain`` and ``valid_tco_url``)
and their flags are written into a generated module, which ``cmbuild.text._urls`` compiles on
first use.

One change is made, which does not alter what the expressions match: the lists of top-level
domains (about 1,600 alternatives tried one after the other) are rewritten as a tree of shared
prefixes, which makes matching 5 to 8 times faster. tests/text/test_url_patterns.py checks that
the committed module is what this script produces, and that links found with it are those the
port finds.

Usage, with the test dependencies installed (twitter-text-parser needs ``setuptools<82``):

    python tests/oracle/build_url_patterns.py > cmbuild/text/_link_patterns.py
"""

from __future__ import annotations

import re
import sys
import unicodedata
from importlib.metadata import version

DISTRIBUTION = "twitter-text-parser"
MODULE = "cmbuild/text/_link_patterns.py"

_LOOKAHEAD = "(?=[^0-9a-zA-Z@+-]|$)"
# How the port writes a list of top-level domains: (?:(?:word|word|...)(?=[^0-9a-zA-Z@+-]|$))
_TLD_LIST = re.compile(r"\(\?:\(\?:(?P<words>[^()\[\]?*+\\]*)\)" + re.escape(_LOOKAHEAD) + r"\)")
# A character of an expression's source, or one of its escapes as a whole.
_TOKEN = re.compile(r"\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|\\x[0-9a-fA-F]{2}|\\.|.", re.DOTALL)
_WIDTH = 88  # of a line's string, quotes and prefix excluded (lines are at most 100 wide)
_FLAG_NAMES = ("ASCII", "IGNORECASE", "LOCALE", "MULTILINE", "DOTALL", "UNICODE", "VERBOSE")

_Node = dict[str, "_Node"]  # a node of the prefix tree: next character -> node ("" ends a word)


def prefix_tree(words: list[str]) -> str:
    """An expression matching the same words as ``a|b|...``, factored on shared prefixes.

    Where a word is a prefix of another, the longer is tried first, as in the original lists (only
    two such pairs can both pass the look-ahead that follows: 嘉里/嘉里大酒店 and भारत/भारतम्).
    """
    root: _Node = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: _Node) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        group = "(?:" + "|".join(branches) + ")"
        return group + "?" if "" in node else group

    return emit(root)


def patterns() -> tuple[str, dict[str, tuple[str, int]]]:
    """The port's version, and the (source, flags) of each expression, TLD lists as trees."""
    from twitter_text.regexp.extract_url import extract_url
    from twitter_text.regexp.valid_ascii_domain import valid_ascii_domain
    from twitter_text.regexp.valid_cctld import valid_cctld
    from twitter_text.regexp.valid_gtld import valid_gtld
    from twitter_text.regexp.valid_tco_url import valid_tco_url

    url_source: str = extract_url.pattern
    ascii_source: str = valid_ascii_domain.pattern
    for tlds in (valid_gtld.pattern, valid_cctld.pattern):
        listed = _TLD_LIST.fullmatch(tlds)
        if listed is None or tlds not in url_source or tlds not in ascii_source:
            raise SystemExit(
                f"{DISTRIBUTION} {version(DISTRIBUTION)}: its lists of top-level domains are no"
                " longer written as this script expects; update it"
            )
        tree = f"(?:{prefix_tree(listed.group('words').split('|'))}{_LOOKAHEAD})"
        url_source = url_source.replace(tlds, tree)
        ascii_source = ascii_source.replace(tlds, tree)
    return version(DISTRIBUTION), {
        "URL": (url_source, extract_url.flags),
        "ASCII_DOMAIN": (ascii_source, valid_ascii_domain.flags),
        "TCO_URL": (valid_tco_url.pattern, valid_tco_url.flags),
    }


def _flags(flags: int) -> str:
    names = [name for name in _FLAG_NAMES if flags & getattr(re, name)]
    rest = flags & ~sum(getattr(re, name) for name in names)
    if rest:
        raise ValueError(f"unknown flags: {rest:#x}")
    return " | ".join(f"re.{name}" for name in names) or "0"


def _width(text: str) -> int:
    """Columns taken on screen (and counted by the linter): East Asian wide characters take 2."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _literal(piece: str) -> str:
    """A Python string literal for `piece`: raw, which keeps the expression readable, if it can."""
    if piece.isprintable() and '"' not in piece and not re.search(r"(?<!\\)(\\\\)*\\$", piece):
        return f'r"{piece}"'
    escaped = piece.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    return f'"{escaped}"'


def _lines(source: str) -> list[str]:
    """`source` as string literals of at most `_WIDTH` columns, never splitting an escape."""
    pieces: list[str] = []
    current = ""
    for token in _TOKEN.findall(source):
        if current and _width(current + token) > _WIDTH:
            pieces.append(current)
            current = ""
        current += token
    pieces.append(current)
    return [f"    {_literal(piece)}" for piece in pieces]


_COMMENTS = {
    "URL": [
        "# extract_url. Groups: 1 the match, 2 the character before the link, 3 the link, 4 its",
        "# protocol, 5 its domain, 6 its port, 7 its path, 8 its query.",
    ],
    "ASCII_DOMAIN": ["# valid_ascii_domain: the ASCII part of a domain written without protocol."],
    "TCO_URL": ["# valid_tco_url: a t.co link, group 1 its slug (no path after it)."],
}


def render() -> str:
    """The text of cmbuild/text/_link_patterns.py."""
    package_version, sources = patterns()
    lines = [
        f"# Generated by tests/oracle/build_url_patterns.py from {DISTRIBUTION} {package_version}.",
        "# Do not edit by hand: regenerate it (see tests/oracle/README.md).",
        f'"""The link expressions of twitter-text v3, as {DISTRIBUTION} {package_version} builds'
        " them.",
        "",
        "cmbuild.text._urls compiles them on first use. Each is the source of the port's",
        "compiled expression, with one change that does not alter what it matches: the lists of",
        "top-level domains are written as a tree of shared prefixes, which makes matching 5 to 8",
        "times faster.",
        "",
        f"{DISTRIBUTION}: Copyright (c) 2019 swen128, MIT licence. twitter-text, which it ports:",
        "Copyright 2011 Twitter, Inc., Apache License 2.0.",
        '"""',
        "",
        "import re",
    ]
    for name, (source, flags) in sources.items():
        re.compile(source, flags)
        lines += ["", *_COMMENTS[name], f"{name} = (", *_lines(source), ")"]
        lines.append(f"{name}_FLAGS = {_flags(flags)}")
    text = "\n".join(lines) + "\n"
    namespace: dict[str, object] = {}
    exec(compile(text, MODULE, "exec"), namespace)
    for name, (source, flags) in sources.items():
        if namespace[name] != source or namespace[f"{name}_FLAGS"] != flags:
            raise AssertionError(f"{name}: the generated module does not hold the same expression")
    return text


def main() -> None:
    sys.stdout.buffer.write(render().encode("utf-8"))


if __name__ == "__main__":
    main()
