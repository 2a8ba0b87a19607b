"""Listening on X: recent search, `GET /2/tweets/search/recent` (posts of the last 7 days).

Source keys: `query` (X's search syntax, up to 512 characters on the Basic plan and 4,096 on Pro,
docs.x.com "Search Posts: build a query"), `token_env` (the variable holding the app's Bearer
Token; app-only authentication is what recent search takes), `api_base` (default
`https://api.x.com`).

- The cursor is `since_id`, the newest post seen (`meta.newest_id` of the first page): the next
  run asks only for newer posts. Pages (`next_token`) are followed up to `MAX_PAGES` × 100 posts
  a run; past that, the oldest are left out and the cursor still moves on, so one busy day does
  not hold every later run back.
- Rate limits (docs.x.com "Rate limits"): 60 requests per 15 minutes per app on Basic, 450 on
  Pro; a 429 says when the window ends in `x-rate-limit-reset` (a Unix time), which becomes the
  ListenError's `retry_after`.
- A refused token (401, 403) is named by its variable, never quoted; X's answer is quoted with
  the token taken out.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cmbuild.platforms.shared.http import USER_AGENT, retry_after
from cmbuild.platforms.shared.listening import headline, read_capped, utc_time
from cmbuild.watch.sources import Heard, ListenContext, Listened, ListenError, XSource

PATH = "/2/tweets/search/recent"
MAX_PAGES = 5
PAGE_SIZE = 100  # max_results: maximum 100


def listen(source: XSource, cursor: Mapping[str, str], context: ListenContext) -> Listened:
    """The posts matching `source.query` since the cursor's `since_id`, newest first."""
    token = context.env.get(source.token_env, "")
    if not token:
        raise ListenError(
            f"the environment variable {source.token_env} is not set: give it the Bearer Token "
            "of an X app with access to recent search"
        )
    since_id = cursor.get("since_id")
    posts: list[dict[str, Any]] = []
    users: dict[str, str] = {}
    newest: str | None = None
    page_token: str | None = None
    for _ in range(MAX_PAGES):
        answer = _get(source, token, _query(source.query, since_id, page_token), context)
        posts.extend(p for p in answer.get("data") or [] if isinstance(p, dict))
        for user in (answer.get("includes") or {}).get("users") or []:
            if isinstance(user, dict) and user.get("id") and user.get("username"):
                users[str(user["id"])] = str(user["username"])
        meta = answer.get("meta") or {}
        newest = newest or (str(meta["newest_id"]) if meta.get("newest_id") else None)
        page_token = meta.get("next_token")
        if not page_token:
            break
    items = tuple(_heard(post, users) for post in posts if post.get("id"))
    mark = newest or since_id
    return Listened(items, {"since_id": mark} if mark else {})


def _query(query: str, since_id: str | None, page_token: str | None) -> dict[str, str]:
    params = {
        "query": query,
        "max_results": str(PAGE_SIZE),
        "tweet.fields": "created_at,author_id",
        "expansions": "author_id",
        "user.fields": "username",
    }
    if since_id:
        params["since_id"] = since_id
    if page_token:
        params["next_token"] = page_token
    return params


def _heard(post: Mapping[str, Any], users: Mapping[str, str]) -> Heard:
    post_id = str(post["id"])
    text = str(post.get("text") or "")
    username = users.get(str(post.get("author_id") or ""))
    url = f"https://x.com/{username}/status/{post_id}" if username else None
    return Heard(
        uri=f"https://x.com/i/web/status/{post_id}",  # the same whatever the author's name
        url=url or f"https://x.com/i/web/status/{post_id}",
        title=headline(text),
        text=text,
        author=f"@{username}" if username else None,
        published=utc_time(post.get("created_at")),
    )


def _get(
    source: XSource, token: str, params: Mapping[str, str], context: ListenContext
) -> dict[str, Any]:
    base = source.api_base.rstrip("/")
    url = f"{base}{PATH}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}
    )
    where = f"X recent search ({source.name})"
    try:
        with urllib.request.urlopen(request, timeout=context.timeout) as answer:
            body = read_capped(answer, context.max_bytes, where)
    except urllib.error.HTTPError as error:
        headers = dict(error.headers.items())
        raise _refused(source, error.code, headers, error.read(4096), token, context.now) from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise ListenError(f"{where}: no answer within {context.timeout:g} s") from None
        raise ListenError(f"{where}: cannot reach {base} ({reason})") from None
    except TimeoutError:
        raise ListenError(f"{where}: no answer within {context.timeout:g} s") from None
    except (http.client.HTTPException, ConnectionError) as error:
        raise ListenError(f"{where}: the connection was dropped ({type(error).__name__})") from None
    try:
        data = json.loads(body)
    except ValueError:
        raise ListenError(f"{where}: X answered something that is not JSON") from None
    if not isinstance(data, dict):
        raise ListenError(f"{where}: X answered JSON that is not an object")
    return data


def _refused(
    source: XSource,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    token: str,
    now: datetime,
) -> ListenError:
    where = f"X recent search ({source.name})"
    if status in (401, 403):
        return ListenError(
            f"{where}: X refused the token in {source.token_env} (HTTP {status}); check that it "
            "is the Bearer Token of an app whose plan includes recent search"
        )
    detail = _detail(body).replace(token, "[token]")
    if status == 429:
        wait = retry_after(headers) or _reset_in(headers, now)
        when = f"; X says to wait {wait:.0f} s" if wait is not None else ""
        return ListenError(f"{where}: rate limited by X (HTTP 429){when}", retry_after=wait)
    if status >= 500:
        return ListenError(
            f"{where}: X had a server error (HTTP {status}){detail}",
            retry_after=retry_after(headers),
        )
    return ListenError(f"{where}: X refused the search (HTTP {status}){detail}; check `query`")


def _detail(body: bytes) -> str:
    """X's own words about an error (`detail`, else `title`), to quote."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        data = {**errors[0], **{k: v for k, v in data.items() if k != "errors"}}
    said = data.get("detail") or data.get("message") or data.get("title")
    return f": {str(said)[:300]}" if said else ""


def _reset_in(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds until `x-rate-limit-reset` (a Unix time), counted from `now`."""
    reset = next((v for k, v in headers.items() if k.lower() == "x-rate-limit-reset"), "")
    if not reset.strip().isdigit():
        return None
    return max(float(reset) - now.timestamp(), 0.0)
