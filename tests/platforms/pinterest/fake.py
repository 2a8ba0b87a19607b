"""A local fake of the Pinterest API v5 that checks every request and every answer it gives against
Pinterest's official OpenAPI description (tests/push/data/pinterest-openapi.json, extracted by
extract_pinterest_spec.py).

No Pinterest server can run offline. The fake is stateful (boards and their pins) and strict: a
path, parameter or body the description does not allow is refused with 400/404/405, and an
answer of its own that breaks the description is a 500. OpenAPI 3.0 schemas are not plain JSON
Schema (`nullable`, `readOnly`, `discriminator`), so requests are checked with the write
validator of openapi-schema-validator and answers with its read validator.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    oas30_format_checker,
)
from referencing import Registry
from referencing.jsonschema import DRAFT4

from tests.push.fake_http import LocalServer, read_body, send_json
from tests.push.openapi_fake import Invalid, body_media_type, match_path

DATA = Path(__file__).parents[2] / "push" / "data"
SPEC = json.loads((DATA / "pinterest-openapi.json").read_text(encoding="utf-8"))
SPEC_URI = "urn:pinterest-openapi"
REGISTRY: Registry[Any] = Registry().with_resource(SPEC_URI, DRAFT4.create_resource(SPEC))
PREFIX = urlsplit(SPEC["servers"][0]["url"]).path  # "/v5"

TOKEN = "pina_user-token-5e2b71"
BOARD_ID = "1022106146611423021"
BOARD_NAME = "Conseils community management"
LIFETIME = ("TOTAL_COMMENTS", "TOTAL_REACTIONS")  # PinAnalyticsMetricsResponse.lifetime_metrics


def pointer(*parts: str) -> str:
    """A JSON pointer into the spec, for a `$ref` that resolves inside it."""
    return SPEC_URI + "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def schema_errors(location: str, instance: Any, *, answer: bool) -> list[str]:
    """What is wrong with `instance` per the schema at `location` (a `pointer`)."""
    kind = OAS30ReadValidator if answer else OAS30WriteValidator
    validator = kind({"$ref": location}, registry=REGISTRY, format_checker=oas30_format_checker)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def resolve(
    node: dict[str, Any], location: tuple[str, ...]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A spec object and where it is, following a `$ref` to a component."""
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node, location
    parts = tuple(ref.removeprefix("#/").split("/"))
    target: Any = SPEC
    for part in parts:
        target = target[part]
    return target, parts


@dataclass
class Fault:
    """One scripted error answer, given instead of carrying out the next request."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "Something went wrong."


class FakePinterest(LocalServer):
    """The operations the publisher and the metrics reader use; refuses what the description
    does not allow."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, dict[str, str], Any]] = []  # method, path, query, body
        self.rejected: list[str] = []  # every error answer the fake gave (but 401), and why
        self.boards = {BOARD_ID: {"id": BOARD_ID, "name": BOARD_NAME, "privacy": "PUBLIC"}}
        self.pins: dict[str, dict[str, Any]] = {}  # newest last
        self.faults: list[Fault] = []
        self.refuse_token = False
        self.drop_after_create = False  # create the pin, then close the connection unanswered
        self.page_limit = 2  # fewer than asked, to make the client follow bookmarks
        self.analytics: dict[str, dict[str, float]] = {}  # pin id: its figures, by metric type
        self.follower_count = 0
        self._next = 1022106146611500000
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return super().url + PREFIX

    def add_pin(self, board_id: str, description: str, created_at: str | None = None) -> str:
        """A pin made elsewhere (by hand, or by another tool)."""
        self._next += 1
        pin_id = str(self._next)
        self.pins[pin_id] = {
            "id": pin_id,
            "board_id": board_id,
            "description": description,
            "created_at": created_at or _now(),
        }
        return pin_id

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        raw = read_body(handler)
        headers: dict[str, str] = {}
        with self.lock:
            try:
                status, answer, headers = self.answer(handler, raw)
            except Invalid as error:
                self.rejected.append(f"{handler.command} {handler.path}: {error.detail}")
                status, answer = error.status, {"code": 1, "message": error.detail}
        if answer is None and status == 0:  # dropped on purpose
            handler.close_connection = True
            return
        send_json(handler, status, answer, headers)

    def answer(
        self, handler: BaseHTTPRequestHandler, raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        method = handler.command.lower()
        parts = urlsplit(handler.path)
        if not parts.path.startswith(PREFIX + "/"):
            raise Invalid(404, f"{parts.path} is not under the server's {PREFIX}")
        template, params = match_path(SPEC["paths"], parts.path.removeprefix(PREFIX))
        operation = SPEC["paths"][template].get(method)
        if operation is None:
            raise Invalid(405, f"{method.upper()} is not an operation of {template}")
        where = ("paths", template, method)
        # security: pinterest_oauth2 (a user token) or client_credentials, both bearer tokens.
        authorization = handler.headers.get("Authorization", "")
        if self.refuse_token or authorization != f"Bearer {TOKEN}":
            # A careless server echoing what it got: cmbuild must never show it.
            message = f"Authentication failed. (got {authorization})"
            return self.checked(where, 401, {"code": 2, "message": message})
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        check_parameters(operation, where, params, query)
        body = parse_body(operation, where, handler.headers.get("Content-Type", ""), raw)
        self.seen.append((handler.command, parts.path, query, body))
        if self.faults:
            fault = self.faults.pop(0)
            answer = {"code": fault.status, "message": fault.message}
            status, checked, _ = self.checked(where, fault.status, answer)
            return status, checked, fault.headers
        status, answer = self.carry_out(template, params, query, body)
        if template == "/pins" and self.drop_after_create:
            return 0, None, {}
        return self.checked(where, status, answer)

    def checked(
        self, where: tuple[str, ...], status: int, answer: Any
    ) -> tuple[int, Any, dict[str, str]]:
        """`answer`, once it is what the description says this operation answers."""
        responses = _at(where)["responses"]
        key = str(status) if str(status) in responses else "default"
        response, location = resolve(responses[key], (*where, "responses", key))
        content = response.get("content")
        if content is None:
            if answer is not None:
                raise Invalid(500, f"the fake answers {status} with a body the spec does not have")
            return status, None, {}
        errors = schema_errors(
            pointer(*location, "content", "application/json", "schema"), answer, answer=True
        )
        if errors:
            raise Invalid(500, f"the fake's own answer breaks the spec: {errors}")
        return status, answer, {}

    def carry_out(
        self, template: str, params: dict[str, str], query: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        if template == "/boards":
            return 200, {"items": list(self.boards.values()), "bookmark": None}
        if template == "/boards/{board_id}/pins":
            if params["board_id"] not in self.boards:
                return 404, {"code": 404, "message": "Board not found."}
            newest_first = [
                self.public(pin_id)
                for pin_id, pin in reversed(self.pins.items())
                if pin["board_id"] == params["board_id"]
            ]
            start = int(query.get("bookmark") or 0)
            size = min(int(query.get("page_size") or 25), self.page_limit)
            page = newest_first[start : start + size]
            more = start + size < len(newest_first)
            return 200, {"items": page, "bookmark": str(start + size) if more else None}
        if template == "/pins":
            # Pinterest's PinCreate requires both (the extract keeps only the fields used).
            missing = [name for name in ("board_id", "media_source") if name not in body]
            if missing:
                raise Invalid(400, f"{', '.join(missing)}: a required field is missing")
            if body["board_id"] not in self.boards:
                return 404, {"code": 404, "message": "Board not found."}
            self._next += 1
            pin_id = str(self._next)
            kept = {k: v for k, v in body.items() if k != "media_source"}
            self.pins[pin_id] = {**kept, "id": pin_id, "created_at": _now()}
            self.pins[pin_id]["_media_source"] = body["media_source"]
            return 201, self.public(pin_id)
        if template == "/pins/{pin_id}/analytics":
            return self.pin_analytics(params["pin_id"], query)
        if template == "/user_account":
            return 200, {"id": "2783136121146311751", "follower_count": self.follower_count}
        assert template == "/pins/{pin_id}"
        if params["pin_id"] not in self.pins:
            return 404, {"code": 404, "message": "Pin not found."}
        del self.pins[params["pin_id"]]
        return 204, None

    def pin_analytics(self, pin_id: str, query: dict[str, str]) -> tuple[int, Any]:
        """The pin's figures asked for: totals over the period, comments and reactions for its
        lifetime (where the description's example puts them); a metric it has none of is left
        out, as Pinterest leaves out one it no longer serves."""
        start, end = (date.fromisoformat(query[k]) for k in ("start_date", "end_date"))
        if not timedelta(0) <= end - start <= timedelta(days=90):
            raise Invalid(400, "end_date: not within 90 days after start_date")
        if pin_id not in self.pins:
            return 404, {"code": 404, "message": "Pin not found."}
        have = self.analytics.get(pin_id, {})
        asked = [m for m in query["metric_types"].split(",") if m in have]
        lifetime = {m: int(have[m]) for m in asked if m in LIFETIME}
        summary = {m: have[m] for m in asked if m not in LIFETIME}
        return 200, {"all": {"lifetime_metrics": lifetime, "summary_metrics": summary}}

    def public(self, pin_id: str) -> dict[str, Any]:
        """A pin as the API shows it (what the fake keeps for the tests' eyes only removed)."""
        return {k: v for k, v in self.pins[pin_id].items() if not k.startswith("_")}


def _at(where: tuple[str, ...]) -> Any:
    node: Any = SPEC
    for part in where:
        node = node[part]
    return node


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_parameters(
    operation: dict[str, Any], where: tuple[str, ...], path: dict[str, str], query: dict[str, str]
) -> None:
    """Path and query parameters: declared, required ones present, values per their schema."""
    declared: dict[tuple[str, str], tuple[dict[str, Any], tuple[str, ...]]] = {}
    for index, node in enumerate(operation.get("parameters", [])):
        parameter, location = resolve(node, (*where, "parameters", str(index)))
        declared[(parameter["in"], parameter["name"])] = (parameter, location)
    for name in query:
        if ("query", name) not in declared:
            raise Invalid(400, f"query parameter {name} is not a parameter of this operation")
    for (place, name), (parameter, location) in declared.items():
        values = path if place == "path" else query if place == "query" else {}
        if name not in values:
            if parameter.get("required"):
                raise Invalid(400, f"{place} parameter {name} is required")
            continue
        value: Any = values[name]
        if parameter["schema"].get("type") == "array":
            check_items(parameter, location, value.split(","))  # style form, explode false
            continue
        if parameter["schema"].get("type") == "integer":
            if not re.fullmatch(r"-?\d+", value):
                raise Invalid(400, f"{place} parameter {name}: {value!r} is not an integer")
            value = int(value)
        errors = schema_errors(pointer(*location, "schema"), value, answer=False)
        if errors:
            raise Invalid(400, f"{place} parameter {name}: {errors}")


def check_items(parameter: dict[str, Any], location: tuple[str, ...], items: list[str]) -> None:
    """An array parameter's items, each per the item schema. `metric_types` lists its values in
    two `oneOf` branches that share most of them (IMPRESSION is in both), so an item is taken
    when it is valid per one branch at least, as Pinterest takes it."""
    schema = parameter["schema"]["items"]
    branches = [("oneOf", str(i)) for i in range(len(schema.get("oneOf", [])))] or [()]
    name = parameter["name"]
    for item in items:
        where = [pointer(*location, "schema", "items", *b) for b in branches]
        if all(schema_errors(w, item, answer=False) for w in where):
            raise Invalid(400, f"query parameter {name}: {item!r} is not one of its values")


def parse_body(
    operation: dict[str, Any], where: tuple[str, ...], content_type: str, raw: bytes
) -> Any:
    """The JSON request body, valid per the operation's schema."""
    media_type = body_media_type(operation, content_type, raw)
    if media_type is None:
        return None
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise Invalid(400, f"not JSON: {error}") from None
    location = pointer(*where, "requestBody", "content", media_type, "schema")
    errors = schema_errors(location, body, answer=False)
    if errors:
        raise Invalid(400, f"the body does not match the spec: {errors}")
    return body
