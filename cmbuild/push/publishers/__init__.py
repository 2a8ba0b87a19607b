"""Which publisher publishes a channel: its platform's own, or the webhook the channel asks for.

A channel uses the publisher named by `options.publisher` if it sets one (today: "webhook"),
else its platform's built-in publisher. Platforms without one are reported, never pretended:
pushing to them fails with "publishing to X is not implemented yet" (route them through the webhook
meanwhile). Modules are imported only when a channel needs them, so `plan` loads no client library.
"""

from __future__ import annotations

from importlib import import_module

from cmbuild.model import Channel
from cmbuild.push.publishers.base import Publisher

BUILTIN: dict[str, str] = {
    "mastodon": "cmbuild.push.publishers.mastodon:MastodonPublisher",
    "newsletter": "cmbuild.push.publishers.newsletter:Newsletter",
    "blog": "cmbuild.push.publishers.blog:BlogPublisher",
    "webhook": "cmbuild.push.publishers.webhook:Webhook",
    "wordpress": "cmbuild.push.publishers.wordpress:WordPressPublisher",
    "x": "cmbuild.push.publishers.x:XPublisher",
    "bluesky": "cmbuild.push.publishers.bluesky:BlueskyPublisher",
    "linkedin": "cmbuild.push.publishers.linkedin:LinkedInPublisher",
    "tumblr": "cmbuild.push.publishers.tumblr:TumblrPublisher",
    "pinterest": "cmbuild.push.publishers.pinterest:PinterestPublisher",
    "facebook": "cmbuild.push.publishers.facebook:FacebookPublisher",
    "instagram": "cmbuild.push.publishers.instagram:InstagramPublisher",
    "threads": "cmbuild.push.publishers.threads:ThreadsPublisher",
}


class NoPublisher(Exception):
    """No publisher can publish this channel; the message says why and what to do."""


def publisher_name(channel: Channel) -> str:
    """The name of the publisher for `channel`; NoPublisher if there is none."""
    chosen = dict(channel.options).get("publisher")
    if chosen is not None:
        if chosen not in BUILTIN:
            raise NoPublisher(
                f"channels.{channel.name}.options.publisher: unknown publisher {chosen!r} "
                f"(known: {', '.join(sorted(BUILTIN))})"
            )
        return chosen
    if channel.platform in BUILTIN:
        return channel.platform
    from cmbuild import platforms

    label = platforms.get(channel.platform).label
    raise NoPublisher(
        f"publishing to {label} is not implemented yet (publish it by hand, or set "
        f'options.publisher = "webhook" on channels.{channel.name})'
    )


def publisher_class(name: str) -> type[Publisher]:
    module, _, attribute = BUILTIN[name].partition(":")
    found = getattr(import_module(module), attribute)
    assert isinstance(found, type) and issubclass(found, Publisher)
    return found
