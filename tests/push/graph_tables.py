"""What each Graph endpoint the fake serves accepts: parameters with their types, readable fields.

Facebook and Instagram: read from Meta's own SDK (PyPI `facebook-business`), whose generated
`adobjects` carry one `param_types` table per endpoint and one `Field` list per node type. The
SDK builds the request without sending it (`pending=True`) and the table is taken from it.

Threads has no SDK there; its tables are written from Meta's reference pages:
- https://developers.facebook.com/docs/threads/reference/publishing (POST /{threads-user-id}/
  threads and /threads_publish, their parameters; alt_text at most 1,000 characters)
- https://developers.facebook.com/docs/threads/reference/user (GET /{threads-user-id}/threads:
  fields, since, until, limit, before, after)
- https://developers.facebook.com/docs/threads/troubleshooting (GET /{threads-container-id}
  with fields status and error_message)
- https://developers.facebook.com/docs/threads/posts/delete-posts (DELETE /{threads-media-id})
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from facebook_business.adobjects.igmedia import IGMedia  # type: ignore[import-untyped, unused-ignore]
from facebook_business.adobjects.iguser import IGUser  # type: ignore[import-untyped, unused-ignore]
from facebook_business.adobjects.page import Page  # type: ignore[import-untyped, unused-ignore]
from facebook_business.adobjects.pagepost import PagePost  # type: ignore[import-untyped, unused-ignore]
from facebook_business.adobjects.shadowigmediabuilder import ShadowIGMediaBuilder  # type: ignore[import-untyped, unused-ignore]
from facebook_business.api import FacebookAdsApi  # type: ignore[import-untyped, unused-ignore]
from facebook_business.session import FacebookSession  # type: ignore[import-untyped, unused-ignore]

_API = FacebookAdsApi(FacebookSession(access_token="offline"))


@dataclass(frozen=True)
class Table:
    name: str  # the endpoint, for messages
    node: str  # the node type, as Graph names it in errors
    types: dict[str, str]
    enums: dict[str, list[str]] = field(default_factory=dict)
    fields: frozenset[str] = frozenset()  # what a read may ask for
    required: tuple[str, ...] = ()
    takes_source: bool = False  # a multipart file part named `source` (photo uploads)


def universal(method: str) -> frozenset[str]:
    """Parameters every Graph endpoint takes, beyond its own table."""
    if method == "GET":
        return frozenset({"access_token", "fields", "limit", "after", "before"})
    return frozenset({"access_token"})


def sdk_table(kind: Any, method: str, **extra: Any) -> Table:
    """The table of `kind.method` (e.g. Page.create_feed), as the installed SDK has it."""
    request = getattr(kind(fbid="0", api=_API), method)(pending=True)
    checker = request._param_checker
    enums = {
        name: [v for v in values if isinstance(v, str)]
        for name, values in checker._enum_data.items()
    }
    fields = frozenset(v for v in request._accepted_fields if isinstance(v, str))
    return Table(
        name=f"{kind.__name__}.{method}",
        node=kind.__name__,
        types=dict(checker._type_check_info),
        enums=enums,
        fields=fields,
        **extra,
    )


_THREADS_MEDIA_FIELDS = frozenset(
    [
        "id",
        "media_product_type",
        "media_type",
        "media_url",
        "permalink",
        "owner",
        "username",
        "text",
        "timestamp",
        "shortcode",
        "thumbnail_url",
        "children",
        "is_quote_post",
        "alt_text",
        "link_attachment_url",
        "has_replies",
        "reply_audience",
        "quoted_post",
        "reposted_post",
    ]
)

THREADS_CREATE = Table(
    name="POST /{threads-user-id}/threads",
    node="ThreadsUser",
    types={
        "media_type": "media_type_enum",
        "text": "string",
        "image_url": "string",
        "video_url": "string",
        "is_carousel_item": "bool",
        "children": "list<string>",
        "reply_to_id": "string",
        "reply_control": "reply_control_enum",
        "allowlisted_country_codes": "list<string>",
        "alt_text": "string",
        "link_attachment": "string",
        "quote_post_id": "string",
        "poll_attachment": "Object",
        "auto_publish_text": "bool",
        "topic_tag": "string",
        "location_id": "string",
    },
    enums={
        "media_type_enum": ["TEXT", "IMAGE", "VIDEO", "CAROUSEL"],
        "reply_control_enum": [
            "everyone",
            "accounts_you_follow",
            "mentioned_only",
            "parent_post_author_only",
            "followers_only",
        ],
    },
    required=("media_type",),
)

THREADS_PUBLISH = Table(
    name="POST /{threads-user-id}/threads_publish",
    node="ThreadsUser",
    types={"creation_id": "string"},
    required=("creation_id",),
)

THREADS_LIST = Table(
    name="GET /{threads-user-id}/threads",
    node="ThreadsMedia",
    types={"since": "datetime", "until": "datetime"},
    fields=_THREADS_MEDIA_FIELDS,
)

THREADS_CONTAINER = Table(
    name="GET /{threads-container-id}",
    node="ThreadsMediaContainer",
    types={},
    fields=frozenset({"id", "status", "error_message"}),
)

THREADS_MEDIA = Table(
    name="GET /{threads-media-id}", node="ThreadsMedia", types={}, fields=_THREADS_MEDIA_FIELDS
)

# https://developers.facebook.com/docs/threads/insights: media insights and user insights.
THREADS_MEDIA_INSIGHTS = Table(
    name="GET /{threads-media-id}/insights",
    node="ThreadsMedia",
    types={"metric": "list<threads_media_metric_enum>"},
    enums={
        "threads_media_metric_enum": ["views", "likes", "replies", "reposts", "quotes", "shares"]
    },
    fields=frozenset({"name", "period", "values", "title", "description", "id"}),
    required=("metric",),
)
THREADS_USER_INSIGHTS = Table(
    name="GET /{threads-user-id}/threads_insights",
    node="ThreadsUser",
    types={"metric": "list<threads_user_metric_enum>", "since": "datetime", "until": "datetime"},
    enums={
        "threads_user_metric_enum": [
            "views",
            "likes",
            "replies",
            "reposts",
            "quotes",
            "clicks",
            "followers_count",
            "follower_demographics",
        ]
    },
    fields=frozenset({"name", "period", "values", "total_value", "title", "description", "id"}),
    required=("metric",),
)


def _post_insights() -> Table:
    """PagePost.get_insights, whose SDK table types `metric` as `list<Object>` where Graph takes
    metric names (Page Insights reference): names, checked by the fake against that page."""
    table = sdk_table(PagePost, "get_insights")
    return replace(table, types={**table.types, "metric": "list<string>"})


THREADS_DELETE = Table(name="DELETE /{threads-media-id}", node="ThreadsMedia", types={})

# (method, node kind, edge) -> what it accepts. An empty edge is the node itself.
TABLES: dict[tuple[str, str, str], Table] = {
    ("POST", "page", "feed"): sdk_table(Page, "create_feed"),
    ("POST", "page", "photos"): sdk_table(Page, "create_photo", takes_source=True),
    ("GET", "page", "published_posts"): sdk_table(Page, "get_published_posts"),
    ("GET", "page", ""): sdk_table(Page, "api_get"),
    ("GET", "post", ""): sdk_table(PagePost, "api_get"),
    ("GET", "post", "insights"): _post_insights(),
    ("DELETE", "post", ""): sdk_table(PagePost, "api_delete"),
    ("POST", "ig_user", "media"): sdk_table(IGUser, "create_media"),
    ("POST", "ig_user", "media_publish"): sdk_table(
        IGUser, "create_media_publish", required=("creation_id",)
    ),
    ("GET", "ig_user", "media"): sdk_table(IGUser, "get_media"),
    ("GET", "ig_container", ""): sdk_table(ShadowIGMediaBuilder, "api_get"),
    ("GET", "ig_media", ""): sdk_table(IGMedia, "api_get"),
    ("GET", "ig_media", "insights"): sdk_table(IGMedia, "get_insights"),
    ("GET", "ig_user", ""): sdk_table(IGUser, "api_get"),
    ("POST", "threads_user", "threads"): THREADS_CREATE,
    ("POST", "threads_user", "threads_publish"): THREADS_PUBLISH,
    ("GET", "threads_user", "threads"): THREADS_LIST,
    ("GET", "threads_container", ""): THREADS_CONTAINER,
    ("GET", "threads_media", ""): THREADS_MEDIA,
    ("DELETE", "threads_media", ""): THREADS_DELETE,
    ("GET", "threads_media", "insights"): THREADS_MEDIA_INSIGHTS,
    ("GET", "threads_user", "threads_insights"): THREADS_USER_INSIGHTS,
}


def check_value(kind: str, value: str, enums: dict[str, list[str]]) -> str | None:
    """What is wrong with a parameter's value as sent on the wire, per its SDK type."""
    if kind in enums:
        return None if value in enums[kind] else f"must be one of {sorted(enums[kind])}"
    if kind in ("string", "file"):
        return None
    if kind == "bool":
        return None if value in ("true", "false", "1", "0") else "must be a boolean"
    if kind in ("int", "unsigned int"):
        pattern = r"\d+" if kind == "unsigned int" else r"-?\d+"
        return None if re.fullmatch(pattern, value) else f"must be an {kind}"
    if kind == "float":
        try:
            float(value)
        except ValueError:
            return "must be a number"
        return None
    if kind == "datetime":
        if re.fullmatch(r"\d+", value):
            return None
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return "must be a unix time or an ISO 8601 date"
        return None
    if kind in ("Object", "map") or kind.startswith("map<"):
        return None if isinstance(_decode(value), dict) else "must be a JSON object"
    if kind == "list" or kind.startswith("list<"):
        items = _decode(value)
        item_kind = kind[5:-1] if kind.startswith("list<") else "string"
        if not isinstance(items, list):
            if item_kind in ("string", "int", "unsigned int"):  # Graph also takes a,b,c
                items = split_list(value)
            else:
                return f"must be a JSON array of {item_kind}"
        for item in items:
            text = json.dumps(item) if isinstance(item, dict | list) else str(item)
            if isinstance(item, bool) and item_kind != "bool":
                return f"must be a list of {item_kind}"
            problem = check_value(item_kind, text, enums)
            if problem:
                return f"items {problem}"
        return None
    return f"has a type this fake does not know ({kind})"


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return None


def split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]
