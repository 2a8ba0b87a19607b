"""LinkedIn (the versioned Posts and Images APIs), over plain HTTP.

Option: `author`, who posts (``urn:li:organization:ID`` for a page, ``urn:li:person:ID`` for a
member); `api_base` (default `https://api.linkedin.com`). Credential: `token`, a 3-legged OAuth 2.0
access token with `w_organization_social` (page; the member must be an administrator or content
admin of it) or `w_member_social` (member), plus `r_organization_social` / `r_member_social` for
finding a post after a crash.

- Each image is registered (`POST /rest/images?action=initializeUpload`), its bytes are `PUT` to
  the upload URL LinkedIn gives, and its status is read until LinkedIn has it. An image is not
  public until a post uses it, so these steps are safe to repeat.
- The post (`POST /rest/posts`) carries the text as little text (`linkedin_text.commentary`), one
  image (`content.media`, with `altText`), several (`content.multiImage`), or, with a link and no
  image, an article card (`content.article`). LinkedIn answers 201 with the post's URN in the
  `x-restli-id` header.
- LinkedIn takes no idempotency key: after a timeout or a crash, `find` lists the author's recent
  posts (`GET /rest/posts?q=author`) and compares the digest of each one's text with the digest of
  the text sent.
- `delete` is `DELETE /rest/posts/{urn}`; a post already gone counts as deleted.

The `linkedin-api-client` package (a beta) was left aside: it sends every request without a
timeout, to a fixed `api.linkedin.com`, and does not cover the upload to another host; what it
would save here is encoding URNs in URLs.
Sources: learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api,
images-api, multiimage-post-api, little-text-format (li-lms-2026-05).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from cmbuild.manifest.reader import VariantEntry, text_digest
from cmbuild.platforms.linkedin.little_text import commentary, plain_text
from cmbuild.platforms.shared import http
from cmbuild.platforms.shared.publisher import Lookup, MediaFile, Publisher, PublishError, Receipt

# The version whose documentation this follows; LinkedIn keeps a version for about a year, then
# answers 426. Moving on means reading the migration notes, so it is a constant, not an option.
LINKEDIN_VERSION = "202605"
DEFAULT_API_BASE = "https://api.linkedin.com"
_AUTHOR = re.compile(r"urn:li:(?:organization|person):[\w-]+")
_MAX_IMAGES = 20  # multiImage: 2 to 20
_STATUS_POLLS = 10  # x 1 s: LinkedIn usually has an image within a second of the upload
_FIND_PAGE = 20
_FIND_PAGES = 5
_CLOCK_SKEW = timedelta(minutes=10)


class LinkedInPublisher(Publisher):
    """Posts with images and alt text, or an article card, for one LinkedIn page or member."""

    name = "linkedin"
    required_credentials = ("token",)
    required_options = (("author", "urn:li:organization:ID or urn:li:person:ID"),)
    can_find = True
    can_delete = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.author = self.required_option("author", "urn:li:organization:ID or urn:li:person:ID")
        if not _AUTHOR.fullmatch(self.author):
            raise PublishError(
                f"channels.{self.channel.name}.options.author: {self.author!r} is not "
                "urn:li:organization:ID or urn:li:person:ID",
                "config",
            )

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        if len(media) > _MAX_IMAGES:
            raise PublishError(f"LinkedIn attaches at most {_MAX_IMAGES} images, not {len(media)}")
        images = [(self._upload(item), item.alt) for item in media]
        post: dict[str, Any] = {
            "author": self.author,
            "commentary": commentary(entry.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        content = _content(entry, images)
        if content is not None:
            post["content"] = content
        answer = self._call("create the post", "POST", "/rest/posts", http.compact_json(post))
        urn = _header(answer, "x-restli-id")
        if not urn:
            # Created, but we cannot tell which post it is: let `find` settle it.
            raise PublishError("LinkedIn created the post without giving its id", "ambiguous")
        return Receipt(urn, _post_url(urn))

    def find(self, lookup: Lookup) -> Receipt | None:
        if lookup.text_sha256 is None:
            raise PublishError("the ledger has no digest of the text sent: check by hand")
        since = (lookup.since - _CLOCK_SKEW).timestamp() * 1000
        for page in range(_FIND_PAGES):
            query = urlencode(
                {
                    "author": self.author,
                    "q": "author",
                    "count": _FIND_PAGE,
                    "start": page * _FIND_PAGE,
                    "sortBy": "CREATED",
                }
            )
            posts = _elements(self._list(f"/rest/posts?{query}"))
            for post in posts:
                created = post.get("createdAt")
                if isinstance(created, int) and created < since:
                    return None  # newest first: older posts cannot be the one sent
                text = post.get("commentary")
                if isinstance(text, str) and text_digest(plain_text(text)) == lookup.text_sha256:
                    return _found(post)
            if len(posts) < _FIND_PAGE:
                return None
        # Not found, but not looked through back to the send either: sending again could
        # publish twice.
        raise PublishError(
            f"the author has more than {_FIND_PAGE * _FIND_PAGES} posts since the send: "
            "look for it by hand, then `cmbuild resolve`"
        )

    def delete(self, remote_id: str) -> None:
        try:
            self._call(
                "delete the post",
                "DELETE",
                "/rest/posts/" + quote(remote_id, safe=""),
                extra={"X-RestLi-Method": "DELETE"},
            )
        except PublishError as error:
            if error.status != 404:  # already gone: what a retraction wants
                raise

    def _upload(self, item: MediaFile) -> str:
        """Register, upload and wait for one image; its URN."""
        request = {"initializeUploadRequest": {"owner": self.author}}
        answer = self._call(
            f"register {item.path}",
            "POST",
            "/rest/images?action=initializeUpload",
            http.compact_json(request),
            repeatable=True,
        )
        value = _data(answer).get("value")
        if not isinstance(value, dict) or not value.get("uploadUrl") or not value.get("image"):
            raise PublishError(f"cannot register {item.path}: LinkedIn gave no upload URL")
        self._check_upload_url(str(value["uploadUrl"]))
        self._call(
            f"upload {item.path}",
            "PUT",
            str(value["uploadUrl"]),
            item.data,
            content_type="application/octet-stream",
            repeatable=True,
        )
        urn = str(value["image"])
        for _ in range(_STATUS_POLLS):
            path = "/rest/images/" + quote(urn, safe="")
            image = _data(self._call(f"check {item.path}", "GET", path, repeatable=True))
            status = image.get("status")
            if status == "AVAILABLE":
                return urn
            if status == "PROCESSING_FAILED":
                raise PublishError(f"LinkedIn could not process {item.path}")
            self.context.sleep(1.0)
        raise PublishError(f"LinkedIn did not finish processing {item.path}", "transient")

    def read(self, what: str, path: str) -> dict[str, Any]:
        """A GET under api_base (for the metrics reader); its JSON answer."""
        return _data(self._call(what, "GET", path, repeatable=True))

    def write(self, what: str, path: str, payload: Any) -> http.Response:
        """A POST of JSON under api_base (for the reply sender): it may publish, so not retried
        after a timeout."""
        return self._call(what, "POST", path, http.compact_json(payload))

    def _list(self, path: str) -> http.Response:
        try:
            return self._call("list the author's posts", "GET", path, repeatable=True)
        except PublishError as error:
            if error.status != 403:
                raise
            # Listing needs r_organization_social (or r_member_social, which LinkedIn grants to
            # few apps): without it the token still publishes, so the channel goes on.
            raise PublishError(
                f"LinkedIn does not let this token list {self.author}'s posts (HTTP 403; it needs "
                "r_organization_social or r_member_social): look for the post by hand",
                status=403,
            ) from None

    def _check_upload_url(self, url: str) -> None:
        """The upload carries the token: send it only to LinkedIn (or where api_base points)."""
        parts = urlsplit(url)
        base = urlsplit(self._base())
        linkedin = parts.scheme == "https" and (
            parts.hostname == "linkedin.com" or (parts.hostname or "").endswith(".linkedin.com")
        )
        if not linkedin and (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            raise PublishError(f"LinkedIn gave an upload URL outside linkedin.com: {url}")

    def _base(self) -> str:
        return (self.option("api_base") or DEFAULT_API_BASE).rstrip("/")

    def _call(
        self,
        what: str,
        method: str,
        target: str,
        body: bytes | None = None,
        *,
        content_type: str = "application/json",
        extra: dict[str, str] | None = None,
        repeatable: bool = False,
    ) -> http.Response:
        """One call (`target`: a path under api_base, or an upload URL); `repeatable`: doing it
        twice publishes nothing, so a timeout is worth retrying."""
        headers = {"Authorization": f"Bearer {self.credential('token') or ''}"}
        if target.startswith("/"):
            target = self._base() + target
            headers["LinkedIn-Version"] = LINKEDIN_VERSION
            headers["X-Restli-Protocol-Version"] = "2.0.0"
        if body is not None:
            headers["Content-Type"] = content_type
        headers.update(extra or {})
        try:
            return http.request(
                method,
                target,
                body=body,
                headers=headers,
                timeout=self.context.timeout,
                redact=self.context.redact,
            )
        except PublishError as error:
            raise self._error(what, error, repeatable) from None

    def _error(self, what: str, error: PublishError, repeatable: bool) -> PublishError:
        detail = _linkedin_message(error)
        if error.kind == "auth":
            return self.auth_error(f"LinkedIn refused the token ({detail})", error.status)
        if error.status == 426:
            return PublishError(
                f"LinkedIn no longer accepts API version {LINKEDIN_VERSION} ({detail}): "
                "cmbuild must be updated",
                "config",
                status=426,
            )
        if error.status == 429:
            detail += "; LinkedIn's daily limits are reset at 00:00 UTC"
        return http.failed(what, error, repeatable=repeatable, detail=detail)


def _content(entry: VariantEntry, images: list[tuple[str, str | None]]) -> dict[str, Any] | None:
    """The post's `content`: its images, else an article card for its link, else nothing."""
    described = [{"id": urn, **({"altText": alt} if alt else {})} for urn, alt in images]
    if len(described) == 1:
        return {"media": described[0]}
    if described:
        return {"multiImage": {"images": described}}
    if entry.link:
        return {"article": {"source": entry.link, "title": entry.title}}
    return None


def _linkedin_message(error: PublishError) -> str:
    """LinkedIn's own `message` from an error's quoted body, else the error as it is."""
    head, _, quoted = error.message.partition(": ")
    try:
        body = json.loads(quoted)
    except ValueError:
        return error.message
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return f"{head}: {body['message']}"
    return error.message


def _data(answer: http.Response) -> dict[str, Any]:
    data = http.json_object(answer.body)
    if data is None:
        raise PublishError(f"LinkedIn answered HTTP {answer.status} without a JSON object")
    return data


def _elements(answer: http.Response) -> list[dict[str, Any]]:
    elements = _data(answer).get("elements")
    if not isinstance(elements, list):
        raise PublishError("LinkedIn listed the author's posts without `elements`")
    return [post for post in elements if isinstance(post, dict)]


def _header(answer: http.Response, name: str) -> str | None:
    return next((v for k, v in answer.headers.items() if k.lower() == name), None)


def _found(post: dict[str, Any]) -> Receipt:
    urn = str(post.get("id") or "")
    if not urn:
        raise PublishError("LinkedIn listed a post without its id")
    published = post.get("publishedAt") or post.get("createdAt")
    when = (
        datetime.fromtimestamp(published / 1000, UTC).replace(microsecond=0)
        if isinstance(published, int)
        else None
    )
    return Receipt(urn, _post_url(urn), when)


def _post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"
