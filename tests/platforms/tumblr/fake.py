"""A fake of the Tumblr API v2 (NPF posts), checking each request against Tumblr's published
documentation (github.com/tumblr/docs api.md and npf-spec.md; there is no Tumblr server to run).

- Every request must be signed with OAuth 1.0a HMAC-SHA1 (the only method Tumblr accepts): the
  signature, the keys, the timestamp and a fresh nonce are checked by oauthlib's own server side
  (`ResourceEndpoint`), with a form body part of the signature and any other body not.
- The NPF body is checked against tests/push/data/tumblr-npf-create.schema.json (written from the
  documentation, addresses inside), then what a schema cannot say: formatting ranges inside their
  text, and every uploaded identifier matched by exactly one multipart part after the `json` one.
- Answers have Tumblr's envelope (`meta`, `response`, and `errors` on failure).
"""

from __future__ import annotations

import email.message
import email.parser
import email.policy
import hashlib
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jsonschema  # type: ignore[import-untyped, unused-ignore]
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, RequestValidator, ResourceEndpoint

from tests.push.fake_http import Answer, FakeServer, Refused, Request

DATA = Path(__file__).parents[2] / "push" / "data"
NPF_SCHEMA = json.loads((DATA / "tumblr-npf-create.schema.json").read_text(encoding="utf-8"))

BLOG = "atelier-test.tumblr.com"
UUID = "t:Ab12Cd34Ef56Gh78Ij90Kl"
CONSUMER_KEY = "tumblrConsumerKey8b2e4a61"
CONSUMER_SECRET = "consumer-secret-51c0e2"
TOKEN = "tumblrAccessToken7c1d9e2f"
TOKEN_SECRET = "token-secret-9d4f77"
_FORM = "application/x-www-form-urlencoded"


class Validator(RequestValidator):
    """The one application and the one access token the fake knows; nonces used once."""

    def __init__(self) -> None:
        super().__init__()
        self.nonces: set[tuple[str, str, str]] = set()

    @property
    def enforce_ssl(self) -> bool:
        return False  # the fake serves plain HTTP on 127.0.0.1

    @property
    def allowed_signature_methods(self) -> tuple[str, ...]:
        return (SIGNATURE_HMAC_SHA1,)  # api.md: "with the HMAC-SHA1 signature method only"

    @property
    def dummy_client(self) -> str:
        return "dummyConsumerKey000000000"

    @property
    def dummy_access_token(self) -> str:
        return "dummyAccessToken000000000"

    def validate_client_key(self, client_key: str, request: OAuthRequest) -> bool:
        return client_key == CONSUMER_KEY

    def validate_access_token(self, client_key: str, token: str, request: OAuthRequest) -> bool:
        return client_key == CONSUMER_KEY and token == TOKEN

    def validate_timestamp_and_nonce(
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: OAuthRequest,
        request_token: str | None = None,
        access_token: str | None = None,
    ) -> bool:
        key = (client_key, timestamp, nonce)
        if key in self.nonces:
            return False
        self.nonces.add(key)
        return True

    def validate_realms(self, *args: Any, **kwargs: Any) -> bool:
        return True

    def get_client_secret(self, client_key: str, request: OAuthRequest) -> str:
        return CONSUMER_SECRET if client_key == CONSUMER_KEY else "dummy-secret"

    def get_access_token_secret(self, client_key: str, token: str, request: OAuthRequest) -> str:
        return TOKEN_SECRET if token == TOKEN else "dummy-secret"


def _envelope(
    status: int, msg: str, response: Any, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"meta": {"status": status, "msg": msg}, "response": response}
    if errors:
        body["errors"] = errors
    return body


def _payload(part: email.message.Message) -> bytes:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        raise _refused(400, "Bad Request", "a multipart part without a body", 8001)
    return data


def _refused(status: int, msg: str, title: str, code: int | None = None) -> Refused:
    error: dict[str, Any] = {"title": title}
    if code is not None:
        error["code"] = code
    return Refused(status, _envelope(status, msg, [], [error]))


class FakeTumblr(FakeServer):
    """One blog's NPF posts and uploaded images, in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.endpoint = ResourceEndpoint(Validator())
        self.posts: dict[str, dict[str, Any]] = {}  # id -> the post as Tumblr gives it back
        self.uploads: dict[str, bytes] = {}  # media url -> bytes
        self._next = 769000000000000000

    def refusal(self, request: Request, error: Refused) -> None:
        if error.status != 401:  # refused signatures are provoked on purpose
            super().refusal(request, error)

    def answer(self, request: Request) -> Answer:
        self._check_signature(request)
        prefix = f"/v2/blog/{BLOG}/"
        if not request.path.startswith(prefix):
            raise _refused(404, "Not Found", "Not Found", 0)
        route = (request.method, request.path.removeprefix(prefix))
        if route == ("POST", "posts"):
            return self._create(request)
        if route == ("GET", "posts"):
            return self._list(request)
        if route == ("POST", "post/delete"):
            return self._delete(request)
        raise _refused(404, "Not Found", f"no route {request.method} {request.path}")

    def _check_signature(self, request: Request) -> None:
        form = (request.header("Content-Type") or "").startswith(_FORM)
        uri = f"http://{request.header('Host')}{request.path}"
        if request.raw_query:
            uri += f"?{request.raw_query}"
        try:
            valid, _ = self.endpoint.validate_protected_resource_request(
                uri,
                http_method=request.method,
                body=request.body.decode() if form else None,
                headers={
                    "Authorization": request.header("Authorization") or "",
                    "Content-Type": request.header("Content-Type") or "",
                },
            )
        except ValueError:  # no OAuth header at all, or a malformed one: Tumblr answers 401
            valid = False
        if not valid:
            raise _refused(401, "Unauthorized", "Unauthorized", 1016)

    def _create(self, request: Request) -> Answer:
        post, files = self._npf_body(request)
        errors = [
            f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in jsonschema.Draft202012Validator(NPF_SCHEMA).iter_errors(post)
        ]
        if errors:
            raise _refused(400, "Bad Request", "; ".join(errors), 8001)
        content = [self._check_block(block, files) for block in post["content"]]
        if files:
            raise _refused(400, "Bad Request", f"parts no block names: {sorted(files)}", 8001)
        self._next += 1
        post_id = str(self._next)
        tags = [t.strip() for t in post.get("tags", "").split(",") if t.strip()]
        self.posts[post_id] = {
            "object_type": "post",
            "type": "blocks",
            "id": int(post_id),
            "id_string": post_id,
            "blog_name": BLOG.removesuffix(".tumblr.com"),
            "post_url": f"https://www.tumblr.com/{BLOG.removesuffix('.tumblr.com')}/{post_id}",
            "timestamp": int(time.time()),
            "state": post.get("state", "published"),
            "tags": tags,
            "content": content,
            "layout": post.get("layout", []),
            "trail": [],
        }
        return Answer(201, _envelope(201, "Created", {"id": post_id}))

    def _npf_body(self, request: Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        """The NPF JSON, and the uploaded files by part name (with their content type)."""
        content_type = request.header("Content-Type") or ""
        if content_type.startswith("application/json"):
            raw, files = request.body, {}
        elif content_type.startswith("multipart/form-data"):
            parser = email.parser.BytesParser(policy=email.policy.HTTP)
            message = parser.parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + request.body
            )
            parts = list(message.iter_parts()) if message.is_multipart() else []
            names = [p.get_param("name", header="content-disposition") for p in parts]
            if not parts or names[0] != "json":
                raise _refused(400, "Bad Request", "the first part must be `json`", 8001)
            raw = _payload(parts[0])
            files = {
                str(name): (part.get_content_type(), _payload(part))
                for name, part in zip(names[1:], parts[1:], strict=True)
                if part.get_filename()
            }
            if len(files) != len(parts) - 1:
                raise _refused(400, "Bad Request", "a media part without a filename", 8005)
        else:
            raise _refused(400, "Bad Request", f"cannot read a {content_type or 'bodyless'} post")
        try:
            post = json.loads(raw)
        except ValueError:
            raise _refused(400, "Bad Request", "the NPF body is not JSON", 8001) from None
        if not isinstance(post, dict):
            raise _refused(400, "Bad Request", "the NPF body is not an object", 8001)
        return post, files

    def _check_block(
        self, block: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> dict[str, Any]:
        """A valid block as Tumblr keeps it: ranges checked, uploads turned into media URLs."""
        if block["type"] == "text":
            for span in block.get("formatting", []):
                if not span["start"] < span["end"] <= len(block["text"]):
                    raise _refused(400, "Bad Request", f"formatting {span} outside its text", 8001)
            return block
        if block["type"] != "image":
            return block
        media = []
        for item in block["media"]:
            if "identifier" not in item:
                media.append(item)
                continue
            if item["identifier"] not in files:
                raise _refused(400, "Bad Request", f"no part {item['identifier']}", 8001)
            kind, data = files.pop(item["identifier"])
            if kind not in ("image/jpeg", "image/png", "image/gif", "image/webp"):
                raise _refused(400, "Bad Request", f"cannot accept {kind}", 8005)
            url = f"https://64.media.tumblr.com/{hashlib.md5(data).hexdigest()}/s1280x1920/x.jpg"
            self.uploads[url] = data
            described = {k: v for k, v in item.items() if k != "identifier"}
            media.append({**described, "url": url, "type": kind})
        return {**block, "media": media}

    def _list(self, request: Request) -> Answer:
        query = request.query
        if query.get("api_key") != [CONSUMER_KEY]:
            raise _refused(401, "Unauthorized", "api_key is your OAuth consumer key")
        limit = int(query.get("limit", ["20"])[0])
        offset = int(query.get("offset", ["0"])[0])
        if not 1 <= limit <= 20 or offset < 0:
            raise _refused(400, "Bad Request", "limit is 1 to 20, offset from 0")
        if query.get("npf") != ["true"]:
            raise _refused(400, "Bad Request", "this fake keeps NPF posts only: ask npf=true")
        ordered = sorted(self.posts.values(), key=lambda p: (p["timestamp"], p["id"]), reverse=True)
        blog = {"name": BLOG.removesuffix(".tumblr.com"), "uuid": UUID}
        response = {
            "blog": blog,
            "posts": ordered[offset : offset + limit],
            "total_posts": len(ordered),
        }
        return Answer(200, _envelope(200, "OK", response))

    def _delete(self, request: Request) -> Answer:
        if not (request.header("Content-Type") or "").startswith(_FORM):
            raise _refused(400, "Bad Request", "id is a form parameter")
        post_id = parse_qs(request.body.decode()).get("id", [""])[0]
        if post_id not in self.posts:
            raise _refused(404, "Not Found", f"no post {post_id}")
        del self.posts[post_id]
        return Answer(200, _envelope(200, "OK", {"id_string": post_id}))
