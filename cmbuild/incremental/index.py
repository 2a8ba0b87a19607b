"""What the last build saw and made, so the next one redoes only what changed.

Under `<output>/.cmbuild/`:
- `stamp.json`, small: the size and modification time of every input, the summary and findings of
  the build. When every input still has the same size and time, nothing is rebuilt (the no-op path
  imports no template, Markdown or YAML library at all).
- `index.json`: per post, the content digest and the cache key it was rendered with, its schedule
  requests and resolved times, and one light *row* per variant (what every build-wide stage reads:
  channel, time, status, final findings, the digest of its text file, where its entry sits in
  manifest.json and its event in calendar.ics); per image, its facts; per output file, the digest
  written. A post is re-rendered only when its own bytes, a template, the charter, channels.toml,
  one of its images or its resolved times changed: dependency tracking by content digest, with
  size and time only as a shortcut to skip hashing.
- `shards/NN.json`: the rendered variants and calendar events of the posts whose source hashes to
  NN, read only when one of them has to be looked at again (its findings changed, the preview
  needs it). A one-post edit rewrites one shard, not the whole state.

Every file is replaced atomically, but not synced to disk (the manifest and the calendar are): a
missing or unreadable one, after a power cut, only makes the next build slower.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from cmbuild import __version__
from cmbuild.model import Finding, Media, Variant
from cmbuild.write.files import write_atomic

STATE_DIR = ".cmbuild"
FORMAT = 2
SHARDS = 64

Stat = tuple[int, int]  # (mtime_ns, size)


@dataclass
class PostEntry:
    """What the index knows of one post; `rows` are its variants' light records (plain dicts)."""

    sha: str
    key: str
    requests: list[list[Any]]  # [channel, raw, zone, line, key]
    images: list[str]
    warnings: list[dict[str, Any]]
    rows: list[list[Any]]  # see cmbuild.incremental.rows.Row.to_index


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


@dataclass
class Memo:
    """What a long-running process (`cmbuild serve`) keeps in memory from one build to the next.

    The index it wrote (valid while index.json keeps the size and time it had then), the rows it
    made, and the manifest and calendar bytes, so that a rebuild reads none of them back. A build
    that fails forgets everything but the configuration, which is kept by the digest of its files.
    """

    index: Index | None = None
    stat: Stat | None = None
    rows: dict[str, list[Any]] = field(default_factory=dict)  # source -> its Rows
    files: dict[str, tuple[Stat, bytes]] = field(default_factory=dict)  # name -> (stat, bytes)
    entries: dict[str, Any] = field(default_factory=dict)  # the preview's calendar entries
    # (config digest, channels, charter, template environment): valid as long as the digest is.
    config: tuple[str, Any, Any, Any] | None = None

    def clear(self) -> None:
        self.index, self.stat, self.rows, self.files, self.entries = None, None, {}, {}, {}


@dataclass
class Stamp:
    inputs: dict[str, Stat]
    outputs: list[str]
    summary: dict[str, Any]


@dataclass(frozen=True)
class Shard:
    """One post's rendered variants (before images and cross-post checks) and calendar events."""

    variants: list[dict[str, Any]]
    events: dict[str, str]


def read_stamp(out: Path) -> Stamp | None:
    try:
        data = orjson.loads((out / STATE_DIR / "stamp.json").read_bytes())
        if data.get("format") != FORMAT or data.get("tool") != __version__:
            return None
        return Stamp(
            inputs={k: (v[0], v[1]) for k, v in data["inputs"].items()},
            outputs=data["outputs"],
            summary=data["summary"],
        )
    except (FileNotFoundError, orjson.JSONDecodeError, KeyError, TypeError, IndexError, ValueError):
        return None


def write_stamp(out: Path, stamp: Stamp) -> None:
    data = {
        "format": FORMAT,
        "tool": __version__,
        "inputs": {k: list(v) for k, v in sorted(stamp.inputs.items())},
        "outputs": sorted(stamp.outputs),
        "summary": stamp.summary,
    }
    write_atomic(out / STATE_DIR / "stamp.json", orjson.dumps(data), durable=False)


def read_index(out: Path) -> Index:
    try:
        data = orjson.loads((out / STATE_DIR / "index.json").read_bytes())
        if data.get("format") != FORMAT or data.get("tool") != __version__:
            return Index()
        return Index(
            config_hash=data["config_hash"],
            posts={k: PostEntry(**v) for k, v in data["posts"].items()},
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
        "posts": {k: vars(v) for k, v in sorted(index.posts.items())},
        "images": {k: [list(s), media_to(m)] for k, (s, m) in sorted(index.images.items())},
        "files": {k: [list(s), d] for k, (s, d) in sorted(index.files.items())},
        "outputs": dict(sorted(index.outputs.items())),
        "written": {k: list(v) for k, v in sorted(index.written.items())},
        "preview": dict(sorted(index.preview.items())),
    }
    write_atomic(out / STATE_DIR / "index.json", orjson.dumps(data), durable=False)


def shard_of(source: str) -> str:
    """The shard a post's rendered variants are kept in (stable: a digest of its path)."""
    number = int.from_bytes(hashlib.blake2b(source.encode(), digest_size=2).digest(), "big")
    return f"{number % SHARDS:02d}"


class Shards:
    """The shard files, read when first needed and written back only when they changed."""

    def __init__(self, out: Path) -> None:
        self.folder = out / STATE_DIR / "shards"
        self._loaded: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] = set()

    def get(self, source: str) -> Shard | None:
        data = self._load(shard_of(source)).get(source)
        if data is None:
            return None
        return Shard(data["variants"], data["events"])

    def put(self, source: str, shard: Shard) -> None:
        name = shard_of(source)
        self._load(name)[source] = {"variants": shard.variants, "events": shard.events}
        self._dirty.add(name)

    def complete(self, sources: Iterable[str]) -> bool:
        """Whether the shard file of every one of `sources` exists."""
        try:
            present = {name.removesuffix(".json") for name in os.listdir(self.folder)}
        except FileNotFoundError:
            present = set()
        return all(shard_of(source) in present for source in sources)

    def drop(self, sources: Iterable[str]) -> None:
        """Forget posts that are gone."""
        for source in sources:
            name = shard_of(source)
            posts = self._load(name)
            if source in posts:
                del posts[source]
                self._dirty.add(name)

    def save(self) -> None:
        for name in sorted(self._dirty):
            posts = self._loaded[name]
            write_atomic(
                self.folder / f"{name}.json",
                orjson.dumps(posts, option=orjson.OPT_SORT_KEYS),
                durable=False,
            )
        self._dirty.clear()

    def _load(self, name: str) -> dict[str, Any]:
        posts = self._loaded.get(name)
        if posts is None:
            try:
                posts = orjson.loads((self.folder / f"{name}.json").read_bytes())
                if not isinstance(posts, dict):
                    posts = {}
            except (FileNotFoundError, orjson.JSONDecodeError):
                posts = {}
            self._loaded[name] = posts
        return posts


def media_to(m: Media) -> dict[str, Any]:
    return {**m.to_dict(), "focus": list(m.focus), "line": m.line}


def media_from(data: dict[str, Any]) -> Media:
    focus = data.get("focus") or (0.5, 0.5)
    return Media(
        path=data["path"],
        sha256=data["sha256"],
        bytes=data["bytes"],
        alt=data["alt"],
        width=data["width"],
        height=data["height"],
        focus=(float(focus[0]), float(focus[1])),
        line=data.get("line"),
    )


def variant_to_dict(v: Variant) -> dict[str, Any]:
    return {
        "id": v.id,
        "key": v.key,
        "source": v.source,
        "slug": v.slug,
        "channel": v.channel,
        "platform": v.platform,
        "title": v.title,
        "text": v.text,
        "text_format": v.text_format,
        "output": v.output,
        "scheduled": v.scheduled.isoformat(),
        "timezone": v.timezone,
        "link": v.link,
        "media": [media_to(m) for m in v.media],
        "campaign": v.campaign,
        "tags": list(v.tags),
        "status": v.status,
        "sponsored": v.sponsored,
        "lang": v.lang,
        "fields": [list(f) for f in v.fields],
        "length": v.length,
        "limit": v.limit,
        "unit": v.unit,
        "findings": [f.to_dict() for f in v.findings],
        "content_hash": v.content_hash,
    }


def variant_from_dict(d: dict[str, Any]) -> Variant:
    return Variant(
        id=d["id"],
        key=d["key"],
        source=d["source"],
        slug=d["slug"],
        channel=d["channel"],
        platform=d["platform"],
        title=d["title"],
        text=d["text"],
        text_format=d["text_format"],
        output=d["output"],
        scheduled=local_time(d["scheduled"], d["timezone"]),
        timezone=d["timezone"],
        link=d["link"],
        media=tuple(media_from(m) for m in d["media"]),
        campaign=d["campaign"],
        tags=tuple(d["tags"]),
        status=d["status"],
        sponsored=d["sponsored"],
        lang=d["lang"],
        fields=tuple((a, b) for a, b in d["fields"]),
        length=d["length"],
        limit=d["limit"],
        unit=d["unit"],
        findings=tuple(Finding.from_dict(f) for f in d["findings"]),
        content_hash=d["content_hash"],
    )


def local_time(iso: str, zone: str) -> datetime:
    """An ISO 8601 time back in its named zone (what the variant had when it was rendered)."""
    when = datetime.fromisoformat(iso)
    if zone and zone != "UTC":
        when = when.astimezone(ZoneInfo(zone))
    return when
