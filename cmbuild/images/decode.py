"""Reading a source image safely: refuse what would hurt, and hand on plain sRGB pixels.

Refused before any pixel is decoded: files Pillow cannot identify, formats we do not read, and
images over the brand's pixel cap (a decompression bomb is a small file that decodes to gigabytes).
Then the pixels are decoded once, at a reduced size when every output is much smaller (JPEG draft
mode), turned upright (EXIF orientation), and converted to sRGB (RGB, or RGBA with transparency).
Nothing of the source's metadata survives: the pixels are all that is kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from cmbuild.images.notes import Note

# The formats a post may use; others (EPS, PSD, ICO...) are refused rather than half-supported.
READABLE = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP", "AVIF")  # JPEG covers MPO
_BOMB_PIXELS = re.compile(r"\((\d+) pixels\)")
# What Pillow raises on broken data, depending on the format and where the damage is.
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError)
_SRGB_NAMES = ("srgb",)
_DAMAGED = "copy it again from the original, or export it again"
_TOO_LARGE = "downscale it before adding it, or raise images.max_source_pixels in the charter"


class SourceError(Exception):
    """A source image that cannot be used, with what to do about it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class ColorTransforms:
    """ICC transforms built so far in this process, by profile digest and modes."""

    built: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    srgb: Any = None


@contextlib.contextmanager
def pixel_cap(max_pixels: int | None) -> Iterator[None]:
    """Let Pillow refuse images over `max_pixels` (its warning becomes an error too)."""
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def open_source(path: Path, max_pixels: int) -> Image.Image:
    """Open `path` (its header only), or say why it cannot be used.

    Opening reads only the header, so the size is checked here, before any pixel is allocated;
    Pillow's own guard (MAX_IMAGE_PIXELS) stays on for the decoding that follows.
    """
    try:
        with pixel_cap(None):
            image = Image.open(path, formats=READABLE)
    except UnidentifiedImageError:
        raise SourceError(
            "is not an image cmbuild can read (corrupt, or not JPEG, PNG, GIF, WebP, TIFF, BMP"
            " or AVIF)",
            "open it in an image editor and export it again as JPEG or PNG",
        ) from None
    except FileNotFoundError:
        raise SourceError("not found") from None
    except DECODE_ERRORS as exc:
        raise SourceError(f"is truncated or corrupt ({exc})", _DAMAGED) from None
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise SourceError(
            f"is {width}×{height} ({width * height / 1_000_000:.1f} megapixels), over the"
            f" {max_pixels / 1_000_000:g}-megapixel limit (refused before decoding)",
            _TOO_LARGE,
        )
    return image


def upright_size(image: Image.Image) -> tuple[int, int]:
    """The size of `image` once its EXIF orientation is applied (read from the header)."""
    width, height = image.size
    orientation = image.getexif().get(0x0112, 1)
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def decode(
    image: Image.Image, scale: float, max_pixels: int, transforms: ColorTransforms
) -> tuple[Image.Image, list[Note]]:
    """The upright sRGB pixels of `image`, at `scale` of its size or more (JPEG only).

    The result is RGB, or RGBA when the image has real transparency.
    """
    notes: list[Note] = []
    if getattr(image, "n_frames", 1) > 1:
        notes.append(
            Note(
                "images.animated",
                "is animated: only its first frame is used",
                "export the frame you want as a still image",
            )
        )
    if scale < 1 and image.format in ("JPEG", "MPO"):
        width, height = image.size
        # Decoding at 1/2, 1/4 or 1/8 in the DCT costs a fraction of a full decode.
        image.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))
    try:
        with pixel_cap(max_pixels):
            image.seek(0)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = _BOMB_PIXELS.search(str(exc))
        size = f"{int(found.group(1)) / 1_000_000:.1f} megapixels" if found else "too large"
        raise SourceError(
            f"decodes to {size}, over the {max_pixels / 1_000_000:g}-megapixel limit", _TOO_LARGE
        ) from None
    except DECODE_ERRORS as exc:
        raise SourceError(f"is truncated or corrupt ({exc})", _DAMAGED) from None
    icc = image.info.get("icc_profile")
    ImageOps.exif_transpose(image, in_place=True)
    pixels = _normalise_mode(image)
    pixels = _to_srgb(pixels, icc, transforms, notes)
    if pixels.mode == "RGBA" and pixels.getchannel("A").getextrema()[0] == 255:
        pixels = pixels.convert("RGB")  # an alpha channel with nothing transparent in it
    if pixels is image and getattr(image, "n_frames", 1) > 1:
        pixels = image.copy()  # let the caller close the file, which frames keep open
    pixels.info = {}
    return pixels, notes


def _normalise_mode(image: Image.Image) -> Image.Image:
    """One of L, LA, RGB, RGBA or CMYK, keeping the colour space the profile describes."""
    mode = image.mode
    if mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return image
    if mode.startswith("I;16") or mode == "I":
        # 16-bit greys: scale to 8 bits (a plain convert would clip everything above 255).
        return image.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    if mode == "F":
        return image.point(lambda v: v * 255).convert("L")
    if mode in ("P", "PA"):
        transparent = "transparency" in image.info or mode == "PA"
        return image.convert("RGBA" if transparent else "RGB")
    if mode == "1":
        return image.convert("L")
    if mode in ("La",):
        return image.convert("LA")
    if mode in ("RGBa", "RGBX"):
        return image.convert("RGBA" if mode == "RGBa" else "RGB")
    return image.convert("RGB")  # YCbCr, LAB, HSV...


def _to_srgb(
    image: Image.Image, icc: bytes | None, transforms: ColorTransforms, notes: list[Note]
) -> Image.Image:
    mode = image.mode
    if icc:
        converted = _apply_profile(image, icc, transforms, notes)
        if converted is not None:
            return converted
    if mode == "LA":
        return image.convert("RGBA")
    if mode in ("RGB", "RGBA"):
        return image
    return image.convert("RGB")  # L, and CMYK without a profile


def _apply_profile(
    image: Image.Image, icc: bytes, transforms: ColorTransforms, notes: list[Note]
) -> Image.Image | None:
    """`image` converted from its embedded profile to sRGB; None when it is sRGB already."""
    alpha = None
    source = image
    if image.mode == "LA":
        source, alpha = image.convert("L"), image.getchannel("A")
    in_mode = source.mode
    out_mode = "RGBA" if in_mode == "RGBA" else "RGB"
    key = (hashlib.sha256(icc).hexdigest(), in_mode, out_mode)
    if key not in transforms.built:
        transforms.built[key] = _build_transform(icc, in_mode, out_mode, transforms)
    transform = transforms.built[key]
    if transform is _SRGB:
        return None
    if transform is _BROKEN:
        notes.append(
            Note(
                "images.color-profile",
                "has a colour profile that cannot be used: its colours are taken as sRGB",
                "export it again in sRGB",
            )
        )
        return None
    converted = ImageCms.applyTransform(source, transform)
    assert converted is not None
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


_SRGB = object()
_BROKEN = object()


def _build_transform(icc: bytes, in_mode: str, out_mode: str, transforms: ColorTransforms) -> Any:
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        name = (ImageCms.getProfileDescription(profile) or "").strip().lower()
        if name.startswith(_SRGB_NAMES) and in_mode in ("RGB", "RGBA"):
            return _SRGB  # the usual case: nothing to convert
        if transforms.srgb is None:
            transforms.srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        return ImageCms.buildTransform(profile, transforms.srgb, in_mode, out_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return _BROKEN
