"""A platform from another package: one folder (tests/plugin_pkg/cmbuild_pigeon), one entry point,
and nothing changed in cmbuild.

`cmbuild init`, `build` and `push` run in new processes that find the plug-in through
importlib.metadata (its dist-info is on PYTHONPATH), exactly as they would find one installed with
pip; its publisher posts to a local fake of the platform.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.push.fake_http import LocalServer, read_body, send_json
from tests.push.fixtures import cli
from tests.push.sites import ledger_lines

PLUGIN = Path(__file__).resolve().parents[1] / "plugin_pkg"
TOKEN = "pigeon-token-3c9d71"
POST = """\
---
title: "First flight"
publish: 2027-01-15 09:00
link: https://example.com/flight
status: approved
channels: [pigeon-main]
---
Our first message, carried by a pigeon.
"""


class Loft(LocalServer):
    """Pigeon Post's server: records each request and answers with the message's id."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[str, str, dict[str, str], Any]] = []

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = json.loads(read_body(handler) or b"null")
        self.received.append((handler.command, handler.path, dict(handler.headers), body))
        number = len(self.received)
        send_json(handler, 201, {"id": f"msg-{number}", "url": f"{self.url}/m/{number}"})


@pytest.fixture
def loft() -> Iterator[Loft]:
    with Loft() as running:
        yield running


def environ() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PLUGIN), *([path] if path else [])]),
        "PIGEON_TOKEN": TOKEN,
    }


def channels(options: str) -> str:
    return f"""
[defaults]
timezone = "UTC"

[channels.pigeon-main]
platform = "pigeon"
credentials = {{ token = "PIGEON_TOKEN" }}
options = {{ {options} }}
"""


def pigeon_site(tmp_path: Path, options: str) -> Path:
    """A repository made by `cmbuild init`, then given one Pigeon Post channel and one post."""
    root = tmp_path / "site"
    made = cli(tmp_path, "init", str(root), env=environ())
    assert made.returncode == 0, made.stdout + made.stderr
    starter = PLUGIN / "cmbuild_pigeon" / "starter.j2"
    assert (root / "brand" / "templates" / "pigeon.j2").read_bytes() == starter.read_bytes()
    (root / "channels.toml").write_text(channels(options), encoding="utf-8")
    (root / "brand" / "charter.toml").unlink()
    shutil.rmtree(root / "posts")
    (root / "posts").mkdir()
    (root / "posts" / "first.md").write_text(POST, encoding="utf-8")
    return root


def test_a_plugin_platform_is_built_and_pushed_through_its_own_publisher(
    tmp_path: Path, loft: Loft
) -> None:
    root = pigeon_site(tmp_path, f'loft = "{loft.url}"')

    built = cli(root, "build", env=environ())
    assert built.returncode == 0, built.stdout + built.stderr
    text = (root / "output" / "pigeon-main" / "first.txt").read_text(encoding="utf-8")
    assert text == "Our first message, carried by a pigeon.\nhttps://example.com/flight"

    pushed = cli(root, "push", "--now", "2027-01-15T09:05:00Z", env=environ())
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr

    ((method, path, headers, body),) = loft.received
    assert (method, path) == ("POST", "/messages")
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert body == {"text": text, "channel": "pigeon-main", "images": []}
    pending, line = ledger_lines(root)  # the send is recorded before it is made, then its outcome
    assert (pending["kind"], line["kind"]) == ("pending", "published")
    assert line["channel"] == "pigeon-main"
    assert (line["remote_id"], line["url"]) == ("msg-1", f"{loft.url}/m/1")
    assert headers["Idempotency-Key"].startswith(line["variant"])
    ledger = (root / "state" / "ledger.jsonl").read_text(encoding="utf-8")
    assert TOKEN not in pushed.stdout + pushed.stderr + ledger


def test_a_plugin_options_model_is_checked_when_channels_toml_loads(tmp_path: Path) -> None:
    root = pigeon_site(tmp_path, 'lofty = "http://127.0.0.1:9"')

    built = cli(root, "build", env=environ())

    assert built.returncode == 2
    assert "channels.toml:8: channels.pigeon-main.options.lofty: unknown key" in built.stderr
    assert "Pigeon Post channels take these options:" in built.stderr
    assert not (root / "output" / "pigeon-main").exists()
