"""Mastodon, through the Mastodon.py library.

Options: `instance` (the server's URL), `visibility` (default `public`). Credential: `token`, an
access token with the `write:statuses` and `write:media` scopes (`read:accounts` and
`read:statuses` for finding a post after a crash).

- Images are uploaded with their alt text (`media_post(description=...)`) and attached. Servers
  process uploads in the background (`url` is null until done); we poll, a bounded number of times.
- Every status is posted with `Idempotency-Key` = variant id + content digest: Mastodon keeps keys
  for an hour and answers a repeated key with the status it already created, so a retry after a
  timeout cannot post twice.
- `find` (after a crash) reads the account's recent statuses and compares the digest of each one's
  source text (`GET /api/v1/statuses/:id/source`) with that of the text sent.
"""

from __future__ import annotations

import functools
import io
import socket
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from cmbuild.manifest.reader import VariantEntry, text_digest
from cmbuild.platforms.shared.http import USER_AGENT, retry_after
from cmbuild.platforms.shared.publisher import Lookup, MediaFile, Publisher, PublishError, Receipt

T = TypeVar("T")

VISIBILITIES = ("public", "unlisted", "private", "direct")
_MEDIA_POLLS = 12  # x 2.5 s: give a server half a minute to process an image
_FIND_PAGES = 5  # x 40 statuses: how far back a crashed post is looked for
_CLOCK_SKEW = timedelta(minutes=10)


class MastodonPublisher(Publisher):
    """Statuses with images and alt text, on one Mastodon account."""

    name = "mastodon"
    required_options = (("instance", "the server's URL, https://..."),)
    required_credentials = ("token",)
    can_find = True
    can_delete = True
    resend_is_safe = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visibility = self.option("visibility", "public")
        if visibility not in VISIBILITIES:
            raise PublishError(
                f"channels.{self.channel.name}.options.visibility: {visibility!r} is not a "
                "Mastodon visibility (public, unlisted, private or direct)",
                "config",
            )
        self._api: Mastodon | None = None
        self._last_headers: dict[str, str] = {}

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        api = self._client()
        media_ids = [self._upload(api, item) for item in media]
        status = self._call(
            "post the status",
            functools.partial(
                api.status_post,
                entry.text,
                media_ids=media_ids or None,
                idempotency_key=entry.idempotency_key,
                # Mastodon takes an ISO 639 code: the language of `fr-FR`, `fr`.
                language=entry.lang.split("-")[0].lower() if entry.lang else None,
                visibility=self.option("visibility", "public"),
            ),
        )
        return receipt(status)

    def find(self, lookup: Lookup) -> Receipt | None:
        api = self._client()
        me = self._call("read the account", api.account_verify_credentials)
        since = lookup.since - _CLOCK_SKEW
        page: Any = self._call(
            "list the account's statuses",
            functools.partial(api.account_statuses, me["id"], limit=40, exclude_reblogs=True),
        )
        for _ in range(_FIND_PAGES):
            if not page:
                return None
            for status in page:
                created = _created(status)
                if created is not None and created < since:
                    return None
                source = self._call(
                    "read a status's source", functools.partial(api.status_source, status["id"])
                )
                if lookup.text_sha256 == text_digest(str(source["text"])):
                    return receipt(status)
            page = self._call("list older statuses", functools.partial(api.fetch_next, page))
        return None

    def delete(self, remote_id: str) -> None:
        api = self._client()
        try:
            self._call("delete the status", functools.partial(api.status_delete, remote_id))
        except PublishError as error:
            if error.status != 404:  # already gone: what a retraction wants
                raise

    def _upload(self, api: Mastodon, item: MediaFile) -> str:
        attachment: Any = self._call(
            f"upload {item.path}",
            functools.partial(
                api.media_post,
                io.BytesIO(item.data),
                mime_type=item.mime_type,
                description=item.alt,
                file_name=item.path.rsplit("/", 1)[-1],
            ),
        )
        for _ in range(_MEDIA_POLLS):
            if attachment.get("url"):
                return str(attachment["id"])
            self.context.sleep(2.5)
            attachment = self._call(
                f"check {item.path}", functools.partial(api.media, attachment["id"])
            )
        raise PublishError(f"the server did not finish processing {item.path}", "transient")

    def _client(self) -> Mastodon:
        if self._api is None:
            instance = self.required_option("instance", "the server's URL, https://...")
            # Mastodon.py's version check recurses without end when the server cannot be
            # reached (RecursionError on media_post): say so before it gets the chance.
            reach(instance, self.context.timeout)
            api = Mastodon(
                access_token=self.credential("token"),
                api_base_url=instance,
                ratelimit_method="throw",  # we retry ourselves, honouring Retry-After
                request_timeout=self.context.timeout,
                version_check_mode="none",
                user_agent=USER_AGENT,
            )
            # Mastodon.py raises on 429 without the response: keep its headers for Retry-After.
            api.session.hooks["response"].append(self._remember)
            self._api = api
        return self._api

    def read(self, what: str, call: Callable[[Mastodon], T]) -> T:
        """`call(client)` on the channel's client: a read, errors as PublishErrors."""
        return self._call(what, lambda: call(self._client()))

    def _remember(self, response: Any, *args: Any, **kwargs: Any) -> None:
        del args, kwargs
        self._last_headers = dict(response.headers)

    def _call(self, what: str, call: Callable[[], T]) -> T:
        self._last_headers = {}
        try:
            return call()
        except MastodonError as error:
            raise self._error(what, error) from None

    def _error(self, what: str, error: MastodonError) -> PublishError:
        status = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else None
        detail = str(error.args[3]) if len(error.args) > 3 and error.args[3] else ""
        message = f"cannot {what}" + (f" (HTTP {status})" if status else "")
        message += f": {detail}" if detail else ""
        if isinstance(error, MastodonUnauthorizedError) or status in (401, 403):
            return self.auth_error(f"the server refused the token (HTTP {status})", status)
        if isinstance(error, MastodonRatelimitError):
            wait = retry_after(self._last_headers) or rate_limit_reset(self._last_headers)
            return PublishError(
                f"cannot {what}: rate limited (HTTP 429)", "transient", status=429, retry_after=wait
            )
        if isinstance(error, MastodonServerError):
            return PublishError(
                message, "transient", status=status, retry_after=retry_after(self._last_headers)
            )
        if isinstance(error, MastodonNetworkError):
            if "NewConnectionError" in str(error) or "NameResolutionError" in str(error):
                # Refused or unknown host: nothing reached the server, so nothing was done.
                instance = self.option("instance") or "?"
                return PublishError(f"cannot reach the Mastodon instance {instance}", "transient")
            return PublishError(f"cannot {what}: {error} (it may have been done)", "ambiguous")
        if isinstance(error, MastodonNotFoundError | MastodonAPIError):
            return PublishError(message, "permanent", status=status)
        return PublishError(f"cannot {what}: {error}", "permanent")


def reach(instance: str, timeout: float) -> None:
    """A `transient` PublishError naming `instance` if nothing answers at its address."""
    parts = urllib.parse.urlsplit(instance)
    if not parts.hostname or urllib.request.getproxies():
        return  # through a proxy, only the proxy can tell
    port = parts.port or (80 if parts.scheme == "http" else 443)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise PublishError(
            f"cannot reach the Mastodon instance {instance} ({reason}): check "
            "options.instance, or try again later",
            "transient",
        ) from None


def receipt(status: Any) -> Receipt:
    url = status.get("url") or status.get("uri")
    return Receipt(str(status["id"]), str(url) if url else None, _created(status))


def _created(status: Any) -> datetime | None:
    created = status.get("created_at")
    if created is None or isinstance(created, datetime):
        return created
    try:
        return datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        return None


def rate_limit_reset(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds from `now` (default: the clock) until Mastodon's X-RateLimit-Reset (an ISO 8601
    time), if the server sent it."""
    reset = next((v for k, v in headers.items() if k.lower() == "x-ratelimit-reset"), None)
    if reset is None:
        return None
    try:
        when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    now = now if now is not None else datetime.now(when.tzinfo)
    return max((when - now).total_seconds(), 0.0)
