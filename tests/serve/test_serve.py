"""`cmbuild serve` end to end: a real server on 127.0.0.1, real saves, bounded waits."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cmbuild.cli.serve import line
from cmbuild.serve.loop import Event, Failed, Rebuilt, Serving, serve
from cmbuild.serve.server import VERSION_PATH

POST = "posts/2026-12-05-conseil.md"
VARIANT = "/x-test/2026-12-05-conseil.txt"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Running:
    root: Path
    url: str
    events: list[Event] = field(default_factory=list)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def version(self) -> str:
        return self.get(VERSION_PATH)[1]

    def edit(self, old: str, new: str) -> None:
        post = self.root / POST
        text = post.read_text(encoding="utf-8")
        assert old in text
        post.write_text(text.replace(old, new), encoding="utf-8")


def _until(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def running(basic: Path) -> Iterator[Running]:
    stop = threading.Event()
    events: list[Event] = []
    port = _free_port()
    thread = threading.Thread(
        target=serve, args=(basic,), kwargs={"port": port, "stop": stop, "report": events.append}
    )
    thread.start()
    try:
        assert _until(lambda: any(isinstance(e, Serving) for e in events), timeout=30)
        yield Running(basic, f"http://127.0.0.1:{port}/", events)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive(), "the serve loop did not stop"


def test_serves_the_preview_with_the_reload_script(running: Running) -> None:
    assert running.url.startswith("http://127.0.0.1:")
    status, page = running.get("/")
    assert status == 200
    assert "conseil" in page.lower()
    assert VERSION_PATH in page and "location.reload()" in page
    # The script is added when serving, not written into output/.
    assert VERSION_PATH not in (running.root / "output/index.html").read_text(encoding="utf-8")
    status, text = running.get(VARIANT)
    assert status == 200 and VERSION_PATH not in text
    assert isinstance(running.events[0], Rebuilt)


def test_a_save_rebuilds_and_moves_the_version(running: Running) -> None:
    before = running.version()
    running.edit("adaptez le ton", "adaptez le ton (édité)")
    assert _until(lambda: "(édité)" in running.get(VARIANT)[1])
    assert _until(lambda: running.version() != before)
    assert line(running.events[-1]).startswith("rebuilt in ")


def test_a_broken_post_shows_the_error_page_then_recovers(running: Running) -> None:
    before = running.version()
    running.edit("campaign: conseils", "campaign: [conseils")
    assert _until(lambda: "Build failed" in running.get("/index.html")[1])
    status, page = running.get("/index.html")
    assert status == 500
    assert f"{POST}:4" in page
    assert "invalid YAML front matter" in page
    assert "quote values that contain &#x27;: &#x27;" in page  # the hint, escaped
    assert VERSION_PATH in page  # it reloads by itself once fixed
    assert running.version() != before
    assert running.get(VARIANT)[0] == 200  # other files are still served
    assert any(line(e) == "build failed: 1 error" for e in running.events)
    failed = running.version()

    running.edit("campaign: [conseils", "campaign: conseils")
    assert _until(lambda: running.get("/index.html")[0] == 200)
    assert "Build failed" not in running.get("/index.html")[1]
    assert running.version() != failed
    assert isinstance(running.events[-1], Rebuilt)
    assert not isinstance(running.events[0], Failed)


def test_editor_files_do_not_rebuild(running: Running) -> None:
    count = len(running.events)
    (running.root / "posts/.2026-12-05-conseil.md.swp").write_text("swap", encoding="utf-8")
    (running.root / "posts/4913").write_text("", encoding="utf-8")
    time.sleep(0.5)
    assert len(running.events) == count


def test_a_taken_port_is_an_error(basic: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            serve(basic, port=port, stop=threading.Event())
