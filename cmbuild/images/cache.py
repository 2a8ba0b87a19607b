"""What the image stage made last time, so that a rebuild re-encodes only what changed.

Every output is keyed by a digest of everything that shapes its bytes: the source's bytes, the
focal point, the platform's spec and the channel's choices, the brand settings that apply (colours,
overlay, logo bytes; the font for title cards), and the versions of this stage and of Pillow.
The index maps each output to the key it was made from and the size and time of the file written;
when both still match, the output is reused without reading a single pixel.

Source digests are cached by size and modification time, like the rest of cmbuild: a touched but
unchanged file is hashed again, finds the same digest, and re-renders nothing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from cmbuild.images.notes import Note

INDEX_FILE = "images.json"
# Bump when the same inputs would give different bytes (a change of layout, encoder settings...).
STAGE_VERSION = 1

Stat = tuple[int, int]  # (size in bytes, modification time in ns)


@dataclass(frozen=True)
class Entry:
    """One output as it was written."""

    key: str
    path: str  # output-relative, with its extension
    sha256: str
    bytes: int
    width: int
    height: int
    stat: Stat
    notes: tuple[Note, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "path": self.path,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "width": self.width,
            "height": self.height,
            "stat": list(self.stat),
            "notes": [n.to_list() for n in self.notes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        size, mtime = data["stat"]
        return cls(
            key=str(data["key"]),
            path=str(data["path"]),
            sha256=str(data["sha256"]),
            bytes=int(data["bytes"]),
            width=int(data["width"]),
            height=int(data["height"]),
            stat=(int(size), int(mtime)),
            notes=tuple(Note.from_list(n) for n in data["notes"]),
        )


@dataclass
class Index:
    sources: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # size, mtime, sha256
    outputs: dict[str, Entry] = field(default_factory=dict)  # by the job's output (no extension)
    orphans: set[str] = field(default_factory=set)  # written before, produced no more
    changed: bool = False


def read_index(cache_dir: Path) -> Index:
    """The saved index, or an empty one if there is none or it is from another version."""
    try:
        data = orjson.loads((cache_dir / INDEX_FILE).read_bytes())
        if data.get("version") != STAGE_VERSION:
            return Index(changed=True)
        return Index(
            sources={p: (int(a), int(b), str(c)) for p, (a, b, c) in data["sources"].items()},
            outputs={k: Entry.from_dict(v) for k, v in data["outputs"].items()},
            orphans=set(data["orphans"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return Index(changed=True)


def write_index(cache_dir: Path, index: Index) -> None:
    from cmbuild.files import write_atomic

    data = {
        "version": STAGE_VERSION,
        "sources": {p: list(v) for p, v in sorted(index.sources.items())},
        "outputs": {k: e.to_dict() for k, e in sorted(index.outputs.items())},
        "orphans": sorted(index.orphans),
    }
    write_atomic(cache_dir / INDEX_FILE, orjson.dumps(data, option=orjson.OPT_SORT_KEYS))
    index.changed = False


def stat_of(path: Path) -> Stat | None:
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (st.st_size, st.st_mtime_ns)


def source_digest(root: Path, source: str, index: Index) -> str | None:
    """The sha256 of a source file (None if it is missing), hashing only when its stat changed."""
    stat = stat_of(root / source)
    if stat is None:
        return None
    known = index.sources.get(source)
    if known is not None and (known[0], known[1]) == stat:
        return known[2]
    with open(root / source, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    index.sources[source] = (stat[0], stat[1], digest)
    index.changed = True
    return digest


def file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def render_key(parts: dict[str, Any]) -> str:
    """A digest of everything that shapes one output's bytes."""
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()
