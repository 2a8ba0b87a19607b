"""Facts about the source images posts use: digest, size in bytes, pixel dimensions.

Only the image header is read for the dimensions (Pillow opens lazily); the digest reads the file.
The image stage (crops, overlays, encodes) builds on these facts.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cmbuild.model import Media


def describe_image(root: Path, path: str) -> Media:
    """Media facts for `path` (repository-relative); alt text is filled in per post."""
    data = (root / path).read_bytes()
    width, height = image_size(root / path)
    return Media(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        alt=None,
        width=width,
        height=height,
    )


def image_size(path: Path) -> tuple[int | None, int | None]:
    from PIL import Image, UnidentifiedImageError

    from cmbuild.images.decode import pixel_cap

    try:
        # The header only: the image stage refuses sizes over the charter's cap, with a finding.
        with pixel_cap(None), Image.open(path) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError):
        return None, None
    return width, height
