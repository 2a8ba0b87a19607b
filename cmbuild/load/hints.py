"""Plain-words help for front-matter values YAML reads otherwise than the writer meant."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from cmbuild.errors import InputError, did_you_mean

_KEY_VALUE = re.compile(r"^\s*(?:- )?([\w.-]+):[ \t]+(.*?)\s*$")


def colon_in_value(front: str, index: int) -> tuple[str, str] | None:
    """(key, value) when line `index` is `key: value` whose unquoted value holds `: `."""
    lines = front.splitlines()
    match = _KEY_VALUE.match(lines[index]) if index < len(lines) else None
    if match is None:
        return None
    key, value = match.groups()
    if value[:1] in ("'", '"') or not (": " in value or value.endswith(":")):
        return None
    return key, value


def colon_error(source: str, line: int, key: str, value: str) -> InputError:
    """A value with `: ` in it (French typography puts a space before a colon): quote it."""
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return InputError(
        source,
        f"the value of `{key}` contains a colon followed by a space, which the front matter "
        "reads as the start of another setting",
        line=line,
        key=key,
        hint=f"put the whole value in quotes: {key}: {quoted}",
    )


def misspelt_keys(
    known: Collection[str], keys: Iterable[str], source: str, lines: dict[str, int]
) -> list[InputError]:
    """Unknown keys close to a known key the post does not set (`publsh:`): errors.

    `known` are the keys the front matter reads, `keys` those the post writes. Ignoring a near
    miss would hide the real cause behind what its absence leads to ("no publish time").
    """
    written = set(keys)
    unset = [name for name in known if name not in written]
    found = []
    for key in sorted(written - set(known)):
        close = did_you_mean(key, unset)
        if close:
            found.append(
                InputError(
                    source,
                    f"unknown key {key!r}{close}",
                    line=lines.get(key),
                    key=key,
                    hint="fix the spelling: this setting is not read as it is",
                )
            )
    return found
