"""Credentials come only from the environment variables that channels.toml names.

Their values are handed to the publisher of their channel and to nothing else. Every value read is
also given to the `Redactor`, which the push passes every message through before it is printed or
written to the ledger: a server that echoes a token in an error body cannot leak it through us,
whatever form it echoes it in.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import quote, quote_plus

from cmbuild.model import Channel
from cmbuild.platforms.shared.publisher import PublishError

REDACTED = "[secret]"
# A piece of a secret this long, where a text starts or ends a token with it, is taken for the
# secret cut short (a server's or an excerpt's cut): shorter pieces say too little to matter.
FRAGMENT = 6


class Redactor:
    """Removes every secret value read so far, in every form a server may quote it, from a text.

    Forms: the value itself; URL-encoded (`quote`, `quote_plus`, hex in either case);
    JSON-escaped (also with `\\/`, as PHP writes it) and HTML-escaped; base64 (standard and
    URL-safe) of the value, of `a:b` and `\\0a\\0b` for any two values (HTTP Basic and SMTP AUTH
    PLAIN logins), and the part of the base64 of any longer text holding the value that only the
    value decides. A token cut short is caught too: a token of the text that starts with the
    first 6 or more characters of a form, or ends with its last 6 or more, where the text is cut
    (its end, an ellipsis), or shares 12 or more characters (two thirds of a short one) with it.
    """

    def __init__(self) -> None:
        self._values: list[str] = []
        self._forms: list[str] = []  # longest first

    def add(self, value: str) -> None:
        for candidate in {value, value.strip()}:
            if candidate and candidate not in self._values:
                self._values.append(candidate)
        self._forms = sorted(_all_forms(self._values), key=len, reverse=True)

    def add_all(self, values: Iterable[str]) -> None:
        for value in values:
            self.add(value)

    def __call__(self, text: str) -> str:
        if not self._forms or not text:
            return text
        spans = [span for form in self._forms for span in _spans(text, form)]
        if not spans:
            return text
        parts: list[str] = []
        position = 0
        for start, end in _merged(spans):
            parts.append(text[position:start])
            parts.append(REDACTED)
            position = end
        parts.append(text[position:])
        return "".join(parts)


def _all_forms(values: list[str]) -> set[str]:
    forms: set[str] = set()
    for value in values:
        forms.update(_forms(value))
        forms.update(_embedded_base64(value.encode()))
    for first in values:
        for second in values:
            if first != second:
                forms.update(_base64(f"{first}:{second}".encode()))
                forms.update(_base64(f"\0{first}\0{second}".encode()))
    return {form for form in forms if form}


def _forms(value: str) -> set[str]:
    escaped = json.dumps(value, ensure_ascii=False)[1:-1]
    ascii_escaped = json.dumps(value)[1:-1]
    encoded = {quote(value, safe=""), quote(value), quote_plus(value)}
    lowercase = {re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), e) for e in encoded}
    return {
        value,
        *encoded,
        *lowercase,
        escaped,
        ascii_escaped,
        escaped.replace("/", "\\/"),
        ascii_escaped.replace("/", "\\/"),
        html.escape(value),
        *_base64(value.encode()),
    }


def _base64(data: bytes) -> set[str]:
    standard = base64.b64encode(data).decode()
    safe = base64.urlsafe_b64encode(data).decode()
    return {standard, standard.rstrip("="), safe, safe.rstrip("=")}


def _embedded_base64(data: bytes) -> set[str]:
    """The base64 characters that `data` alone decides, wherever it sits in a longer text.

    Base64 turns each 3 bytes into 4 characters: at each of the 3 offsets the value may start at,
    the characters of the groups that hold only its bytes are the same whatever surrounds it.
    """
    found: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode()
        whole = (offset + len(data)) // 3  # groups holding no byte after the value
        first = 1 if offset else 0  # the first group holds a byte before it
        for text in (encoded, encoded.translate(_URLSAFE)):
            core = text[first * 4 : whole * 4]
            if len(core) >= 2 * FRAGMENT:
                found.add(core)
    return found


_URLSAFE = str.maketrans("+/", "-_")


def _spans(text: str, form: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = text.find(form)
    while start != -1:
        spans.append((start, start + len(form)))
        start = text.find(form, start + 1)
    if len(form) > FRAGMENT:
        spans.extend(_cut_heads(text, form))
        spans.extend(_cut_tails(text, form))
    return spans


def _cut_heads(text: str, form: str) -> list[tuple[int, int]]:
    """Tokens of `text` that begin like `form` and are cut: at the end of the text, before an
    ellipsis, or long enough (12 characters, or two thirds of it) not to be a chance match."""
    spans: list[tuple[int, int]] = []
    start = text.find(form[:FRAGMENT])
    while start != -1:
        if start == 0 or not (text[start - 1].isalnum() and form[0].isalnum()):
            end = start + FRAGMENT
            while end < len(text) and end - start < len(form) and text[end] == form[end - start]:
                end += 1
            if _cut(text[end:].startswith, end == len(text), end - start, len(form)):
                spans.append((start, end))
        start = text.find(form[:FRAGMENT], start + 1)
    return spans


def _cut_tails(text: str, form: str) -> list[tuple[int, int]]:
    """Tokens of `text` that end like `form` and are cut at their start (as `_cut_heads`)."""
    spans: list[tuple[int, int]] = []
    end = text.find(form[-FRAGMENT:])
    while end != -1:
        stop = end + FRAGMENT
        if stop == len(text) or not (text[stop].isalnum() and form[-1].isalnum()):
            start = end
            while (
                start > 0
                and stop - start < len(form)
                and text[start - 1] == form[len(form) - (stop - start) - 1]
            ):
                start -= 1
            if _cut(text[:start].endswith, start == 0, stop - start, len(form)):
                spans.append((start, stop))
        end = text.find(form[-FRAGMENT:], end + 1)
    return spans


def _cut(beside: Callable[[tuple[str, ...]], bool], edge: bool, length: int, whole: int) -> bool:
    return edge or beside(_ELLIPSES) or length >= min(12, whole * 2 // 3 + 1)


_ELLIPSES = ("…", "...")


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def read_credentials(
    channel: Channel,
    required: tuple[str, ...],
    environ: Mapping[str, str],
    redactor: Redactor,
) -> dict[str, str]:
    """purpose -> value for every credential of `channel` that is set.

    Raises a `config` PublishError naming the key or the variable (never a value) when a
    required one is not configured or not set, or when a value could not be sent as it is (a
    space or a line break at an end, a control character: a copy-and-paste accident).
    """
    names = dict(channel.credentials)
    values: dict[str, str] = {}
    for purpose, variable in sorted(names.items()):
        value = environ.get(variable)
        if value:
            redactor.add(value)
            problem = malformed(value)
            if problem:
                key = f"channels.{channel.name}.credentials.{purpose}"
                raise PublishError(
                    f"environment variable {variable} ({key}) {problem}: set it again with the "
                    "value alone",
                    "config",
                )
            values[purpose] = value
    for purpose in required:
        key = f"channels.{channel.name}.credentials.{purpose}"
        if purpose not in names:
            raise PublishError(
                f"{key} is not set: name the environment variable that holds it, "
                f'e.g. {purpose} = "{_suggest(channel, purpose)}"',
                "config",
            )
        if purpose not in values:
            raise PublishError(
                f"environment variable {names[purpose]} ({key}) is not set or empty", "config"
            )
    return values


def malformed(value: str) -> str | None:
    """What is wrong with a secret's value as a header or a login would carry it, if anything."""
    if value != value.strip():
        ending = value[-1] if value[-1].isspace() else value[0]
        what = "a line break" if ending in "\r\n" else "a space or a tab"
        return f"has {what} at its {'end' if value[-1].isspace() else 'start'}"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "holds a control character (a line break, a tab...)"
    return None


def _suggest(channel: Channel, purpose: str) -> str:
    stem = "".join(c if c.isalnum() else "_" for c in f"{channel.name}_{purpose}")
    return stem.upper()
