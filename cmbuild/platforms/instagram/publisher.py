"""Instagram (professional accounts), through the Graph API's content publishing endpoints.

Options: `ig_user_id` (the Instagram professional account's id), `api_base` (default
`https://graph.facebook.com`, for a token from Facebook Login; `https://graph.instagram.com` for
one from Instagram Login), `graph_version` (default `graph.DEFAULT_GRAPH_VERSION`), and the media
host's options (cmbuild.platforms.shared.mediahost). Credentials: `token` (`instagram_basic` and
`instagram_content_publish`, or `instagram_business_basic` and
`instagram_business_content_publish`), `media_key_id` and `media_secret`.

- Every post has an image; Instagram downloads it from the media host. One image: a container with
  `image_url`, `caption` and `alt_text`. Two to ten: one child container per image
  (`is_carousel_item=true`, with its `alt_text`), then a `media_type=CAROUSEL` container with
  `children` and the caption. Then `POST /{ig-user-id}/media_publish` (see containers.py).
- After a crash or a timeout, `find` reads the account's media since the send (`GET
  /{ig-user-id}/media`) and compares each caption with the digest of the text sent.
- The API cannot delete a post: `retract` reports it, to delete by hand in the app.
"""

from __future__ import annotations

from cmbuild.platforms.shared.containers import ContainerPublisher
from cmbuild.platforms.shared.graph import DEFAULT_GRAPH_VERSION
from cmbuild.platforms.shared.mediahost import CREDENTIALS


class InstagramPublisher(ContainerPublisher):
    """Image and carousel posts with alt text, on one Instagram professional account."""

    name = "instagram"
    label = "Instagram"
    required_credentials = ("token", *CREDENTIALS)
    required_options = (
        (
            "ig_user_id",
            "the Instagram professional account's id",
        ),
        ("media_bucket", "the S3 bucket Instagram downloads images from"),
        ("media_public_url", "the public https:// address of the bucket's objects"),
    )
    can_find = True
    can_delete = False  # no DELETE on IG Media in Meta's API reference
    default_api_base = "https://graph.facebook.com"
    default_version = DEFAULT_GRAPH_VERSION
    user_option = required_options[0]
    create_edge = "media"
    publish_edge = "media_publish"
    list_edge = "media"
    status_fields = "status_code,status"
    text_field = "caption"
    max_images = 10  # carousels: 2-10 items through the API
