"""The audience activity reader interface: when people interacted with a channel.

One class per platform that gives the times of interactions, in
`cmbuild/platforms/<name>/activity.py`, named by `Platform.activity`. Like a metrics reader it
works through the channel's publisher (its credentials and session). What it returns is when
each interaction happened and what kind it was, with a key that stays the same each time the
platform lists it, so the store keeps one line per interaction however often it is read. Who
interacted is not kept: the times are all `cmbuild slots` needs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar, Generic, TypeVar

from cmbuild.platforms.shared.publisher import Publisher

P = TypeVar("P", bound=Publisher)
MAX_PAGES = 50  # pages a reader asks for in one collect: the next collect reads on from there


@dataclass(frozen=True)
class Interaction:
    """One interaction: the platform's stable id for it, its kind, and when it happened (UTC)."""

    key: str
    kind: str
    at: datetime


class ActivityReader(ABC, Generic[P]):
    """Reads one channel's interactions through its publisher."""

    api: ClassVar[str]  # the API the times come from, as the store records it
    kinds: ClassVar[tuple[str, ...]]  # the kinds of interaction kept

    def __init__(self, publisher: P) -> None:
        self.publisher = publisher

    @abstractmethod
    def read_since(self, since: datetime) -> Sequence[Interaction]:
        """The interactions at or after `since` (newest first as listed); PublishError."""


def utc(text: str) -> datetime:
    """A platform's ISO 8601 time (`2026-12-01T09:00:00.123Z`) as an aware UTC datetime."""
    at = datetime.fromisoformat(text)
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
