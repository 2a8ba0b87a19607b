"""The two-step publishing Instagram and Threads share: a container, then publishing it.

1. Each image is put on the channel's media host (cmbuild.platforms.shared.mediahost): the platform
   downloads it from its public address.
2. A container is created for the post (`POST /{user-id}/media` or `/threads`); for several
   images, one child container per image (`is_carousel_item=true`), then a carousel container
   with their ids as `children`. Containers are not public: creating them again is harmless.
3. The container's status is polled until it is FINISHED (images are downloaded and checked
   in the background), then it is published (`/media_publish` or `/threads_publish`).

Neither API takes an idempotency key. After a timeout on the publishing call, `find` first asks
the container this push published (PUBLISHED means the post is out), then reads the account's
posts since the send and compares each one's text with the digest of the text sent; after a crash
only the second way is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, ClassVar

from cmbuild.manifest.reader import VariantEntry, text_digest
from cmbuild.platforms.shared.graph import Graph, Params, parse_time
from cmbuild.platforms.shared.mediahost import MediaHost, host_for
from cmbuild.platforms.shared.publisher import Lookup, MediaFile, Publisher, PublishError, Receipt

_POLLS = 15  # x 2 s: images are usually ready within seconds
_POLL_WAIT = 2.0
_FIND_PAGES = 5  # x 25 posts
_CLOCK_SKEW = timedelta(minutes=10)


class ContainerPublisher(Publisher):
    """What Instagram and Threads publishers share; subclasses give the names and parameters."""

    label: ClassVar[str]  # "Instagram"
    default_api_base: ClassVar[str]
    default_version: ClassVar[str]
    user_option: ClassVar[tuple[str, str]]  # (option name, hint)
    default_user: ClassVar[str | None] = None
    create_edge: ClassVar[str]  # "media"
    publish_edge: ClassVar[str]  # "media_publish"
    list_edge: ClassVar[str]  # "media"
    status_fields: ClassVar[str]  # "status_code,status": the first one holds the state
    text_field: ClassVar[str]  # "caption"
    max_images: ClassVar[int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name, hint = self.user_option
        self.user_id = self.option(name) or self.default_user or self.required_option(name, hint)
        self.graph = Graph(
            platform=self.label,
            base=self.option("api_base") or self.default_api_base,
            version=self.option("graph_version") or self.default_version,
            token=self.credential("token") or "",
            timeout=self.context.timeout,
            refused=lambda detail, status: self.auth_error(detail, status, ("token",)),
            redact=self.context.redact,
        )
        self._host: MediaHost | None = None
        self._published: dict[str, str] = {}  # idempotency key -> container sent to publish

    # What the platform's containers take (a subclass changes what differs).

    def text_params(self, entry: VariantEntry) -> Params:
        raise PublishError(f"{self.label} needs an image for every post")

    def image_params(self, url: str, item: MediaFile, *, carousel_item: bool) -> dict[str, Any]:
        """An image container: both APIs name its address, carousel flag and alt text alike."""
        params: dict[str, Any] = {"image_url": url}
        if carousel_item:
            params["is_carousel_item"] = True
        if item.alt:
            params["alt_text"] = item.alt
        return params

    def carousel_params(self, entry: VariantEntry, children: list[str]) -> Params:
        # A comma-separated list, as Meta's examples send it.
        return {
            "media_type": "CAROUSEL",
            "children": ",".join(children),
            self.text_field: entry.text,
        }

    # The flow.

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        if len(media) > self.max_images:
            raise PublishError(
                f"a {self.label} post takes at most {self.max_images} images, not {len(media)}"
            )
        if not media:
            container = self._create("create the post", self.text_params(entry))
        elif len(media) == 1:
            params = self.image_params(self._url(media[0]), media[0], carousel_item=False)
            params[self.text_field] = entry.text
            container = self._create("create the post", params)
        else:
            children = [
                self._create(
                    f"add {item.path}", self.image_params(self._url(item), item, carousel_item=True)
                )
                for item in media
            ]
            for child in children:
                self._wait(child)
            container = self._create("create the carousel", self.carousel_params(entry, children))
        self._wait(container)
        self._published[entry.idempotency_key] = container
        answer = self.graph.post(
            "publish the post",
            f"{self.user_id}/{self.publish_edge}",
            {"creation_id": container},
        )
        media_id = answer.get("id")
        if not isinstance(media_id, str | int) or isinstance(media_id, bool) or not str(media_id):
            raise PublishError(f"{self.label} published without giving an id", "ambiguous")
        return Receipt(str(media_id), self._permalink(str(media_id)))

    def find(self, lookup: Lookup) -> Receipt | None:
        container = self._published.get(lookup.key)
        published = container is not None and self._state(container) == "PUBLISHED"
        if container is not None and not published:
            return None  # the container this push sent was never published
        found = self._search(lookup)
        if found is None and published:
            # Out, but not listed yet: leave the send pending for the next push to settle.
            raise PublishError(f"{self.label} published the post but does not list it yet")
        return found

    def _search(self, lookup: Lookup) -> Receipt | None:
        since = lookup.since - _CLOCK_SKEW
        params: dict[str, Any] = {
            "fields": f"id,{self.text_field},timestamp,permalink",
            "limit": 25,
            "since": int(since.timestamp()),
        }
        what = f"list the account's {self.label} posts"
        path = f"{self.user_id}/{self.list_edge}"
        for post in self.graph.listed(what, path, params, pages=_FIND_PAGES):
            created = parse_time(post.get("timestamp"))
            if created is not None and created < since:
                return None
            text = post.get(self.text_field)
            if isinstance(text, str) and text_digest(text) == lookup.text_sha256:
                link = post.get("permalink")
                return Receipt(str(post["id"]), link if isinstance(link, str) else None, created)
        return None

    def _url(self, item: MediaFile) -> str:
        if self._host is None:
            self._host = host_for(self)
        return self._host.host(item).url

    def _create(self, what: str, params: Params) -> str:
        answer = self.graph.post(
            what, f"{self.user_id}/{self.create_edge}", params, repeatable=True
        )
        container = answer.get("id")
        if not isinstance(container, str | int) or isinstance(container, bool):
            raise PublishError(f"cannot {what}: {self.label} gave no container id", "transient")
        return str(container)

    def _wait(self, container: str) -> None:
        """Poll a container until FINISHED; its error, or `transient` if it takes too long."""
        for attempt in range(_POLLS):
            answer = self.graph.get(
                "check the post's processing", container, {"fields": self.status_fields}
            )
            state = _state_of(answer, self.status_fields)
            if state in ("FINISHED", "PUBLISHED"):
                return
            if state in ("ERROR", "EXPIRED"):
                detail = " ".join(
                    str(answer[f]) for f in ("status", "error_message") if answer.get(f)
                )
                raise PublishError(
                    f"{self.label} could not process the post ({state}"
                    + (f": {detail}" if detail and detail != state else "")
                    + ")"
                )
            if attempt < _POLLS - 1:
                self.context.sleep(_POLL_WAIT)
        raise PublishError(f"{self.label} is still processing the post", "transient")

    def _state(self, container: str) -> str | None:
        answer = self.graph.get(
            "check the post's container", container, {"fields": self.status_fields}
        )
        return _state_of(answer, self.status_fields)

    def _permalink(self, media_id: str) -> str | None:
        """The post's address; once a post is out, a failure to read it must not fail the send."""
        try:
            answer = self.graph.get("read the post's address", media_id, {"fields": "permalink"})
        except PublishError:
            return None
        link = answer.get("permalink")
        return link if isinstance(link, str) and link else None


def _state_of(answer: dict[str, Any], fields: str) -> str | None:
    value = answer.get(fields.split(",", 1)[0])
    return value if isinstance(value, str) else None
