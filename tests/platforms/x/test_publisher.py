"""The X publisher against a local fake of the X API v2 that checks every request against X's
official OpenAPI document (tests/push/data/x-openapi.json, extracted by extract_x_spec.py)."""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import lzma
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT7

from cmbuild.build import build
from cmbuild.push.report import Report
from cmbuild.push.retract import retract
from cmbuild.push.session import PushSettings
from tests.push.fake_http import LocalServer, call, read_body, send_json
from tests.push.fixtures import cli
from tests.push.openapi_fake import Invalid, body_media_type, match_path
from tests.push.servers import environ
from tests.push.sites import add_to_channel, kinds, ledger_lines

DATA = Path(__file__).parents[2] / "push" / "data"
SPEC = json.loads((DATA / "x-openapi.json").read_text(encoding="utf-8"))
# X's full OpenAPI document as X publishes it (xz-compressed), to check the extract against.
FULL_SPEC = DATA / "official" / "x-openapi.json.xz"
SPEC_URI = "urn:x-openapi"
REGISTRY: Registry[Any] = Registry().with_resource(SPEC_URI, DRAFT7.create_resource(SPEC))

TOKEN = "x-user-token-7c1d9e"
ENV = {"CMB_X_TOKEN": TOKEN}
NOW = "2026-12-01T09:00:00Z"
ALT = "Une salle de formation lumineuse."


def schema_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    """What is wrong with `instance` per a schema of the spec (its `$ref`s resolved)."""
    if "$ref" in schema:
        schema = {"$ref": SPEC_URI + schema["$ref"]}
    validator = jsonschema.Draft7Validator(schema, registry=REGISTRY)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


X_LIMIT = 280  # /work/shared/reference/platforms.toml [x] text_limit, cmbuild/platforms/x.py
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))  # twitter-text v3: weight 1


def weighted_length(text: str) -> int:
    """X's count, as twitter-text v3 documents it: NFC; a link weighs 23; code points in the
    light ranges 1, all others 2; an emoji sequence joined by ZWJ, or with a variation
    selector, counts as its first emoji."""
    text = re.sub(r"https?://\S+", "\x00" * 23, unicodedata.normalize("NFC", text))
    total = 0
    joined = False
    for char in text:
        point = ord(char)
        if point in (0x200D, 0xFE0E, 0xFE0F):
            joined = point == 0x200D
            continue
        if joined:
            joined = False
            continue
        total += 1 if any(low <= point <= high for low, high in _LIGHT) else 2
    return total


class FakeX(LocalServer):
    """The four operations the publisher uses, stateful; refuses what the spec does not allow."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, dict[str, Any] | None]] = []  # method, path, parsed body
        self.rejected: list[str] = []  # every error answer the fake gave (but 401), and why
        self.uploads: dict[str, bytes] = {}
        self.alt_texts: dict[str, str] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        self.refuse_token = False
        self._next = 1790000000000000000
        self.lock = threading.Lock()

    def new_id(self) -> str:
        self._next += 1
        return str(self._next)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        raw = read_body(handler)
        with self.lock:
            try:
                status, answer = self.answer(handler, raw)
            except Invalid as error:
                self.rejected.append(f"{handler.command} {handler.path}: {error.detail}")
                status = error.status
                answer = {"title": "Invalid Request", "detail": error.detail, "type": "about:blank"}
        send_json(handler, status, answer)

    def answer(self, handler: BaseHTTPRequestHandler, raw: bytes) -> tuple[int, dict[str, Any]]:
        method = handler.command.lower()
        path = handler.path.split("?", 1)[0]
        template, params = match_path(SPEC["paths"], path)
        operation = SPEC["paths"][template].get(method)
        if operation is None:
            raise Invalid(405, f"{method.upper()} is not an operation of {template}")
        # security: OAuth2UserToken or UserToken; we send a bearer token.
        authorization = handler.headers.get("Authorization", "")
        if self.refuse_token or authorization != f"Bearer {TOKEN}":
            detail = f"Unauthorized (got {authorization})"  # a careless server echoing it back
            return 401, {
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": detail,
            }
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path":
                errors = schema_errors(parameter["schema"], params[parameter["name"]])
                if errors:
                    raise Invalid(400, f"path parameter {parameter['name']}: {errors}")
        body = parse_body(operation, handler.headers.get("Content-Type", ""), raw)
        self.seen.append((handler.command, path, body))
        status, answer = self.carry_out(handler.command, template, params, body)
        schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
        errors = schema_errors(schema, answer)
        if errors:
            raise Invalid(500, f"the fake's own answer breaks the spec: {errors}")
        return status, answer

    def carry_out(
        self, method: str, template: str, params: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any]]:
        if template == "/2/media/upload":
            media_id = self.new_id()
            self.uploads[media_id] = body["media"].encode("latin-1")
            data = {
                "id": media_id,
                "media_key": f"3_{media_id}",
                "size": len(self.uploads[media_id]),
                "expires_after_secs": 86400,
            }
            return 200, {"data": data, "meta": {}}  # `meta` is required, and left open
        if template == "/2/media/metadata":
            if body["id"] not in self.uploads:
                raise Invalid(400, f"no media {body['id']}")
            alt = body["metadata"]["alt_text"]
            self.alt_texts[body["id"]] = alt["text"]
            return 200, {"data": {"id": body["id"], "associated_metadata": {"alt_text": alt}}}
        if template == "/2/tweets":
            if weighted_length(body["text"]) > X_LIMIT:
                raise Invalid(400, f"text: {weighted_length(body['text'])} > {X_LIMIT} weighted")
            for media_id in body.get("media", {}).get("media_ids", []):
                if media_id not in self.uploads:
                    raise Invalid(400, f"no media {media_id}")
            post_id = self.new_id()
            self.posts[post_id] = body
            return 201, {"data": {"id": post_id, "text": body["text"]}}
        assert method == "DELETE" and template == "/2/tweets/{id}"
        if params["id"] not in self.posts:
            raise Invalid(404, f"no post {params['id']}")
        del self.posts[params["id"]]
        return 200, {"data": {"deleted": True}}


def parse_body(operation: dict[str, Any], content_type: str, raw: bytes) -> Any:
    """The request body, parsed per its media type and valid per the operation's schema."""
    media_type = body_media_type(operation, content_type, raw)
    if media_type is None:
        return None
    if media_type == "application/json":
        try:
            body = json.loads(raw)
        except ValueError as error:
            raise Invalid(400, f"not JSON: {error}") from None
    else:  # multipart/form-data: each part a field; a file's bytes as a (binary) string
        parser = email.parser.BytesParser(policy=email.policy.HTTP)
        message = parser.parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
        if not message.is_multipart():
            raise Invalid(400, "not a multipart body")
        body = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if not isinstance(name, str) or not isinstance(payload, bytes):
                raise Invalid(400, "a multipart part without a name")
            body[name] = payload.decode("latin-1") if part.get_filename() else payload.decode()
    schema = operation["requestBody"]["content"][media_type]["schema"]
    errors = schema_errors(schema, body)
    if errors:
        raise Invalid(400, f"the body does not match the spec: {errors}")
    return body


@pytest.fixture
def fake() -> Iterator[FakeX]:
    with FakeX() as running:
        yield running


@pytest.fixture
def x_site(basic: Path, fake: FakeX) -> Path:
    """tests/sites/basic, its x-test channel pointed at the fake, built."""
    add_to_channel(
        basic,
        'platform = "x"\nhandle = "@TestBrand"\n',
        f'options = {{ api_base = "{fake.url}" }}\ncredentials = {{ token = "CMB_X_TOKEN" }}\n',
    )
    build(basic, jobs=1)
    return basic


def x_variant(root: Path) -> dict[str, Any]:
    manifest = json.loads((root / "output" / "manifest.json").read_text(encoding="utf-8"))
    (found,) = [v for v in manifest["variants"] if v["channel"] == "x-test" and v["publishable"]]
    return dict(found)


def test_a_due_post_is_published_with_its_image_and_alt_text_once(
    x_site: Path, fake: FakeX, run_push: Callable[..., Report]
) -> None:
    entry = x_variant(x_site)
    assert entry["media"] and entry["media"][0]["alt"] == ALT
    report = run_push(x_site, NOW, ENV, channels=("x-test",))
    assert fake.rejected == []
    assert [(r.outcome, r.variant) for r in report.rows] == [("published", entry["id"])]
    assert [(method, path) for method, path, _ in fake.seen] == [
        ("POST", "/2/media/upload"),
        ("POST", "/2/media/metadata"),
        ("POST", "/2/tweets"),
    ]
    (media_id,) = fake.uploads
    assert hashlib.sha256(fake.uploads[media_id]).hexdigest() == entry["media"][0]["sha256"]
    assert fake.seen[0][2] is not None and fake.seen[0][2]["media_category"] == "tweet_image"
    assert fake.alt_texts == {media_id: ALT}
    ((post_id, post),) = fake.posts.items()
    assert post == {"text": entry["text"], "media": {"media_ids": [media_id]}}
    (published,) = [line for line in ledger_lines(x_site) if line["kind"] == "published"]
    assert published["remote_id"] == post_id
    assert published["url"] == f"https://x.com/i/web/status/{post_id}"

    again = run_push(x_site, "2026-12-01T10:00:00Z", ENV, channels=("x-test",))
    assert again.rows == []
    assert len(fake.seen) == 3


def test_a_post_without_images_is_sent_without_media(x_site: Path, fake: FakeX) -> None:
    from cmbuild.platforms.shared.publisher import PublisherContext
    from cmbuild.platforms.x.publisher import XPublisher
    from cmbuild.push.apply import inputs

    entries, channels = inputs(PushSettings(root=x_site))
    context = PublisherContext(
        channels["x-test"], {"token": TOKEN}, x_site, timeout=5.0, sleep=lambda s: None
    )
    entry = next(e for e in entries if e.channel == "x-test")
    receipt = XPublisher(context).publish(entry, ())
    assert fake.rejected == []
    assert [(m, p) for m, p, _ in fake.seen] == [("POST", "/2/tweets")]
    assert fake.posts == {receipt.remote_id: {"text": entry.text}}


def test_retract_deletes_the_post(
    x_site: Path, fake: FakeX, run_push: Callable[..., Report]
) -> None:
    entry = x_variant(x_site)
    run_push(x_site, NOW, ENV, channels=("x-test",))
    ((post_id, _),) = fake.posts.items()
    report = retract(PushSettings(root=x_site, environ=ENV), "hiver", "wrong date")
    assert fake.rejected == []
    assert [r.outcome for r in report.rows] == ["retracted"]
    assert (fake.seen[-1][0], fake.seen[-1][1]) == ("DELETE", f"/2/tweets/{post_id}")
    assert fake.posts == {}
    assert kinds(x_site)[-1] == ("retracted", entry["id"])


def test_a_refused_token_stops_the_channel_names_the_variable_and_is_never_shown(
    x_site: Path, fake: FakeX
) -> None:
    fake.refuse_token = True  # and the fake echoes the Authorization header in its answer
    result = cli(
        x_site, "push", "--now", NOW, "--channel", "x-test", env=environ(CMB_X_TOKEN=TOKEN)
    )
    assert result.returncode == 1, result.stderr
    assert "CMB_X_TOKEN (channels.x-test.credentials.token)" in result.stdout
    assert fake.posts == {} and fake.uploads == {}
    assert TOKEN not in result.stdout + result.stderr
    assert TOKEN not in (x_site / "state" / "ledger.jsonl").read_text(encoding="utf-8")
    entry = x_variant(x_site)
    assert kinds(x_site) == [("pending", entry["id"]), ("failed", entry["id"])]
    assert ledger_lines(x_site)[-1]["code"] == "auth"


def test_the_fake_refuses_requests_the_spec_does_not_allow(fake: FakeX) -> None:
    import urllib.error
    import urllib.request

    def post(path: str, body: dict[str, Any]) -> int:
        request = urllib.request.Request(
            fake.url + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        return call(request)[0]

    assert post("/2/tweets", {"text": "hi", "media": {"media_ids": []}}) == 400  # minItems 1
    assert post("/2/tweets", {"text": "hi", "media_ids": ["1"]}) == 400  # no such field
    assert post("/2/media/metadata", {"metadata": {"alt_text": {"text": "a"}}}) == 400  # no id
    assert post("/2/media/metadata", {"id": "1", "metadata": {"alt_text": "a"}}) == 400
    assert post("/2/tweet", {"text": "hi"}) == 404
    assert post("/2/tweets", {"text": "hi"}) == 201
    # X's own limit, weighted: 280 Latin letters, 140 emoji or CJK characters, a link 23.
    assert post("/2/tweets", {"text": "a" * 281}) == 400
    assert post("/2/tweets", {"text": "😀" * 141}) == 400
    assert post("/2/tweets", {"text": "a" * 600}) == 400
    assert post("/2/tweets", {"text": "a" * 256 + " https://example.org/" + "b" * 99}) == 201
    assert post("/2/tweets", {"text": "a" * 280}) == 201
    assert post("/2/tweets", {"text": "👩‍💻" * 140}) == 201
    assert len(fake.rejected) == 8


def test_the_committed_extract_is_what_the_script_makes_from_the_official_spec() -> None:
    import importlib.util

    loaded = importlib.util.spec_from_file_location("extract_x_spec", DATA / "extract_x_spec.py")
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    full = json.loads(lzma.decompress(FULL_SPEC.read_bytes()).decode("utf-8"))
    assert module.render(full) == (DATA / "x-openapi.json").read_text(encoding="utf-8")
