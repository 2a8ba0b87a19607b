"""A fake of the LinkedIn Posts and Images APIs, checking each request against LinkedIn's
published documentation (there is no LinkedIn server to run, nor a machine-readable spec).

The request bodies are checked against JSON Schemas written from the documentation, with its
addresses: tests/push/data/linkedin-posts.schema.json and linkedin-images.schema.json. Besides:

- every `/rest/` call must carry `LinkedIn-Version: YYYYMM` (an active version: 202505 and 202506
  are sunset, and a version lives about a year) and `X-Restli-Protocol-Version: 2.0.0`;
- URNs in paths and query parameters must be URL-encoded, as Rest.li 2.0 requires;
- `commentary` is parsed as little text. LinkedIn itself accepts an unescaped reserved character
  and silently cuts the post there; this fake refuses it (422) so that a test sees the mistake.
  Source: learn.microsoft.com/linkedin/marketing/community-management/shares/little-text-format.

For `cmbuild collect`, the page's statistics, checked against the parameters of
"Organization Share Statistics" (organizations/share-statistics: `q=organizationalEntity`,
`organizationalEntity`, `shares=List(...)`, `ugcPosts=List(...)`, URNs URL-encoded; each element
`totalShareStatistics`) and "Organization Lookup API" (organizations/organization-lookup-api,
"Retrieve Organization Follower Count": `networkSizes` with
`edgeType=COMPANY_FOLLOWED_BY_MEMBER`, answering `firstDegreeSize`); a member's posts against
"Member Post Statistics" (members/post-statistics: `q=entity`, `entity=(share:{urn})` or
`(ugc:{urn})` URL-encoded, `queryType` IMPRESSION, MEMBERS_REACHED, RESHARE, REACTION or
COMMENT, `aggregation` TOTAL or DAILY (not DAILY for MEMBERS_REACHED), optional `dateRange`;
each answer's element has the metric's `count`).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema  # type: ignore[import-untyped, unused-ignore]

from tests.push.fake_http import Answer, FakeServer, Refused, Request

DATA = Path(__file__).parents[2] / "push" / "data"
POSTS_SCHEMA = json.loads((DATA / "linkedin-posts.schema.json").read_text(encoding="utf-8"))
IMAGES_SCHEMA = json.loads((DATA / "linkedin-images.schema.json").read_text(encoding="utf-8"))

TOKEN = "li-member-token-3f9a2c"
AUTHOR = "urn:li:organization:10457832"
MEMBER_QUERY_TYPES = ("IMPRESSION", "MEMBERS_REACHED", "RESHARE", "REACTION", "COMMENT")
OLDEST_ACTIVE = "202507"

_RESERVED = set("|{}@[]()<>#\\*_~")
# The little-text elements that may use reserved characters (little-text-format page).
_ELEMENT = re.compile(
    r"\\."  # an escaped character
    r"|@\[(?:[^\]\\]|\\.)*\]\(urn:li:(?:person|organization):[\w-]+\)"  # MentionElement
    r"|\{hashtag\|\\#\|(?:[^{}|\\]|\\.)+\}"  # HashtagTemplate
    r"|(?<![\w#])#[\w\u0300-\u036f]+",  # HashtagElement
    re.DOTALL,
)


def little_text_error(text: str) -> str | None:
    """Where `text` has a reserved character outside an escape or a little element."""
    index = 0
    while index < len(text):
        match = _ELEMENT.match(text, index)
        if match:
            index = match.end()
            continue
        if text[index] in _RESERVED:
            return (
                f"unescaped {text[index]!r} at offset {index}: LinkedIn would cut the text there "
                f"(...{text[max(index - 20, 0) : index + 20]}...)"
            )
        index += 1
    return None


def _error(status: int, message: str, code: str = "") -> Refused:
    body: dict[str, Any] = {"status": status, "message": message}
    if code:
        body["code"] = code
    return Refused(status, body)


def _schema_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


class FakeLinkedIn(FakeServer):
    """Images, posts and the author's post list of one organisation page, in memory."""

    def __init__(self, authors: tuple[str, ...] = (AUTHOR,)) -> None:
        super().__init__()
        self.authors = authors  # whom the token may post as (a page, and its admin's profile)
        self.images: dict[str, dict[str, Any]] = {}  # urn -> owner, upload key, data
        self.posts: dict[str, dict[str, Any]] = {}  # urn -> the post as LinkedIn keeps it
        self.statistics: dict[str, dict[str, float]] = {}  # post urn -> totalShareStatistics
        self.member_statistics: dict[str, dict[str, int]] = {}  # post urn -> queryType -> count
        self.followers = 0
        self.refuse_token = False
        self.oldest_active = OLDEST_ACTIVE
        self._next = 7270000000000000000

    def refusal(self, request: Request, error: Refused) -> None:
        if error.status != 401:  # refused tokens are provoked on purpose
            super().refusal(request, error)

    def uploads(self) -> dict[str, bytes]:
        return {urn: image["data"] for urn, image in self.images.items() if image["data"]}

    def answer(self, request: Request) -> Answer:
        authorization = request.header("Authorization")
        if self.refuse_token or authorization != f"Bearer {TOKEN}":
            raise Refused(
                401,
                {
                    "status": 401,
                    "serviceErrorCode": 65600,
                    "code": "INVALID_ACCESS_TOKEN",
                    "message": "Invalid access token",
                },
            )
        if request.path.startswith("/dms-uploads/"):
            return self._upload(request)
        self._check_headers(request)
        route = (request.method, request.path)
        if route == ("POST", "/rest/images"):
            return self._initialize(request)
        if request.method == "GET" and request.path.startswith("/rest/images/"):
            return self._image(request)
        if route == ("POST", "/rest/posts"):
            return self._create(request)
        if route == ("GET", "/rest/posts"):
            return self._list(request)
        if request.method == "DELETE" and request.path.startswith("/rest/posts/"):
            return self._delete(request)
        if request.method == "GET" and request.path.startswith("/rest/posts/"):
            return self._post(request)
        if route == ("GET", "/rest/organizationalEntityShareStatistics"):
            return self._statistics(request)
        if request.method == "GET" and request.path.startswith("/rest/networkSizes/"):
            return self._network_size(request)
        if route == ("GET", "/rest/memberCreatorPostAnalytics"):
            return self._member_statistics(request)
        raise _error(404, f"no resource {request.method} {request.path}")

    def _check_headers(self, request: Request) -> None:
        version = request.header("LinkedIn-Version") or ""
        if not re.fullmatch(r"20\d\d(0[1-9]|1[0-2])", version):
            raise _error(
                400,
                "A version must be present. Please specify a version by adding "
                "the LinkedIn-Version header.",
                "VERSION_MISSING",
            )
        if version < self.oldest_active:
            raise _error(426, f"Requested version {version} is not active", "NONEXISTENT_VERSION")
        if request.header("X-Restli-Protocol-Version") != "2.0.0":
            raise _error(400, "X-Restli-Protocol-Version: 2.0.0 is required")
        if request.method in ("POST", "PUT") and not (
            request.header("Content-Type") or ""
        ).startswith("application/json"):
            raise _error(415, "Content-Type must be application/json")

    def _json(self, request: Request, schema: dict[str, Any]) -> dict[str, Any]:
        try:
            body = json.loads(request.body)
        except ValueError as error:
            raise _error(400, f"not JSON: {error}") from None
        errors = _schema_errors(schema, body)
        if errors:
            raise _error(422, "; ".join(errors), "UNPROCESSABLE_ENTITY")
        assert isinstance(body, dict)
        return body

    def _new_urn(self, kind: str) -> str:
        self._next += 1
        return f"urn:li:{kind}:{'C4D10AQ' if kind == 'image' else ''}{self._next}"

    def _initialize(self, request: Request) -> Answer:
        if request.query.get("action") != ["initializeUpload"]:
            raise _error(400, "action=initializeUpload is required")
        body = self._json(request, IMAGES_SCHEMA)
        owner = body["initializeUploadRequest"]["owner"]
        if owner not in self.authors:
            raise _error(403, f"Not enough permissions to act as {owner}", "ACCESS_DENIED")
        urn = self._new_urn("image")
        key = f"{len(self.images) + 1}-upload"
        self.images[urn] = {"owner": owner, "key": key, "data": b""}
        value = {
            "uploadUrlExpiresAt": int(time.time() * 1000) + 86_400_000,
            "uploadUrl": f"{self.url}/dms-uploads/{key}?ca=vector_feedshare&cn=uploads",
            "image": urn,
        }
        return Answer(200, {"value": value})

    def _upload(self, request: Request) -> Answer:
        key = request.path.removeprefix("/dms-uploads/")
        found = next((i for i in self.images.values() if i["key"] == key), None)
        if request.method != "PUT" or found is None or not request.body:
            raise _error(400, "an upload is a PUT of the image's bytes to its uploadUrl")
        found["data"] = request.body
        return Answer(201)

    def _urn_in_path(self, request: Request, prefix: str) -> str:
        encoded = request.path.removeprefix(prefix)
        if ":" in encoded:
            raise _error(400, f"the URN in {request.path} must be URL-encoded (Rest.li 2.0)")
        return unquote(encoded)

    def _image(self, request: Request) -> Answer:
        urn = self._urn_in_path(request, "/rest/images/")
        image = self.images.get(urn)
        if image is None:
            raise _error(404, f"no image {urn}")
        status = "AVAILABLE" if image["data"] else "WAITING_UPLOAD"
        return Answer(200, {"id": urn, "owner": image["owner"], "status": status})

    def _create(self, request: Request) -> Answer:
        body = self._json(request, POSTS_SCHEMA)
        problem = little_text_error(body["commentary"])
        if problem:
            raise _error(422, f"/commentary: {problem}", "UNPROCESSABLE_ENTITY")
        if body["author"] not in self.authors:
            raise _error(403, f"Not enough permissions to post as {body['author']}")
        content = body.get("content", {})
        described = content.get("multiImage", {}).get("images", [])
        if "media" in content:
            described = [content["media"]]
        for image in described:
            known = self.images.get(image["id"])
            if known is None or not known["data"]:
                raise _error(422, f"/content: image {image['id']} is not uploaded")
        urn = self._new_urn("share")
        now = int(time.time() * 1000)
        self.posts[urn] = {**body, "id": urn, "createdAt": now, "publishedAt": now}
        return Answer(201, None, {"x-restli-id": urn, "x-linkedin-id": urn})

    def _list(self, request: Request) -> Answer:
        query = request.query
        if query.get("q") != ["author"] or "author" not in query:
            raise _error(400, "the author finder takes q=author and author")
        raw_author = re.search(r"(?:^|&)author=([^&]*)", request.raw_query)
        if raw_author is None or ":" in raw_author.group(1):
            raise _error(400, "the author URN must be URL-encoded (Rest.li 2.0)")
        count = int(query.get("count", ["10"])[0])
        start = int(query.get("start", ["0"])[0])
        if not 1 <= count <= 100 or start < 0:
            raise _error(400, "count is 1 to 100, start from 0")
        if query.get("sortBy", ["LAST_MODIFIED"])[0] not in ("LAST_MODIFIED", "CREATED"):
            raise _error(400, "sortBy is LAST_MODIFIED or CREATED")
        mine = [p for p in self.posts.values() if p["author"] == query["author"][0]]
        mine.sort(key=lambda p: p["createdAt"], reverse=True)
        page = mine[start : start + count]
        paging = {"start": start, "count": count, "links": [], "total": len(mine)}
        return Answer(200, {"paging": paging, "elements": page})

    def _post(self, request: Request) -> Answer:
        urn = self._urn_in_path(request, "/rest/posts/")
        if urn not in self.posts:
            raise _error(404, f"no post {urn}")
        return Answer(200, self.posts[urn])

    def _statistics(self, request: Request) -> Answer:
        raw = dict(part.partition("=")[::2] for part in request.raw_query.split("&"))
        unknown = set(raw) - {"q", "organizationalEntity", "shares", "ugcPosts", "timeIntervals"}
        if raw.get("q") != "organizationalEntity" or unknown:
            raise _error(400, f"q=organizationalEntity, with no other finder ({sorted(unknown)})")
        entity = unquote(raw.get("organizationalEntity", ""))
        if ":" in raw.get("organizationalEntity", ":") or entity not in self.authors:
            raise _error(400, "organizationalEntity: an encoded organization URN of the token's")
        asked: list[str] = []
        for name, kind in (("shares", "urn:li:share:"), ("ugcPosts", "urn:li:ugcPost:")):
            if name not in raw:
                continue
            listed = re.fullmatch(r"List\(([^():]+)\)", raw[name])
            urns = [unquote(u) for u in listed.group(1).split(",")] if listed else []
            if not urns or not all(u.startswith(kind) for u in urns):
                raise _error(400, f"{name}: List(...) of encoded {kind}... URNs")
            asked += urns
        elements = [
            {
                "organizationalEntity": entity,
                "share" if "share:" in urn else "ugcPost": urn,
                "totalShareStatistics": self.statistics.get(urn, {}),
            }
            for urn in asked
            if urn in self.posts and self.posts[urn]["author"] == entity
        ]
        return Answer(200, {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})

    def _member_statistics(self, request: Request) -> Answer:
        raw = dict(part.partition("=")[::2] for part in request.raw_query.split("&"))
        unknown = set(raw) - {"q", "entity", "queryType", "aggregation", "dateRange"}
        if raw.get("q") != "entity" or unknown:
            raise _error(400, f"q=entity, with no other finder ({sorted(unknown)})")
        entity = re.fullmatch(r"\((share|ugc):([^():,]+)\)", raw.get("entity", ""))
        if entity is None:
            raise _error(400, "entity: (share:{encoded urn}) or (ugc:{encoded urn})")
        urn = unquote(entity.group(2))
        expected = "urn:li:share:" if entity.group(1) == "share" else "urn:li:ugcPost:"
        kind, aggregation = raw.get("queryType"), raw.get("aggregation")
        if not urn.startswith(expected) or kind not in MEMBER_QUERY_TYPES:
            raise _error(400, f"entity kind and URN must agree; queryType in {MEMBER_QUERY_TYPES}")
        if aggregation not in ("TOTAL", "DAILY") or (kind, aggregation) == (
            "MEMBERS_REACHED",
            "DAILY",
        ):
            raise _error(400, "aggregation TOTAL or DAILY (MEMBERS_REACHED: TOTAL only)")
        if urn not in self.posts or self.posts[urn]["author"] not in self.authors:
            raise _error(404, f"no post {urn} of the member's")
        count = self.member_statistics.get(urn, {}).get(kind)
        metric = {
            "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1": kind
        }
        elements = (
            []
            if count is None
            else [{"count": count, "metricType": metric, "targetEntity": {entity.group(1): urn}}]
        )
        return Answer(200, {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})

    def _network_size(self, request: Request) -> Answer:
        urn = self._urn_in_path(request, "/rest/networkSizes/")
        if (
            request.query.get("edgeType") != ["COMPANY_FOLLOWED_BY_MEMBER"]
            or urn not in self.authors
        ):
            raise _error(
                400, "networkSizes takes an organization and edgeType=COMPANY_FOLLOWED_BY_MEMBER"
            )
        return Answer(200, {"firstDegreeSize": self.followers})

    def _delete(self, request: Request) -> Answer:
        urn = self._urn_in_path(request, "/rest/posts/")
        if urn not in self.posts:
            raise _error(404, f"no post {urn}")
        del self.posts[urn]
        return Answer(204)
