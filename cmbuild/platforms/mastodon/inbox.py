"""Mastodon's inbox, through the channel's Mastodon.py client:

- `GET /api/v1/notifications?types[]=mention&types[]=quote`: the statuses that mention the
  account (replies to its statuses mention it: that is how Mastodon notifies a reply) and, from
  Mastodon 4.5 on, the quotes of its statuses; newest first, 80 a page, paged with `max_id`
  until the page reaches what the last reading stored;
- `GET /api/v1/statuses/:id/context` on each recent post of the ledger: its `descendants`, the
  replies further down its thread (a reply to a reply need not mention the brand) and the
  brand's own answers, which tell what was already answered on the platform.

A status with `visibility = direct` is a private mention: kind `dm`. An item's text is the
status's content, after its content warning where it has one ("CW: ..."). An item's `refs` hold what
an answer needs: the status `id` (`in_reply_to_id`), its author's `acct` (the mention that makes
the answer reach them) and its `visibility`. Sources: docs.joinmastodon.org/methods/notifications
and /methods/statuses/#context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from mastodon import Mastodon

from cmbuild.platforms.mastodon.publisher import MastodonPublisher
from cmbuild.platforms.shared.inbox import InboxReader, Published, Since, partly_read
from cmbuild.platforms.shared.publisher import PublishError
from cmbuild.stores.inbox import InboxItem, Kind, item_id
from cmbuild.text.html import read_html

_PAGE = 80  # GET /api/v1/notifications: limit maximum 80
_MAX_PAGES = 50  # a reading stops there: more is a finding (`partly_read`)
_TYPES = ["mention", "quote"]  # the notifications that carry someone else's status to answer
# Notification ids are not status ids: the store's newest item says when, not where, to stop;
# reading a little before it costs only duplicates, which the store drops.
_OVERLAP = timedelta(hours=1)


class MastodonInbox(InboxReader[MastodonPublisher]):
    api = "GET /api/v1/notifications (mention, quote), GET /api/v1/statuses/:id/context"

    def read(self, posts: Sequence[Published], since: Since | None) -> list[InboxItem]:
        variants = {post.remote_id: post.variant for post in posts}
        found: dict[str, InboxItem] = {}
        self.findings = []
        # Threads first: a reply found there knows which post it answers, however deep.
        for post in posts:
            for status in self._descendants(post):
                item = self._item(status, _kind(status), post.variant)
                found.setdefault(item.id, item)
        for note in self._notifications(since):
            status = note.get("status")
            if status is None:
                continue  # the status was deleted since
            kind: Kind = "quote" if note["type"] == "quote" else _kind(status)
            item = self._item(status, kind, _variant(status, kind, variants))
            found.setdefault(item.id, item)
        return sorted(found.values(), key=lambda i: (i.at, i.id))

    def account_id(self) -> str:
        me = self.publisher.read("read the account", lambda api: api.me())
        return str(me["id"])

    def _notifications(self, since: Since | None) -> Iterator[Any]:
        stop = since.at - _OVERLAP if since is not None else None
        before: str | None = None
        for _ in range(_MAX_PAGES):
            page = self.publisher.read("read the notifications", _page(before))
            for note in page:
                if stop is not None and _time(note["created_at"]) < stop:
                    return
                yield note
            if len(page) < _PAGE:
                return
            before = str(page[-1]["id"])
        self.findings.append(
            partly_read(
                self.publisher.channel.name,
                f"Mastodon: more than {_MAX_PAGES * _PAGE:,} mentions and quotes to read; the "
                "newest were read, the older ones were not (the next reading starts from the "
                "newest)",
                "read the older ones in Mastodon's notifications",
            )
        )

    def _descendants(self, post: Published) -> list[Any]:
        try:
            context = self.publisher.read(
                "read the post's thread", lambda api: api.status_context(post.remote_id)
            )
        except PublishError as error:
            if error.status == 404:
                return []  # the post was deleted since: no thread to read
            raise
        return list(context["descendants"])

    def _item(self, status: Any, kind: Kind, variant: str | None) -> InboxItem:
        channel = self.publisher.channel.name
        author = status["account"]
        acct = str(author["acct"])
        parent = status.get("in_reply_to_id")
        return InboxItem(
            id=item_id(channel, str(status["id"])),
            channel=channel,
            platform="mastodon",
            kind=kind,
            remote_id=str(status["id"]),
            refs={"id": str(status["id"]), "acct": acct, "visibility": str(status["visibility"])},
            author_id=str(author["id"]),
            author_handle=acct,
            author_name=str(author.get("display_name") or author.get("username") or acct),
            text=_text(status),
            url=str(status.get("url") or status.get("uri") or "") or None,
            language=str(status["language"]) if status.get("language") else None,
            at=_time(status["created_at"]),
            variant=variant,
            answers=item_id(channel, str(parent)) if parent is not None else None,
        )


def _text(status: Any) -> str:
    """What the status says: its content warning (`spoiler_text`, words the author wrote, shown
    before the text as Mastodon shows it), then its content."""
    content = read_html(str(status.get("content") or "")).readable.strip()
    warning = str(status.get("spoiler_text") or "").strip()
    return f"CW: {warning}\n\n{content}" if warning else content


def _kind(status: Any) -> Kind:
    if status.get("visibility") == "direct":
        return "dm"
    return "reply" if status.get("in_reply_to_id") is not None else "mention"


def _variant(status: Any, kind: Kind, variants: dict[str, str]) -> str | None:
    """The ledger post a status answers (a reply's parent) or quotes, when it is one of them."""
    if kind == "quote":
        quote = status.get("quote") or {}
        quoted = quote.get("quoted_status") or {}
        return variants.get(str(quoted.get("id")))
    return variants.get(str(status.get("in_reply_to_id")))


def _page(before: str | None) -> Callable[[Mastodon], Any]:
    return lambda api: api.notifications(types=_TYPES, max_id=before, limit=_PAGE)


def _time(value: Any) -> datetime:
    if not isinstance(value, datetime):  # Mastodon.py parses times; a raw answer has text
        value = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    at: datetime = value if value.tzinfo else value.replace(tzinfo=UTC)
    return at.astimezone(UTC).replace(microsecond=0)
