"""The brand overlay: an optional band and frame in brand colours, then the logo.

Everything is drawn at the output size, after resampling, so the logo stays crisp whatever the
source's size; the logo is resized once per output width and process.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from cmbuild.images.brand import Brand, Logo, Overlay
from cmbuild.images.colors import RGB
from cmbuild.images.decode import DECODE_ERRORS, pixel_cap
from cmbuild.images.notes import AssetError

# A logo is drawn at a fraction of the image's width: more pixels than this is a mistake or a bomb.
LOGO_MAX_PIXELS = 25_000_000


class LogoCache:
    """The brand logo, decoded once and resized once per output width."""

    def __init__(self, data: bytes | None) -> None:
        self._data = data
        self._source: Image.Image | None = None
        self._sized: dict[int, tuple[Image.Image, Image.Image, Image.Image]] = {}

    def ratio(self) -> float:
        """The logo's width / height."""
        source = self._decoded()
        return source.width / source.height

    def sized(self, width: int, opacity: float) -> tuple[Image.Image, Image.Image, Image.Image]:
        """The logo `width` pixels wide: RGBA, RGB, and its alpha with the opacity applied."""
        found = self._sized.get(width)
        if found is not None:
            return found
        source = self._decoded()
        height = max(1, round(width * source.height / source.width))
        logo = source.resize((width, height), Image.Resampling.LANCZOS)
        alpha = logo.getchannel("A")
        if opacity < 1:
            alpha = alpha.point(lambda a: round(a * opacity))
            logo.putalpha(alpha)
        self._sized[width] = (logo, logo.convert("RGB"), alpha)
        return self._sized[width]

    def _decoded(self) -> Image.Image:
        if self._source is None:
            if self._data is None:
                raise AssetError("logo.path", "no logo bytes")
            try:
                with pixel_cap(LOGO_MAX_PIXELS), Image.open(io.BytesIO(self._data)) as opened:
                    opened.load()
                    self._source = opened.convert("RGBA")
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise AssetError(
                    "logo.path",
                    f"the logo is larger than {LOGO_MAX_PIXELS // 1_000_000} megapixels",
                    "export it again smaller: a logo rarely needs more than 2000 pixels across",
                ) from None
            except DECODE_ERRORS as exc:
                raise AssetError(
                    "logo.path",
                    f"the logo is not an image cmbuild can read ({exc})",
                    "use a PNG with transparency",
                ) from None
        return self._source


def apply_overlay(
    image: Image.Image, brand: Brand, logos: LogoCache, *, in_place: bool = False
) -> Image.Image:
    """`image` (or a copy of it) with the brand's band, frame and logo drawn on it."""
    marked = image if in_place else image.copy()
    if brand.overlay.visible:
        _band_and_frame(marked, brand.overlay)
    if brand.logo is not None:
        _logo(marked, brand.logo, logos)
    return marked


def _band_and_frame(image: Image.Image, overlay: Overlay) -> None:
    width, height = image.size
    if overlay.band != "none":
        band = max(1, round(height * overlay.band_height))
        top = 0 if overlay.band == "top" else height - band
        _fill(image, (0, top, width, top + band), overlay.band_color, overlay.band_opacity)
    if overlay.frame > 0:
        edge = max(1, round(width * overlay.frame))
        for box in (
            (0, 0, width, edge),
            (0, height - edge, width, height),
            (0, edge, edge, height - edge),
            (width - edge, edge, width, height - edge),
        ):
            _fill(image, box, overlay.frame_color, 1.0)


def _fill(image: Image.Image, box: tuple[int, int, int, int], color: RGB, opacity: float) -> None:
    fill = (*color, 255) if image.mode == "RGBA" else color
    if opacity >= 1:
        ImageDraw.Draw(image).rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=fill)
        return
    region = image.crop(box)
    solid = Image.new(image.mode, region.size, fill)
    image.paste(Image.blend(region, solid, opacity), box[:2])


def _logo(image: Image.Image, logo: Logo, logos: LogoCache) -> None:
    width, height = image.size
    # On a very wide image, the height bounds the logo: at most half the image's height.
    logo_width = max(1, min(round(width * logo.width), round(height * 0.5 * logos.ratio())))
    mark, mark_rgb, alpha = logos.sized(logo_width, logo.opacity)
    margin = round(width * logo.margin)
    x = margin if logo.position.endswith("left") else width - margin - mark.width
    y = margin if logo.position.startswith("top") else height - margin - mark.height
    if image.mode == "RGBA":
        image.alpha_composite(mark, (max(0, x), max(0, y)))
    else:
        image.paste(mark_rgb, (x, y), alpha)
