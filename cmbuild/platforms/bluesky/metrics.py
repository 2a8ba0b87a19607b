"""Bluesky's figures, from the AppView through the account's own server (which forwards
`app.bsky.*` calls): `app.bsky.feed.getPosts` (up to 25 posts a call: like, repost, reply and
quote counts) and `app.bsky.actor.getProfile` (followers). Bluesky gives no impressions.

getPosts leaves out a post it does not have (deleted, or never indexed): such a post is gone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from atproto_client import models  # type: ignore[import-untyped]

from cmbuild.platforms.bluesky.publisher import BlueskyPublisher
from cmbuild.platforms.shared.metrics import (
    MetricsReader,
    MetricValue,
    PostFigures,
    PostRef,
    figures,
)


class BlueskyMetrics(MetricsReader[BlueskyPublisher]):
    api = "app.bsky.feed.getPosts"
    batch = 25  # app.bsky.feed.getPosts: uris maxLength 25

    def read_posts(self, refs: Sequence[PostRef], now: datetime) -> dict[str, PostFigures]:
        del now
        params = models.AppBskyFeedGetPosts.Params(uris=[r.remote_id for r in refs])
        answer = self.publisher.read(
            "read the posts' figures", lambda api: api.app.bsky.feed.get_posts(params)
        )
        seen = {str(post.uri): _fields(post) for post in answer.posts}
        return {
            r.remote_id: (
                PostFigures(figures(self.posts, seen[r.remote_id]))
                if r.remote_id in seen
                else PostFigures({}, gone=True)
            )
            for r in refs
        }

    def read_channel(self) -> Mapping[str, MetricValue]:
        params = models.AppBskyActorGetProfile.Params(actor=self.publisher.did)
        answer = self.publisher.read(
            "read the account's profile", lambda api: api.app.bsky.actor.get_profile(params)
        )
        return figures(self.channel, _fields(answer))


def _fields(view: Any) -> dict[str, object]:
    """A view's fields under their lexicon names (likeCount...)."""
    return dict(view.model_dump(by_alias=True))
