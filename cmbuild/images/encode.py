"""Encoding within a platform's byte limit, at the best quality that fits.

JPEG and WebP qualities are searched by bisection between the brand's minimum and its preferred
quality: the first try is the preferred quality, which fits most of the time. PNG has no quality
knob: it fits or it does not. The bytes depend only on the pixels and the settings (no clock, no
metadata), so the same input always gives the same file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image

OPTIMIZE_PIXELS = 2_500_000


@dataclass(frozen=True)
class Encoded:
    data: bytes
    format: str  # jpeg, webp or png
    quality: int | None


@dataclass
class Memo:
    """Files already encoded from one picture, by (format, quality): variants share them."""

    saved: dict[tuple[str, int | None], bytes] = field(default_factory=dict)


def save(image: Image.Image, fmt: str, quality: int | None) -> bytes:
    """`image` as a file, with no metadata at all (EXIF, XMP, ICC, comments, dates)."""
    image.info = {}  # Pillow writes some of `info` back (a JPEG comment, a PNG profile)
    buffer = io.BytesIO()
    if fmt == "jpeg":
        # Optimised Huffman tables save 5-10% for a second pass; past a few megapixels the pass
        # costs more time than the bytes are worth.
        optimize = image.width * image.height <= OPTIMIZE_PIXELS
        image.save(buffer, "JPEG", quality=quality, optimize=optimize)
    elif fmt == "webp":
        image.save(buffer, "WEBP", quality=quality, method=4)
    elif fmt == "png":
        image.save(buffer, "PNG", compress_level=6)
    else:  # pragma: no cover - targets only name the three formats above
        raise ValueError(f"cannot write {fmt!r}")
    return buffer.getvalue()


def encode_within(
    image: Image.Image,
    fmt: str,
    max_bytes: int | None,
    quality: int,
    min_quality: int,
    memo: Memo,
) -> Encoded | None:
    """`image` encoded as `fmt` at the best quality that fits `max_bytes`; None if none does."""

    def attempt(q: int | None) -> bytes:
        key = (fmt, q)
        if key not in memo.saved:
            memo.saved[key] = save(image, fmt, q)
        return memo.saved[key]

    def fits(data: bytes) -> bool:
        return max_bytes is None or len(data) <= max_bytes

    if fmt == "png":
        data = attempt(None)
        return Encoded(data, fmt, None) if fits(data) else None
    data = attempt(quality)
    if fits(data):
        return Encoded(data, fmt, quality)
    best: Encoded | None = None
    low, high = min_quality, quality - 1
    while low <= high:
        middle = (low + high) // 2
        data = attempt(middle)
        if fits(data):
            best = Encoded(data, fmt, middle)
            low = middle + 1
        else:
            high = middle - 1
    return best
