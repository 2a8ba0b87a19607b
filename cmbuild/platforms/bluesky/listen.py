"""Listening on Bluesky: post search, `app.bsky.feed.searchPosts`, through the atproto client.

Source keys: `query` (words; Lucene-like syntax on bsky.social), `url` (posts linking to this
address) or `domain` (posts linking to any page of this site), `service` (default
`https://public.api.bsky.app`, the public AppView; with credentials, the account's server, which
forwards the call to its AppView), `identifier_env` and `password_env` (a handle and an app
password, as a channel's credentials: bsky.social answers searches from logged-in clients more
reliably than anonymous ones).

- `sort=latest`, `limit=100`, `since` = the newest post's `indexedAt` seen last time (the
  cursor). The API's own `cursor` pages back in time: pages are followed down to that mark, up to
  `MAX_PAGES`. A post at the mark that was already heard is left out (`since` is inclusive).
- `q` is required by the lexicon: a `url` or `domain` source without `query` searches for the
  address itself. Every post found for a `url` or `domain` is checked to link there (its link
  facets and its external embed): a server that does not apply those filters (the reference
  AppView without a search service matches `q` alone) never yields a post that only names the
  site.
- Rate limits (docs.bsky.app "Rate Limits"): 3,000 requests per 5 minutes per IP on the AppView;
  logging in (`createSession`) 30 per 5 minutes per account. A 429 gives `ratelimit-reset` (a
  Unix time), the ListenError's `retry_after`.
"""

from __future__ import annotations

import functools
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import httpx
from atproto_client import Client, exceptions, models  # type: ignore[import-untyped]
from atproto_client.request import Request  # type: ignore[import-untyped]

from cmbuild.platforms.shared.http import USER_AGENT, retry_after
from cmbuild.platforms.shared.listening import headline, utc_time
from cmbuild.watch.sources import BlueskySource, Heard, ListenContext, Listened, ListenError

T = TypeVar("T")
PAGE = 100  # searchPosts: limit maximum 100
MAX_PAGES = 5


def listen(source: BlueskySource, cursor: Mapping[str, str], context: ListenContext) -> Listened:
    """The posts the search finds since the cursor's `since`, newest first."""
    where = f"Bluesky search ({source.name})"
    api = _client(source, context, where)
    since = cursor.get("since")
    heard_at_mark = set(cursor.get("at", "").split())
    posts: list[Any] = []
    page_cursor: str | None = None
    for _ in range(MAX_PAGES):
        params = models.AppBskyFeedSearchPosts.Params(
            q=source.query or source.url or source.domain or "",
            url=source.url,
            domain=source.domain,
            sort="latest",
            since=since,
            limit=PAGE,
            cursor=page_cursor,
        )
        search: Callable[[], Any] = functools.partial(api.app.bsky.feed.search_posts, params)
        answer = _call(where, context, search)
        fresh = [p for p in answer.posts if _after(p, since, heard_at_mark)]
        posts.extend(p for p in fresh if _links_as_asked(p, source))
        page_cursor = answer.cursor
        if not page_cursor or len(fresh) < len(answer.posts) or not answer.posts:
            break  # the mark is reached, or there is nothing older
    return Listened(tuple(_heard(p) for p in posts), _next_cursor(posts, cursor))


def _client(source: BlueskySource, context: ListenContext, where: str) -> Any:
    request = Request(timeout=context.timeout)
    request.add_additional_header("User-Agent", USER_AGENT)
    api = Client(base_url=source.service, request=request)
    if source.identifier_env is None or source.password_env is None:
        return api
    identifier = context.env.get(source.identifier_env, "")
    password = context.env.get(source.password_env, "")
    given = ((source.identifier_env, identifier), (source.password_env, password))
    unset = [name for name, value in given if not value]
    if unset:
        raise ListenError(f"{where}: the environment variable {unset[0]} is not set")
    _call(
        where,
        context,
        lambda: api.login(identifier, password, fetch_bsky_profile=False),
        login=f"{source.identifier_env} and {source.password_env}",
    )
    return api


def _after(post: Any, since: str | None, heard: set[str]) -> bool:
    if since is None:
        return True
    indexed = str(post.indexed_at)
    return indexed > since or (indexed == since and str(post.uri) not in heard)


def _links(post: Any) -> list[str]:
    """Every address the post links to: its link facets and its external embed."""
    found: list[str] = []
    record = post.record
    for facet in getattr(record, "facets", None) or []:
        for feature in facet.features:
            uri = getattr(feature, "uri", None)
            if isinstance(uri, str):
                found.append(uri)
    external = getattr(getattr(record, "embed", None), "external", None)
    if external is not None and isinstance(getattr(external, "uri", None), str):
        found.append(external.uri)
    return found


def _links_as_asked(post: Any, source: BlueskySource) -> bool:
    if source.url is not None:
        return any(link.rstrip("/") == source.url.rstrip("/") for link in _links(post))
    if source.domain is not None:
        domain = source.domain.lower().removeprefix("www.")
        hosts = [(urllib.parse.urlsplit(link).hostname or "").lower() for link in _links(post)]
        return any(h.removeprefix("www.") == domain or h.endswith("." + domain) for h in hosts)
    return True


def _heard(post: Any) -> Heard:
    record = post.record
    text = str(getattr(record, "text", "") or "")
    links = [link for link in _links(post) if link not in text]
    handle = str(post.author.handle)
    rkey = str(post.uri).rsplit("/", 1)[-1]
    return Heard(
        uri=str(post.uri),
        url=f"https://bsky.app/profile/{handle}/post/{rkey}",
        title=headline(text),
        text="\n".join([text, *links]),  # a link shown as words still names its site
        author=f"@{handle}",
        published=utc_time(getattr(record, "created_at", None)) or utc_time(post.indexed_at),
    )


def _next_cursor(posts: Sequence[Any], cursor: Mapping[str, str]) -> dict[str, str]:
    if not posts:
        return dict(cursor)
    newest = max(str(p.indexed_at) for p in posts)
    at = sorted(str(p.uri) for p in posts if str(p.indexed_at) == newest)
    if newest == cursor.get("since"):
        at = sorted(set(at) | set(cursor.get("at", "").split()))
    return {"since": newest, "at": " ".join(at)}


def _call(where: str, context: ListenContext, call: Callable[[], T], login: str | None = None) -> T:
    try:
        return call()
    except exceptions.AtProtocolError as error:
        raise _error(where, error, context, login) from None
    except httpx.HTTPError as error:
        raise _transport(where, error) from None


def _error(where: str, error: Exception, context: ListenContext, login: str | None) -> ListenError:
    response = getattr(error, "response", None)
    if response is None:
        cause = error.__cause__
        if isinstance(cause, httpx.HTTPError):
            return _transport(where, cause)
        return ListenError(f"{where}: {type(error).__name__}")
    status = int(response.status_code)
    headers = {str(k).lower(): str(v) for k, v in dict(response.headers).items()}
    if status in (401, 403) or (login and status == 400):
        named = f"; check {login}" if login else "; give it credentials (identifier_env)"
        return ListenError(f"{where}: Bluesky refused the request (HTTP {status}){named}")
    if status == 429:
        reset = headers.get("ratelimit-reset", "")
        wait = retry_after(headers)
        if wait is None and reset.isdigit():
            wait = max(float(reset) - context.now.timestamp(), 0.0)
        return ListenError(f"{where}: rate limited (HTTP 429)", retry_after=wait)
    if status >= 500:
        return ListenError(
            f"{where}: server error (HTTP {status})", retry_after=retry_after(headers)
        )
    return ListenError(f"{where}: Bluesky refused the search (HTTP {status}); check the source")


def _transport(where: str, error: httpx.HTTPError) -> ListenError:
    if isinstance(error, httpx.TimeoutException):
        return ListenError(f"{where}: no answer in time")
    return ListenError(f"{where}: cannot reach the server ({type(error).__name__})")
