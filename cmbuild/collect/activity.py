"""The audience's activity, recorded by each collect: the channel's new interactions, from its
platform's activity reader, appended to state/activity/ (cmbuild/stores/activity.py).

A channel is read from its newest stored interaction on (the store drops the ones it already
holds), or over the last LOOKBACK the first time. Only platforms that give the times of
interactions have a reader (Bluesky, Mastodon); the others record nothing here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from cmbuild import platforms
from cmbuild.model import Channel
from cmbuild.platforms.shared.publisher import STOPPED, PublishError
from cmbuild.push.retry import with_retry
from cmbuild.push.session import Session
from cmbuild.stores import activity
from cmbuild.stores.activity import Activity

LOOKBACK = timedelta(days=90)  # how far back the first collect of a channel reads


def record_activity(
    session: Session, channel: Channel, state_dir: Path, now: datetime
) -> tuple[int, str | None]:
    """Read and store `channel`'s new interactions: (lines written, why it stopped or None)."""
    kind = platforms.activity_reader_class(channel)
    if kind is None:
        return 0, None
    since = activity.newest(state_dir, channel.name) or now - LOOKBACK
    try:
        reader = kind(session.publisher(channel.name))
        found = with_retry(
            session.settings.retry,
            session.guarded(lambda: reader.read_since(since)),
            resend_is_safe=True,
        )
    except PublishError as error:
        message = session.redact(error.message)
        if error.kind == "auth":
            message = message.replace(STOPPED, "; nothing more is read from this channel now")
        return 0, message
    items = [
        Activity(channel.name, channel.platform, i.key, i.kind, i.at, reader.api)
        for i in sorted(found, key=lambda i: (i.at, i.key))
    ]
    return activity.append_activity(state_dir, items), None
