"""Looking inside output files: which metadata blocks they carry. Not a test module."""

from __future__ import annotations

import struct

from PIL import Image

# Chunks that are pixels or how to decode them, not metadata.
_PNG_PIXELS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
_WEBP_PIXELS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}


def metadata(data: bytes) -> list[str]:
    """The metadata blocks of a JPEG, PNG or WebP file (EXIF, XMP, ICC, text, comments...)."""
    if data[:2] == b"\xff\xd8":
        return _jpeg(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _png(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    raise ValueError("not a JPEG, PNG or WebP file")


def _jpeg(data: bytes) -> list[str]:
    found = []
    offset = 2
    while offset + 4 <= len(data):
        marker = data[offset + 1]
        if marker == 0xDA:  # start of scan: pixels follow
            break
        length = struct.unpack(">H", data[offset + 2 : offset + 4])[0]
        body = data[offset + 4 : offset + 2 + length]
        if marker == 0xE0 and body.startswith(b"JFIF\0"):
            pass  # the JFIF header: version and pixel density only
        elif 0xE0 <= marker <= 0xEF:
            found.append(f"APP{marker - 0xE0}:{body[:12]!r}")
        elif marker == 0xFE:
            found.append(f"COM:{body[:12]!r}")
        offset += 2 + length
    return found


def _png(data: bytes) -> list[str]:
    found = []
    offset = 8
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind not in _PNG_PIXELS:
            found.append(kind.decode("latin-1"))
        offset += 12 + length
    return found


def _webp(data: bytes) -> list[str]:
    found = []
    offset = 12
    while offset + 8 <= len(data):
        kind, length = struct.unpack("<4sI", data[offset : offset + 8])
        if kind not in _WEBP_PIXELS:
            found.append(kind.decode("latin-1"))
        offset += 8 + length + (length & 1)
    return found


def pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    """The channels of one pixel (Pillow types it loosely)."""
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value
