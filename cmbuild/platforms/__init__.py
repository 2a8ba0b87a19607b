"""The platform registry: every platform cmbuild knows, by name, and how each one is published.

Every platform, built-in or plug-in, is an entry point of the ``cmbuild.platforms`` group naming
its `Platform` subclass; cmbuild's own are declared in its pyproject.toml like any other
package's::

    [project.entry-points."cmbuild.platforms"]
    mastodon-glitch = "cmbuild_glitch:GlitchMastodon"

A name registered twice (by two packages) is an error. The platform object brings everything
else: its rules, its preview traits, its starter template, and its publisher and options model
(`PublisherSpec`), imported only when a push or a load of channels.toml needs them. Publishers
that serve any platform (the webhook) are listed here, in `GENERIC`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib import import_module
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import PublisherSpec

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from cmbuild.model import Channel
    from cmbuild.platforms.options import ChannelOptions
    from cmbuild.platforms.shared.activity import ActivityReader
    from cmbuild.platforms.shared.inbox import InboxReader, ReplySender
    from cmbuild.platforms.shared.metrics import MetricsReader
    from cmbuild.platforms.shared.publisher import Publisher

ENTRY_POINT_GROUP = "cmbuild.platforms"

# Publishers a channel of any platform may choose with `options.publisher`.
GENERIC: Mapping[str, PublisherSpec] = MappingProxyType(
    {
        "webhook": PublisherSpec(
            "cmbuild.platforms.shared.webhook:Webhook",
            "cmbuild.platforms.shared.options:WebhookOptions",
        )
    }
)


class PlatformRegistryError(RuntimeError):
    """A platform that cannot be registered (its name is taken, or it is not a Platform)."""


class NoPublisher(Exception):
    """No publisher can publish this channel; the message says why and what to do."""


def names() -> list[str]:
    """The names of every known platform, built-in and plug-in, sorted."""
    return sorted(_registered())


def get(name: str) -> Platform:
    """The platform called `name`; KeyError, listing the known names, if there is none."""
    return _instance(name)


@cache
def _instance(name: str) -> Platform:
    entry_point = _registered().get(name)
    if entry_point is None:
        raise KeyError(f"unknown platform {name!r}; known platforms: {', '.join(names())}")
    platform_class = entry_point.load()
    if not (isinstance(platform_class, type) and issubclass(platform_class, Platform)):
        raise PlatformRegistryError(
            f"platform {name!r} ({entry_point.value}) is not a Platform subclass"
        )
    if platform_class.name != name:
        raise PlatformRegistryError(
            f"platform {name!r} is registered for a class named {platform_class.name!r}"
        )
    return platform_class()


def _entry_points() -> Iterable[EntryPoint]:
    # Imported here: importlib.metadata takes longer to import than all the built-ins together,
    # and a build with nothing to do never asks for a platform.
    from importlib.metadata import entry_points

    return entry_points(group=ENTRY_POINT_GROUP)


@cache
def _registered() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for entry_point in _entry_points():
        taken = found.get(entry_point.name)
        if taken is not None and taken.value != entry_point.value:
            raise PlatformRegistryError(
                f"platform {entry_point.name!r} from {_origin(entry_point)} is already registered"
                f" by {_origin(taken)}"
            )
        found[entry_point.name] = entry_point
    return found


def _origin(entry_point: EntryPoint) -> str:
    dist = entry_point.dist
    return f"{entry_point.value} ({dist.name})" if dist is not None else entry_point.value


def publisher_spec(platform: Platform, chosen: str | None, channel: str) -> PublisherSpec | None:
    """How a channel of `platform` choosing `chosen` (`options.publisher`) is published.

    None: the platform has no publisher of its own and the channel chose none. NoPublisher if
    the channel chose a publisher this platform does not have.
    """
    if chosen is None:
        return platform.publisher
    known = dict(GENERIC)
    known.update(platform.alternatives)
    if platform.publisher is not None:
        known[platform.name] = platform.publisher
    spec = known.get(chosen)
    if spec is None:
        raise NoPublisher(
            f"channels.{channel}.options.publisher: unknown publisher {chosen!r} for"
            f" {platform.label} (known: {', '.join(sorted(known))})"
        )
    return spec


def options_model(platform: Platform, chosen: str | None, channel: str) -> type[ChannelOptions]:
    """The model of the options of a channel of `platform` choosing `chosen`; NoPublisher."""
    from cmbuild.platforms.options import ChannelOptions

    spec = publisher_spec(platform, chosen, channel)
    if spec is None:
        return ChannelOptions
    found = _load(spec.options)
    if not (isinstance(found, type) and issubclass(found, ChannelOptions)):
        raise PlatformRegistryError(f"{spec.options} is not a ChannelOptions model")
    return found


def publisher_name(channel: Channel) -> str:
    """The name of the publisher of `channel`; NoPublisher if there is none.

    Imports no publisher: `cmbuild plan` reports a channel that cannot be published without
    loading any client library.
    """
    return _channel_publisher(channel)[0]


def publisher_class(channel: Channel) -> type[Publisher]:
    """The publisher class of `channel`, imported now; NoPublisher if there is none."""
    from cmbuild.platforms.shared.publisher import Publisher

    target = _channel_publisher(channel)[1].publisher
    found = _load(target)
    if not (isinstance(found, type) and issubclass(found, Publisher)):
        raise PlatformRegistryError(f"{target} is not a Publisher subclass")
    return found


def reads_metrics(channel: Channel) -> bool:
    """Whether cmbuild can read `channel`'s figures back (without importing its reader)."""
    chosen = dict(channel.options).get("publisher")
    return get(channel.platform).metrics is not None and chosen in (None, channel.platform)


def metrics_reader_class(channel: Channel) -> type[MetricsReader[Any]] | None:
    """The metrics reader of `channel`'s platform, imported now; None if it has none (or the
    channel publishes through another publisher, whose session the reader could not use)."""
    from cmbuild.platforms.shared.metrics import MetricsReader

    platform = get(channel.platform)
    chosen = dict(channel.options).get("publisher")
    if platform.metrics is None or chosen not in (None, platform.name):
        return None
    found = _load(platform.metrics)
    if not (isinstance(found, type) and issubclass(found, MetricsReader)):
        raise PlatformRegistryError(f"{platform.metrics} is not a MetricsReader subclass")
    return found


def activity_reader_class(channel: Channel) -> type[ActivityReader[Any]] | None:
    """The audience activity reader of `channel`'s platform, imported now; None as for
    `metrics_reader_class`."""
    from cmbuild.platforms.shared.activity import ActivityReader

    found: type[ActivityReader[Any]] | None = _piece(channel, "activity", ActivityReader)
    return found


def inbox_reader_class(channel: Channel) -> type[InboxReader[Any]] | None:
    """The inbox reader of `channel`, imported now; None if it has none. A channel publishing
    through another publisher (`options.publisher`) is read by that publisher's own reader."""
    from cmbuild.platforms.shared.inbox import InboxReader

    found: type[InboxReader[Any]] | None = _piece(channel, "inbox", InboxReader)
    return found


def reply_sender_class(channel: Channel) -> type[ReplySender[Any]] | None:
    """The reply sender of `channel`, imported now; None if it has none (as for the reader)."""
    from cmbuild.platforms.shared.inbox import ReplySender

    found: type[ReplySender[Any]] | None = _piece(channel, "reply", ReplySender)
    return found


def _piece(channel: Channel, piece: str, base: type[Any]) -> Any:
    """The class `piece` names for `channel`: the platform's own when the channel publishes
    through the platform's publisher, else the chosen alternative's (PublisherSpec.inbox...),
    whose session it needs. None when there is none."""
    platform = get(channel.platform)
    chosen = dict(channel.options).get("publisher")
    if chosen in (None, platform.name):
        target = getattr(platform, piece)
    else:
        spec = platform.alternatives.get(chosen) if isinstance(chosen, str) else None
        target = getattr(spec, piece, None)
    if target is None:
        return None
    found = _load(target)
    if not (isinstance(found, type) and issubclass(found, base)):
        raise PlatformRegistryError(f"{target} is not a {base.__name__} subclass")
    return found


def _channel_publisher(channel: Channel) -> tuple[str, PublisherSpec]:
    chosen = dict(channel.options).get("publisher")
    platform = get(channel.platform)
    spec = publisher_spec(platform, chosen, channel.name)
    if spec is None:
        raise NoPublisher(
            f"publishing to {platform.label} is not implemented yet (publish it by hand, or set "
            f'options.publisher = "webhook" on channels.{channel.name})'
        )
    return chosen or platform.name, spec


def _load(target: str) -> object:
    module, _, attribute = target.partition(":")
    return getattr(import_module(module), attribute)
