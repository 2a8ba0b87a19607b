"""The image files of a variant, read and checked against the digests in the manifest.

The manifest names an image by a path relative to the output folder (a processed image) or to the
repository (a source image). A push may run in another checkout than the build: the digest check
makes sure the bytes sent are the bytes that were checked.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from cmbuild.manifest.reader import VariantEntry
from cmbuild.platforms.shared.publisher import MediaFile, PublishError

_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def load_media(entry: VariantEntry, output_dir: Path, root: Path) -> tuple[MediaFile, ...]:
    """Every image of `entry`; a PublishError naming the file if one is missing or changed."""
    found: list[MediaFile] = []
    for media in entry.media:
        if Path(media.path).is_absolute() or ".." in Path(media.path).parts:
            raise PublishError(f"image {media.path} is outside the repository")
        data: bytes | None = None
        changed = False
        for base in (output_dir, root):
            path = base / media.path
            if path.is_file():
                try:
                    candidate = path.read_bytes()
                except OSError as error:
                    raise PublishError(f"cannot read image {media.path}: {error}") from None
                if hashlib.sha256(candidate).hexdigest() == media.sha256:
                    data = candidate
                    break
                changed = True
        if data is None and changed:
            raise PublishError(
                f"image {media.path} changed since the build (its sha256 differs): "
                "run `cmbuild build` again"
            )
        if data is None:
            raise PublishError(f"image {media.path} not found (run `cmbuild build` first)")
        suffix = Path(media.path).suffix.lower()
        mime = _TYPES.get(suffix) or mimetypes.guess_type(media.path)[0]
        found.append(MediaFile(media.path, data, mime or "application/octet-stream", media.alt))
    return tuple(found)
