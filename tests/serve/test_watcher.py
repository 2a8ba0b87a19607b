"""The watcher: what it ignores, and how it gathers a save's events into one batch."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cmbuild.serve.watcher import Watcher, is_ignored


@pytest.mark.parametrize(
    ("relative", "ignored"),
    [
        ("posts/2026-12-05-conseil.md", False),
        ("posts/2026/deep/post.md", False),
        ("brand/templates/x.j2", False),
        ("channels.toml", False),
        ("posts", False),
        ("output/x-test/2026-12-05-conseil.txt", True),
        ("output", True),
        ("posts/.2026-12-05-conseil.md.swp", True),
        ("posts/2026-12-05-conseil.md.swx", True),
        ("posts/2026-12-05-conseil.md~", True),
        ("posts/.#2026-12-05-conseil.md", True),
        ("posts/4913", True),
        ("README.md", True),
        ("media/photo.jpg", False),  # images are inputs too
        ("state/ledger.jsonl", True),
        ("state/halt.toml", False),
    ],
)
def test_ignore_rules(tmp_path: Path, relative: str, ignored: bool) -> None:
    assert is_ignored(tmp_path / relative, tmp_path, tmp_path / "output") is ignored


def test_outside_the_repository_is_ignored(tmp_path: Path) -> None:
    assert is_ignored(tmp_path.parent / "elsewhere.md", tmp_path, tmp_path / "output")


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[Watcher]:
    (tmp_path / "posts").mkdir()
    (tmp_path / "brand").mkdir()
    with Watcher(tmp_path, debounce=0.15) as watching:
        yield watching


def _next_batch(watcher: Watcher, timeout: float = 5.0) -> frozenset[str]:
    batches: list[frozenset[str]] = []
    done = threading.Event()

    def take() -> None:
        batches.extend([next(watcher.batches())])
        done.set()

    threading.Thread(target=take, daemon=True).start()
    assert done.wait(timeout), "no batch came"
    return batches[0]


def test_debounce_gathers_a_burst_into_one_batch(watcher: Watcher, tmp_path: Path) -> None:
    for index in range(5):
        watcher.notify(str(tmp_path / "posts" / f"{index}.md"))
        time.sleep(0.03)  # each gap is under the debounce: still one batch
    started = time.monotonic()
    batch = _next_batch(watcher)
    assert batch == {str(tmp_path / "posts" / f"{index}.md") for index in range(5)}
    assert time.monotonic() - started < 1.0


def test_a_pause_longer_than_the_debounce_starts_a_new_batch(
    watcher: Watcher, tmp_path: Path
) -> None:
    first, second = str(tmp_path / "posts/a.md"), str(tmp_path / "posts/b.md")
    watcher.notify(first)
    assert _next_batch(watcher) == {first}
    watcher.notify(second)
    assert _next_batch(watcher) == {second}


def test_real_saves_are_seen_and_editor_files_are_not(watcher: Watcher, tmp_path: Path) -> None:
    (tmp_path / "posts/.a.md.swp").write_text("swap", encoding="utf-8")
    (tmp_path / "posts/4913").write_text("", encoding="utf-8")
    (tmp_path / "output").mkdir()
    (tmp_path / "output/a.txt").write_text("built", encoding="utf-8")
    post = tmp_path / "posts/a.md"
    post.write_text("---\ntitle: A\n---\nText\n", encoding="utf-8")
    (tmp_path / "channels.toml").write_text("", encoding="utf-8")
    assert _next_batch(watcher) == {str(post), str(tmp_path / "channels.toml")}


def test_reading_a_file_is_not_a_change(watcher: Watcher, tmp_path: Path) -> None:
    post = tmp_path / "posts/a.md"
    post.write_text("text", encoding="utf-8")
    assert _next_batch(watcher) == {str(post)}
    post.read_text(encoding="utf-8")
    marker = tmp_path / "brand/marker.toml"
    time.sleep(0.3)
    marker.write_text("", encoding="utf-8")
    assert _next_batch(watcher) == {str(marker)}


def test_close_ends_the_batches(watcher: Watcher) -> None:
    watcher.close()
    assert list(watcher.batches()) == []
