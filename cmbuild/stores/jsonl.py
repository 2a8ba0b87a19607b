"""Append-only JSON Lines files in state/: read line by line, append durably, set a torn line aside.

Every line is appended with one `write` on a file opened for appending, then fsync'd (and the
folder too when the file is new): a crash can lose at most the line being written, never one
already there. A last line without its newline is either complete (a crash after the write but
before the newline of a repair) or torn (cut short); the store that parses the lines decides.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TORN_SUFFIX = ".torn"  # beside the file: the bytes of a torn last line, set aside


@dataclass(frozen=True)
class RawLines:
    """A JSON Lines file as bytes: its complete lines, numbered from 1, and what follows them."""

    lines: tuple[bytes, ...]  # each without its newline, blank ones included
    size: int  # bytes of the whole file
    tail: bytes = b""  # after the last newline: a complete line without newline, or a torn one

    @property
    def tail_line(self) -> int:
        return len(self.lines) + 1


def read_lines(path: Path) -> RawLines:
    """The lines of `path`; none when it does not exist."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return RawLines((), 0)
    chunks = data.split(b"\n")
    tail = chunks.pop()  # b"" when the file ends with a newline
    return RawLines(tuple(chunks), len(data), tail)


def append(path: Path, data: bytes) -> None:
    """Append `data` (whole lines) to `path` with one write, fsync'd before returning."""
    created = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        _fsync_dir(path.parent)


def set_aside(path: Path, torn: bytes, size: int) -> Path:
    """Move a torn last line to `<name>.torn` and cut `path` to its first `size` bytes."""
    aside = path.with_name(path.name + TORN_SUFFIX)
    with open(aside, "ab") as handle:
        handle.write(torn + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    with open(path, "r+b") as handle:
        handle.truncate(size)
        os.fsync(handle.fileno())
    return aside


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
