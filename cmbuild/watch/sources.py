"""Where veille listens: the `[[sources]]` of brand/watch.toml, and what a listener gives back.

Every kind of source has one listener, a function `listen(source, cursor, context) -> Listened`:
the feed listener (`cmbuild.watch.feed`), each platform's search (`cmbuild.platforms.<kind>.listen`)
and the inbox of items dropped by another watcher (`cmbuild.watch.dropped`). A listener reads only
what the source says since its cursor, and raises ListenError, never anything else, for what the
source did wrong (a timeout, an HTTP error, a malformed answer): `cmbuild watch` then names that
source and goes on with the others.

The listeners are named as "module:function" (as platforms name their metrics readers) and
imported when a source of their kind is due: a listener imports this module for its types, and a
watch that has no X source never loads X's client.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, cast

if TYPE_CHECKING:
    import urllib3

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

KINDS = ("feed", "mastodon", "bluesky", "x", "inbox")
LISTENERS: dict[str, str] = {
    "feed": "cmbuild.watch.feed:listen",
    "mastodon": "cmbuild.platforms.mastodon.listen:listen",
    "bluesky": "cmbuild.platforms.bluesky.listen:listen",
    "x": "cmbuild.platforms.x.listen:listen",
    "inbox": "cmbuild.watch.dropped:listen",
}


@dataclass(frozen=True)
class Heard:
    """One item a source gave: an article, a post, a page that changed."""

    uri: str  # stable key to deduplicate on: canonical URL, at:// URI, platform id
    url: str | None  # where a person reads it
    title: str
    text: str
    author: str | None
    published: datetime | None  # aware, UTC; None when the source does not say


@dataclass(frozen=True)
class Listened:
    """What one listen gave: the new items, and the cursor to hand back next time."""

    items: tuple[Heard, ...]
    cursor: Mapping[str, str]  # opaque to watch: etag, last-modified, since_id...


class ListenError(Exception):
    """A source could not be read; the message names the problem in plain words."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds the source asked us to wait (HTTP 429, 503)


@dataclass(frozen=True)
class ListenContext:
    """What every listener is given: no global, no clock of its own."""

    env: Mapping[str, str]  # where credentials are read from, by the names the source gives
    timeout: float  # seconds for one request
    max_bytes: int  # the largest answer read; a larger one is a ListenError
    now: datetime  # aware, UTC
    root: Path = Path(".")  # the content repository, which an inbox's `folder` is relative to
    dry_run: bool = False  # read only: a listener moves or writes nothing (an inbox's files)
    # One HTTP client that feeds share across a watch (cmbuild.watch.feed.new_client): making one
    # per feed cost ~2 ms of CPU each. None: each feed makes its own.
    http: urllib3.PoolManager | None = None


_INTERVAL = re.compile(r"^\s*(\d+)\s*(m|min|mins|minutes?|h|hours?|d|days?)\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_interval(value: object) -> object:
    """ "15m", "2h", "1d" (or a number of minutes) → timedelta; other values left to pydantic."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return timedelta(minutes=value)
    if isinstance(value, str):
        match = _INTERVAL.match(value)
        if match is None:
            raise ValueError('write the interval like "15m", "2h" or "1d"')
        return timedelta(**{_UNITS[match.group(2)[0].lower()]: int(match.group(1))})
    return value


Interval = Annotated[timedelta, BeforeValidator(parse_interval)]
EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]


def _web_address(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError("write a full web address starting with https://")
    return value


WebAddress = Annotated[str, AfterValidator(_web_address)]


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    interval: Interval = timedelta(hours=1)  # how often it is read at most

    @field_validator("interval")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1):
            raise ValueError("an interval is at least one minute")
        return value


class FeedSource(_Source):
    """An RSS or Atom feed: a news site, a Google Alerts feed, a blog, a forum."""

    kind: Literal["feed"]
    url: WebAddress


class MastodonSource(_Source):
    """A Mastodon instance's hashtag timeline or link timeline (posts sharing a URL)."""

    kind: Literal["mastodon"]
    instance: WebAddress
    hashtag: str | None = None
    link: str | None = None
    token_env: EnvName | None = None  # instances that close their timelines to anonymous readers

    @model_validator(mode="after")
    def _one_timeline(self) -> MastodonSource:
        if (self.hashtag is None) == (self.link is None):
            raise ValueError("give either `hashtag` or `link`, one of them")
        return self


class BlueskySource(_Source):
    """Bluesky's post search (app.bsky.feed.searchPosts): words, or posts linking to a site."""

    kind: Literal["bluesky"]
    service: WebAddress = "https://public.api.bsky.app"
    query: str | None = None
    url: str | None = None  # posts linking to this address
    domain: str | None = None  # posts linking to any page of this site
    identifier_env: EnvName | None = None
    password_env: EnvName | None = None  # an app password, never the account's own

    @model_validator(mode="after")
    def _something_to_search(self) -> BlueskySource:
        if self.query is None and self.url is None and self.domain is None:
            raise ValueError("give `query`, `url` or `domain`: what to search for")
        if (self.identifier_env is None) != (self.password_env is None):
            raise ValueError("give both `identifier_env` and `password_env`, or neither")
        return self


class XSource(_Source):
    """X's recent search (GET /2/tweets/search/recent)."""

    kind: Literal["x"]
    query: str = Field(min_length=1)
    token_env: EnvName  # the app's bearer token
    api_base: WebAddress = "https://api.x.com"  # another address only for a test double or proxy


class InboxSource(_Source):
    """Items another watcher (changedetection.io, a script) drops as files in a folder."""

    kind: Literal["inbox"]
    folder: str = Field(min_length=1)  # relative to the content repository


Source = Annotated[
    FeedSource | MastodonSource | BlueskySource | XSource | InboxSource,
    Field(discriminator="kind"),
]


def listen(source: Source, cursor: Mapping[str, str], context: ListenContext) -> Listened:
    """Read one source through the listener of its kind; ListenError for what went wrong there."""
    module, _, attribute = LISTENERS[source.kind].partition(":")
    try:
        found = import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        raise ListenError(
            f"this version of cmbuild cannot listen to {source.kind} sources"
        ) from exc
    listener = cast(Callable[..., Listened], getattr(found, attribute))
    return listener(source, cursor, context)
