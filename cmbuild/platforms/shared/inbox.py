"""The inbox interfaces: read what people said to a channel, and answer one of them.

One reader and one reply sender per platform, in `cmbuild/platforms/<name>/inbox.py` and
`reply.py`, named by `Platform.inbox` and `Platform.reply`. Both work through the channel's
publisher (its credentials, its logged-in session, its error handling: every failure is a
classified `PublishError`), so a scheduled run that pushes, collects and reads the inbox logs in
once per account.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Generic, TypeVar

from cmbuild.model import Channel
from cmbuild.platforms.shared.publisher import Publisher, PublishError, Receipt
from cmbuild.stores.inbox import InboxItem

P = TypeVar("P", bound=Publisher)


@dataclass(frozen=True)
class Published:
    """One of the channel's posts, from the ledger: what people answer."""

    variant: str
    remote_id: str
    published_at: datetime
    url: str | None = None


@dataclass(frozen=True)
class Since:
    """Where the last reading of the channel stopped: the newest item stored for it."""

    at: datetime
    remote_id: str


class InboxReader(ABC, Generic[P]):
    """Reads one channel's replies, comments, mentions, quotes and messages."""

    api: ClassVar[str]  # what is read, for docs/inbox.md and the report

    def __init__(self, publisher: P) -> None:
        self.publisher = publisher

    @classmethod
    def reads(cls, channel: Channel) -> bool:
        """Whether `channel` is set up to be read (the newsletter: where it names a mailbox)."""
        del channel
        return True

    @abstractmethod
    def read(self, posts: Sequence[Published], since: Since | None) -> list[InboxItem]:
        """What is new since `since` (everything, when None) about the channel and `posts`.

        Items by the channel's own account are read too (with `answers` set): they tell which
        items the brand already answered on the platform. PublishError on failure.
        """

    def account_id(self) -> str:
        """The channel's own account as items name their authors (`author_id`)."""
        return ""


@dataclass(frozen=True)
class Answer:
    """What to send in answer to an item."""

    text: str
    private: bool  # as a direct message (the caller checked the platform has them)
    key: str  # the idempotency key: the same answer sent twice is one answer
    language: str | None = None  # the language of the approved reply, when known
    # When this answer was last attempted (its pending line in the ledger): a platform that
    # looks an answer up by its text and time (no idempotency key) looks no further back.
    since: datetime | None = None


class ReplySender(ABC, Generic[P]):
    """Answers items on one channel, threaded under them (or privately, where `can_dm`)."""

    can_dm: ClassVar[bool] = False  # direct messages to the item's author
    can_find: ClassVar[bool] = False  # find() tells for sure whether an answer is there
    resend_is_safe: ClassVar[bool] = False  # a second send with the same key adds nothing

    def __init__(self, publisher: P) -> None:
        self.publisher = publisher

    @classmethod
    def address(cls, handle: str, text: str, private: bool) -> str:
        """The answer's text as it is sent to `handle` (the item's `author_handle`).

        A platform that reaches the person only by naming them (a mention) adds it here; the
        answer is composed and checked with it, so what is reviewed is what is sent.
        """
        del handle, private
        return text

    @abstractmethod
    def send(self, item: InboxItem, answer: Answer) -> Receipt:
        """Send `answer` under `item` (or to its author in private); where it now is."""

    def find(self, item: InboxItem, answer: Answer) -> Receipt | None:
        """The answer sent with `answer.key` under `item`, if the platform has it."""
        raise PublishError(f"{self.publisher.name} cannot look an answer up", "permanent")

    def exists(self, item: InboxItem) -> bool:
        """Whether `item` is still on the platform (an item deleted since is not answered)."""
        return True
