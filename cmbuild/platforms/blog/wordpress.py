"""WordPress, through its REST API with an Application Password.

A channel of platform "blog" sets `options.publisher = "wordpress"` and `options.site` (the site's
address); credentials `user` (the WordPress login) and `app_password` (an Application Password
made under Users → Profile; WordPress accepts one only over https, or on a site whose
`WP_ENVIRONMENT_TYPE` is `local`). Other options: `status` (`publish`, the default; `draft` to
have someone publish by hand; `future`), `category` (the slug of an existing category) and
`api_root` (the REST API's root; found by default from the `Link` header WordPress sends, else
`SITE/?rest_route=/`, which works with and without pretty permalinks).

- Each image is uploaded to the media library with its alt text (`POST /wp/v2/media`), the post
  is created (`POST /wp/v2/posts`) with the article's HTML, its title, slug, tags, the scheduled
  time as `date_gmt` and the first image as featured image, then the images are attached to it.
- WordPress takes no idempotency key. The key is kept in an HTML comment at the end of the content
  (WordPress stores the content as sent, and no theme shows a comment), so `find` asks WordPress
  to search for it: an interrupted send is recognised, never sent twice.
- `delete` removes the post and the images attached to it, for good (`force=true`, not the
  trash): a retraction is for something that must no longer be online, and an image in the
  media library stays public at its address.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from cmbuild.manifest.reader import VariantEntry
from cmbuild.platforms.blog.wpcontent import Uploaded, article, marker, with_marker, with_media
from cmbuild.platforms.shared import http
from cmbuild.platforms.shared.publisher import (
    Lookup,
    MediaFile,
    Publisher,
    PublisherContext,
    PublishError,
    Receipt,
)

STATUSES = ("publish", "draft", "future")
_API_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?https://api\.w\.org/"?')
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class WordPressPublisher(Publisher):
    """Posts with their images on one WordPress site."""

    name = "wordpress"
    required_credentials = ("user", "app_password")
    required_options = (("site", "the WordPress site's address, e.g. https://blog.example.org"),)
    can_find = True
    can_delete = True

    def __init__(self, context: PublisherContext) -> None:
        super().__init__(context)
        where = f"channels.{self.channel.name}"
        self.status = self.option("status") or "publish"
        if self.status not in STATUSES:
            raise PublishError(
                f"{where}.options.status: {self.status!r} is not one of {', '.join(STATUSES)}",
                "config",
            )
        self._root: str | None = self.option("api_root")
        # Within one push, a publish retried after a 5xx reuses what it already uploaded.
        self._uploaded: dict[tuple[str, str | None], Uploaded] = {}

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        post: dict[str, Any] = {
            "title": entry.title,
            "status": self.status,
            "slug": entry.slug,
            "date_gmt": entry.scheduled.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        }
        # Terms first: a missing category is found before anything is uploaded.
        category = self.option("category")
        if category:
            post["categories"] = [self._category(category)]
        if entry.tags:
            post["tags"] = [self._tag(name) for name in entry.tags]
        uploaded = [self._upload(item, entry.title) for item in media]
        content = with_media(article(entry.text, entry.text_format), uploaded)
        post["content"] = with_marker(content, entry.idempotency_key)
        if uploaded:
            post["featured_media"] = uploaded[0].media_id
        created = self.call("create the post", "POST", "/wp/v2/posts", json_body=post)
        receipt = _receipt(created)
        for item in uploaded:
            try:
                self.call(
                    f"attach {item.path} to the post",
                    "POST",
                    f"/wp/v2/media/{item.media_id}",
                    json_body={"post": int(receipt.remote_id)},
                    repeatable=True,
                )
            except PublishError as error:
                # The post is online: say so, and let the push find it rather than send it again.
                raise PublishError(
                    f"the post is on WordPress ({receipt.url}) but {error.message}", "ambiguous"
                ) from None
        return receipt

    def find(self, lookup: Lookup) -> Receipt | None:
        found = self.call(
            "look for an interrupted post",
            "GET",
            "/wp/v2/posts",
            query={
                "search": lookup.key,
                "status": "any",
                "context": "edit",
                "per_page": "100",
                "orderby": "id",
                "order": "asc",
            },
            repeatable=True,
        )
        wanted = marker(lookup.key)
        for post in found if isinstance(found, list) else []:
            content = post.get("content") if isinstance(post, dict) else None
            if isinstance(content, dict) and wanted in str(content.get("raw") or ""):
                return _receipt(post)
        return None

    def delete(self, remote_id: str) -> None:
        if not remote_id.isdigit():
            raise PublishError(f"{remote_id!r} is not the id of a WordPress post")
        attached = self.call(
            "list the post's images",
            "GET",
            "/wp/v2/media",
            query={"parent": remote_id, "per_page": "100", "context": "edit"},
            repeatable=True,
        )
        # The images first: once the post is gone, WordPress detaches them and they cannot be
        # told apart from the rest of the library any more.
        for item in attached if isinstance(attached, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), int):
                self._delete(f"/wp/v2/media/{item['id']}", f"delete image {item['id']}")
        self._delete(f"/wp/v2/posts/{remote_id}", "delete the post")

    def _delete(self, route: str, what: str) -> None:
        try:
            self.call(what, "DELETE", route, query={"force": "true"}, repeatable=True)
        except PublishError as error:
            # Already gone is what a retraction wants; a site without the API is not that.
            if error.kind != "permanent" or error.status not in (404, 410):
                raise

    def _upload(self, item: MediaFile, title: str) -> Uploaded:
        key = (item.path, item.alt)
        if key in self._uploaded:
            return self._uploaded[key]
        filename = _SAFE_NAME.sub("-", item.path.rsplit("/", 1)[-1]) or "image"
        query = {"title": title}
        if item.alt:
            query["alt_text"] = item.alt
        answer = self.call(
            f"upload {item.path}",
            "POST",
            "/wp/v2/media",
            query=query,
            body=item.data,
            headers={
                "Content-Type": item.mime_type,
                "Content-Disposition": f'attachment; filename="{filename}"',
            },
            repeatable=True,  # an image is not public until a post shows it
        )
        media_id = _id(answer, f"the upload of {item.path}")
        uploaded = Uploaded(media_id, str(answer.get("source_url") or ""), item.path, item.alt)
        self._uploaded[key] = uploaded
        return uploaded

    def _tag(self, name: str) -> int:
        """The id of the tag called `name`, created if the site has none."""
        found = self.call(
            f"look up tag {name!r}",
            "GET",
            "/wp/v2/tags",
            query={"search": name, "per_page": "100"},
            repeatable=True,
        )
        for tag in found if isinstance(found, list) else []:
            if (
                isinstance(tag, dict)
                and html.unescape(str(tag.get("name"))).casefold() == name.casefold()
            ):
                return _id(tag, f"tag {name!r}")
        created = self.call(f"create tag {name!r}", "POST", "/wp/v2/tags", json_body={"name": name})
        return _id(created, f"tag {name!r}")

    def _category(self, slug: str) -> int:
        found = self.call(
            f"look up category {slug!r}",
            "GET",
            "/wp/v2/categories",
            query={"slug": slug},
            repeatable=True,
        )
        if isinstance(found, list) and found:
            return _id(found[0], f"category {slug!r}")
        raise PublishError(
            f"channels.{self.channel.name}.options.category: the site has no category with the "
            f"slug {slug!r} (create it in WordPress, or fix the slug)",
            "config",
        )

    def call(
        self,
        what: str,
        method: str,
        route: str,
        *,
        query: Mapping[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        repeatable: bool = False,
    ) -> Any:
        """One REST call (the inbox's too); its JSON answer. `repeatable`: doing it twice
        publishes nothing."""
        sent = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            sent["Content-Type"] = "application/json; charset=utf-8"
        pair = f"{self.credential('user') or ''}:{self.credential('app_password') or ''}"
        sent["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        url = self._url(route, query or {})
        try:
            answer = http.request(
                method,
                url,
                body=body,
                headers=sent,
                timeout=self.context.timeout,
                redact=self.context.redact,
            )
        except PublishError as error:
            raise self._failure(what, error, repeatable) from None
        try:
            return json.loads(answer.body)
        except ValueError:
            raise PublishError(
                f"cannot {what}: {url} answered HTTP {answer.status} without JSON "
                f"(is channels.{self.channel.name}.options.site a WordPress site?)",
                "config",
            ) from None

    def _failure(self, what: str, error: PublishError, repeatable: bool) -> PublishError:
        if error.kind == "auth":
            hint = ""
            if urlsplit(self._site()).scheme == "http":
                hint = "; WordPress accepts Application Passwords over http only on local sites"
            return self.auth_error(
                f"WordPress refused the Application Password ({error.message}{hint})",
                error.status,
            )
        if error.status == 404 and "rest_no_route" in error.message:
            return PublishError(
                f"cannot {what}: {self._api_root()} does not serve the WordPress REST API "
                f"(check channels.{self.channel.name}.options.site or .api_root)",
                "config",
                status=404,
            )
        return http.failed(what, error, repeatable=repeatable)

    def _site(self) -> str:
        return self.required_option("site", "the WordPress site's address").rstrip("/") + "/"

    def _api_root(self) -> str:
        """The REST API's root: the option, else what the site announces, else `?rest_route=`."""
        if self._root is None:
            site = self._site()
            try:
                answer = http.request(
                    "HEAD",
                    site,
                    body=None,
                    headers={},
                    timeout=self.context.timeout,
                    redact=self.context.redact,
                )
                links = [v for k, v in answer.headers.items() if k.lower() == "link"]
            except PublishError:
                links = []  # the fallback below works on every WordPress
            found = next((m.group(1) for v in links for m in _API_LINK.finditer(v)), None)
            self._root = found or site + "?rest_route=/"
        return self._root

    def _url(self, route: str, query: Mapping[str, str]) -> str:
        parts = urlsplit(self._api_root())
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        path = parts.path
        if any(name == "rest_route" for name, _ in pairs):
            pairs = [(n, v.rstrip("/") + route if n == "rest_route" else v) for n, v in pairs]
        else:
            path = path.rstrip("/") + route
        pairs.extend(query.items())
        encoded = urlencode(pairs, safe="/", quote_via=quote)
        return urlunsplit((parts.scheme, parts.netloc, path, encoded, ""))


def _receipt(post: Any) -> Receipt:
    if not (isinstance(post, dict) and isinstance(post.get("id"), int)):
        raise PublishError("WordPress answered without the post's id")
    published = None
    if isinstance(post.get("date_gmt"), str):
        try:
            published = datetime.fromisoformat(post["date_gmt"]).replace(tzinfo=UTC)
        except ValueError:
            published = None
    link = post.get("link")
    return Receipt(str(post["id"]), link if isinstance(link, str) else None, published)


def _id(answer: Any, what: str) -> int:
    """The `id` of a JSON object WordPress gave back."""
    if isinstance(answer, dict) and isinstance(answer.get("id"), int):
        return int(answer["id"])
    raise PublishError(f"WordPress gave no id for {what}")
