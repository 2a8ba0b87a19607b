"""Threads, through the Threads API (graph.threads.net).

Options: `user_id` (default `me`: the token's own account), `api_base` (default
`https://graph.threads.net`), `graph_version` (default `v1.0`), and the media host's options
(cmbuild.platforms.shared.mediahost) for posts with images. Credentials: `token` (`threads_basic`,
`threads_content_publish`, and `threads_delete` for `retract`); `media_key_id` and
`media_secret` when a post has images.

- Text: a container with `media_type=TEXT` and `text`. One image: `media_type=IMAGE`, `image_url`
  (Threads downloads it from the media host), `text` and `alt_text`. Two to twenty: one child
  container per image (`is_carousel_item=true`), then `media_type=CAROUSEL` with `children`.
  Then `POST /{user-id}/threads_publish` (see containers.py). The 500-character limit is checked
  by the build.
- After a crash or a timeout, `find` reads the account's threads since the send (`GET
  /{user-id}/threads`) and compares each text with the digest of the text sent.
- `delete` is `DELETE /{threads-media-id}` (100 deletions per account per day).
"""

from __future__ import annotations

from typing import Any

from cmbuild.manifest.reader import VariantEntry
from cmbuild.platforms.shared.containers import ContainerPublisher
from cmbuild.platforms.shared.graph import Params
from cmbuild.platforms.shared.publisher import MediaFile

DEFAULT_API_BASE = "https://graph.threads.net"


class ThreadsPublisher(ContainerPublisher):
    """Text, image and carousel posts with alt text, on one Threads account."""

    name = "threads"
    label = "Threads"
    required_credentials = ("token",)
    can_find = True
    can_delete = True
    default_api_base = DEFAULT_API_BASE
    default_version = "v1.0"
    user_option = ("user_id", "the Threads user id, or me")
    default_user = "me"
    create_edge = "threads"
    publish_edge = "threads_publish"
    list_edge = "threads"
    status_fields = "status,error_message"
    text_field = "text"
    max_images = 20  # carousels of 2-20 items

    def text_params(self, entry: VariantEntry) -> Params:
        return {"media_type": "TEXT", "text": entry.text}

    def image_params(self, url: str, item: MediaFile, *, carousel_item: bool) -> dict[str, Any]:
        return {
            "media_type": "IMAGE",
            **super().image_params(url, item, carousel_item=carousel_item),
        }

    def delete(self, remote_id: str) -> None:
        self.graph.delete_post(remote_id)
