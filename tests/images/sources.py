"""Deterministic test images: photo-like JPEGs, and the awkward inputs real posts bring.

Not a test module. Everything is drawn from fixed seeds, so the same call gives the same bytes
(with the same Pillow), which the golden digests rely on.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageChops, ImageCms, ImageDraw

SHAPES = {
    "landscape": (3000, 2000),
    "portrait": (2000, 3000),
    "square": (2400, 2400),
    "tiny": (400, 300),
    "panorama": (4000, 1000),
}


def picture(size: tuple[int, int], seed: int = 1) -> Image.Image:
    """Soft colour fields, a few shapes and some grain: compresses roughly like a photo."""
    rng = random.Random(seed)
    cells = Image.new("RGB", (8, 6))
    cells.putdata([tuple(rng.randrange(30, 230) for _ in range(3)) for _ in range(48)])
    image = cells.resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    w, h = size
    for _ in range(12):
        x, y = rng.randrange(w), rng.randrange(h)
        r = rng.randrange(max(2, min(w, h) // 20), max(3, min(w, h) // 4))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    small = (max(1, w // 8), max(1, h // 8))
    noise = Image.frombytes("L", small, rng.randbytes(small[0] * small[1]))
    noise = noise.resize(size, Image.Resampling.BILINEAR).point(lambda v: 128 + (v - 128) // 6)
    return ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), offset=-128)


def jpeg(image: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def png(image: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def with_metadata(image: Image.Image) -> bytes:
    """A JPEG with GPS EXIF, XMP, an ICC profile and a comment: none of it may reach an output."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:11:23 10:00:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (44.0, 50.0, 30.0), 3: "W", 4: (0.0, 34.0, 12.0)})
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return jpeg(image, exif=exif.tobytes(), xmp=xmp, icc_profile=srgb, comment=b"secret place")


def rotated(image: Image.Image, orientation: int) -> bytes:
    """A JPEG whose pixels are stored turned, with the EXIF orientation that shows them upright."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    return jpeg(image, exif=exif.tobytes())


def cmyk_jpeg(size: tuple[int, int] = (600, 400)) -> bytes:
    return jpeg(picture(size, 7).convert("CMYK"))


def png16(size: tuple[int, int] = (320, 240)) -> bytes:
    """A 16-bit greyscale PNG: a left-to-right ramp from black to white."""
    row = b"".join(struct.pack(">H", x * 65535 // (size[0] - 1)) for x in range(size[0]))
    raw = b"".join(b"\x00" + row for _ in range(size[1]))
    return _png_file(size, bit_depth=16, colour_type=0, raw=raw)


def huge_png_header(size: tuple[int, int] = (30000, 30000)) -> bytes:
    """A valid PNG header claiming `size`, with almost no data: a decompression bomb's header."""
    row = b"\x00" + b"\x00" * size[0]
    return _png_file(size, bit_depth=8, colour_type=0, raw=row * 2)


def palette_png_transparent(size: tuple[int, int] = (400, 400)) -> bytes:
    """A palette PNG: a terracotta disc on a fully transparent background."""
    image = Image.new("P", size, 0)
    image.putpalette([0, 0, 0, 0xE0, 0x7A, 0x5F] + [0] * (256 * 3 - 6))
    ImageDraw.Draw(image).ellipse((40, 40, size[0] - 40, size[1] - 40), fill=1)
    return png(image, transparency=0)


def animated_gif(size: tuple[int, int] = (300, 200)) -> bytes:
    frames = [
        Image.new("RGB", size, color) for color in ((200, 30, 30), (30, 200, 30), (30, 30, 200))
    ]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def _png_file(size: tuple[int, int], *, bit_depth: int, colour_type: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size[0], size[1], bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def write(root: Path, relative: str, data: bytes) -> str:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return relative
