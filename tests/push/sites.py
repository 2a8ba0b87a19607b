"""Small content repositories for push tests: channels.toml, templates, images and a manifest.

Manifests are written by hand here (validated against docs/manifest.schema.json), so that each
test states exactly which variants exist, when they are due and what they say.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from cmbuild import platforms

REPO = Path(__file__).parent.parent.parent
SCHEMA = json.loads((REPO / "docs" / "manifest.schema.json").read_text(encoding="utf-8"))

# A 1x1 PNG: real image bytes to upload.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2b2f2a40000000049454e44ae426082"
)


def variant(
    channel: str,
    platform: str,
    scheduled: str,
    *,
    slug: str = "post",
    text: str | None = None,
    campaign: str | None = "launch",
    publishable: bool = True,
    media: list[dict[str, Any]] | None = None,
    text_format: str = "plain",
    title: str = "A title",
) -> dict[str, Any]:
    """One manifest entry, schema-valid, with a stable id from its post and channel."""
    source = f"posts/{slug}.md"
    key = f"{source}#{channel}"
    text = text if text is not None else f"{slug} on {channel} at {scheduled}"
    when = datetime.fromisoformat(scheduled).astimezone(UTC)
    canonical = json.dumps({"key": key, "text": text, "at": scheduled}, sort_keys=True)
    extension = ".html" if text_format == "html" else ".txt"
    return {
        "id": hashlib.sha256(key.encode()).hexdigest()[:20],
        "key": key,
        "channel": channel,
        "platform": platform,
        "source": source,
        "slug": slug,
        "title": title,
        "status": "approved" if publishable else "review",
        "publishable": publishable,
        "scheduled": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scheduled_local": when.isoformat(),
        "timezone": "UTC",
        "text": text,
        "text_format": text_format,
        "output": f"{channel}/{slug}{extension}",
        "length": len(text),
        "limit": None,
        "unit": "characters",
        "fields": {},
        "link": None,
        "media": media or [],
        "campaign": campaign,
        "tags": [],
        "sponsored": False,
        "lang": "en",
        "content_hash": "sha256:" + hashlib.sha256(canonical.encode()).hexdigest(),
        "findings": [],
    }


def image(root: Path, path: str = "media/pixel.png", alt: str = "A single pixel") -> dict[str, Any]:
    """Write an image into the repository and return its manifest media entry."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(PNG)
    return {
        "path": path,
        "sha256": hashlib.sha256(PNG).hexdigest(),
        "bytes": len(PNG),
        "width": 1,
        "height": 1,
        "alt": alt,
    }


def make_site(root: Path, channels_toml: str, variants: list[dict[str, Any]]) -> Path:
    """A content repository at `root` with these channels and this manifest."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "channels.toml").write_text(channels_toml, encoding="utf-8")
    templates = root / "brand" / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    for name in platforms.names():
        (templates / f"{name}.j2").write_text("{{ body }}\n", encoding="utf-8")
        (templates / f"{name}.html.j2").write_text("{{ body }}\n", encoding="utf-8")
    write_manifest(root, variants)
    return root


def add_to_channel(root: Path, anchor: str, lines: str) -> None:
    """Insert `lines` (a channel's options, credentials...) into `root`'s channels.toml right
    after `anchor`, the channel's first lines, which must be there."""
    channels = root / "channels.toml"
    text = channels.read_text(encoding="utf-8")
    assert anchor in text
    channels.write_text(text.replace(anchor, anchor + lines), encoding="utf-8")


def write_manifest(root: Path, variants: list[dict[str, Any]]) -> None:
    document = {
        "schema_version": 1,
        "build": {"tool": "cmbuild", "version": "0.1.0", "inputs": "sha256:" + "0" * 64},
        "variants": sorted(variants, key=lambda v: (v["scheduled"], v["channel"], v["id"])),
    }
    jsonschema.validate(document, SCHEMA)
    out = root / "output" / "manifest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")


def ledger_lines(root: Path) -> list[dict[str, Any]]:
    path = root / "state" / "ledger.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def kinds(root: Path) -> list[tuple[str, str]]:
    """(kind, variant) of every ledger line, in order."""
    return [(line["kind"], line["variant"]) for line in ledger_lines(root)]
