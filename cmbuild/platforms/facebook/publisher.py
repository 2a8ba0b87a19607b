"""Facebook Pages, through the Graph API over plain HTTP.

Options: `page_id` (the Page's id), `graph_version` (default `graph.DEFAULT_GRAPH_VERSION`),
`api_base` (default `https://graph.facebook.com`). Credential: `page_token`, a Page access token
(from `GET /me/accounts`) with `pages_manage_posts`, `pages_read_engagement` and `pages_show_list`.

- Text: `POST /{page-id}/feed` with `message`, and `link` when the post has one (the link card).
- One image: `POST /{page-id}/photos` with the file (`source`), the text as `caption` and the
  alt text as `alt_text_custom` (a parameter of the Page photos edge in Meta's own SDK tables).
- Several images: each uploaded with `published=false` (and its alt text), then one
  `POST /{page-id}/feed` with `attached_media=[{"media_fbid": ...}]`. An unpublished photo is
  not shown to anyone, so those uploads are safe to repeat.
- Graph takes no idempotency key. After a timeout or a crash, `find` reads the Page's published
  posts since the send and compares each one's message with the digest of the text sent.
- `delete` is `DELETE /{post-id}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from cmbuild.manifest.reader import VariantEntry, text_digest
from cmbuild.platforms.shared.graph import DEFAULT_GRAPH_VERSION, Graph, Params, parse_time
from cmbuild.platforms.shared.publisher import Lookup, MediaFile, Publisher, PublishError, Receipt

DEFAULT_API_BASE = "https://graph.facebook.com"
_MAX_PHOTOS = 10  # attached_media: Meta documents no number; 10 is what tools allow (M)
_FIND_PAGES = 5  # x 25 posts: how far back a post is looked for after a crash
_CLOCK_SKEW = timedelta(minutes=10)
_PAGE_ID_HINT = "the Page's numeric id (Page settings > About, or GET /me/accounts)"


class FacebookPublisher(Publisher):
    """Posts with photos and alt text, on one Facebook Page."""

    name = "facebook"
    required_credentials = ("page_token",)
    required_options = (("page_id", _PAGE_ID_HINT),)
    can_find = True
    can_delete = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page_id = self.required_option("page_id", _PAGE_ID_HINT)
        self.graph = Graph(
            platform="Facebook",
            base=self.option("api_base") or DEFAULT_API_BASE,
            version=self.option("graph_version") or DEFAULT_GRAPH_VERSION,
            token=self.credential("page_token") or "",
            timeout=self.context.timeout,
            refused=lambda detail, status: self.auth_error(detail, status),
            redact=self.context.redact,
        )

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        if len(media) > _MAX_PHOTOS:
            raise PublishError(f"a Facebook post takes at most {_MAX_PHOTOS} photos here")
        if len(media) == 1:
            params: dict[str, Any] = {"caption": entry.text, **_alt(media[0])}
            answer = self.graph.post(
                "publish the photo",
                f"{self.page_id}/photos",
                params,
                files={"source": media[0]},
            )
            post_id = _text(answer.get("post_id")) or _id(answer, "publish the photo")
        else:
            params = {"message": entry.text}
            if media:
                photos = [self._unpublished(item) for item in media]
                params["attached_media"] = [{"media_fbid": photo} for photo in photos]
            elif entry.link:
                params["link"] = entry.link
            answer = self.graph.post("publish the post", f"{self.page_id}/feed", params)
            post_id = _id(answer, "publish the post")
        return Receipt(post_id, self._permalink(post_id))

    def find(self, lookup: Lookup) -> Receipt | None:
        since = lookup.since - _CLOCK_SKEW
        params = {"fields": "id,message,created_time,permalink_url", "limit": 25}
        path = f"{self.page_id}/published_posts"
        for post in self.graph.listed("list the Page's posts", path, params, pages=_FIND_PAGES):
            created = parse_time(post.get("created_time"))
            if created is not None and created < since:
                return None
            message = post.get("message")
            if isinstance(message, str) and text_digest(message) == lookup.text_sha256:
                url = _text(post.get("permalink_url"))
                return Receipt(str(post["id"]), url or _fallback_url(str(post["id"])), created)
        return None

    def delete(self, remote_id: str) -> None:
        self.graph.delete_post(remote_id)

    def _unpublished(self, item: MediaFile) -> str:
        params: Params = {"published": False, **_alt(item)}
        answer = self.graph.post(
            f"upload {item.path}",
            f"{self.page_id}/photos",
            params,
            files={"source": item},
            repeatable=True,
        )
        return _id(answer, f"upload {item.path}")

    def _permalink(self, post_id: str) -> str:
        """The post's address; once a post is out, a failure to read it must not fail the send."""
        try:
            answer = self.graph.get("read the post's address", post_id, {"fields": "permalink_url"})
        except PublishError:
            return _fallback_url(post_id)
        return _text(answer.get("permalink_url")) or _fallback_url(post_id)


def _alt(item: MediaFile) -> dict[str, str]:
    return {"alt_text_custom": item.alt} if item.alt else {}


def _fallback_url(post_id: str) -> str:
    return f"https://www.facebook.com/{post_id}"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _id(answer: dict[str, Any], what: str) -> str:
    found = answer.get("id")
    if isinstance(found, str | int) and not isinstance(found, bool) and str(found):
        return str(found)
    # The call succeeded but gave no id: the post may exist, so it cannot be sent again blindly.
    raise PublishError(f"cannot {what}: Facebook answered without an id", "ambiguous")
