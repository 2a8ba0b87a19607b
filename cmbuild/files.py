"""Writing outputs without needless disk work, and atomically where integrity matters.

Replacing files is what costs on the disks we run on (see docs/architecture.md): an unchanged output
is never rewritten, a changed one is overwritten in place (no truncate-then-write), and `output/` is
never wiped; only outputs that are no longer produced are removed. The manifest, the calendar and
the build state are written to a temporary file, then renamed over the old one, so a crash leaves
either the old or the new file, never half of one; the manifest and the calendar are also synced to
disk first.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def same_content(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


def update_in_place(path: str | Path, data: bytes) -> bool:
    """Make the file at `path` hold `data`, overwriting it in place (see `write_in_place`).

    Returns False, having written nothing, when it already did: one open, one read.
    """
    try:
        with open(path, "r+b") as handle:
            if handle.read(len(data) + 1) == data:
                return False
            handle.seek(0)
            handle.write(data)
            handle.truncate()
            return True
    except FileNotFoundError:
        pass
    except PermissionError:  # a read-only output: fine as long as it already holds `data`
        if same_content(Path(path), data):
            return False
    write_in_place(Path(path), data)
    return True


def write_in_place(path: Path, data: bytes) -> None:
    """Overwrite `path` with `data` without replacing the file (cheap on our disks)."""
    try:
        with open(path, "r+b") as handle:
            handle.write(data)
            handle.truncate()
        return
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` by `data` atomically: readers see the old or the new file, never a mix.

    `durable` also syncs the file and its folder to disk, so that the new file survives a power
    cut. Caches that are checked when read (the build state) skip it: losing one costs a rebuild.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates the file readable by its owner only; give it the usual permissions.
        os.fchmod(fd, _file_mode(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    if durable:
        _fsync_dir(path.parent)


def _file_mode(path: Path) -> int:
    """The mode of the file being replaced, else what `open` would give a new file (umask)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def prune(out: Path, stale: Iterable[str]) -> list[str]:
    """Remove outputs that are no longer produced, and folders they leave empty."""
    removed = []
    folders = set()
    for relative in sorted(stale):
        path = out / relative
        try:
            path.unlink()
            removed.append(relative)
        except FileNotFoundError:
            continue
        folders.add(path.parent)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder != out:
            with contextlib.suppress(OSError):
                folder.rmdir()
    return removed
