"""The Pinterest publisher, end to end through `cmbuild push`, against a local fake of the API v5
that checks every request and answer against Pinterest's OpenAPI description (pinterest_fake.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import signal
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cmbuild.build import build
from cmbuild.push.report import Report
from cmbuild.push.retract import retract
from cmbuild.push.session import PushSettings
from tests.platforms.pinterest.fake import (
    BOARD_ID,
    BOARD_NAME,
    DATA,
    PREFIX,
    TOKEN,
    FakePinterest,
    Fault,
)
from tests.push.fake_http import call
from tests.push.fixtures import Sleeps, cli
from tests.push.servers import environ
from tests.push.sites import kinds, ledger_lines

# Pinterest's full OpenAPI description, to check the extract against (skipped without it).
FULL_SPEC = DATA / "official" / "pinterest-v5.yaml.xz"

ENV = {"CMB_PINTEREST_TOKEN": TOKEN}
NOW = "2026-12-01T09:00:00Z"
ALT = "Une salle de formation lumineuse."
PIN_TITLE = "La session d’hiver en cinq ateliers"
CHANNEL = "pinterest-test"
PINS = "/v5/pins"
PUSH = ("push", "--now", NOW, "--channel", CHANNEL)

POST = """---
title: "Session d’hiver : le programme"
publish: 2026-12-01 09:00
campaign: hiver
link: https://testbrand.fr/hiver
image:
  path: media/photo.jpg
  alt: "Une salle de formation lumineuse."
status: approved
channels:
  pinterest-test:
    title: "La session d’hiver en cinq ateliers"
---
Cinq ateliers pour apprendre le métier : écrire, modérer, mesurer, planifier et rendre accessible.
"""


@pytest.fixture
def fake() -> Iterator[FakePinterest]:
    with FakePinterest() as running:
        yield running


def site(root: Path, fake: FakePinterest, board: str = BOARD_NAME) -> Path:
    """tests/sites/basic with a Pinterest channel pointed at the fake and one pin post, built."""
    with (root / "channels.toml").open("a", encoding="utf-8") as channels:
        channels.write(
            f"\n[channels.{CHANNEL}]\n"
            'platform = "pinterest"\n'
            'utm = { source = "pinterest", medium = "social" }\n'
            f'options = {{ board = "{board}", api_base = "{fake.url}" }}\n'
            'credentials = { token = "CMB_PINTEREST_TOKEN" }\n'
        )
    (root / "brand" / "templates" / "pinterest.j2").write_text("{{ body }}\n", encoding="utf-8")
    (root / "posts" / "2026-12-01-epingle.md").write_text(POST, encoding="utf-8")
    build(root, jobs=1)
    return root


@pytest.fixture
def pin_site(basic: Path, fake: FakePinterest) -> Path:
    return site(basic, fake)


def pin_variant(root: Path) -> dict[str, Any]:
    manifest = json.loads((root / "output" / "manifest.json").read_text(encoding="utf-8"))
    (found,) = [v for v in manifest["variants"] if v["channel"] == CHANNEL and v["publishable"]]
    return dict(found)


def requests(fake: FakePinterest) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _, _ in fake.seen]


def test_a_due_pin_is_created_with_its_image_alt_text_title_and_link_once(
    pin_site: Path, fake: FakePinterest, run_push: Callable[..., Report]
) -> None:
    entry = pin_variant(pin_site)
    assert entry["fields"] == {"title": PIN_TITLE}
    report = run_push(pin_site, NOW, ENV, channels=(CHANNEL,))
    assert fake.rejected == []
    assert [(r.outcome, r.variant) for r in report.rows] == [("published", entry["id"])]
    # The board was named by its name: its id is looked up first.
    assert requests(fake) == [("GET", "/v5/boards"), ("POST", PINS)]
    ((pin_id, pin),) = fake.pins.items()
    source = pin.pop("_media_source")
    assert source["source_type"] == "image_base64"
    assert source["content_type"] == "image/jpeg"
    sent = base64.b64decode(source["data"])
    assert hashlib.sha256(sent).hexdigest() == entry["media"][0]["sha256"]
    assert pin["board_id"] == BOARD_ID
    assert pin["title"] == PIN_TITLE
    assert pin["description"] == entry["text"]
    assert pin["alt_text"] == ALT
    link = urlsplit(pin["link"])
    assert (link.netloc, link.path) == ("testbrand.fr", "/hiver")
    assert parse_qs(link.query) == {
        "utm_source": ["pinterest"],
        "utm_medium": ["social"],
        "utm_campaign": ["hiver"],
        "utm_content": [entry["id"][:8]],  # the variant, for web analytics
    }
    (published,) = [line for line in ledger_lines(pin_site) if line["kind"] == "published"]
    assert published["remote_id"] == pin_id
    assert published["url"] == f"https://www.pinterest.com/pin/{pin_id}/"

    again = run_push(pin_site, "2026-12-01T10:00:00Z", ENV, channels=(CHANNEL,))
    assert again.rows == []
    assert len(fake.seen) == 2 and len(fake.pins) == 1


def test_a_board_given_by_its_id_needs_no_lookup(
    basic: Path, fake: FakePinterest, run_push: Callable[..., Report]
) -> None:
    root = site(basic, fake, board=BOARD_ID)
    report = run_push(root, NOW, ENV, channels=(CHANNEL,))
    assert [r.outcome for r in report.rows] == ["published"]
    assert requests(fake) == [("POST", PINS)]


def test_a_board_named_as_its_address_spells_it_is_found(
    basic: Path, fake: FakePinterest, run_push: Callable[..., Report]
) -> None:
    root = site(basic, fake, board="conseils-community-management")  # pinterest.com/…/<this>/
    report = run_push(root, NOW, ENV, channels=(CHANNEL,))
    assert [r.outcome for r in report.rows] == ["published"]
    ((_, pin),) = fake.pins.items()
    assert pin["board_id"] == BOARD_ID


def test_an_unknown_board_name_is_a_configuration_error_naming_the_boards(
    basic: Path, fake: FakePinterest, run_push: Callable[..., Report]
) -> None:
    root = site(basic, fake, board="Recettes")
    report = run_push(root, NOW, ENV, channels=(CHANNEL,))
    (row,) = report.rows
    assert row.outcome == "failed"
    assert f"channels.{CHANNEL}.options.board" in row.detail
    assert repr(BOARD_NAME) in row.detail
    assert fake.pins == {}
    assert ledger_lines(root)[-1]["code"] == "config"


def test_a_rate_limit_and_a_server_error_are_waited_out_then_the_pin_is_created(
    basic: Path, fake: FakePinterest, run_push: Callable[..., Report], sleeps: Sleeps
) -> None:
    pin_site = site(basic, fake, board=BOARD_ID)
    fake.faults = [
        Fault(429, {"X-RateLimit-Reset": "3"}, "Rate limit exceeded."),
        Fault(503, {"Retry-After": "1"}, "Service unavailable."),
    ]
    report = run_push(pin_site, NOW, ENV, channels=(CHANNEL,))
    assert fake.rejected == []
    assert [r.outcome for r in report.rows] == ["published"]
    assert sleeps == [3.0, 1.0]
    assert requests(fake) == [("POST", PINS)] * 3
    assert len(fake.pins) == 1


def test_a_refused_pin_fails_with_pinterests_reason_and_is_not_retried(
    basic: Path, fake: FakePinterest, run_push: Callable[..., Report], sleeps: Sleeps
) -> None:
    root = site(basic, fake, board=BOARD_ID)
    fake.faults = [Fault(400, {}, "Invalid parameters: link is not allowed.")]
    report = run_push(root, NOW, ENV, channels=(CHANNEL,))
    (row,) = report.rows
    assert row.outcome == "failed"
    assert "Pinterest refused it (HTTP 400: Invalid parameters: link is not allowed.)" in row.detail
    assert sleeps == []
    assert ledger_lines(root)[-1]["code"] == "permanent"
    assert fake.pins == {}


def test_a_refused_token_stops_the_channel_names_the_variable_and_is_never_shown(
    pin_site: Path, fake: FakePinterest
) -> None:
    fake.refuse_token = True  # and the fake echoes the Authorization header in its answer
    result = cli(pin_site, *PUSH, env=environ(**ENV))
    assert result.returncode == 1, result.stderr
    assert f"CMB_PINTEREST_TOKEN (channels.{CHANNEL}.credentials.token)" in result.stdout
    assert TOKEN not in result.stdout + result.stderr
    assert TOKEN not in (pin_site / "state" / "ledger.jsonl").read_text(encoding="utf-8")
    assert fake.pins == {}
    entry = pin_variant(pin_site)
    assert kinds(pin_site) == [("pending", entry["id"]), ("failed", entry["id"])]
    assert ledger_lines(pin_site)[-1]["code"] == "auth"


def test_a_connection_lost_after_the_pin_was_created_is_settled_by_find(
    pin_site: Path, fake: FakePinterest, run_push: Callable[..., Report]
) -> None:
    for n in range(3):  # older pins of the board, over two pages
        fake.add_pin(BOARD_ID, f"an older pin {n}", "2026-01-01T00:00:00Z")
    fake.drop_after_create = True
    report = run_push(pin_site, NOW, ENV, channels=(CHANNEL,))
    assert fake.rejected == []
    assert [r.outcome for r in report.rows] == ["published"]
    created = [pin_id for pin_id, pin in fake.pins.items() if "_media_source" in pin]
    assert len(created) == 1  # found, not created again
    board_pins = f"/v5/boards/{BOARD_ID}/pins"
    assert requests(fake) == [("GET", "/v5/boards"), ("POST", PINS), ("GET", board_pins)]
    entry = pin_variant(pin_site)
    assert kinds(pin_site) == [("pending", entry["id"]), ("published", entry["id"])]
    assert ledger_lines(pin_site)[-1]["remote_id"] == created[0]


def test_a_push_killed_after_the_pin_was_created_finds_it_instead_of_pinning_twice(
    pin_site: Path, fake: FakePinterest
) -> None:
    for n in range(3):
        fake.add_pin(BOARD_ID, f"an older pin {n}", "2026-01-01T00:00:00Z")
    env = environ(**ENV)
    killed = cli(pin_site, *PUSH, env=env, kill_after_send=1)
    assert killed.returncode == -signal.SIGKILL
    entry = pin_variant(pin_site)
    assert kinds(pin_site) == [("pending", entry["id"])]
    (created,) = [pin_id for pin_id, pin in fake.pins.items() if "_media_source" in pin]
    for n in range(2):  # newest first, two to a page: the pin is now on page two
        fake.add_pin(BOARD_ID, f"pinned by hand since {n}")

    again = cli(pin_site, *PUSH, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reconciled" in again.stdout
    assert fake.rejected == []
    assert [pin for pin in fake.pins.values() if "_media_source" in pin] == [fake.pins[created]]
    assert kinds(pin_site)[1:] == [("reconciled", entry["id"])]
    assert ledger_lines(pin_site)[-1]["remote_id"] == created
    board_pins = f"/v5/boards/{BOARD_ID}/pins"
    assert requests(fake)[-3:] == [("GET", "/v5/boards"), ("GET", board_pins), ("GET", board_pins)]
    assert fake.seen[-1][2] == {"page_size": "250", "bookmark": "2"}


def test_a_push_killed_before_the_pin_was_created_pins_it_once_on_the_next_push(
    pin_site: Path, fake: FakePinterest
) -> None:
    env = environ(**ENV)
    killed = cli(pin_site, *PUSH, env=env, kill_after_send=1)
    assert killed.returncode == -signal.SIGKILL
    fake.pins.clear()  # as if the request never reached Pinterest
    again = cli(pin_site, *PUSH, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    entry = pin_variant(pin_site)
    assert [k for k, _ in kinds(pin_site)] == ["pending", "failed", "pending", "published"]
    assert ledger_lines(pin_site)[1]["code"] == "not-sent"
    assert len(fake.pins) == 1
    assert ledger_lines(pin_site)[-1]["variant"] == entry["id"]


def test_retract_deletes_the_pin(
    pin_site: Path, fake: FakePinterest, run_push: Callable[..., Report]
) -> None:
    entry = pin_variant(pin_site)
    run_push(pin_site, NOW, ENV, channels=(CHANNEL,))
    ((pin_id, _),) = fake.pins.items()
    report = retract(PushSettings(root=pin_site, environ=ENV), "hiver", "wrong date")
    assert fake.rejected == []
    assert [r.outcome for r in report.rows if r.channel == CHANNEL] == ["retracted"]
    assert requests(fake)[-1] == ("DELETE", f"{PINS}/{pin_id}")
    assert fake.pins == {}
    assert kinds(pin_site)[-1] == ("retracted", entry["id"])


def test_the_fake_refuses_requests_the_spec_does_not_allow(fake: FakePinterest) -> None:
    import urllib.error
    import urllib.request

    def status(method: str, path: str, body: dict[str, Any] | None = None) -> int:
        request = urllib.request.Request(
            fake.url.removesuffix("/v5") + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        return call(request)[0]

    image = {"source_type": "image_base64", "content_type": "image/png", "data": "iVBORw0KGgo="}
    assert status("POST", PINS, {"board_id": "my-board", "media_source": image}) == 400
    gif = {**image, "content_type": "image/gif"}
    assert status("POST", PINS, {"board_id": BOARD_ID, "media_source": gif}) == 400
    long_title = {"board_id": BOARD_ID, "media_source": image, "title": "t" * 101}
    assert status("POST", PINS, long_title) == 400
    assert status("POST", PINS, {"board_id": BOARD_ID, "media_source": {"data": "x"}}) == 400
    assert status("GET", f"/v5/boards/{BOARD_ID}/pins?page_size=500") == 400
    assert status("GET", f"/v5/boards/{BOARD_ID}/pins?sort=newest") == 400
    assert status("POST", "/pins", {"board_id": BOARD_ID, "media_source": image}) == 404
    assert status("PUT", f"{PINS}/1") == 405
    assert len(fake.rejected) == 8
    assert status("POST", PINS, {"board_id": BOARD_ID, "media_source": image}) == 201
    assert status("GET", f"/v5/boards/{BOARD_ID}/pins?page_size=250") == 200
    assert len(fake.rejected) == 8


def test_the_committed_extract_is_what_the_script_makes_from_the_official_spec() -> None:
    import importlib.util

    loaded = importlib.util.spec_from_file_location(
        "extract_pinterest_spec", DATA / "extract_pinterest_spec.py"
    )
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    expected = (DATA / "pinterest-openapi.json").read_text(encoding="utf-8")
    assert module.render(module.load(FULL_SPEC)) == expected


def test_the_fake_answers_a_missing_field_400_instead_of_failing(fake: FakePinterest) -> None:
    def status(body: dict[str, Any]) -> int:
        request = urllib.request.Request(
            fake.url + "/pins",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        return call(request)[0]

    image = {"source_type": "image_base64", "content_type": "image/png", "data": "iVBORw0KGgo="}
    assert status({}) == 400
    assert status({"board_id": BOARD_ID}) == 400
    assert status({"media_source": image}) == 400
    assert fake.rejected[-3:] == [
        f"POST {PREFIX}/pins: board_id, media_source: a required field is missing",
        f"POST {PREFIX}/pins: media_source: a required field is missing",
        f"POST {PREFIX}/pins: board_id: a required field is missing",
    ]
    assert fake.pins == {}
