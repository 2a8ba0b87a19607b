"""Brand colours: parsing `#RRGGBB`, and the WCAG 2 contrast between two colours.

Text on a title card must reach a contrast ratio of 4.5:1 with its background (WCAG 2.x, success
criterion 1.4.3, level AA for normal text): https://www.w3.org/TR/WCAG21/#contrast-minimum
"""

from __future__ import annotations

import re
from collections.abc import Iterable

RGB = tuple[int, int, int]

WCAG_AA = 4.5
BLACK: RGB = (0, 0, 0)
WHITE: RGB = (255, 255, 255)

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def is_hex(value: str) -> bool:
    return bool(_HEX.match(value))


def parse_hex(value: str) -> RGB:
    """`#RGB` or `#RRGGBB` as an (r, g, b) triple; ValueError otherwise."""
    if not is_hex(value):
        raise ValueError(f"expected a colour like #1F4E79, got {value!r}")
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def to_hex(color: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*color)


def relative_luminance(color: RGB) -> float:
    """WCAG relative luminance of an sRGB colour (0 for black, 1 for white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio between two colours, from 1 (same) to 21 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    light, dark = max(la, lb), min(la, lb)
    return (light + 0.05) / (dark + 0.05)


def best_contrast(background: RGB, candidates: Iterable[tuple[str, RGB]]) -> tuple[str, RGB]:
    """The candidate that stands out most on `background` (the first one on ties)."""
    best: tuple[str, RGB] | None = None
    best_ratio = -1.0
    for name, color in candidates:
        ratio = contrast_ratio(color, background)
        if ratio > best_ratio:
            best, best_ratio = (name, color), ratio
    if best is None:
        raise ValueError("no candidate colour")
    return best
