"""Meta's Graph APIs (Facebook, Instagram, Threads) over plain HTTP, every failure classified.

Graph answers most errors with HTTP 400 and an error object (`code`, `error_subcode`,
`is_transient`, `message`), so the status alone says little: the code decides. Sources:
developers.facebook.com/docs/graph-api/guides/error-handling and .../overview/rate-limiting.

- 190 (and 102, 2500): the token is invalid or expired; 10 and 200-299: it lacks a permission.
  Both are `auth`: renew the token (with the permission) and nothing more goes to the channel.
- 4, 17, 32, 613 and 80001-80014 (business use case limits): rate limits, `transient`, retried
  after what `Retry-After` or `X-Business-Use-Case-Usage` (`estimated_time_to_regain_access`, in
  minutes) asks. 1, 2, `is_transient` and any 5xx: `transient` too.
- A timeout or a dropped connection once a request is sent: `ambiguous`, unless the call is
  `repeatable` (doing it twice publishes nothing: a read, an unpublished upload, a container).

The token is sent as the `access_token` parameter, as Meta documents for every endpoint: in the
body of a POST, in the query of a GET or DELETE. Messages name paths, never URLs with a query.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cmbuild.platforms.shared.http import (
    USER_AGENT,
    compact_json,
    cut,
    json_object,
    multipart,
    retry_after,
)
from cmbuild.platforms.shared.publisher import ErrorKind, MediaFile, PublishError

# One constant for the Graph version used unless a channel sets `graph_version`: the newest
# version the facebook-business SDK targets at the time of writing (versions live ~2 years).
DEFAULT_GRAPH_VERSION = "v26.0"

Params = Mapping[str, str | int | bool | list[Any] | dict[str, Any]]

_TOKEN_CODES = {102, 190, 2500}
_RATE_CODES = {4, 17, 32, 613} | set(range(80001, 80015))
_TRANSIENT_CODES = {1, 2}
_NOT_READY = (9007, 2207027)  # Instagram: "Media ID is not available" (still processing)
_MAX_BODY = 1 << 20


@dataclass
class Reach:
    """How far a listing read with a page cap went: `cut` when pages were left unread."""

    cut: bool = False


class Graph:
    """Calls to one Graph host and version with one token."""

    def __init__(
        self,
        *,
        platform: str,
        base: str,
        version: str,
        token: str,
        timeout: float,
        refused: Callable[[str, int | None], PublishError],
        redact: Callable[[str], str] = str,
    ) -> None:
        self.platform = platform  # "Facebook", "Instagram", "Threads": for messages
        self.base = base.rstrip("/")
        self.version = version.strip("/")
        self.token = token
        self.timeout = timeout
        self.refused = refused  # builds the auth error naming the variable to renew
        self.redact = redact  # applied to an answer before it is cut to an excerpt

    def get(self, what: str, path: str, params: Params | None = None) -> dict[str, Any]:
        """A read: always safe to repeat."""
        return self.call(what, "GET", path, params or {}, repeatable=True)

    def post(
        self,
        what: str,
        path: str,
        params: Params,
        *,
        files: Mapping[str, MediaFile] | None = None,
        repeatable: bool = False,
    ) -> dict[str, Any]:
        """A write; `repeatable` when sending it twice cannot publish twice."""
        return self.call(what, "POST", path, params, files=files, repeatable=repeatable)

    def delete(self, what: str, path: str) -> dict[str, Any]:
        return self.call(what, "DELETE", path, {}, repeatable=True)

    def delete_post(self, remote_id: str) -> None:
        """Delete a post; one already gone counts as deleted (what a retraction wants)."""
        try:
            answer = self.delete("delete the post", remote_id)
        except PublishError as error:
            if error.status != 404:
                raise
            return
        if answer.get("success") is not True:
            raise PublishError(f"{self.platform} did not confirm deleting {remote_id}: {answer}")

    def listed(
        self,
        what: str,
        path: str,
        params: Mapping[str, Any],
        *,
        pages: int,
        reach: Reach | None = None,
    ) -> Iterator[Any]:
        """The items of a Graph list, page after page (at most `pages`), as Graph orders them.

        A caller looking for one item stops reading where it stops iterating. With `reach`, a
        list that still had pages after the last one read is marked `cut`: what the caller
        then says (a capped reading never leaves items out unsaid).
        """
        for _ in range(pages):
            answer = self.get(what, path, params)
            items = answer.get("data")
            if not isinstance(items, list):
                return
            yield from items
            after = next_cursor(answer)
            if after is None:
                return
            params = {**params, "after": after}
        if reach is not None:
            reach.cut = True

    def call(
        self,
        what: str,
        method: str,
        path: str,
        params: Params,
        *,
        files: Mapping[str, MediaFile] | None = None,
        repeatable: bool,
    ) -> dict[str, Any]:
        fields = {name: _wire(value) for name, value in params.items()}
        fields["access_token"] = self.token
        url = f"{self.base}/{self.version}/{path.lstrip('/')}"
        body: bytes | None = None
        headers = {"User-Agent": USER_AGENT}
        if method == "POST":
            if files:
                body, headers["Content-Type"] = multipart(fields, files)
            else:
                body = urllib.parse.urlencode(fields).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            url += "?" + urllib.parse.urlencode(fields)
        status, answer_headers, raw = self._send(what, method, url, body, headers, repeatable)
        data = json_object(raw) if raw else None
        if status >= 400:
            raise self._error(what, status, answer_headers, data, raw)
        if not isinstance(data, dict):
            kind: ErrorKind = "permanent" if repeatable else "ambiguous"
            raise PublishError(
                f"cannot {what}: {self.platform} answered HTTP {status} without JSON"
                + ("" if repeatable else " (it may have been done)"),
                kind,
            )
        return data

    def _send(
        self,
        what: str,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        repeatable: bool,
    ) -> tuple[int, dict[str, str], bytes]:
        where = f"{self.platform} ({urllib.parse.urlsplit(url).path})"
        sent = urllib.request.Request(url, data=body, method=method, headers=headers)
        unknown: ErrorKind = "transient" if repeatable else "ambiguous"
        try:
            with urllib.request.urlopen(sent, timeout=self.timeout) as answer:
                return answer.status, dict(answer.headers.items()), answer.read(_MAX_BODY)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers.items()), error.read(_MAX_BODY)
        except urllib.error.URLError as error:
            # Raised while connecting or sending: the server has not got a whole request.
            raise PublishError(
                f"cannot {what}: cannot reach {where}: {error.reason}", "transient"
            ) from None
        except TimeoutError:
            raise PublishError(
                f"cannot {what}: no answer from {where} within {self.timeout:g} s"
                + ("" if repeatable else " (it may have been done)"),
                unknown,
            ) from None
        except (http.client.HTTPException, ConnectionError) as error:
            raise PublishError(
                f"cannot {what}: the connection to {where} was dropped before an answer "
                f"({type(error).__name__})" + ("" if repeatable else "; it may have been done"),
                unknown,
            ) from None

    def _error(
        self, what: str, status: int, headers: Mapping[str, str], data: Any, raw: bytes
    ) -> PublishError:
        error = data.get("error") if isinstance(data, dict) else None
        if not isinstance(error, dict):
            excerpt = cut(raw, self.redact)
            detail = f"HTTP {status}" + (f": {excerpt}" if excerpt else "")
            if status in (401, 403):
                return self.refused(f"{self.platform} refused the token ({detail})", status)
            busy = status in (408, 429) or status >= 500
            kind: ErrorKind = "transient" if busy else "permanent"
            return PublishError(
                f"cannot {what}: {detail}", kind, status=status, retry_after=retry_after(headers)
            )
        code = _int(error.get("code"))
        subcode = _int(error.get("error_subcode"))
        message = str(error.get("message") or "no message")
        user_message = error.get("error_user_msg")
        if user_message:
            message += f" ({user_message})"
        label = f"code {code}" + (f", subcode {subcode}" if subcode else "")
        if code in _TOKEN_CODES:
            return self.refused(f"{self.platform} refused the token: {message} [{label}]", status)
        if code == 10 or (code is not None and 200 <= code <= 299):
            return self.refused(
                f"{self.platform} says the token lacks a permission: {message} [{label}]", status
            )
        if code in _RATE_CODES:
            wait = retry_after(headers) or regain_access(headers)
            return PublishError(
                f"cannot {what}: {self.platform} rate limit: {message} [{label}]",
                "transient",
                status=status,
                retry_after=wait,
            )
        busy = code in _TRANSIENT_CODES or (code, subcode) == _NOT_READY
        if error.get("is_transient") is True or busy or status >= 500:
            return PublishError(
                f"cannot {what}: {self.platform} error: {message} [{label}]",
                "transient",
                status=status,
                retry_after=retry_after(headers),
            )
        return PublishError(
            f"cannot {what}: {self.platform} refused it: {message} [{label}]",
            "permanent",
            status=status,
        )


def regain_access(headers: Mapping[str, str]) -> float | None:
    """Seconds until a throttled app may call again, from Graph's usage headers, if given.

    `X-Business-Use-Case-Usage` maps a business id to a list of usages, each with an
    `estimated_time_to_regain_access` in minutes (0 when not throttled).
    """
    value = next((v for k, v in headers.items() if k.lower() == "x-business-use-case-usage"), None)
    if value is None:
        return None
    try:
        usage = json.loads(value)
    except ValueError:
        return None
    minutes = [
        item.get("estimated_time_to_regain_access")
        for items in (usage.values() if isinstance(usage, dict) else ())
        if isinstance(items, list)
        for item in items
        if isinstance(item, dict)
    ]
    numbers = [float(m) for m in minutes if isinstance(m, int | float)]
    return max(numbers) * 60.0 if numbers else None


def _wire(value: str | int | bool | list[Any] | dict[str, Any]) -> str:
    """A parameter as Graph reads it: booleans as true/false, lists and objects as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return compact_json(value).decode()
    return str(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_time(value: Any) -> datetime | None:
    """A Graph timestamp (`2026-12-01T08:15:05+0000`) as an aware datetime, if it is one."""
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"  # +0000 -> +00:00
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def next_cursor(answer: Mapping[str, Any]) -> str | None:
    """The `after` cursor of a Graph list, when there is a next page."""
    paging = answer.get("paging")
    if not isinstance(paging, dict) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    return after if isinstance(after, str) and after else None
