"""Watch the inputs of a content repository and yield batches of changed paths.

A save is often several events (truncate, write, rename from a temporary file): they are gathered
until the folder has been quiet for `debounce` seconds, and the rebuild runs once per batch. The
consumer blocks on the queue; nothing polls.
"""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from watchdog.events import (
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from cmbuild.layout import HALT_FILE, STATE_DIR

# Opening or reading a file is not a change: the build itself opens every post.
CHANGES = frozenset({EVENT_TYPE_CREATED, EVENT_TYPE_DELETED, EVENT_TYPE_MODIFIED, EVENT_TYPE_MOVED})
WATCHED_FOLDERS = ("posts", "brand", "media", STATE_DIR)  # media: images; state: halts
WATCHED_FILES = ("channels.toml",)
# Vim writes `4913` to test that a folder is writable, then `.swp`/`.swx` swap files and `name~`
# backups; Emacs keeps `.#name` lock links.
EDITOR_SUFFIXES = (".swp", ".swx", ".swo", "~")
EDITOR_PREFIXES = (".#",)
EDITOR_NAMES = frozenset({"4913"})

_CLOSED = object()


def is_ignored(path: str | Path, root: Path, out: Path) -> bool:
    """Whether a change at `path` cannot affect the build (not an input, or an editor file)."""
    path = Path(os.path.abspath(path))
    root, out = Path(os.path.abspath(root)), Path(os.path.abspath(out))
    if path == out or out in path.parents:
        return True
    name = path.name
    if name in EDITOR_NAMES or name.startswith(EDITOR_PREFIXES) or name.endswith(EDITOR_SUFFIXES):
        return True
    try:
        relative = path.relative_to(root)
    except ValueError:
        return True
    parts = relative.parts
    if not parts:
        return True
    if len(parts) == 1:
        return parts[0] not in WATCHED_FILES and parts[0] not in WATCHED_FOLDERS
    if parts[0] == STATE_DIR:  # push's ledger and locks live there too; only halts change the site
        return relative.as_posix() != HALT_FILE
    return parts[0] not in WATCHED_FOLDERS


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGES:
            return
        if event.is_directory and event.event_type == EVENT_TYPE_MODIFIED:
            return  # a file inside changed: that file has its own event
        for path in (event.src_path, event.dest_path):
            if path:
                self.watcher.notify(os.fsdecode(path))


class Watcher:
    """Changes under posts/, brand/ and to channels.toml, as batches; close() ends `batches()`."""

    def __init__(self, root: Path, out: Path | None = None, *, debounce: float = 0.15) -> None:
        self.root = root
        self.out = out if out is not None else root / "output"
        self.debounce = debounce
        self._queue: queue.Queue[object] = queue.Queue()
        self._observer = Observer()

    def start(self) -> None:
        handler = _Handler(self)
        # The root itself is watched without recursion (channels.toml, posts/ being created);
        # output/ is never watched, so the build's own writes cost nothing.
        self._observer.schedule(handler, str(self.root), recursive=False)
        for folder in WATCHED_FOLDERS:
            if (self.root / folder).is_dir():
                self._observer.schedule(handler, str(self.root / folder), recursive=True)
        self._observer.start()

    def notify(self, path: str) -> None:
        """Queue a changed path, unless it is ignored (called from the observer thread)."""
        if not is_ignored(path, self.root, self.out):
            self._queue.put(path)

    def close(self) -> None:
        """Stop watching and end `batches()` (safe from any thread, more than once)."""
        self._queue.put(_CLOSED)
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join()

    def batches(self, max_wait: float = 2.0) -> Iterator[frozenset[str]]:
        """Yield the paths changed, once they have been quiet for `debounce` seconds.

        A batch waits at most `max_wait` seconds, so a file written continuously still rebuilds.
        """
        while True:
            first = self._queue.get()
            if first is _CLOSED:
                return
            batch = {str(first)}
            limit = time.monotonic() + max_wait
            while True:
                timeout = min(self.debounce, limit - time.monotonic())
                try:
                    item = self._queue.get(timeout=max(timeout, 0.0))
                except queue.Empty:
                    break
                if item is _CLOSED:
                    yield frozenset(batch)
                    return
                batch.add(str(item))
            yield frozenset(batch)

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
