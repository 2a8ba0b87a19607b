"""A local fake of Meta's Graph APIs: a Facebook Page, an Instagram account and a Threads account.

No Meta server runs offline, and Meta publishes no OpenAPI description of these endpoints. What
it does publish, in its own Python SDK (PyPI `facebook-business`), is a `param_types` table per
endpoint: `Page.create_feed`, `Page.create_photo`, `IGUser.create_media`... The fake reads those
tables from the installed SDK and refuses, as Graph does (HTTP 400, an error object with code
100), any parameter an endpoint does not have or whose value is not of its type, and any field
a read asks for that the node does not have. Threads is not in the SDK: its tables are written
from Meta's reference pages (threads_tables.py).

It is stateful (posts, photos, containers whose status is IN_PROGRESS once then FINISHED,
publishing, lists with cursors, deletion), and like Instagram and Threads it downloads every
`image_url` itself, keeping the bytes for the tests to check.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import hashlib
import json
import re
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.push.fake_http import LocalServer, read_body, send_json
from tests.push.graph_tables import TABLES, Table, check_value, split_list, universal

PAGE_ID = "104857600000001"
IG_USER_ID = "17841400000000001"
THREADS_USER_ID = "25000000000001"
PAGE_TOKEN = "EAAPage-token-9f2c1d"
IG_TOKEN = "EAAInsta-token-4b7e0a"
THREADS_TOKEN = "THAAThreads-token-81d3"


# Page post metrics, from Meta's reference "Page Insights" (developers.facebook.com/docs/
# graph-api/reference/insights, "Page Post Impressions", "Page Post Engagement", "Page Post
# Reactions"): the ones a Page post's insights edge takes.
PAGE_POST_METRICS = frozenset(
    {
        "post_impressions",
        "post_impressions_unique",
        "post_impressions_paid",
        "post_impressions_organic",
        "post_clicks",
        "post_clicks_by_type",
        "post_reactions_by_type_total",
        "post_reactions_like_total",
        "post_media_view",
    }
)

# The platforms' own limits (docs/platforms.md, cmbuild/platforms/): Facebook's 63,206 characters
# for a Page post, Instagram's 2,200-character caption and the API's 30 hashtags (the app shows
# 5 since December 2025; the API reference still says 30).
FACEBOOK_MESSAGE_LIMIT = 63_206
INSTAGRAM_CAPTION_LIMIT = 2_200
INSTAGRAM_HASHTAG_LIMIT = 30


class GraphFailure(Exception):
    """An error answer, shaped as Graph shapes them."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: int = 400,
        subcode: int | None = None,
        kind: str = "OAuthException",
        transient: bool | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}
        self.body: dict[str, Any] = {
            "message": message,
            "type": kind,
            "code": code,
            "fbtrace_id": "AbCdEf012345",
        }
        if subcode is not None:
            self.body["error_subcode"] = subcode
        if transient is not None:
            self.body["is_transient"] = transient


@dataclass
class Fault:
    """A scripted failure for the next request whose method and path match."""

    method: str
    path_suffix: str  # e.g. "/feed"
    kind: str  # rate_limit | server_error | slow (carried out, then answered too late)
    delay: float = 1.0


@dataclass
class Seen:
    method: str
    path: str  # without the version
    params: dict[str, str]
    files: dict[str, bytes] = field(default_factory=dict)


class FakeGraph(LocalServer):
    """The Graph endpoints the Meta publishers use, on 127.0.0.1."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Seen] = []
        self.rejected: list[str] = []  # every 400 for a bad request, and why
        self.faults: list[Fault] = []
        self.tables = dict(TABLES)  # a subclass serving more endpoints adds theirs
        self.expired: set[str] = set()  # tokens that now answer code 190
        self.nodes: dict[str, tuple[str, dict[str, Any]]] = {
            PAGE_ID: ("page", {}),
            IG_USER_ID: ("ig_user", {}),
            THREADS_USER_ID: ("threads_user", {}),
        }
        self.owners = {PAGE_TOKEN: PAGE_ID, IG_TOKEN: IG_USER_ID, THREADS_TOKEN: THREADS_USER_ID}
        self.account_of: dict[str, str] = {}  # node -> the account that made it
        self.account = ""  # the account of the request being answered
        self.fetched: dict[str, bytes] = {}  # image_url -> the bytes downloaded from it
        self.busy_looks = 1  # how many status reads a new container answers IN_PROGRESS
        self._next = 1000
        self.lock = threading.Lock()

    # What tests look at.

    def of_kind(self, kind: str) -> dict[str, dict[str, Any]]:
        return {i: state for i, (k, state) in self.nodes.items() if k == kind}

    def calls(self) -> list[tuple[str, str]]:
        return [(s.method, s.path) for s in self.seen]

    # Serving.

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        raw = read_body(handler)
        delay = 0.0
        headers: dict[str, str] = {}
        try:
            with self.lock:
                seen = self.parse(handler, raw)
                fault = self.fault_for(seen)
                if fault is not None and fault.kind == "slow":
                    delay = fault.delay
                status, answer = self.answer(seen, fault)
        except GraphFailure as failure:
            status, answer, headers = failure.status, {"error": failure.body}, failure.headers
        if delay:
            time.sleep(delay)  # carried out, but answered after the client gave up
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            send_json(handler, status, answer, headers)

    def parse(self, handler: BaseHTTPRequestHandler, raw: bytes) -> Seen:
        split = urllib.parse.urlsplit(handler.path)
        found = re.fullmatch(r"/v\d+\.\d+(/.*)", split.path)
        if found is None:
            raise self.bad(f"Unknown path components: {split.path}", code=2500)
        params = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        files: dict[str, bytes] = {}
        content_type = handler.headers.get("Content-Type", "")
        if handler.command == "POST" and content_type.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + raw
            )
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                assert isinstance(name, str) and isinstance(payload, bytes)
                if part.get_filename():
                    files[name] = payload
                else:
                    params[name] = payload.decode()
        elif handler.command == "POST" and raw:
            params.update(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
        seen = Seen(handler.command, found.group(1), params, files)
        self.seen.append(seen)
        return seen

    def fault_for(self, seen: Seen) -> Fault | None:
        for fault in self.faults:
            if fault.method == seen.method and seen.path.endswith(fault.path_suffix):
                self.faults.remove(fault)
                return fault
        return None

    def answer(self, seen: Seen, fault: Fault | None) -> tuple[int, dict[str, Any]]:
        token = seen.params.get("access_token", "")
        if token in self.expired:
            raise GraphFailure(
                190,
                "Error validating access token: Session has expired on Tuesday, 01-Dec-26 "
                f"07:00:00 PST. (token {token})",  # a careless server quoting the token
                subcode=463,
            )
        if token not in self.owners:
            raise GraphFailure(190, "Invalid OAuth access token - Cannot parse access token")
        parts = seen.path.strip("/").split("/")
        node = "me" if parts[0] == "me" and token == THREADS_TOKEN else parts[0]
        node_id = self.owners[token] if node == "me" else node
        edge = parts[1] if len(parts) > 1 else ""
        if node_id not in self.nodes or len(parts) > 2:
            raise self.bad(
                f"Unsupported {seen.method.lower()} request. Object with ID '{parts[0]}' does "
                "not exist, cannot be loaded due to missing permissions, or does not support "
                "this operation.",
                subcode=33,
            )
        kind, state = self.nodes[node_id]
        # A token acts for its own account only: an Instagram token cannot post on the Page.
        self.account = self.owners[token]
        if self.account_of.get(node_id, node_id) != self.account:
            raise GraphFailure(
                200, "(#200) The user hasn't authorized the application to perform this action"
            )
        table = self.tables.get((seen.method, kind, edge))
        if table is None:
            raise self.bad(f"Unknown path components: /{edge}", code=2500)
        self.validate(table, seen)
        if fault is not None and fault.kind == "rate_limit":
            usage = {PAGE_ID: [{"type": "pages", "estimated_time_to_regain_access": 1}]}
            raise GraphFailure(
                32,
                "Page request limit reached",
                headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
            )
        if fault is not None and fault.kind == "server_error":
            raise GraphFailure(
                2,
                "An unexpected error has occurred. Please retry your request later.",
                status=500,
                transient=True,
            )
        handler = getattr(self, f"do_{seen.method.lower()}_{kind}_{edge or 'node'}")
        result: tuple[int, dict[str, Any]] = handler(node_id, state, seen.params, seen.files)
        return result

    def validate(self, table: Table, seen: Seen) -> None:
        for name, value in seen.params.items():
            if name in universal(seen.method):
                continue
            kind = table.types.get(name)
            if kind is None:
                raise self.bad(f"(#100) Param {name} is not a valid parameter of {table.name}")
            problem = check_value(kind, value, table.enums)
            if problem:
                raise self.bad(f"(#100) Param {name} {problem}")
        for name in seen.files:
            if table.types.get(name) != "file" and not table.takes_source:
                raise self.bad(f"(#100) {table.name} takes no file {name}")
        if "fields" in seen.params:
            for name in seen.params["fields"].split(","):
                if name not in table.fields:
                    raise self.bad(
                        f"(#100) Tried accessing nonexisting field ({name}) on node type "
                        f"({table.node})"
                    )
        for name in table.required:
            if name not in seen.params and name not in seen.files:
                raise self.bad(f"(#100) The parameter {name} is required")

    def check_length(self, name: str, text: str | None, limit: int) -> None:
        if text is not None and len(text) > limit:
            raise self.bad(f"(#100) Param {name} is longer than {limit} characters")

    def bad(self, message: str, *, code: int = 100, subcode: int | None = None) -> GraphFailure:
        self.rejected.append(message)
        return GraphFailure(code, message, subcode=subcode)

    def new_id(self, kind: str, state: dict[str, Any], prefix: str = "") -> str:
        self._next += 1
        node_id = f"{prefix}{self._next}"
        self.nodes[node_id] = (kind, state)
        self.account_of[node_id] = self.account
        return node_id

    def fetch(self, url: str) -> bytes:
        """Download an image as Instagram and Threads do: from its public address, no login."""
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                data: bytes = answer.read()
        except Exception as error:
            raise GraphFailure(
                9004,
                f"Media download has failed. The media URI doesn't meet our requirements. "
                f"({error})",
                subcode=2207052,
            ) from None
        self.fetched[url] = data
        return data

    # Facebook Page.

    def do_post_page_feed(
        self, page: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        self.check_length("message", params.get("message"), FACEBOOK_MESSAGE_LIMIT)
        attached = json.loads(params.get("attached_media", "[]"))
        for item in attached:
            photo = self.nodes.get(str(item.get("media_fbid")))
            if photo is None or photo[0] != "photo" or photo[1]["published"]:
                raise self.bad(f"(#100) media_fbid {item.get('media_fbid')} is not usable")
        post = {
            "message": params.get("message"),
            "link": params.get("link"),
            "attached_media": [str(i["media_fbid"]) for i in attached],
            "created_time": _now(),
        }
        return 200, {"id": self.new_id("post", post, prefix=f"{page}_")}

    def do_post_page_photos(
        self, page: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        if "source" not in files and "url" not in params:
            raise self.bad("(#324) Requires upload file")
        self.check_length("caption", params.get("caption"), FACEBOOK_MESSAGE_LIMIT)
        data = files.get("source") or self.fetch(params["url"])
        published = params.get("published", "true") in ("true", "1")
        photo = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "alt_text_custom": params.get("alt_text_custom"),
            "caption": params.get("caption"),
            "published": published,
        }
        photo_id = self.new_id("photo", photo)
        if not published:
            return 200, {"id": photo_id}
        post = {
            "message": params.get("caption"),
            "link": None,
            "attached_media": [photo_id],
            "created_time": _now(),
        }
        return 200, {"id": photo_id, "post_id": self.new_id("post", post, prefix=f"{page}_")}

    def do_get_page_published_posts(
        self, page: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        posts = [
            {"id": i, **p, "permalink_url": _fb_link(i)} for i, p in self.of_kind("post").items()
        ]
        return 200, _page_of(posts, params, "created_time")

    def do_get_post_node(
        self, post: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return 200, _fields({"id": post, **state, "permalink_url": _fb_link(post)}, params)

    def do_delete_post_node(
        self, post: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        del self.nodes[post]
        return 200, {"success": True}

    # Instagram and Threads: containers, then publishing.

    def do_post_ig_user_media(
        self, user: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        caption = params.get("caption")
        self.check_length("caption", caption, INSTAGRAM_CAPTION_LIMIT)
        if caption and len(re.findall(r"(?<!\w)#\w", caption)) > INSTAGRAM_HASHTAG_LIMIT:
            raise self.bad(f"(#100) a caption has at most {INSTAGRAM_HASHTAG_LIMIT} hashtags")
        return self._container("ig_container", params, "caption", 10)

    def do_post_threads_user_threads(
        self, user: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        if params.get("media_type") == "TEXT" and not params.get("text"):
            raise self.bad("(#100) The parameter text is required for a TEXT post")
        if len(params.get("text", "")) > 500:
            raise self.bad("(#100) text is longer than 500 characters")
        if len(params.get("alt_text", "")) > 1000:
            raise self.bad("(#100) alt_text is longer than 1000 characters")
        return self._container("threads_container", params, "text", 20)

    def _container(
        self, kind: str, params: dict[str, str], text_param: str, max_children: int
    ) -> tuple[int, dict[str, Any]]:
        media_type = params.get("media_type", "IMAGE")
        container: dict[str, Any] = {
            "params": params,
            "polls": 0,
            "busy": self.busy_looks,
            "published": None,
        }
        if media_type == "CAROUSEL":
            children = split_list(params.get("children", ""))
            if not 2 <= len(children) <= max_children:
                raise self.bad(f"(#100) a carousel has 2 to {max_children} children")
            for child in children:
                found = self.nodes.get(child)
                if (
                    found is None
                    or found[0] != kind
                    or found[1]["params"].get("is_carousel_item") not in ("true", "1")
                ):
                    raise self.bad(f"(#100) {child} is not a carousel item container")
            container["children"] = children
        elif media_type == "IMAGE":
            if "image_url" not in params:
                raise self.bad("(#100) The parameter image_url is required")
            container["sha256"] = hashlib.sha256(self.fetch(params["image_url"])).hexdigest()
        elif media_type != "TEXT":
            raise self.bad(f"(#100) media_type {media_type} is not supported by this fake")
        container["text"] = params.get(text_param)
        return 200, {"id": self.new_id(kind, container)}

    def do_get_ig_container_node(
        self, node: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        code = _container_state(state)
        return 200, _fields({"id": node, "status_code": code, "status": code}, params)

    def do_get_threads_container_node(
        self, node: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return 200, _fields({"id": node, "status": _container_state(state)}, params)

    def do_post_ig_user_media_publish(
        self, user: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return self._publish("ig_container", "ig_media", params["creation_id"], "caption")

    def do_post_threads_user_threads_publish(
        self, user: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return self._publish("threads_container", "threads_media", params["creation_id"], "text")

    def _publish(
        self, kind: str, media_kind: str, creation_id: str, text_field: str
    ) -> tuple[int, dict[str, Any]]:
        found = self.nodes.get(creation_id)
        if found is None or found[0] != kind:
            raise self.bad(f"(#100) {creation_id} is not a container", code=9007)
        container = found[1]
        if container["published"] is not None:
            raise self.bad("(#9007) the container was already published", code=9007)
        if _container_state(container, peek=True) != "FINISHED":
            raise GraphFailure(
                9007, "Media ID is not available", subcode=2207027
            )  # published before its processing ended
        media = {
            text_field: container["text"],
            "container": creation_id,
            "timestamp": _now(),
        }
        media_id = self.new_id(media_kind, media)
        container["published"] = media_id
        return 200, {"id": media_id}

    def do_get_ig_user_media(
        self, user: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return 200, self._media_list("ig_media", params)

    def do_get_threads_user_threads(
        self, user: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return 200, self._media_list("threads_media", params)

    def _media_list(self, kind: str, params: dict[str, str]) -> dict[str, Any]:
        since = int(params.get("since", "0"))
        media = [
            {"id": i, **m, "permalink": _media_link(i)}
            for i, m in self.of_kind(kind).items()
            if datetime.strptime(m["timestamp"], "%Y-%m-%dT%H:%M:%S%z").timestamp() >= since
        ]
        return _page_of(media, params, "timestamp")

    def do_get_ig_media_node(
        self, node: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return 200, _fields({"id": node, **state, "permalink": _media_link(node)}, params)

    do_get_threads_media_node = do_get_ig_media_node

    def do_get_ig_media_insights(
        self, node: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        """Each metric asked (the SDK's table checked their names) with its lifetime value;
        one the media has not (`insights` of the state, set by a test) refuses the request."""
        given = state.setdefault("insights", {})
        data = []
        asked = params.get("metric", "")
        for name in json.loads(asked) if asked.startswith("[") else split_list(asked):
            if name not in given:
                raise self.bad(f"(#100) metric[0] must be one of the following values: {name}")
            value = {"value": given[name]}
            data.append({"name": name, "period": "lifetime", "values": [value], "id": node})
        return 200, {"data": data}

    do_get_threads_media_insights = do_get_ig_media_insights

    def do_get_post_insights(
        self, node: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        """The SDK types `metric` as a list only: the names are checked against the Page post
        metrics of Meta's reference (PAGE_POST_METRICS), then answered as Instagram's are."""
        asked = params.get("metric", "")
        for name in json.loads(asked) if asked.startswith("[") else split_list(asked):
            if name not in PAGE_POST_METRICS:
                raise self.bad(f"(#100) The value must be a valid insights metric: {name}")
        return self.do_get_ig_media_insights(node, state, params, files)

    def do_get_page_node(
        self, node: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return 200, _fields({"id": node, "followers_count": state.get("followers", 0)}, params)

    def do_get_threads_user_threads_insights(
        self, node: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        total = {"value": state.get("followers", 0)}
        item = {"name": "followers_count", "period": "day", "total_value": total, "id": node}
        return 200, {"data": [item]}

    def do_get_ig_user_node(
        self, node: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return 200, _fields({"id": node, "followers_count": state.get("followers", 0)}, params)

    def do_delete_threads_media_node(
        self, node: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        del self.nodes[node]
        return 200, {"success": True, "deleted_id": node}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _fb_link(post_id: str) -> str:
    page, _, post = post_id.partition("_")
    return f"https://www.facebook.com/{page}/posts/{post}"


def _media_link(media_id: str) -> str:
    return f"https://www.example.test/p/{media_id}/"


def _container_state(container: dict[str, Any], *, peek: bool = False) -> str:
    """IN_PROGRESS for the first `busy` looks, FINISHED after (PUBLISHED once published)."""
    if container["published"] is not None:
        return "PUBLISHED"
    if not peek:
        container["polls"] += 1
    return "FINISHED" if container["polls"] > container["busy"] - int(peek) else "IN_PROGRESS"


def _fields(node: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    wanted = params.get("fields", "id").split(",")
    return {name: node[name] for name in wanted if node.get(name) is not None}


def _page_of(items: list[dict[str, Any]], params: dict[str, str], order: str) -> dict[str, Any]:
    """Newest first, `limit` at a time, with cursors as Graph gives them."""
    items.sort(key=lambda item: (item[order], item["id"]), reverse=True)
    start = int(params.get("after", "0"))
    limit = int(params.get("limit", "25"))
    chunk = items[start : start + limit]
    answer: dict[str, Any] = {"data": [_fields(item, params) for item in chunk]}
    if start + limit < len(items):
        answer["paging"] = {
            "cursors": {"before": str(start), "after": str(start + limit)},
            "next": "https://graph.example.test/next",
        }
    return answer
