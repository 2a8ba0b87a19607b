"""The publisher interface: send a variant to a platform, find it again, delete it.

One class per way of publishing, named by its platform (`Platform.publisher`, `alternatives`) or,
for one that serves every platform, by `cmbuild.platforms.GENERIC`. A publisher is built for
one channel, with that channel's credentials (read from the environment variables channels.toml
names) and its options. It raises `PublishError` for every failure, classified so that the push
knows whether to retry, to stop the channel, or to ask the platform whether the post went out.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Literal

from cmbuild.manifest.reader import VariantEntry
from cmbuild.model import Channel

# auth: the credentials were refused (stop the channel, renew them); config: the channel cannot
# work as configured (stop the channel); transient: nothing was done, try again later (429, 5xx,
# connection refused); ambiguous: the request may have been carried out (timeout, dropped
# connection); permanent: the platform refused this post.
STOPPED = "; nothing more is sent to this channel now"  # ends the message of refused credentials
ErrorKind = Literal["auth", "config", "transient", "ambiguous", "permanent"]


class PublishError(Exception):
    """A publisher's failure, with what kind of failure it is."""

    def __init__(
        self,
        message: str,
        kind: ErrorKind = "permanent",
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind: ErrorKind = kind
        self.status: int | None = status
        self.retry_after: float | None = retry_after


@dataclass(frozen=True)
class Receipt:
    """Where a post now is on its platform."""

    remote_id: str
    url: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True)
class MediaFile:
    """An image to attach, read from disk and checked against the manifest's digest."""

    path: str  # as the manifest names it
    data: bytes
    mime_type: str
    alt: str | None


@dataclass(frozen=True)
class Lookup:
    """What recognises a post that may have been sent before a crash."""

    key: str  # the idempotency key it was sent with
    variant: str
    text_sha256: str | None  # `manifest.text_digest` of the text sent
    since: datetime  # when the send was recorded as pending


@dataclass(frozen=True)
class PublisherContext:
    """Everything a publisher gets: its channel, secrets, where the repository is, time limits."""

    channel: Channel
    credentials: Mapping[str, str]  # purpose -> secret value; never shown anywhere
    root: Path
    timeout: float
    sleep: Callable[[float], None]
    # Removes every secret of the push from a text: applied to a server's answer before it is
    # cut to an excerpt, so that no secret is cut past recognition.
    redact: Callable[[str], str] = str


class Publisher(ABC):
    """Publishing to one channel."""

    name: ClassVar[str]
    # Credential purposes (keys of `credentials` in channels.toml) this publisher needs.
    required_credentials: ClassVar[tuple[str, ...]] = ()
    # Options (keys of `options` in channels.toml) this publisher needs, with what they are.
    required_options: ClassVar[tuple[tuple[str, str], ...]] = ()
    can_find: ClassVar[bool] = False  # find() tells for sure whether a post is there
    can_delete: ClassVar[bool] = False
    # The receiver drops a second request with the same idempotency key, so sending again after
    # a timeout or a crash cannot duplicate the post.
    resend_is_safe: ClassVar[bool] = False

    def __init__(self, context: PublisherContext) -> None:
        self.context = context
        self.channel = context.channel
        for name, hint in self.required_options:
            self.required_option(name, hint)

    @abstractmethod
    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        """Send `entry` with its images; where it now is. Use `entry.idempotency_key`."""

    def find(self, lookup: Lookup) -> Receipt | None:
        """The post sent with `lookup.key`, if the platform has it (only if `can_find`)."""
        raise PublishError(f"{self.name} cannot look a post up", "permanent")

    def delete(self, remote_id: str) -> None:
        """Delete a published post (only if `can_delete`)."""
        raise PublishError(f"{self.name} cannot delete a post", "permanent")

    def option(self, name: str, default: str | None = None) -> str | None:
        return dict(self.channel.options).get(name, default)

    def required_option(self, name: str, hint: str) -> str:
        value = self.option(name)
        if not value:
            raise PublishError(
                f"channels.{self.channel.name}.options.{name} is not set ({hint})", "config"
            )
        return value

    def credential(self, purpose: str) -> str | None:
        return self.context.credentials.get(purpose)

    def auth_error(
        self, detail: str, status: int | None = None, purposes: tuple[str, ...] | None = None
    ) -> PublishError:
        """The error for refused credentials, naming the environment variables to renew."""
        names = dict(self.channel.credentials)
        which = [
            f"{names[p]} (channels.{self.channel.name}.credentials.{p})"
            for p in (self.required_credentials if purposes is None else purposes)
            if p in names
        ] or [f"the credentials of channels.{self.channel.name}"]
        return PublishError(
            f"{detail}: renew {' and '.join(which)}{STOPPED}",
            "auth",
            status=status,
        )
