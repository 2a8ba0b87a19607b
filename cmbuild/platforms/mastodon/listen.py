"""Listening on Mastodon: a hashtag timeline or a link timeline, through Mastodon.py.

Source keys: `instance` (the server's URL), `hashtag` (without `#`) or `link` (a URL),
`token_env` (optional: a variable holding an access token with `read:statuses`, for servers
that close their timelines to anonymous readers).

- `hashtag`: `GET /api/v1/timelines/tag/:hashtag` (`timeline_hashtag`), the public statuses the
  server knows with that tag, its own and federated ones.
- `link`: `GET /api/v1/timelines/link?url=` (`timeline_link`, Mastodon 4.3 and later), the
  statuses sharing that link. The server answers 404 while the link is not among its trending
  links (app/controllers/api/v1/timelines/link_controller.rb, `PreviewCardTrend.allowed`): that
  is said as the source's error, and the link is asked again next time.
- The cursor is `since_id`, the newest status seen. A server gives at most 40 statuses a call,
  newest first; when a page is full, older pages (`max_id`) are read down to the cursor, up to
  `MAX_PAGES`, so a busy hashtag does not leave a gap.
- The content is HTML: its readable text (links followed by their address) is what topics are
  matched against (`cmbuild.text.html`).
- Rate limits: 300 requests per 5 minutes per account or IP address by default
  (docs.joinmastodon.org/api/rate-limits); a 429 gives `X-RateLimit-Reset`, the ListenError's
  `retry_after`.
"""

from __future__ import annotations

import functools
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from mastodon import (
    Mastodon,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from cmbuild.platforms.mastodon.publisher import rate_limit_reset
from cmbuild.platforms.shared.http import USER_AGENT, retry_after
from cmbuild.platforms.shared.listening import headline, utc_time
from cmbuild.text.html import read_html
from cmbuild.watch.sources import Heard, ListenContext, Listened, ListenError, MastodonSource

PAGE = 40  # the most statuses a timeline gives a call
MAX_PAGES = 5


class _Reading:
    """One listen: the client, with what the last answer said kept for errors and caps."""

    def __init__(self, source: MastodonSource, context: ListenContext) -> None:
        self.source = source
        self.context = context
        self.headers: dict[str, str] = {}
        self.too_big = False
        token = None
        if source.token_env is not None:
            token = context.env.get(source.token_env) or None
            if token is None:
                raise ListenError(
                    f"{self.where}: the environment variable {source.token_env} is not set "
                    "(an access token with the read:statuses scope)"
                )
        self.api = Mastodon(
            access_token=token,
            api_base_url=source.instance,
            ratelimit_method="throw",
            request_timeout=context.timeout,
            version_check_mode="none",
            user_agent=USER_AGENT,
        )
        self.api.session.hooks["response"].append(self._check)

    @property
    def where(self) -> str:
        what = f"#{self.source.hashtag}" if self.source.hashtag else f"link {self.source.link}"
        return f"Mastodon {what} on {self.source.instance} ({self.source.name})"

    def _check(self, response: Any, *args: Any, **kwargs: Any) -> None:
        """Keep the headers (a 429 is raised without them); read at most `max_bytes`."""
        del args, kwargs
        self.headers = dict(response.headers)
        body = response.raw.read(self.context.max_bytes + 1, decode_content=True)
        if len(body) > self.context.max_bytes:
            self.too_big = True
            raise ValueError("over the size cap")
        response._content = body  # what requests would have read, read within the cap
        response._content_consumed = True

    def page(self, since_id: str | None, max_id: str | None) -> list[Any]:
        source = self.source
        if source.hashtag is not None:
            tag = urllib.parse.quote(source.hashtag.lstrip("#"), safe="")
            call: Callable[..., Any] = functools.partial(self.api.timeline_hashtag, tag)
        else:
            # Mastodon.py puts the URL in the query as it is given: encoded here, so that a
            # link with `&` or `#` is not cut short.
            link = urllib.parse.quote(source.link or "", safe="")
            call = functools.partial(self.api.timeline_link, link)
        try:
            return list(call(since_id=since_id, max_id=max_id, limit=PAGE))
        except MastodonError as error:
            raise self._error(error) from None

    def _error(self, error: MastodonError) -> ListenError:
        status = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else None
        if self.too_big:
            return ListenError(
                f"{self.where}: the answer is over {self.context.max_bytes:,} bytes; "
                "it was not read"
            )
        if isinstance(error, MastodonUnauthorizedError) or status in (401, 403):
            named = f" in {self.source.token_env}" if self.source.token_env else ""
            return ListenError(
                f"{self.where}: the server refused to show this timeline (HTTP {status}); "
                + (f"check the token{named}" if named else "give it a token with `token_env`")
            )
        if isinstance(error, MastodonRatelimitError):
            wait = retry_after(self.headers) or rate_limit_reset(self.headers, self.context.now)
            return ListenError(f"{self.where}: rate limited (HTTP 429)", retry_after=wait)
        if isinstance(error, MastodonNotFoundError) and self.source.link is not None:
            return ListenError(
                f"{self.where}: the server shows no timeline for this link (HTTP 404): "
                "Mastodon has one only while the link is among its trending links"
            )
        if isinstance(error, MastodonServerError):
            return ListenError(
                f"{self.where}: server error (HTTP {status})", retry_after=retry_after(self.headers)
            )
        if isinstance(error, MastodonNetworkError):
            return ListenError(f"{self.where}: no answer ({_reason(error)})")
        return ListenError(f"{self.where}: the server refused the request (HTTP {status})")


def listen(source: MastodonSource, cursor: Mapping[str, str], context: ListenContext) -> Listened:
    """The statuses of the source's timeline since the cursor's `since_id`, newest first."""
    reading = _Reading(source, context)
    since_id = cursor.get("since_id")
    statuses: list[Any] = []
    max_id: str | None = None
    for _ in range(MAX_PAGES):
        page = reading.page(since_id, max_id)
        statuses.extend(page)
        if len(page) < PAGE or since_id is None:
            break  # the first run reads one page: what is being said now
        max_id = str(page[-1]["id"])
    newest = _newest(statuses) or since_id
    items = tuple(_heard(status) for status in statuses)
    return Listened(items, {"since_id": newest} if newest else {})


def _newest(statuses: Sequence[Any]) -> str | None:
    """The highest id (Mastodon's ids are numbers as text, growing with time)."""
    ids = [str(s["id"]) for s in statuses if str(s.get("id", "")).isdigit()]
    return max(ids, key=lambda i: (len(i), i)) if ids else None


def _heard(status: Any) -> Heard:
    text = read_html(str(status.get("content") or "")).readable
    spoiler = str(status.get("spoiler_text") or "").strip()
    if spoiler:
        text = f"{spoiler}\n\n{text}"  # the content warning is said too
    account = status.get("account") or {}
    acct = account.get("acct")
    uri = str(status.get("uri") or status.get("url") or status["id"])
    return Heard(
        uri=uri,  # the ActivityPub id: the same status federated to two servers is heard once
        url=str(status.get("url") or uri),
        title=headline(text),
        text=text,
        author=f"@{acct}" if acct else None,
        published=utc_time(_created(status)),
    )


def _created(status: Any) -> datetime | str | None:
    created = status.get("created_at")
    return created if isinstance(created, datetime | str) else None


def _reason(error: MastodonNetworkError) -> str:
    text = str(error)
    if "timed out" in text.lower() or "timeout" in text.lower():
        return "it did not answer in time"
    if "NewConnectionError" in text or "NameResolutionError" in text:
        return "it cannot be reached"
    return "the connection failed"
