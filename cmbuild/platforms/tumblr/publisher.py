"""Tumblr (API v2, Neue Post Format), over plain HTTP signed with OAuth 1.0a.

Option: `blog`, the blog's identifier (``NAME.tumblr.com``, its custom domain, or its ``t:...``
uuid); `api_base` (default `https://api.tumblr.com`). Credentials: `consumer_key` and
`consumer_secret` (the registered application), `token` and `token_secret` (the blog owner's
access token, from Tumblr's OAuth 1.0a flow).

- One request creates the post (`POST /v2/blog/{blog}/posts`): NPF content blocks, one text
  block per paragraph (the title as a heading, links as link ranges), an image block per image
  with its `alt_text`, a link block for the post's link; `tags` from the variant's tags and the
  hashtags of its text. With images the request is multipart: the JSON first, then each image
  under the identifier its block names.
- Requests are signed with HMAC-SHA1 (the only method Tumblr accepts) by oauthlib. `pytumblr`,
  Tumblr's own client, was left aside: it creates only legacy posts (no NPF, no alt text).
- Tumblr takes no idempotency key: after a timeout or a crash, `find` reads the blog's recent
  posts (`GET /v2/blog/{blog}/posts?npf=true`) and compares the digest of each one's text blocks
  with the digest of the text sent.
- `delete` is `POST /v2/blog/{blog}/post/delete`; a post already gone counts as deleted.

Source: github.com/tumblr/docs api.md and npf-spec.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote, urlencode

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, Client

from cmbuild.manifest.reader import VariantEntry, text_digest
from cmbuild.platforms.shared import http
from cmbuild.platforms.shared.publisher import Lookup, MediaFile, Publisher, PublishError, Receipt

DEFAULT_API_BASE = "https://api.tumblr.com"
_BLOG_HINT = "the blog's identifier: NAME.tumblr.com, its custom domain, or its t:... uuid"
_FORM = "application/x-www-form-urlencoded"
_Method = Literal["GET", "POST"]
_MAX_IMAGES = 30  # the web editor's limit
# Error subcodes Tumblr gives with a 403 when a daily limit is reached (api.md, "Errors and Error
# Subcodes"): not refused credentials, and nothing to retry before tomorrow.
_DAILY_LIMITS = {8004: "media uploads", 8011: "video uploads", 8022: "queue", 8023: "posts"}
_TOMORROW = 6 * 3600.0  # longer than a push waits: the next push tries again
_PARAGRAPH = re.compile(r"\n\n(?=[^\n])")
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’]")
_HASHTAG = re.compile(r"(?<![=/)\w&#])#([\w\u0300-\u036f]*[^\W\d_][\w\u0300-\u036f]*)")
_FIND_PAGE = 20  # the most `/posts` gives at once
_FIND_PAGES = 5
_CLOCK_SKEW = timedelta(minutes=10)


class TumblrPublisher(Publisher):
    """NPF posts with images and alt text, tags and a link card, on one Tumblr blog."""

    name = "tumblr"
    required_credentials = ("consumer_key", "consumer_secret", "token", "token_secret")
    required_options = (("blog", _BLOG_HINT),)
    can_find = True
    can_delete = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.blog = self.required_option("blog", _BLOG_HINT).strip()

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        if len(media) > _MAX_IMAGES:
            raise PublishError(f"Tumblr attaches at most {_MAX_IMAGES} images, not {len(media)}")
        post: dict[str, Any] = {"content": npf_content(entry, media), "state": "published"}
        tags = post_tags(entry)
        if tags:
            post["tags"] = ",".join(tags)
        body = http.compact_json(post)
        content_type = "application/json"
        if media:
            # The NPF JSON first, then each image under its block's identifier.
            images = {f"image-{index + 1}": item for index, item in enumerate(media)}
            body, content_type = http.multipart({"json": (body, "application/json")}, images)
        answer = self._call("create the post", "POST", self._path("posts"), body, content_type)
        post_id = str(answer.get("id") or "")
        if not post_id:
            raise PublishError("Tumblr created the post without giving its id", "ambiguous")
        return Receipt(post_id, self._post_url(post_id))

    def find(self, lookup: Lookup) -> Receipt | None:
        if lookup.text_sha256 is None:
            raise PublishError("the ledger has no digest of the text sent: check by hand")
        since = (lookup.since - _CLOCK_SKEW).timestamp()
        for page in range(_FIND_PAGES):
            query = urlencode(
                {
                    "api_key": self.credential("consumer_key") or "",
                    "npf": "true",
                    "limit": _FIND_PAGE,
                    "offset": page * _FIND_PAGE,
                }
            )
            answer = self._call(
                "list the blog's posts", "GET", f"{self._path('posts')}?{query}", repeatable=True
            )
            posts = [p for p in answer.get("posts") or [] if isinstance(p, dict)]
            for post in posts:
                stamp = post.get("timestamp")
                if isinstance(stamp, int) and stamp < since:
                    return None  # newest first: older posts cannot be the one sent
                if text_digest(_npf_text(post.get("content"))) == lookup.text_sha256:
                    return self._found(post)
            if len(posts) < _FIND_PAGE:
                return None
        # Not found, but not looked through back to the send either: sending again could
        # publish twice.
        raise PublishError(
            f"the blog has more than {_FIND_PAGE * _FIND_PAGES} posts since the send: "
            "look for it by hand, then `cmbuild resolve`"
        )

    def delete(self, remote_id: str) -> None:
        body = urlencode({"id": remote_id}).encode()
        try:
            self._call(
                "delete the post", "POST", self._path("post/delete"), body, _FORM, repeatable=True
            )
        except PublishError as error:
            if error.status != 404:  # already gone: what a retraction wants
                raise

    def _path(self, what: str) -> str:
        return f"/v2/blog/{quote(self.blog, safe='.:-_')}/{what}"

    def _post_url(self, post_id: str) -> str | None:
        if self.blog.endswith(".tumblr.com"):
            return f"https://www.tumblr.com/{self.blog.removesuffix('.tumblr.com')}/{post_id}"
        if "." in self.blog:  # a custom domain
            return f"https://{self.blog}/post/{post_id}"
        return None  # a uuid: the remote id is enough to find it

    def _found(self, post: dict[str, Any]) -> Receipt:
        post_id = str(post.get("id_string") or post.get("id") or "")
        if not post_id:
            raise PublishError("Tumblr listed a post without its id")
        stamp = post.get("timestamp")
        when = datetime.fromtimestamp(stamp, UTC) if isinstance(stamp, int) else None
        url = post.get("post_url")
        return Receipt(post_id, str(url) if url else self._post_url(post_id), when)

    def _call(
        self,
        what: str,
        method: _Method,
        path: str,
        body: bytes | None = None,
        content_type: str | None = None,
        *,
        repeatable: bool = False,
    ) -> dict[str, Any]:
        """One signed call; the `response` of Tumblr's answer. `repeatable`: doing it twice
        publishes nothing, so a timeout is worth retrying."""
        url = (self.option("api_base") or DEFAULT_API_BASE).rstrip("/") + path
        headers = self._signed(method, url, body if content_type == _FORM else None)
        if content_type is not None:
            headers["Content-Type"] = content_type
        try:
            answer = http.request(
                method,
                url,
                body=body,
                headers=headers,
                timeout=self.context.timeout,
                redact=self.context.redact,
            )
        except PublishError as error:
            raise self._error(what, error, repeatable) from None
        data = http.json_object(answer.body)
        response = data.get("response") if data is not None else None
        if not isinstance(response, dict):
            response = {} if isinstance(response, list) else None  # `[]` for an empty answer
        if response is None:
            raise PublishError(f"cannot {what}: Tumblr answered HTTP {answer.status} without JSON")
        return response

    def _signed(self, method: _Method, url: str, form: bytes | None) -> dict[str, str]:
        """The OAuth 1.0a Authorization header; only a form body is part of the signature."""
        client = Client(
            self.credential("consumer_key") or "",
            client_secret=self.credential("consumer_secret"),
            resource_owner_key=self.credential("token"),
            resource_owner_secret=self.credential("token_secret"),
            signature_method=SIGNATURE_HMAC_SHA1,
        )
        _, headers, _ = client.sign(
            url,
            http_method=method,
            body=form.decode() if form is not None else None,
            headers={"Content-Type": _FORM} if form is not None else None,
        )
        return {"Authorization": headers["Authorization"]}

    def _error(self, what: str, error: PublishError, repeatable: bool) -> PublishError:
        codes, detail = _tumblr_errors(error)
        limit = next((_DAILY_LIMITS[c] for c in codes if c in _DAILY_LIMITS), None)
        if error.status == 403 and limit is not None:
            return PublishError(
                f"cannot {what}: Tumblr's daily limit of {limit} is reached ({detail})",
                "transient",
                status=403,
                retry_after=_TOMORROW,
            )
        if error.kind == "auth":
            return self.auth_error(f"Tumblr refused the OAuth credentials ({detail})", error.status)
        if error.status == 404 and what == "create the post":
            return PublishError(
                f"Tumblr has no blog {self.blog!r} ({detail}): check "
                f"channels.{self.channel.name}.options.blog ({_BLOG_HINT})",
                "config",
                status=404,
            )
        return http.failed(what, error, repeatable=repeatable, detail=detail)


def npf_content(entry: VariantEntry, media: Sequence[MediaFile]) -> list[dict[str, Any]]:
    """The post's NPF blocks: its paragraphs, its images (by upload identifier), its link."""
    blocks: list[dict[str, Any]] = []
    for paragraph in _PARAGRAPH.split(entry.text.strip()):
        block: dict[str, Any] = {"type": "text", "text": paragraph}
        if not blocks and paragraph.strip() == entry.title.strip():
            block["subtype"] = "heading1"
        links = [
            {"start": m.start(), "end": m.end(), "type": "link", "url": m.group()}
            for m in _URL.finditer(paragraph)
        ]
        if links:
            block["formatting"] = links
        blocks.append(block)
    sizes = {m.path: (m.width, m.height) for m in entry.media}
    for index, item in enumerate(media):
        described: dict[str, Any] = {"type": item.mime_type, "identifier": f"image-{index + 1}"}
        width, height = sizes.get(item.path, (None, None))
        if width and height:
            described.update(width=width, height=height)
        image: dict[str, Any] = {"type": "image", "media": [described]}
        if item.alt:
            image["alt_text"] = item.alt
        blocks.append(image)
    if entry.link:
        blocks.append({"type": "link", "url": entry.link, "title": entry.title})
    return blocks


def post_tags(entry: VariantEntry) -> list[str]:
    """The variant's tags, then the hashtags of its text; once each, without commas (Tumblr
    takes them as one comma-separated string)."""
    found: list[str] = []
    seen: set[str] = set()
    for tag in [*entry.tags, *_HASHTAG.findall(entry.text)]:
        clean = " ".join(tag.replace(",", " ").split())
        if clean and clean.casefold() not in seen:
            seen.add(clean.casefold())
            found.append(clean)
    return found


def _npf_text(content: Any) -> str:
    """The text of a post's text blocks, as `npf_content` split it."""
    if not isinstance(content, list):
        return ""
    texts = [b.get("text") for b in content if isinstance(b, dict) and b.get("type") == "text"]
    return "\n\n".join(t for t in texts if isinstance(t, str))


def _tumblr_errors(error: PublishError) -> tuple[list[int], str]:
    """The subcodes and the first title of Tumblr's `errors` in an error's quoted body."""
    head, _, quoted = error.message.partition(": ")
    try:
        body = json.loads(quoted)
    except ValueError:
        return [], error.message
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return [], error.message
    listed = [e for e in errors if isinstance(e, dict)]
    codes = [e["code"] for e in listed if isinstance(e.get("code"), int)]
    titles = [
        str(e.get("detail") or e.get("title")) for e in listed if e.get("detail") or e.get("title")
    ]
    return codes, f"{head}: {titles[0]}" if titles else error.message
