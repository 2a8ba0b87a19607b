"""output/manifest.json: every variant to publish, with stable ids and content hashes.

The push step reads only this file (and its ledger). The JSON Schema is docs/manifest.schema.json.
Drafts are not in the manifest. A variant is `publishable` when its post is approved and no
error-level finding concerns it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC
from typing import Any

import orjson

from cmbuild import __version__
from cmbuild.model import Placed, Variant

SCHEMA_VERSION = 1


def utc_iso(variant: Variant) -> str:
    return variant.scheduled.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_hash(variant: Variant) -> str:
    """A digest of everything that would be published: text, fields, link, media, time, channel."""
    canonical = {
        "channel": variant.channel,
        "text": variant.text,
        "fields": dict(variant.fields),
        "link": variant.link,
        "media": [{"sha256": m.sha256, "alt": m.alt} for m in variant.media],
        "scheduled": utc_iso(variant),
    }
    return "sha256:" + hashlib.sha256(canonical_json(canonical)).hexdigest()


def canonical_json(value: Any) -> bytes:
    """Compact UTF-8 JSON with sorted keys: the bytes `json.dumps(value, sort_keys=True,
    ensure_ascii=False, separators=(",", ":"))` encodes to (content hashes were first made that
    way; ledgers keep them), three times faster. A test compares the two."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def is_publishable(variant: Placed) -> bool:
    return variant.status == "approved" and not any(f.severity == "error" for f in variant.findings)


def entry(variant: Variant) -> dict[str, Any]:
    found = _fields(variant)
    # Optional, so that a manifest without the queue reads as before: the kind when it is not
    # news, and the queue's reason for a background post it placed.
    if variant.kind != "news":
        found["kind"] = variant.kind
    if variant.plan is not None:
        found["plan"] = variant.plan
    return found


def _fields(variant: Variant) -> dict[str, Any]:
    return {
        "id": variant.id,
        "key": variant.key,
        "channel": variant.channel,
        "platform": variant.platform,
        "source": variant.source,
        "slug": variant.slug,
        "title": variant.title,
        "status": variant.status,
        "publishable": is_publishable(variant),
        "scheduled": utc_iso(variant),
        "scheduled_local": variant.scheduled.isoformat(),
        "timezone": variant.timezone,
        "text": variant.text,
        "text_format": variant.text_format,
        "output": variant.output,
        "length": variant.length,
        "limit": variant.limit,
        "unit": variant.unit,
        "fields": dict(variant.fields),
        "link": variant.link,
        "media": [m.to_dict() for m in variant.media],
        "campaign": variant.campaign,
        "tags": list(variant.tags),
        "sponsored": variant.sponsored,
        "lang": variant.lang,
        "content_hash": variant.content_hash or content_hash(variant),
        "findings": [f.to_dict() for f in variant.findings],
    }


def order(variants: Iterable[Variant]) -> list[Variant]:
    """Manifest and calendar order: by time, then channel, then id."""
    return sorted(variants, key=lambda v: (v.scheduled, v.channel, v.id))


def fragment(variant: Variant) -> bytes:
    """One variant's entry exactly as it appears in the manifest's `variants` list (indented)."""
    data = orjson.dumps(entry(variant), option=orjson.OPT_INDENT_2)
    # JSON strings hold no raw line break, so every line break here is indentation.
    return _ITEM_INDENT + data.replace(b"\n", b"\n" + _ITEM_INDENT)


def assemble(fragments: Iterable[bytes], inputs_digest: str) -> tuple[bytes, list[tuple[int, int]]]:
    """The manifest from its entries' fragments, and where each fragment sits in it.

    The bytes are those `orjson` gives for the whole document with two-space indentation (a test
    checks it), so a rebuild can copy unchanged entries from the previous manifest.
    """
    document = {
        "schema_version": SCHEMA_VERSION,
        "build": {"tool": "cmbuild", "version": __version__, "inputs": inputs_digest},
        "variants": [],
    }
    empty = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    head, _, tail = empty.rpartition(b"[]")
    items = list(fragments)
    if not items:
        return empty, []
    parts = [head, b"[\n"]
    offset = len(head) + 2
    spans = []
    for number, item in enumerate(items):
        if number:
            parts.append(b",\n")
            offset += 2
        parts.append(item)
        spans.append((offset, len(item)))
        offset += len(item)
    parts.append(b"\n  ]" + tail)
    return b"".join(parts), spans


def manifest_bytes(variants: Iterable[Variant], inputs_digest: str) -> bytes:
    """The manifest for the non-draft variants, as deterministic UTF-8 JSON."""
    listed = [v for v in order(variants) if v.status != "draft"]
    return assemble((fragment(v) for v in listed), inputs_digest)[0]


_ITEM_INDENT = b"    "
