"""shards/NN.json: each post's rendered variants and calendar events, read back when needed.

A variant is kept as it was rendered (before images and cross-post checks), as a plain dict.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from cmbuild.files import write_atomic
from cmbuild.incremental import STATE_DIR
from cmbuild.model import Finding, Media, Variant

SHARDS = 64


@dataclass(frozen=True)
class Shard:
    """One post's rendered variants (before images and cross-post checks) and calendar events."""

    variants: list[dict[str, Any]]
    events: dict[str, str]


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
        "kind": v.kind,
        "plan": v.plan,
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
        kind=d.get("kind", "news"),
        plan=d.get("plan"),
    )


def local_time(iso: str, zone: str) -> datetime:
    """An ISO 8601 time back in its named zone (what the variant had when it was rendered)."""
    when = datetime.fromisoformat(iso)
    if zone and zone != "UTC":
        when = when.astimezone(ZoneInfo(zone))
    return when
