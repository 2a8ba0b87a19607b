"""Pinterest (API v5), over plain HTTP.

Options: `board` (the board's id, or its name as Pinterest shows it or as its address spells
it: a name costs one request per push to find the id) and `api_base` (default
`https://api.pinterest.com/v5`). Credential: `token`, an OAuth 2.0 user access token with the
`boards:read pins:read pins:write` scopes.

- A pin is created with `POST /pins`: the variant's title field as its title, its text as the
  description, its link (with UTM parameters) as the pin's link, the image inline
  (`image_base64`) and its alt text. Pinterest takes one image per pin (a carousel is another
  media source, not supported here).
- Pinterest takes no idempotency key. After a crash or a timeout, the board's pins are listed
  (`GET /boards/{board_id}/pins`) and a pin created since the send whose description has the
  digest of the text sent is the one: `find` tells, so an interrupted send is not pinned twice.
- `delete` is `DELETE /pins/{pin_id}`; a pin already gone counts as deleted.

The official Python SDK (pinterest-api-sdk) reads its settings from the process environment and a
`.env` file when imported and pins old versions of its dependencies, so this module speaks HTTP
itself. Failures keep Pinterest's own reason (`message` of its JSON error) and its rate-limit
headers, which the shared HTTP client does not read.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from http.client import HTTPException
from typing import Any

from cmbuild.manifest.reader import VariantEntry, text_digest
from cmbuild.platforms.shared.http import USER_AGENT, compact_json, cut, json_object, retry_after
from cmbuild.platforms.shared.publisher import Lookup, MediaFile, Publisher, PublishError, Receipt

DEFAULT_API_BASE = "https://api.pinterest.com/v5"
_CONTENT_TYPES = ("image/jpeg", "image/png")  # ContentType: what image_base64 takes
_PAGE_SIZE = 250  # the largest page_size the API allows
_FIND_PAGES = 8  # 2000 pins: past that, a person checks the board (the board's order is theirs)
_BOARD_PAGES = 20
_CLOCK_SKEW = timedelta(minutes=5)  # between our clock and Pinterest's


class PinterestPublisher(Publisher):
    """Pins with an image, alt text, title and link, on one board."""

    name = "pinterest"
    required_credentials = ("token",)
    required_options = (("board", "the board to pin to: its id, or its name"),)
    can_find = True
    can_delete = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._board: str | None = None

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        if len(media) != 1:
            raise PublishError(
                f"a pin takes one image, and this variant has {len(media)} "
                "(set one `image` for this channel in the post)"
            )
        (image,) = media
        if image.mime_type not in _CONTENT_TYPES:
            raise PublishError(
                f"{image.path}: Pinterest takes JPEG or PNG images, not {image.mime_type}"
            )
        payload: dict[str, Any] = {
            "board_id": self._board_id(),
            "title": entry.fields.get("title") or entry.title,
            "description": entry.text,
            "media_source": {
                "source_type": "image_base64",
                "content_type": image.mime_type,
                "data": base64.b64encode(image.data).decode("ascii"),
            },
        }
        if entry.link:
            payload["link"] = entry.link
        if image.alt:
            payload["alt_text"] = image.alt
        pin = self._call("create the pin", "POST", "/pins", payload=payload)
        return _receipt(pin, "create the pin")

    def find(self, lookup: Lookup) -> Receipt | None:
        board = self._board_id()
        since = lookup.since - _CLOCK_SKEW
        bookmark: str | None = None
        for _ in range(_FIND_PAGES):
            page = self._call(
                "list the board's pins",
                "GET",
                f"/boards/{board}/pins",
                query=_page_query(bookmark),
                repeatable=True,
            )
            for pin in _items(page):
                created = _created(pin)
                if created is not None and created < since:
                    continue
                description = pin.get("description")
                if isinstance(description, str) and text_digest(description) == lookup.text_sha256:
                    return _receipt(pin, "read the pin")
            bookmark = _bookmark(page)
            if bookmark is None:
                return None
        raise PublishError(
            f"cannot tell whether the pin was created: board {board} has more than "
            f"{_FIND_PAGES * _PAGE_SIZE} pins to look through; check the board, then run "
            f"`cmbuild resolve {lookup.variant} --sent` or `--not-sent`",
            "transient",
        )

    def delete(self, remote_id: str) -> None:
        try:
            self._call(
                "delete the pin",
                "DELETE",
                f"/pins/{urllib.parse.quote(remote_id)}",
                repeatable=True,
            )
        except PublishError as error:
            if error.status != 404:  # already gone: what a retraction wants
                raise

    def read(self, what: str, path: str, query: Mapping[str, str] | None = None) -> dict[str, Any]:
        """A GET of the API (for the metrics reader); its JSON answer."""
        return self._call(what, "GET", path, query=query, repeatable=True)

    def _board_id(self) -> str:
        """The board's id: the option itself, or the id of the account's board of that name."""
        if self._board is not None:
            return self._board
        wanted = self.required_option("board", "the board to pin to: its id, or its name")
        if wanted.isdigit():
            self._board = wanted
            return wanted
        names: list[str] = []
        bookmark: str | None = None
        for _ in range(_BOARD_PAGES):
            page = self._call(
                "list the account's boards",
                "GET",
                "/boards",
                query=_page_query(bookmark),
                repeatable=True,
            )
            for board in _items(page):
                name = str(board.get("name") or "")
                names.append(name)
                if wanted.casefold() in (name.casefold(), _slug(name)) and board.get("id"):
                    self._board = str(board["id"])
                    return self._board
            bookmark = _bookmark(page)
            if bookmark is None:
                break
        known = ", ".join(repr(n) for n in names[:10]) or "none"
        raise PublishError(
            f"channels.{self.channel.name}.options.board: the account has no board named "
            f"{wanted!r} (its boards: {known}); give the board's name or id",
            "config",
        )

    def _call(
        self,
        what: str,
        method: str,
        path: str,
        *,
        payload: dict[str, Any] | None = None,
        query: Mapping[str, str] | None = None,
        repeatable: bool = False,
    ) -> dict[str, Any]:
        """One API call; its JSON answer. `repeatable`: doing it twice publishes nothing."""
        base = (self.option("api_base") or DEFAULT_API_BASE).rstrip("/")
        url = base + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        headers = {
            "Authorization": f"Bearer {self.credential('token') or ''}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        body = None
        if payload is not None:
            body = compact_json(payload)
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.context.timeout) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as error:
            headers = dict(error.headers.items())
            raise self._refused(what, error.code, headers, error.read()) from None
        except urllib.error.URLError as error:
            # Raised while connecting or sending: Pinterest has not got a whole request.
            raise PublishError(
                f"cannot {what}: cannot reach {base}: {error.reason}", "transient"
            ) from None
        except (TimeoutError, HTTPException, ConnectionError) as error:
            detail = "no answer in time" if isinstance(error, TimeoutError) else "connection lost"
            raise PublishError(
                f"cannot {what}: {detail} (the request may have been carried out)",
                "transient" if repeatable else "ambiguous",
            ) from None
        data = json_object(raw)
        if data is None:
            raise PublishError(f"cannot {what}: Pinterest answered without a JSON object")
        return data

    def _refused(
        self, what: str, status: int, headers: Mapping[str, str], body: bytes
    ) -> PublishError:
        """The PublishError for an error status, with Pinterest's `message`."""
        reason = _message(body, self.context.redact)
        detail = f"HTTP {status}" + (f": {reason}" if reason else "")
        if status in (401, 403):
            return self.auth_error(
                f"Pinterest refused the token ({detail}; it needs the scopes "
                "boards:read pins:read pins:write, and user_accounts:read for `cmbuild collect`)",
                status,
            )
        if status in (408, 429) or status >= 500:
            wait = retry_after(headers)
            if wait is None:
                wait = _reset_in(headers)
            return PublishError(
                f"cannot {what}: {detail}", "transient", status=status, retry_after=wait
            )
        return PublishError(f"cannot {what}: Pinterest refused it ({detail})", status=status)


def _slug(name: str) -> str:
    """A board name as its address on pinterest.com spells it, near enough ("Idées déco" ->
    "idees-deco"): what someone copies from the board's URL."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def _page_query(bookmark: str | None) -> dict[str, str]:
    query = {"page_size": str(_PAGE_SIZE)}
    if bookmark:
        query["bookmark"] = bookmark
    return query


def _items(page: dict[str, Any]) -> list[dict[str, Any]]:
    items = page.get("items")
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _bookmark(page: dict[str, Any]) -> str | None:
    bookmark = page.get("bookmark")
    return bookmark if isinstance(bookmark, str) and bookmark else None


def _receipt(pin: dict[str, Any], what: str) -> Receipt:
    pin_id = pin.get("id")
    if not isinstance(pin_id, str) or not pin_id:
        raise PublishError(f"cannot {what}: Pinterest gave no pin id")
    return Receipt(pin_id, f"https://www.pinterest.com/pin/{pin_id}/", _created(pin))


def _created(pin: dict[str, Any]) -> datetime | None:
    """The pin's `created_at` (Pinterest writes it without a zone: it is UTC)."""
    value = pin.get("created_at")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _message(body: bytes, redact: Callable[[str], str]) -> str:
    """Pinterest's `message` from an error body, else the body's start (secrets removed)."""
    try:
        data = json.loads(body)
    except ValueError:
        return cut(body, redact)
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return redact(str(data["message"]))
    return cut(body, redact)


def _reset_in(headers: Mapping[str, str]) -> float | None:
    """Seconds until the rate limit resets, from X-RateLimit-Reset.

    Read as a number of seconds; a value that looks like a Unix time is read as one, so that
    either convention gives a sensible wait (and a long one gives up for this push).
    """
    value = next((v for k, v in headers.items() if k.lower() == "x-ratelimit-reset"), None)
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if seconds > 1_000_000_000:
        seconds -= datetime.now(UTC).timestamp()
    return max(seconds, 0.0)
