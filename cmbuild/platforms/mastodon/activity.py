"""Mastodon's audience activity: `GET /api/v1/notifications` (80 a page at most, newest first,
paged with `max_id`), each notification's `created_at` and its `id` as the stable key.
Types kept: favourite, reblog, mention, follow, quote (servers from 4.5 on).
Source: docs.joinmastodon.org/methods/notifications/#get.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from mastodon import Mastodon

from cmbuild.platforms.mastodon.publisher import MastodonPublisher
from cmbuild.platforms.shared.activity import MAX_PAGES, ActivityReader, Interaction, utc

PAGE = 80  # GET /api/v1/notifications: limit maximum 80


class MastodonActivity(ActivityReader[MastodonPublisher]):
    api = "mastodon GET /api/v1/notifications"
    kinds = ("favourite", "reblog", "mention", "follow", "quote")

    def read_since(self, since: datetime) -> Sequence[Interaction]:
        found: list[Interaction] = []
        before: str | None = None
        for _ in range(MAX_PAGES):
            page = self.publisher.read(
                "read the account's notifications", _page(self.kinds, before)
            )
            older = False
            for item in page:
                at = _time(item["created_at"])
                if at < since:
                    older = True
                elif item["type"] in self.kinds:
                    found.append(Interaction(str(item["id"]), item["type"], at))
            if older or len(page) < PAGE:
                break
            before = str(page[-1]["id"])
        return found


def _page(kinds: Sequence[str], before: str | None) -> Callable[[Mastodon], Any]:
    return lambda api: api.notifications(types=list(kinds), max_id=before, limit=PAGE)


def _time(value: object) -> datetime:
    if isinstance(value, datetime):  # Mastodon.py parses times; a raw answer has text
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return utc(str(value))
