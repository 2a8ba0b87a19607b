"""What the last build saw and made, so the next one redoes only what changed.

Two files under `<output>/.cmbuild/`:
- `stamp.json`, small: the size and modification time of every input, the summary and findings of
  the build. When every input still has the same size and time, nothing is rebuilt (the no-op path
  imports no template, Markdown or YAML library at all).
- `state.json`, larger: per post, the content digest and the cache key it was rendered with, its
  schedule requests and its rendered variants and calendar events; per image, its facts; per output
  file, the digest written. A post is re-rendered only when its own bytes, a template, the charter,
  channels.toml, one of its images or its resolved times changed: dependency tracking by content
  digest, with size and time only as a shortcut to skip hashing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from cmbuild import __version__
from cmbuild.model import Finding, Media, Variant
from cmbuild.schedule import Request
from cmbuild.write.files import write_atomic

STATE_DIR = ".cmbuild"
FORMAT = 1

Stat = tuple[int, int]  # (mtime_ns, size)


@dataclass
class PostRecord:
    sha: str
    key: str
    requests: list[Request]
    images: list[str]
    variants: list[Variant]
    warnings: list[Finding]
    events: dict[str, str]
    fingerprints: dict[str, str]


@dataclass
class State:
    config_hash: str = ""
    posts: dict[str, PostRecord] = field(default_factory=dict)
    images: dict[str, tuple[Stat, Media]] = field(default_factory=dict)
    files: dict[str, tuple[Stat, str]] = field(default_factory=dict)  # input path -> stat, digest
    outputs: dict[str, str] = field(default_factory=dict)  # output path -> digest


@dataclass
class Stamp:
    inputs: dict[str, Stat]
    outputs: list[str]
    summary: dict[str, Any]


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
    write_atomic(out / STATE_DIR / "stamp.json", orjson.dumps(data))


def read_state(out: Path) -> State:
    try:
        data = orjson.loads((out / STATE_DIR / "state.json").read_bytes())
        if data.get("format") != FORMAT or data.get("tool") != __version__:
            return State()
        return State(
            config_hash=data["config_hash"],
            posts={k: _record_from(v, k) for k, v in data["posts"].items()},
            images={k: ((v[0][0], v[0][1]), _media_from(v[1])) for k, v in data["images"].items()},
            files={k: ((v[0][0], v[0][1]), v[1]) for k, v in data["files"].items()},
            outputs=data["outputs"],
        )
    except (FileNotFoundError, orjson.JSONDecodeError, KeyError, TypeError, IndexError, ValueError):
        return State()


def write_state(out: Path, state: State) -> None:
    data = {
        "format": FORMAT,
        "tool": __version__,
        "config_hash": state.config_hash,
        "posts": {k: _record_to(v) for k, v in sorted(state.posts.items())},
        "images": {k: [list(s), m.to_dict()] for k, (s, m) in sorted(state.images.items())},
        "files": {k: [list(s), d] for k, (s, d) in sorted(state.files.items())},
        "outputs": dict(sorted(state.outputs.items())),
    }
    write_atomic(out / STATE_DIR / "state.json", orjson.dumps(data))


def _record_to(record: PostRecord) -> dict[str, Any]:
    return {
        "sha": record.sha,
        "key": record.key,
        "requests": [[r.channel, r.raw, r.zone, r.line, r.key] for r in record.requests],
        "images": record.images,
        "variants": [variant_to_dict(v) for v in record.variants],
        "warnings": [w.to_dict() for w in record.warnings],
        "events": record.events,
        "fingerprints": record.fingerprints,
    }


def _record_from(data: dict[str, Any], source: str = "") -> PostRecord:
    variants = [variant_from_dict(v) for v in data["variants"]]
    origin = variants[0].source if variants else source
    return PostRecord(
        sha=data["sha"],
        key=data["key"],
        requests=[
            Request(origin, c, raw, zone, line, key) for c, raw, zone, line, key in data["requests"]
        ],
        images=data["images"],
        variants=variants,
        warnings=[Finding.from_dict(w) for w in data["warnings"]],
        events=data["events"],
        fingerprints=data["fingerprints"],
    )


def _media_from(data: dict[str, Any]) -> Media:
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
        "media": [{**m.to_dict(), "focus": list(m.focus), "line": m.line} for m in v.media],
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
    from zoneinfo import ZoneInfo

    scheduled = datetime.fromisoformat(d["scheduled"])
    if d["timezone"] and d["timezone"] != "UTC":
        scheduled = scheduled.astimezone(ZoneInfo(d["timezone"]))
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
        scheduled=scheduled,
        timezone=d["timezone"],
        link=d["link"],
        media=tuple(_media_from(m) for m in d["media"]),
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
