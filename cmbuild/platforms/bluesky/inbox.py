"""Bluesky's inbox, from the AppView through the account's own server (which forwards
`app.bsky.*` calls):

- `app.bsky.notification.listNotifications`: replies, mentions and quotes of the account,
  newest first, paged by cursor until the page reaches what the last reading stored;
- `app.bsky.feed.getPostThread` on each recent post of the ledger: the replies further down its
  threads (a reply to a reply notifies its parent's author, not the brand), and the brand's own
  answers, which tell what was already answered on the platform.

With `read_direct_messages = true`, the direct messages are read too
(`cmbuild.platforms.bluesky.chat`), as items of kind `dm`.

An item's `refs` hold what a threaded answer needs (lexicon app.bsky.feed.post#replyRef): its
`uri` and `cid` (the parent) and the thread's `root_uri` and `root_cid`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from atproto_client import models  # type: ignore[import-untyped]

from cmbuild.platforms.bluesky.chat import read_chats
from cmbuild.platforms.bluesky.publisher import BlueskyPublisher
from cmbuild.platforms.shared.inbox import InboxReader, Published, Since
from cmbuild.platforms.shared.publisher import PublishError
from cmbuild.stores.inbox import InboxItem, Kind, item_id

_PAGE = 100  # listNotifications: limit maximum 100
_MAX_PAGES = 50  # a first reading of a busy account stops there; the next one goes on
_REASONS: dict[str, Kind] = {"reply": "reply", "mention": "mention", "quote": "quote"}
# Notifications are ordered by when the AppView indexed them, items stored by when they were
# written: reading a little further back than the newest stored item costs only duplicates,
# which the store drops.
_OVERLAP = timedelta(hours=1)
_THREAD_DEPTH = 20


class BlueskyInbox(InboxReader[BlueskyPublisher]):
    api = (
        "app.bsky.notification.listNotifications, app.bsky.feed.getPostThread; "
        "chat.bsky.convo.listConvos, getMessages (by option)"
    )

    def read(self, posts: Sequence[Published], since: Since | None) -> list[InboxItem]:
        variants = {post.remote_id: post.variant for post in posts}
        found: dict[str, InboxItem] = {}
        for note in self._notifications(since):
            reason = _REASONS.get(str(note.reason))
            if reason is not None:
                item = self._item(note, reason, variants)
                found.setdefault(item.id, item)
        for post in posts:
            for item in self._thread(post, variants):
                found.setdefault(item.id, item)
        if self.publisher.option("read_direct_messages") == "True":
            for item in read_chats(self.publisher, since):
                found.setdefault(item.id, item)
        return sorted(found.values(), key=lambda i: (i.at, i.id))

    def account_id(self) -> str:
        return self.publisher.did

    def _notifications(self, since: Since | None) -> Iterator[Any]:
        stop = since.at - _OVERLAP if since is not None else None
        cursor: str | None = None
        for _ in range(_MAX_PAGES):
            params = models.AppBskyNotificationListNotifications.Params(limit=_PAGE, cursor=cursor)
            answer = self.publisher.read("read the notifications", _list(params))
            for note in answer.notifications:
                if stop is not None and _time(note.indexed_at) < stop:
                    return
                yield note
            cursor = answer.cursor
            if not cursor or not answer.notifications:
                return

    def _thread(self, post: Published, variants: dict[str, str]) -> Iterator[InboxItem]:
        params = models.AppBskyFeedGetPostThread.Params(uri=post.remote_id, depth=_THREAD_DEPTH)
        try:
            answer = self.publisher.read(
                "read the post's thread", lambda api: api.app.bsky.feed.get_post_thread(params)
            )
        except PublishError as error:
            if error.status == 400 and "NotFound" in error.message:
                return  # the post was deleted since: no thread to read
            raise
        pending = list(getattr(answer.thread, "replies", None) or [])
        while pending:
            node = pending.pop()
            view = getattr(node, "post", None)
            if view is None:
                continue  # a reply deleted or blocked: nothing to read
            yield self._item(view, "reply", variants)
            pending.extend(getattr(node, "replies", None) or [])

    def _item(self, view: Any, kind: Kind, variants: dict[str, str]) -> InboxItem:
        record = view.record
        uri, cid = str(view.uri), str(view.cid)
        reply = getattr(record, "reply", None)
        root_uri = str(reply.root.uri) if reply is not None else uri
        root_cid = str(reply.root.cid) if reply is not None else cid
        parent = str(reply.parent.uri) if reply is not None else None
        quoted = _quoted(record)
        author = view.author
        langs = getattr(record, "langs", None) or []
        return InboxItem(
            id=item_id(self.publisher.channel.name, uri),
            channel=self.publisher.channel.name,
            platform="bluesky",
            kind=kind,
            remote_id=uri,
            refs={"uri": uri, "cid": cid, "root_uri": root_uri, "root_cid": root_cid},
            author_id=str(author.did),
            author_handle=str(author.handle),
            author_name=str(author.display_name or author.handle),
            text=str(getattr(record, "text", "") or ""),
            url=f"https://bsky.app/profile/{author.handle}/post/{uri.rsplit('/', 1)[-1]}",
            language=str(langs[0]) if langs else None,
            at=_time(getattr(record, "created_at", None) or view.indexed_at),
            variant=variants.get(root_uri) or (variants.get(quoted) if quoted else None),
            answers=item_id(self.publisher.channel.name, parent) if parent else None,
        )


def _list(params: Any) -> Callable[[Any], Any]:
    return lambda api: api.app.bsky.notification.list_notifications(params)


def _quoted(record: Any) -> str | None:
    """The post a quote post quotes (app.bsky.embed.record, or recordWithMedia)."""
    embed = getattr(record, "embed", None)
    inner = getattr(embed, "record", None)
    inner = getattr(inner, "record", inner)  # recordWithMedia nests the strong ref once more
    uri = getattr(inner, "uri", None)
    return str(uri) if uri else None


def _time(value: Any) -> datetime:
    at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
