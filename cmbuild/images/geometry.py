"""Where to cut an image and how large to make it: pure arithmetic, no pixels.

The crop keeps the source's ratio when the platform accepts it and otherwise cuts the least it can,
centred on the post's focal point. The output size then comes from the platform's recommended size
(a cap on the long edge, never a reason to enlarge) and its hard limits. Sizes are whole pixels, so
the last step nudges them back inside the platform's ratio range after rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# A source within 2% of the recommended size is not worth a warning.
SMALL_TOLERANCE = 1.02
# Ratios are compared with this slack, so that 1080 / 1350 counts as exactly 0.8.
EPSILON = 1e-9


@dataclass(frozen=True)
class Limits:
    """What a platform (and the channel's choices) allow for one output image."""

    aspect_min: float | None = None  # width / height
    aspect_max: float | None = None
    shape: tuple[int, int] | None = None  # an exact output size the channel chose
    long_edge: int | None = None  # the recommended size's long edge
    max_width: int | None = None
    max_height: int | None = None
    max_pixels: int | None = None
    min_width: int | None = None

    def crop_range(self) -> tuple[float | None, float | None]:
        """The ratio range the crop must land in: the chosen shape's, else the platform's."""
        if self.shape is not None:
            ratio = self.shape[0] / self.shape[1]
            return ratio, ratio
        return self.aspect_min, self.aspect_max


@dataclass(frozen=True)
class Box:
    """A rectangle in source pixels (floats: Pillow resamples from fractional boxes)."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def scaled(self, factor: float) -> Box:
        return Box(self.left * factor, self.top * factor, self.right * factor, self.bottom * factor)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.left, self.top, self.right, self.bottom)


@dataclass(frozen=True)
class Fit:
    """The output size for a crop, and whether it falls short of what the platform wants."""

    width: int
    height: int
    small: bool = False  # the crop is smaller than the recommended size: kept, not enlarged
    upscaled: bool = False  # enlarged to reach the platform's minimum width


@dataclass(frozen=True)
class Plan:
    box: Box
    fit: Fit


def crop_box(
    width: int,
    height: int,
    focus: tuple[float, float],
    ratio_min: float | None,
    ratio_max: float | None,
) -> Box:
    """The largest box of an allowed ratio inside the image, centred on `focus` where it can be.

    The image's own ratio is kept when it is allowed. `focus` is (x, y) in 0..1 of the image.
    """
    ratio = width / height
    crop_w, crop_h = float(width), float(height)
    if ratio_max is not None and ratio > ratio_max + EPSILON:
        crop_w = height * ratio_max
    elif ratio_min is not None and ratio < ratio_min - EPSILON:
        crop_h = width / ratio_min
    fx = min(max(focus[0], 0.0), 1.0)
    fy = min(max(focus[1], 0.0), 1.0)
    left = _clamp(fx * width - crop_w / 2, 0.0, width - crop_w)
    top = _clamp(fy * height - crop_h / 2, 0.0, height - crop_h)
    return Box(left, top, left + crop_w, top + crop_h)


def fit(crop_w: float, crop_h: float, limits: Limits) -> Fit:
    """The output size of a `crop_w` × `crop_h` crop within `limits`."""
    scale = 1.0
    small = False
    wanted = _wanted_scale(crop_w, crop_h, limits)
    if wanted is not None:
        small = wanted > SMALL_TOLERANCE
        scale = min(wanted, 1.0)
    scale = min(scale, _cap_scale(crop_w, crop_h, limits))
    upscaled = False
    if limits.min_width is not None and crop_w * scale < limits.min_width:
        scale = limits.min_width / crop_w
        upscaled = scale > 1.0
    width = max(1, round(crop_w * scale))
    height = max(1, round(crop_h * scale))
    width, height = _within_caps(width, height, limits)
    width, height = _within_ratio(width, height, limits)
    # A narrow ratio range and a minimum width can leave no size but a slightly larger one.
    upscaled = upscaled or width > crop_w + 1 or height > crop_h + 1
    return Fit(width, height, small=small, upscaled=upscaled)


def plan(width: int, height: int, focus: tuple[float, float], limits: Limits) -> Plan:
    """Where to cut an image of `width` × `height` and the size to make the cut."""
    ratio_min, ratio_max = limits.crop_range()
    box = crop_box(width, height, focus, ratio_min, ratio_max)
    return Plan(box, fit(box.width, box.height, limits))


def _wanted_scale(crop_w: float, crop_h: float, limits: Limits) -> float | None:
    if limits.shape is not None:
        return min(limits.shape[0] / crop_w, limits.shape[1] / crop_h)
    if limits.long_edge is not None:
        return limits.long_edge / max(crop_w, crop_h)
    return None


def _cap_scale(crop_w: float, crop_h: float, limits: Limits) -> float:
    scale = math.inf
    if limits.max_width is not None:
        scale = min(scale, limits.max_width / crop_w)
    if limits.max_height is not None:
        scale = min(scale, limits.max_height / crop_h)
    if limits.max_pixels is not None:
        scale = min(scale, math.sqrt(limits.max_pixels / (crop_w * crop_h)))
    return scale


def _within_caps(width: int, height: int, limits: Limits) -> tuple[int, int]:
    """Undo rounding that went past a hard limit (by a pixel at most, in practice)."""
    if limits.max_width is not None:
        width = min(width, limits.max_width)
    if limits.max_height is not None:
        height = min(height, limits.max_height)
    if limits.max_pixels is not None:
        while width * height > limits.max_pixels:
            if width >= height:
                width -= 1
            else:
                height -= 1
    return width, height


def _within_ratio(width: int, height: int, limits: Limits) -> tuple[int, int]:
    """The whole-pixel size nearest to `width` × `height` whose ratio the platform accepts.

    Rounding moves a ratio by up to a pixel's worth; near a bound of the range that is enough to
    fall outside it. Heights close to the rounded one are tried (smaller first), each with the
    width that keeps the ratio and the hard limits, and the closest size wins.
    """
    if _ratio_fits(width, height, limits):
        return width, height
    best: tuple[float, int, int] | None = None
    for step in range(64):
        for candidate in (height - step, height + step) if step else (height,):
            found = _width_for(candidate, width, limits)
            if found is None:
                continue
            cost = abs(found - width) / width + abs(candidate - height) / height
            if best is None or cost < best[0]:
                best = (cost, found, candidate)
        if best is not None and step >= 2:
            break
    return (best[1], best[2]) if best is not None else (width, height)


def _width_for(height: int, wanted: int, limits: Limits) -> int | None:
    """The width nearest to `wanted` that fits every limit at `height`, if there is one."""
    if height < 1 or (limits.max_height is not None and height > limits.max_height):
        return None
    low = max(limits.min_width or 1, 1)
    high = limits.max_width if limits.max_width is not None else max(wanted, low) * 4
    if limits.max_pixels is not None:
        high = min(high, limits.max_pixels // height)
    if limits.aspect_min is not None:
        low = max(low, math.floor(height * limits.aspect_min))
    if limits.aspect_max is not None:
        high = min(high, math.ceil(height * limits.aspect_max))
    if low > high:
        return None
    nearest = min(max(wanted, low), high)
    # The bounds came from float products: check the neighbours too.
    for width in (nearest, nearest + 1, nearest - 1, nearest + 2, nearest - 2):
        if low <= width <= high and _ratio_fits(width, height, limits):
            return width
    return None


def _ratio_fits(width: int, height: int, limits: Limits) -> bool:
    ratio = width / height
    if limits.aspect_min is not None and ratio < limits.aspect_min - EPSILON:
        return False
    return limits.aspect_max is None or ratio <= limits.aspect_max + EPSILON


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)
