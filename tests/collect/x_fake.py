"""The X fake of the push tests (every request and answer checked against X's OpenAPI
description), able to read posts back: `GET /2/tweets` and `GET /2/users/me`, with each query
parameter checked against its declared schema (form style, comma-separated arrays)."""

from __future__ import annotations

import json
import urllib.parse
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.platforms.x.test_publisher import SPEC, SPEC_URI, FakeX, schema_errors
from tests.push.fake_http import send_json
from tests.push.openapi_fake import Invalid, match_path

NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"


class ReadingX(FakeX):
    """FakeX with figures per post and followers; `faults` answer the next reads instead."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, dict[str, Any]] = {}  # post id -> its metrics objects
        self.followers = 0
        self.faults: list[tuple[int, dict[str, str]]] = []  # the next GETs' answers
        self.reads: list[dict[str, list[str]]] = []  # each GET's query

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.command == "GET" and self.faults:
            status, headers = self.faults.pop(0)
            send_json(handler, status, {"title": "Injected", "type": "about:blank"}, headers)
            return
        super().handle(handler)

    def answer(self, handler: BaseHTTPRequestHandler, raw: bytes) -> tuple[int, dict[str, Any]]:
        if handler.command == "GET":
            path, _, query = handler.path.partition("?")
            template, _ = match_path(SPEC["paths"], path)
            operation = SPEC["paths"][template].get("get")
            if operation is not None:
                self.reads.append(check_query(operation, query))
        return super().answer(handler, raw)

    def carry_out(
        self, method: str, template: str, params: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any]]:
        if method != "GET":
            return super().carry_out(method, template, params, body)
        query = self.reads[-1]
        if template == "/2/users/me":
            user = {"id": "2244994945", "name": "Test Brand", "username": "TestBrand"}
            user["public_metrics"] = {
                "followers_count": self.followers,
                "following_count": 3,
                "tweet_count": 2,
                "listed_count": 0,
            }
            return 200, {"data": user}
        fields = query.get("tweet.fields", [])
        data, errors = [], []
        for post_id in query["ids"]:
            if post_id not in self.posts:
                errors.append(_not_found(post_id))
                continue
            post: dict[str, Any] = {"id": post_id, "text": self.posts[post_id]["text"]}
            post["edit_history_tweet_ids"] = [post_id]
            for name in fields:
                if name in self.figures.get(post_id, {}):
                    post[name] = self.figures[post_id][name]
            data.append(post)
        answer: dict[str, Any] = {}
        if data:
            answer["data"] = data
        if errors:
            answer["errors"] = errors
        return 200, answer


def check_query(operation: dict[str, Any], query: str) -> dict[str, list[str]]:
    """The query's parameters (arrays split), each valid per the operation's declaration."""
    given = urllib.parse.parse_qs(query, keep_blank_values=True)
    declared = [
        _resolve(p) for p in operation.get("parameters", []) if _resolve(p)["in"] == "query"
    ]
    known = {p["name"] for p in declared}
    unknown = sorted(set(given) - known)
    if unknown:
        raise Invalid(400, f"query parameters not in the spec: {unknown}")
    found: dict[str, list[str]] = {}
    for parameter in declared:
        name = parameter["name"]
        if name not in given:
            if parameter.get("required"):
                raise Invalid(400, f"the query parameter {name} is required")
            continue
        (value,) = given[name]
        kind = _type(parameter["schema"])
        # Style form, explode false: an array is one comma-separated value.
        items = value.split(",") if kind == "array" else [value]
        instance: Any = items if kind == "array" else value
        if kind == "integer" and value.lstrip("-").isdigit():
            instance = int(value)
        schema = parameter["schema"]
        errors = schema_errors(schema if "$ref" in schema else _anchored(schema), instance)
        if errors:
            raise Invalid(400, f"query parameter {name}: {errors}")
        found[name] = items
    return found


def _type(schema: dict[str, Any]) -> str | None:
    """The JSON type a parameter's schema declares (through its `$ref`)."""
    if "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    kind = schema.get("type")
    return kind if isinstance(kind, str) else None


def _anchored(schema: dict[str, Any]) -> dict[str, Any]:
    """An inline schema whose `$ref`s point into the spec (they are relative to the spec)."""
    text = json.dumps(schema).replace('"#/components/', f'"{SPEC_URI}#/components/')
    return dict(json.loads(text))


def _resolve(parameter: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in parameter:
        name = parameter["$ref"].rsplit("/", 1)[1]
        return dict(SPEC["components"]["parameters"][name])
    return parameter


def _not_found(post_id: str) -> dict[str, Any]:
    return {
        "resource_id": post_id,
        "resource_type": "tweet",
        "parameter": "ids",
        "value": post_id,
        "title": "Not Found Error",
        "detail": f"Could not find tweet with ids: [{post_id}].",
        "type": NOT_FOUND,
    }
