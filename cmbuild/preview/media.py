"""The images the preview shows: each source image copied once under ``preview/media/``.

A copy is named by its content's digest, so that a changed image gets a new name (no stale copy in
a browser cache) and an unchanged one keeps its name and bytes: writing only changed files then
rewrites nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from cmbuild.model import Media
from cmbuild.preview.shown import Shown

MEDIA_DIR = "preview/media"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def media_name(media: Media) -> str:
    """The output-relative path of the preview's copy of `media`."""
    name = PurePosixPath(media.path)
    stem = _UNSAFE.sub("-", name.stem).strip("-.")[:40] or "image"
    suffix = _UNSAFE.sub("", name.suffix.lower())[:8]
    return f"{MEDIA_DIR}/{media.sha256[:16]}-{stem}{suffix}"


def copy_media(variants: Sequence[Shown], root: Path | None) -> dict[str, bytes]:
    """Output-relative path → bytes of every image a variant uses that can be read under `root`.

    An image that cannot be read is left out; its card shows a placeholder with the alt text.
    """
    files: dict[str, bytes] = {}
    if root is None:
        return files
    for media in sorted({m for v in variants for m in v.media}, key=lambda m: m.path):
        target = media_name(media)
        if target in files:
            continue
        try:
            files[target] = (root / media.path).read_bytes()
        except OSError:
            continue
    return files
