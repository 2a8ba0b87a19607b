"""index.json: per post and per variant, what the last build made (see `cmbuild.incremental`).

On disk each record is a JSON list (a row has twenty fields: names would repeat them 16,000 times
in a large build); in memory it is a NamedTuple, so every field is read by name and costs nothing
more than the list did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from cmbuild import __version__
from cmbuild.files import write_atomic
from cmbuild.incremental import FORMAT, STATE_DIR
from cmbuild.incremental.inputs import Stat
from cmbuild.incremental.shards import media_from, media_to
from cmbuild.model import Media

INDEX_FILE = "index.json"


class IndexRow(NamedTuple):
    """One variant's row as the index keeps it (see `cmbuild.incremental.rows.Row`)."""

    id: str
    channel: str
    platform: str
    slug: str
    title: str
    status: str
    local: str  # ISO 8601 time in the variant's zone
    timestamp: float
    timezone: str
    output: str
    fingerprint: str
    findings: list[dict[str, Any]]
    final: str
    jobs: list[dict[str, Any]]
    media: list[dict[str, Any]] | None
    content_hash: str | None
    campaign: str | None
    tags: list[str]
    kind: str  # news, event or evergreen: how the preview calendar tells the plan apart
    plan: str | None  # why the queue placed it there (background posts only)
    manifest: list[int] | None  # (offset, length) of its entry in manifest.json
    event: list[int] | None  # (offset, length) of its event in calendar.ics


class RequestRecord(NamedTuple):
    """When a post asked to go out on one channel, as written (`cmbuild.schedule.slots.Request`)."""

    channel: str
    raw: str | None
    zone: str | None
    line: int | None
    key: str
    queued: bool = False
    campaign: str | None = None
    own_text: bool = False
    event: bool = False
    repeat_weeks: int = 0
    repeat_until: str | None = None


@dataclass
class PostEntry:
    """What the index knows of one post."""

    sha: str
    key: str
    requests: list[RequestRecord]
    images: list[str]
    warnings: list[dict[str, Any]]
    rows: list[IndexRow]


@dataclass
class Index:
    config_hash: str = ""
    posts: dict[str, PostEntry] = field(default_factory=dict)
    images: dict[str, tuple[Stat, Media]] = field(default_factory=dict)
    files: dict[str, tuple[Stat, str]] = field(default_factory=dict)  # input path -> stat, digest
    outputs: dict[str, str] = field(default_factory=dict)  # output path -> digest
    # manifest.json and calendar.ics as written: (mtime_ns, size), to trust the spans in rows.
    written: dict[str, Stat] = field(default_factory=dict)
    preview: dict[str, str] = field(default_factory=dict)  # post page path -> key it was made with


def read_index(out: Path) -> Index:
    try:
        data = orjson.loads((out / STATE_DIR / INDEX_FILE).read_bytes())
        if data.get("format") != FORMAT or data.get("tool") != __version__:
            return Index()
        return Index(
            config_hash=data["config_hash"],
            posts={k: _entry_from(v) for k, v in data["posts"].items()},
            images={k: ((v[0][0], v[0][1]), media_from(v[1])) for k, v in data["images"].items()},
            files={k: ((v[0][0], v[0][1]), v[1]) for k, v in data["files"].items()},
            outputs=data["outputs"],
            written={k: (v[0], v[1]) for k, v in data["written"].items()},
            preview=data["preview"],
        )
    except (FileNotFoundError, orjson.JSONDecodeError, KeyError, TypeError, IndexError, ValueError):
        return Index()


def write_index(out: Path, index: Index) -> None:
    data = {
        "format": FORMAT,
        "tool": __version__,
        "config_hash": index.config_hash,
        "posts": dict(sorted(index.posts.items())),
        "images": {k: [list(s), media_to(m)] for k, (s, m) in sorted(index.images.items())},
        "files": {k: [list(s), d] for k, (s, d) in sorted(index.files.items())},
        "outputs": dict(sorted(index.outputs.items())),
        "written": {k: list(v) for k, v in sorted(index.written.items())},
        "preview": dict(sorted(index.preview.items())),
    }
    # orjson writes a PostEntry (a dataclass) as an object, in field order; it leaves a NamedTuple
    # to `default`, which writes it as the list it is on disk.
    write_atomic(out / STATE_DIR / INDEX_FILE, orjson.dumps(data, default=list), durable=False)


def _entry_from(data: dict[str, Any]) -> PostEntry:
    # `_make` raises TypeError for a record of another length: the index is then not trusted.
    return PostEntry(
        sha=data["sha"],
        key=data["key"],
        requests=list(map(RequestRecord._make, data["requests"])),
        images=data["images"],
        warnings=data["warnings"],
        rows=list(map(IndexRow._make, data["rows"])),
    )
