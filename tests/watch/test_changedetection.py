"""End to end with the real changedetection.io (tests/peers/changedetection, its own virtualenv):
it watches a page served on 127.0.0.1 and notifies `cmbuild watch-receive`'s receiver through an
Apprise `json://` URL; the page changes → changedetection.io notifies → a file in the inbox →
the inbox source hears the change, once."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from cmbuild.watch.dropped import listen
from cmbuild.watch.receiver import Receiver, ReceiverSettings
from cmbuild.watch.sources import InboxSource, ListenContext
from tests.push.fake_http import LocalServer, send
from tests.push.servers import free_port
from tests.watch.test_dropped import serving

pytestmark = pytest.mark.changedetection
PEER = Path(__file__).parents[1] / "peers" / "changedetection"
PROGRAM = PEER / ".venv" / "bin" / "changedetection.io"
START_TIMEOUT = 90.0
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Page(LocalServer):
    """One HTML page whose words the test changes."""

    def __init__(self) -> None:
        super().__init__()
        self.words = "Ateliers ouverts tout le mois."

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        html = f"<html><body><p>{self.words}</p></body></html>".encode()
        send(handler, 200, html, {"Content-Type": "text/html; charset=utf-8"})


def wait_for(what: str, check: Callable[[], Any], timeout: float, process: Any = None) -> Any:
    """`check()`'s first true value, polled until `timeout`; fails naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"changedetection.io stopped while waiting for {what}")
        found = check()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout:g} s")


class ChangeDetection:
    """changedetection.io on 127.0.0.1 with one watch of `page`, notifying `notify`."""

    def __init__(self, data: Path, page: str, notify: str) -> None:
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        options = {
            "notification_urls": [notify],
            "notification_format": "text",
            "notification_title": "Page changed: {{watch_url}}",
            "notification_body": "{{watch_url}}\n{{diff_added}}",
        }
        command = [str(PROGRAM), "-d", str(data), "-C", "-h", "127.0.0.1", "-p", str(self.port)]
        command += ["-u", page, "-u0", json.dumps(options)]
        # Local addresses are refused by default (a server-side request forgery guard).
        env = {**os.environ, "ALLOW_IANA_RESTRICTED_ADDRESSES": "true", "LOGGER_LEVEL": "WARNING"}
        self.log = open(data.parent / "changedetection.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log)

    def __enter__(self) -> ChangeDetection:
        wait_for("its web server", self._ready, START_TIMEOUT, self.process)
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.log.close()

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/", timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def api(self, path: str) -> Any:
        settings = json.loads((self.data / "changedetection.json").read_text(encoding="utf-8"))
        key = settings["settings"]["application"]["api_access_token"]
        request = urllib.request.Request(self.url + path, headers={"x-api-key": key})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)


def unavailable() -> str | None:
    if not (PEER / ".venv" / ".installed").exists() or not PROGRAM.exists():
        return f"changedetection.io is not installed (run {PEER / 'install'})"
    return None


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    reason = unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the changedetection.io test cannot run in CI: {reason}")
        pytest.skip(reason)
    with serving(ReceiverSettings(tmp_path / "site/inbox")) as server:
        yield server


def test_a_page_change_reaches_the_inbox_through_apprise(
    tmp_path: Path, receiver: Receiver
) -> None:
    inbox = tmp_path / "site/inbox"
    notify = "json://" + receiver.url.removeprefix("http://") + "/"
    with Page() as page, ChangeDetection(tmp_path / "data", page.url + "/", notify) as peer:
        (uuid,) = wait_for("the watch", lambda: list(peer.api("/api/v1/watch")), 30)
        wait_for(
            "the first check", lambda: peer.api(f"/api/v1/watch/{uuid}").get("last_checked"), 60
        )
        assert list(inbox.glob("*.json")) == []  # the first check is the baseline
        page.words = "Ateliers annulés : grève des transports."
        peer.api(f"/api/v1/watch/{uuid}?recheck=1")
        (dropped,) = wait_for("the notification", lambda: list(inbox.glob("*.json")), 60)

    source = InboxSource(name="changes", kind="inbox", folder="inbox")
    context = ListenContext(env={}, timeout=5, max_bytes=1_000_000, now=NOW, root=tmp_path / "site")
    heard = listen(source, {}, context)
    (item,) = heard.items
    assert item.title == f"Page changed: {page.url}/"
    assert "grève des transports" in item.text
    assert listen(source, heard.cursor, context).items == ()
    assert (inbox / "done" / dropped.name).is_file()
