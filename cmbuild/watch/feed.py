"""The feed listener: an RSS or Atom feed read over HTTP, politely and defensively.

A conditional GET (the ETag and Last-Modified the feed gave last time, kept in the cursor) lets a
feed that has not changed answer 304 with no body. urllib3 fetches (timeouts, gzip, a pool of
kept-alive connections shared by the watch's readers; its own retries off: a failing feed is
tried again next run) with redirects followed by hand, so that each hop is checked: http(s) only,
at most MAX_REDIRECTS. urllib3 rather than httpx here: a watch where every feed answers 304 is
mostly start-up and per-request overhead, and urllib3 costs a fraction of httpx on both. The body is
read in chunks and abandoned past `context.max_bytes`, decoded (a gzip bomb counts decoded), and
parsed by feedparser, which reads every RSS and Atom dialect, strips a BOM, and sanitises HTML. A
feed that is not XML at all is a ListenError naming what is wrong; the others go on.
"""

from __future__ import annotations

import ssl
import time
from calendar import timegm
from collections.abc import Mapping
from contextlib import nullcontext
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError, ReadTimeoutError

from cmbuild import __version__
from cmbuild.watch.sources import FeedSource, Heard, ListenContext, Listened, ListenError

MAX_REDIRECTS = 5
USER_AGENT = f"cmbuild/{__version__} (veille)"
_RETRY_STATUSES = {429, 503}
_REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 16_384  # raw bytes per read: a gzip bomb is stopped within a few decoded MB


def listen(source: FeedSource, cursor: Mapping[str, str], context: ListenContext) -> Listened:
    """The feed's items (all of them: watch deduplicates), or none when it answers 304."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if "etag" in cursor:
        headers["If-None-Match"] = cursor["etag"]
    if "last_modified" in cursor:
        headers["If-Modified-Since"] = cursor["last_modified"]
    status, answer_headers, body = _fetch(source.url, headers, context)
    if status == 304:
        return Listened((), dict(cursor))
    # Here: a watch where every feed answers 304 never needs them (feedparser alone ~0.1 s).
    from xml.sax import SAXException

    import feedparser

    parsed = feedparser.parse(body, response_headers=answer_headers)
    problem = parsed.get("bozo_exception")
    # feedparser also reads broken XML loosely, guessing where items end: a guess could drop or
    # cut a user's words without a word, so a feed that is not well-formed is refused, named.
    if isinstance(problem, SAXException) or (parsed.bozo and not parsed.entries):
        raise ListenError(f"the feed is malformed XML and was skipped: {problem or 'not a feed'}")
    kept = {
        "etag": answer_headers.get("etag"),
        "last_modified": answer_headers.get("last-modified"),
    }
    return Listened(
        tuple(_heard(entry, _feed_id(source)) for entry in parsed.entries),
        {key: value for key, value in kept.items() if value},
    )


def _fetch(
    url: str, headers: dict[str, str], context: ListenContext
) -> tuple[int, dict[str, str], bytes]:
    deadline = time.monotonic() + context.timeout * 3
    shared = context.http
    with nullcontext(shared) if shared else new_client(context.timeout, 1) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                response = client.request(
                    "GET", url, headers=headers, redirect=False, preload_content=False
                )
            except HTTPError as exc:
                raise _unreachable(exc, context.timeout) from exc
            try:
                if response.status in _REDIRECTS:
                    url = _next_hop(url, response.headers.get("location", ""))
                    continue
                _refuse(response)
                kept = {key.lower(): value for key, value in response.headers.items()}
                return response.status, kept, _body(response, context, deadline)
            finally:
                response.release_conn()
    raise ListenError(f"more than {MAX_REDIRECTS} redirects: the address may be wrong")


def _unreachable(exc: HTTPError, timeout: float) -> ListenError:
    timed_out = isinstance(exc, ReadTimeoutError | ConnectTimeoutError)
    if timed_out and not isinstance(exc, NewConnectionError):
        return ListenError(f"no answer within {timeout:g} s")
    return ListenError(f"could not be reached: {exc}")


def new_client(timeout: float, readers: int) -> urllib3.PoolManager:
    """The HTTP client feeds are read with: up to `readers` kept-alive connections per site, no
    retries of its own, redirects followed by hand, hop by hop (_next_hop). Thread-safe."""
    return urllib3.PoolManager(
        maxsize=readers,
        timeout=urllib3.Timeout(connect=timeout, read=timeout),
        retries=False,
        ssl_context=_tls(),
    )


@cache
def _tls() -> ssl.SSLContext:
    # Building a TLS context loads the CA store (~0.2 s): once per process, not once per feed.
    return ssl.create_default_context()


def _next_hop(url: str, location: str) -> str:
    target = urljoin(url, location)
    if urlsplit(target).scheme not in ("http", "https"):
        raise ListenError(f"redirected to {target!r}, which is not a web address: not followed")
    return target


def _refuse(response: urllib3.BaseHTTPResponse) -> None:
    status = response.status
    if status == 304 or 200 <= status < 300:
        return
    retry = None
    if status in _RETRY_STATUSES:
        value = response.headers.get("retry-after", "")
        retry = float(value) if value.isdigit() else None
    if status in (401, 403):
        raise ListenError(f"the site refused access (HTTP {status}): the feed may need a login")
    if status == 429:
        raise ListenError("the site asks us to slow down (HTTP 429)", retry_after=retry)
    if status >= 500:
        raise ListenError(f"the site is failing (HTTP {status}); tried again next run", retry)
    raise ListenError(f"the site answered HTTP {status}: check the feed's address")


def _body(response: urllib3.BaseHTTPResponse, context: ListenContext, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size, max_bytes = 0, context.max_bytes
    try:
        for chunk in response.stream(CHUNK, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise ListenError(
                    f"the feed is larger than {max_bytes // 1_000_000 or 1} MB: not read"
                )
            if time.monotonic() > deadline:
                raise ListenError("the feed arrives too slowly: abandoned")
            chunks.append(chunk)
    except HTTPError as exc:
        raise _unreachable(exc, context.timeout) from exc
    return b"".join(chunks)


def _feed_id(source: FeedSource) -> str:
    """The feed, as the id of an item that has neither id nor link (said and kept in state/).

    A login or a query (where a token goes) is replaced by the source's name; an address with
    neither is kept as it is, so that the items already heard stay heard.
    """
    parts = urlsplit(source.url)
    if not (parts.username or parts.password or parts.query):
        return source.url
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}?source={source.name}"


def _heard(entry: Any, feed_url: str) -> Heard:
    link = entry.get("link") or None
    title = _plain(entry.get("title") or "")
    text = _plain(entry.get("summary") or "")
    uri = entry.get("id") or link or f"{feed_url}#{title}"
    return Heard(
        uri=str(uri),
        url=str(link) if link else None,
        title=title,
        text=text,
        author=entry.get("author") or None,
        published=_when(entry.get("published_parsed") or entry.get("updated_parsed")),
    )


def _plain(html: str) -> str:
    # Google Alerts and many news sites put <b> and entities in titles; one line of words remains.
    from cmbuild.text.html import read_html  # only for a feed that changed

    return " ".join(read_html(html).visible.split())


def _when(parsed: time.struct_time | None) -> datetime | None:
    return datetime.fromtimestamp(timegm(parsed), UTC) if parsed else None
