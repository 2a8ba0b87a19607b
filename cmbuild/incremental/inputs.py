"""The files a build reads, their sizes and times (cheap), and their digests (only when needed)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from cmbuild.layout import (
    CHANNELS_FILE,
    CHARTER_FILE,
    HALT_FILE,
    LEDGER_FILE,
    METRICS_DIR,
    REPLIES_FILE,
    STATE_DIR,
    TEMPLATES_DIR,
    WATCH_DIR,
    WATCH_FILE,
    post_sources,
)
from cmbuild.stores.jsonl import TORN_SUFFIX

Stat = tuple[int, int]  # (mtime_ns, size)
# What the preview's watch and slots pages read (cmbuild/preview/loop.py): watched, so that a
# build after `cmbuild watch` or `cmbuild collect` is not a no-op; not digested (no post uses it).
LOOP_FILES = (
    WATCH_FILE,
    f"{WATCH_DIR}/mentions.jsonl",
    f"{WATCH_DIR}/mentions.jsonl{TORN_SUFFIX}",
    f"{WATCH_DIR}/sources.json",
    LEDGER_FILE,
)
LOOP_DIRS = (METRICS_DIR, f"{STATE_DIR}/activity")
# A post that is a symbolic link to nothing: listed under this prefix so the build can warn.
DANGLING = ":dangling:"


def stat_of(path: str | Path) -> Stat | None:
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (st.st_mtime_ns, st.st_size)


def template_files(root: Path) -> list[str]:
    base = root / TEMPLATES_DIR
    found = []
    for folder, dirs, files in os.walk(base):
        dirs.sort()
        for name in sorted(files):
            found.append((Path(folder) / name).relative_to(root).as_posix())
    return found


def config_files(root: Path) -> list[str]:
    return [CHANNELS_FILE, CHARTER_FILE, *template_files(root)]


def scan(root: Path) -> dict[str, Stat]:
    """Size and time of every config file, template and post (absent files are left out)."""
    found: dict[str, Stat] = {}
    for relative in config_files(root):
        stat = stat_of(root / relative)
        if stat is not None:
            found[relative] = stat
    # The halt file changes what the preview shows and where the queue places background posts:
    # watched (a new halt is never a no-op), not digested (it changes no post's rendering).
    halt = stat_of(root / HALT_FILE)
    if halt is not None:
        found[HALT_FILE] = halt
    # The approved replies are checked by every build (their findings are in the summary).
    replies = stat_of(root / REPLIES_FILE)
    if replies is not None:
        found[REPLIES_FILE] = replies
    found.update(loop_files(root))
    for source in post_sources(root):
        path = os.path.join(root, source)
        stat = stat_of(path)
        if stat is not None:
            found[source] = stat
        elif os.path.islink(path):
            found[DANGLING + source] = (0, 0)
    return found


def loop_files(root: Path) -> dict[str, Stat]:
    """Size and time of each file the preview's watch and slots pages read (absent: left out)."""
    found: dict[str, Stat] = {}
    listed = list(LOOP_FILES)
    for folder in LOOP_DIRS:
        try:
            listed += sorted(f"{folder}/{name}" for name in os.listdir(root / folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
    for relative in listed:
        stat = stat_of(root / relative)
        if stat is not None:
            found[relative] = stat
    return found


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def config_digest(root: Path, version: str) -> str:
    """One digest of everything that affects every post: the tool, channels, charter, templates."""
    h = hashlib.sha256(version.encode())
    for relative in config_files(root):
        h.update(b"\0" + relative.encode() + b"\0")
        try:
            h.update((root / relative).read_bytes())
        except FileNotFoundError:
            h.update(b"<absent>")
    return h.hexdigest()


def outputs_present(out: Path, outputs: Iterable[str]) -> bool:
    """Whether every listed output still exists (one directory listing per folder, no stat)."""
    listing: dict[str, set[str]] = {}
    for relative in outputs:
        folder, _, name = relative.rpartition("/")
        names = listing.get(folder)
        if names is None:
            try:
                names = set(os.listdir(out / folder))
            except FileNotFoundError:
                return False
            listing[folder] = names
        if name not in names:
            return False
    return True
