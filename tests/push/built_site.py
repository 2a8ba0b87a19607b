"""A small content repository written from Python and built with `cmbuild build`: its manifest,
texts and processed images are the real ones, so a push test sends what a build makes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from PIL import Image

from cmbuild.build import build

CHARTER = """\
[brand]
name = "Atelier Test"
lang = "fr"
domains = ["atelier.example"]

[handles.ville]
name = "La Ville"
linkedin = "urn:li:organization:42"
"""


def jpeg(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def built_site(
    root: Path,
    channels_toml: str,
    templates: dict[str, str],
    posts: dict[str, str],
    images: dict[str, bytes] | None = None,
) -> Path:
    """Write a repository at `root` (files under posts/, brand/templates/, media/) and build it."""
    files = {
        "channels.toml": channels_toml,
        "brand/charter.toml": CHARTER,
        **{f"brand/templates/{name}": text for name, text in templates.items()},
        **{f"posts/{name}": text for name, text in posts.items()},
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, data in (images or {}).items():
        path = root / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    result = build(root, jobs=1)
    del result
    return root


def variants(root: Path, channel: str) -> dict[str, dict[str, Any]]:
    """The channel's variants in the manifest, by post slug."""
    manifest = json.loads((root / "output" / "manifest.json").read_text(encoding="utf-8"))
    return {v["slug"]: v for v in manifest["variants"] if v["channel"] == channel}


def processed(root: Path, entry: dict[str, Any]) -> list[bytes]:
    """The bytes of a variant's images as the build wrote them (what must be uploaded)."""
    found = []
    for media in entry["media"]:
        path = root / "output" / media["path"]
        found.append(path.read_bytes() if path.exists() else (root / media["path"]).read_bytes())
    return found
