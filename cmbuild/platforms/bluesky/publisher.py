"""Bluesky (AT Protocol), through the `atproto` library.

Options: `service` (the PDS or entryway URL, default `https://bsky.social`), `chat_service`
(the DID of the chat service direct messages go through, default `did:web:api.bsky.chat`).
Credentials:
`identifier` (the account's handle or DID) and `app_password` (an app password, never the
account's own password).

- One session per push: logged in at the first call, its tokens reused (and refreshed by the
  library) for every post of the channel.
- Each image is uploaded as a blob (`com.atproto.repo.uploadBlob`) and embedded with its alt text
  and aspect ratio; at most 4, each at most 1,000,000 bytes (the limit older servers still enforce;
  the build sizes images for it).
- The text goes with facets for its links, hashtags and mentions (UTF-8 byte ranges, see
  bluesky_record.py) and the variant's language. A mention names its account by DID: each handle
  is resolved once per push (`com.atproto.identity.resolveHandle`, through the logged-in session);
  one the server does not know stays plain text rather than failing the post.
- No idempotency key exists, so the post is written with `com.atproto.repo.putRecord` under a
  record key derived from the idempotency key. A second send of the same variant writes the same
  record again: the server keeps one post (a repeated `createRecord` with the same key fails with
  a server error instead). `find` reads that record back (`getRecord`); `delete` deletes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from atproto_client import Client, exceptions, models  # type: ignore[import-untyped]
from atproto_client.request import Request  # type: ignore[import-untyped]

from cmbuild.manifest.reader import VariantEntry
from cmbuild.platforms.bluesky import Bluesky
from cmbuild.platforms.bluesky.record import (
    COLLECTION,
    facets,
    mentioned_handles,
    record_key,
)
from cmbuild.platforms.shared.http import USER_AGENT, retry_after
from cmbuild.platforms.shared.publisher import Lookup, MediaFile, Publisher, PublishError, Receipt

T = TypeVar("T")

DEFAULT_SERVICE = "https://bsky.social"
CHAT_SERVICE = "did:web:api.bsky.chat"  # Bluesky's own chat service
_MAX_IMAGES = 4  # embed/images.json: maxLength 4
# Errors a server gives with 400 that mean the session, not the post, is at fault.
_TOKEN_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired"}


class BlueskyPublisher(Publisher):
    """Posts with images, alt texts, links, hashtags and mentions, on one Bluesky account."""

    name = "bluesky"
    required_credentials = ("identifier", "app_password")
    can_find = True
    can_delete = True
    resend_is_safe = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._api: Any = None
        self._chat: Any = None
        self._did = ""
        # When each post was first attempted in this push: a retry writes the very same record.
        self._created: dict[str, str] = {}
        # Each handle's DID (None: not known to the server), asked once per push.
        self._dids: dict[str, str | None] = {}

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        if len(media) > _MAX_IMAGES:
            raise PublishError(f"Bluesky attaches at most {_MAX_IMAGES} images, not {len(media)}")
        _check_sizes(media)
        api = self._client()
        created = self.created_at(entry.idempotency_key)
        record: dict[str, Any] = {"$type": COLLECTION, "text": entry.text, "createdAt": created}
        if entry.lang:
            record["langs"] = [entry.lang]
        found = facets(entry.text, self._resolve(api, mentioned_handles(entry.text)))
        if found:
            record["facets"] = [facet.as_json() for facet in found]
        if media:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [self._image(api, item, entry) for item in media],
            }
        return self.put_post(record, entry.idempotency_key)

    def put_post(self, record: dict[str, Any], key: str, what: str = "post") -> Receipt:
        """Write the post `record` under the record key of `key` (a repeat rewrites it)."""
        api = self._client()
        rkey = record_key(key)
        data = models.ComAtprotoRepoPutRecord.Data(
            repo=self._did, collection=COLLECTION, rkey=rkey, record=record, validate_=True
        )
        answer = self._call(what, lambda: api.com.atproto.repo.put_record(data))
        return Receipt(str(answer.uri), self._url(rkey), _parse_time(record.get("createdAt")))

    def created_at(self, key: str) -> str:
        """When the post of `key` was first attempted in this session (its `createdAt`)."""
        return self._created.setdefault(key, _now())

    def find(self, lookup: Lookup) -> Receipt | None:
        return self.find_post(lookup.key)

    def find_post(self, key: str) -> Receipt | None:
        """The post written under the record key of `key`, if the account has it."""
        api = self._client()
        rkey = record_key(key)
        params = models.ComAtprotoRepoGetRecord.Params(
            repo=self._did, collection=COLLECTION, rkey=rkey
        )
        try:
            answer = self._call(
                "look the post up", lambda: api.com.atproto.repo.get_record(params), repeatable=True
            )
        except PublishError as error:
            if error.status in (400, 404) and "RecordNotFound" in error.message:
                return None
            raise
        created = getattr(answer.value, "created_at", None)
        return Receipt(str(answer.uri), self._url(rkey), _parse_time(created))

    def delete(self, remote_id: str) -> None:
        api = self._client()
        repo, collection, rkey = _split_uri(remote_id)
        data = models.ComAtprotoRepoDeleteRecord.Data(repo=repo, collection=collection, rkey=rkey)
        # Deleting a record that is not there succeeds: what a retraction wants.
        self._call(
            "delete the post", lambda: api.com.atproto.repo.delete_record(data), repeatable=True
        )

    def _resolve(self, api: Any, handles: Sequence[str]) -> dict[str, str]:
        """The DIDs of the `handles` the server knows, each asked for once per push."""
        for handle in handles:
            if handle not in self._dids:
                self._dids[handle] = self._handle_did(api, handle)
        return {handle: did for handle in handles if (did := self._dids[handle])}

    def _handle_did(self, api: Any, handle: str) -> str | None:
        """`handle`'s DID, or None if the server cannot resolve it.

        Such a mention stays plain text (400: no such account, or not a handle after all). A rate
        limit or a server error fails the post as transient instead: sending it without the
        mention's link would lose it silently.
        """
        params = models.ComAtprotoIdentityResolveHandle.Params(handle=handle)
        try:
            answer = self._call(
                f"resolve the mention @{handle}",
                lambda: api.com.atproto.identity.resolve_handle(params),
                repeatable=True,
            )
        except PublishError as error:
            if error.kind == "permanent" and error.status == 400:
                return None
            raise
        return str(answer.did)

    def _image(self, api: Any, item: MediaFile, entry: VariantEntry) -> dict[str, Any]:
        answer = self._call(
            f"upload {item.path}",
            lambda: api.com.atproto.repo.upload_blob(
                item.data, headers={"Content-Type": item.mime_type}
            ),
            repeatable=True,  # a blob no post uses is never shown, and is removed by the server
        )
        image: dict[str, Any] = {
            "$type": "app.bsky.embed.images#image",
            "image": answer.blob.model_dump(by_alias=True, exclude_none=True),
            "alt": item.alt or "",
        }
        size = next((m for m in entry.media if m.path == item.path), None)
        if size is not None and size.width and size.height:
            image["aspectRatio"] = {"width": size.width, "height": size.height}
        return image

    def _client(self) -> Any:
        if self._api is None:
            service = self.option("service") or DEFAULT_SERVICE
            request = Request(timeout=self.context.timeout)
            request.add_additional_header("User-Agent", USER_AGENT)
            api = Client(base_url=service, request=request)
            api.on_session_change(self._remember_session)
            identifier = self.credential("identifier") or ""
            password = self.credential("app_password") or ""
            # No profile look-up: it goes to the AppView, which a push does not need.
            self._call(
                "log in",
                lambda: api.login(identifier, password, fetch_bsky_profile=False),
                repeatable=True,
            )
            self._api = api
        return self._api

    def read(self, what: str, call: Callable[[Any], T]) -> T:
        """`call(client)` on the logged-in client (logging in first if needed): a read."""
        return self._call(what, lambda: call(self._client()), repeatable=True)

    def chat(self, what: str, call: Callable[[Any], T], *, repeatable: bool = True) -> T:
        """`call(client)` through the chat service (`chat.bsky.*`: the account's server forwards
        it, as the `atproto-proxy: did:web:api.bsky.chat#bsky_chat` header asks; the channel's
        `chat_service` names another chat service's DID)."""
        if self._chat is None:
            service = self.option("chat_service") or CHAT_SERVICE
            self._chat = self._client().with_proxy("bsky_chat", service)
        chat = self._chat
        return self._call(what, lambda: call(chat), repeatable=repeatable)

    @property
    def did(self) -> str:
        """The account's DID, once logged in."""
        self._client()
        return self._did

    def _remember_session(self, event: Any, session: Any) -> None:
        del event
        self._did = str(session.did)

    def _url(self, rkey: str) -> str:
        return f"https://bsky.app/profile/{self._did}/post/{rkey}"

    def _call(self, what: str, call: Callable[[], T], *, repeatable: bool = False) -> T:
        """One call; every failure as a PublishError. `repeatable`: doing it twice is harmless."""
        try:
            return call()
        except exceptions.AtProtocolError as error:
            raise self._error(what, error, repeatable) from None
        except httpx.HTTPError as error:  # the library lets some transport errors through
            raise _transport_error(what, error, repeatable) from None

    def _error(self, what: str, error: Exception, repeatable: bool) -> PublishError:
        response = getattr(error, "response", None)
        if response is None:
            cause = error.__cause__
            if isinstance(cause, httpx.HTTPError):
                return _transport_error(what, cause, repeatable)
            return PublishError(f"cannot {what}: {type(error).__name__}: {error}")
        status = int(response.status_code)
        content = response.content
        code = str(getattr(content, "error", "") or "")
        detail = f"HTTP {status}" + (f": {error}" if str(error) != str(status) else "")
        if status in (401, 403) or (status == 400 and code in _TOKEN_ERRORS):
            return self.auth_error(
                f"Bluesky refused the identifier or app password ({detail})", status
            )
        headers = {str(k).lower(): str(v) for k, v in dict(response.headers).items()}
        if status == 429 or status >= 500:
            reason = "rate limited" if status == 429 else "server error"
            return PublishError(
                f"cannot {what}: {reason} ({detail})",
                "transient",
                status=status,
                retry_after=_wait(headers),
            )
        return PublishError(f"cannot {what}: Bluesky refused it ({detail})", status=status)


def _check_sizes(media: Sequence[MediaFile]) -> None:
    limit = Bluesky.media.max_bytes
    for item in media:
        if limit is not None and len(item.data) > limit:
            raise PublishError(
                f"{item.path} is {len(item.data):,} bytes; Bluesky takes images of at most "
                f"{limit:,} bytes (rebuild with `cmbuild build`, which resizes images for it)"
            )


def _transport_error(what: str, error: httpx.HTTPError, repeatable: bool) -> PublishError:
    # A connection never made sent nothing; anything later may have been carried out.
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return PublishError(f"cannot {what}: cannot reach the server ({error})", "transient")
    return PublishError(
        f"cannot {what}: no complete answer ({type(error).__name__}: {error})"
        + ("" if repeatable else "; it may have been carried out"),
        "transient" if repeatable else "ambiguous",
    )


def _wait(headers: dict[str, str]) -> float | None:
    """Seconds to wait: Retry-After, else until RateLimit-Reset (a Unix time)."""
    seconds = retry_after(headers)
    if seconds is not None:
        return seconds
    reset = headers.get("ratelimit-reset", "")
    if reset.isdigit():
        return max(float(reset) - datetime.now(UTC).timestamp(), 0.0)
    return None


def _split_uri(remote_id: str) -> tuple[str, str, str]:
    """`at://REPO/COLLECTION/RKEY` as its three parts."""
    parts = remote_id.removeprefix("at://").split("/")
    if not remote_id.startswith("at://") or len(parts) != 3 or not all(parts):
        raise PublishError(f"{remote_id!r} is not the at:// address of a Bluesky post")
    return parts[0], parts[1], parts[2]


def _now() -> str:
    """The time in the form Bluesky writes `createdAt`: UTC, milliseconds, `Z`."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(microsecond=0)
    except ValueError:
        return None
