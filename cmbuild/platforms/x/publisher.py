"""X (API v2), over plain HTTP.

Option: `api_base` (default `https://api.x.com`). Credential: `token`, an OAuth 2.0 user-context
access token with the `tweet.read tweet.write users.read media.write` scopes.

- Each image is uploaded (`POST /2/media/upload`, multipart, `media_category=tweet_image`), then
  given its alt text (`POST /2/media/metadata`); the post is created with `POST /2/tweets` and the
  uploaded media ids. An uploaded image is not public until a post uses it, so uploads and alt
  texts are safe to send again after a timeout.
- X takes no idempotency key, and the text it gives back is not the text sent (links become t.co
  links, an image adds one), so a post cannot be recognised after a crash or a timeout: such a
  send is reported as unconfirmed, to settle with `cmbuild resolve` once someone has looked.
- `delete` is `DELETE /2/tweets/{id}`; a post already gone counts as deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cmbuild.manifest.reader import VariantEntry
from cmbuild.platforms.shared import http
from cmbuild.platforms.shared.publisher import MediaFile, Publisher, PublishError, Receipt

DEFAULT_API_BASE = "https://api.x.com"
_MAX_IMAGES = 4  # CreatePostsMedia: media_ids maxItems
_MEDIA_TYPES = {"image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff"}


class XPublisher(Publisher):
    """Posts with images and alt text, on one X account."""

    name = "x"
    required_credentials = ("token",)
    can_delete = True

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        if len(media) > _MAX_IMAGES:
            raise PublishError(f"X attaches at most {_MAX_IMAGES} images, not {len(media)}")
        media_ids = [self._upload(item) for item in media]
        payload: dict[str, Any] = {"text": entry.text}
        if media_ids:
            payload["media"] = {"media_ids": media_ids}
        answer = self._call(
            "post", "POST", "/2/tweets", http.compact_json(payload), "application/json"
        )
        post_id = data_id(answer, "post")
        return Receipt(post_id, f"https://x.com/i/web/status/{post_id}")

    def delete(self, remote_id: str) -> None:
        try:
            self._call(
                "delete the post", "DELETE", f"/2/tweets/{remote_id}", None, None, repeatable=True
            )
        except PublishError as error:
            if error.status != 404:  # already gone: what a retraction wants
                raise

    def _upload(self, item: MediaFile) -> str:
        fields = {"media_category": "tweet_image"}
        if item.mime_type in _MEDIA_TYPES:
            fields["media_type"] = item.mime_type
        body, content_type = http.multipart(fields, {"media": item})
        answer = self._call(
            f"upload {item.path}", "POST", "/2/media/upload", body, content_type, repeatable=True
        )
        media_id = data_id(answer, f"upload {item.path}")
        processing = answer.get("data", {}).get("processing_info") or {}
        state = processing.get("state")
        if state == "failed":
            raise PublishError(f"X could not process {item.path}")
        if state in ("pending", "in_progress"):
            wait = processing.get("check_after_secs")
            raise PublishError(
                f"X is still processing {item.path}",
                "transient",
                retry_after=float(wait) if isinstance(wait, int) else None,
            )
        if item.alt:
            metadata = {"id": media_id, "metadata": {"alt_text": {"text": item.alt}}}
            self._call(
                f"set the alt text of {item.path}",
                "POST",
                "/2/media/metadata",
                http.compact_json(metadata),
                "application/json",
                repeatable=True,
            )
        return media_id

    def call(self, what: str, method: str, path: str) -> dict[str, Any]:
        """A call without a body that changes nothing (a read), as `_call` makes it."""
        return self._call(what, method, path, None, None, repeatable=True)

    def post(self, what: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A JSON POST that creates something (a post, a message): not repeatable."""
        return self._call(what, "POST", path, http.compact_json(payload), "application/json")

    def _call(
        self,
        what: str,
        method: str,
        path: str,
        body: bytes | None,
        content_type: str | None,
        *,
        repeatable: bool = False,
    ) -> dict[str, Any]:
        """One API call; its JSON answer. `repeatable`: doing it twice publishes nothing."""
        base = (self.option("api_base") or DEFAULT_API_BASE).rstrip("/")
        headers = {"Authorization": f"Bearer {self.credential('token') or ''}"}
        if content_type is not None:
            headers["Content-Type"] = content_type
        try:
            answer = http.request(
                method,
                base + path,
                body=body,
                headers=headers,
                timeout=self.context.timeout,
                redact=self.context.redact,
            )
        except PublishError as error:
            if error.kind == "auth":
                raise self.auth_error(
                    f"X refused the token ({error.message})", error.status
                ) from None
            raise http.failed(what, error, repeatable=repeatable) from None
        data = http.json_object(answer.body)
        if data is None:
            raise PublishError(f"cannot {what}: X answered HTTP {answer.status} without JSON")
        return data


def data_id(answer: dict[str, Any], what: str, key: str = "id") -> str:
    """`data.<key>` of an answer, or the error X gave instead."""
    data = answer.get("data")
    if isinstance(data, dict) and isinstance(data.get(key), str) and data[key]:
        return str(data[key])
    errors = answer.get("errors")
    detail = ""
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        detail = str(errors[0].get("detail") or errors[0].get("title") or "")
    raise PublishError(f"cannot {what}: X gave no {key}" + (f" ({detail})" if detail else ""))
