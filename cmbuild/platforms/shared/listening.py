"""What the platforms' listeners (veille) share: a post's headline, a capped read, a UTC time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from cmbuild.watch.sources import ListenError

HEADLINE = 100  # characters of a post shown as its title in alerts and halt reasons


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def headline(text: str, limit: int = HEADLINE) -> str:
    """A post's first line, cut at a word with "…" when over `limit` characters.

    Posts have no title; alerts and halt reasons name an item by one, so it is its opening words.
    """
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] if " " in line[:limit] else line[:limit]
    return cut.rstrip(" ,;:.") + "…"


def read_capped(answer: Readable, max_bytes: int, where: str) -> bytes:
    """The body of `answer`, or a ListenError when it is over `max_bytes` (read no further)."""
    body = answer.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise ListenError(f"{where}: the answer is over {max_bytes:,} bytes; it was not read")
    return body


def utc_time(value: object) -> datetime | None:
    """An ISO 8601 time (`Z` or an offset) as an aware UTC datetime; None if it is not one."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        return None  # a time without its zone says nothing sure
    return moment.astimezone(UTC)
