"""Bluesky's audience activity: `app.bsky.notification.listNotifications` (through the
account's server, which forwards it to the AppView), newest first, 100 a page.

Each notification's `indexedAt` is when the AppView sorts it: the record's own `createdAt`, or
when it was indexed if that is earlier (the AppView's `sortAt`), so a like backdated or created
while the AppView was behind still counts at the hour it was made. The notification's `uri` (the
like, repost, reply... record) is its stable key. Reasons kept: like, repost, reply, quote,
follow, mention. Source: the lexicon app/bsky/notification/listNotifications.json.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from atproto_client import models  # type: ignore[import-untyped]

from cmbuild.platforms.bluesky.publisher import BlueskyPublisher
from cmbuild.platforms.shared.activity import MAX_PAGES, ActivityReader, Interaction, utc

PAGE = 100  # listNotifications: limit maximum 100


class BlueskyActivity(ActivityReader[BlueskyPublisher]):
    api = "app.bsky.notification.listNotifications"
    kinds = ("like", "repost", "reply", "quote", "follow", "mention")

    def read_since(self, since: datetime) -> Sequence[Interaction]:
        found: list[Interaction] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = self.publisher.read("read the account's notifications", _page(cursor))
            older = False
            for item in page.notifications:
                at = utc(item.indexed_at)
                if at < since:
                    older = True
                elif item.reason in self.kinds:
                    found.append(Interaction(str(item.uri), item.reason, at))
            cursor = page.cursor
            if older or not cursor or not page.notifications:
                break
        return found


def _page(cursor: str | None) -> Callable[[Any], Any]:
    params = models.AppBskyNotificationListNotifications.Params(limit=PAGE, cursor=cursor)
    return lambda api: api.app.bsky.notification.list_notifications(params)
