"""Title cards: the post's title in the brand's font and colours, for posts without an image on
platforms that require one (Instagram, Pinterest).

Text is laid out with Pillow's basic layout (the same result whether or not libraqm is installed),
wrapped on spaces, and shrunk until it fits. A plain TrueType font has no colour emoji, and Pillow
would draw a missing glyph as an empty box ("tofu"); so every character the brand font cannot draw
(emoji, scripts the font lacks) is left out, whole grapheme by grapheme, and a note lists them.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field

import regex
from PIL import Image, ImageDraw, ImageFont

from cmbuild.images.brand import Brand
from cmbuild.images.colors import BLACK, RGB, WCAG_AA, WHITE, best_contrast, contrast_ratio, to_hex
from cmbuild.images.notes import AssetError, Note

_GRAPHEME = regex.compile(r"\X")
# Joiners and variation selectors have no glyph of their own, whatever the font.
_INVISIBLE = {0x200C, 0x200D, *range(0xFE00, 0xFE10)}
_ABSENT = "\U0010fffd"  # a private-use code point no font draws: its mask is the "tofu" box
MAX_LINES = 7


@dataclass
class TitleFonts:
    """The title font at every size used so far, and which characters it can draw."""

    data: bytes | None  # None: Pillow's default font
    _sizes: dict[int, ImageFont.FreeTypeFont] = field(default_factory=dict)
    _drawable: dict[str, bool] = field(default_factory=dict)
    _tofu: tuple[tuple[int, int], bytes] | None = None

    def font(self, size: int) -> ImageFont.FreeTypeFont:
        found = self._sizes.get(size)
        if found is None:
            if self.data is None:
                default = ImageFont.load_default(size)
                assert isinstance(default, ImageFont.FreeTypeFont)  # Pillow has FreeType
                found = default
            else:
                try:
                    found = ImageFont.truetype(
                        io.BytesIO(self.data), size, layout_engine=ImageFont.Layout.BASIC
                    )
                except OSError as exc:
                    raise AssetError(
                        "fonts.title", f"the title font cannot be read ({exc})", "use a .ttf file"
                    ) from None
            self._sizes[size] = found
        return found

    def drawable(self, char: str) -> bool:
        """Whether the font has a glyph for `char` (rather than drawing its 'missing' box)."""
        known = self._drawable.get(char)
        if known is None:
            font = self.font(32)
            if self._tofu is None:
                self._tofu = _signature(font, _ABSENT)
            known = ord(char) in _INVISIBLE or _signature(font, char) != self._tofu
            self._drawable[char] = known
        return known


def _signature(font: ImageFont.FreeTypeFont, char: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


def drawable_text(text: str, fonts: TitleFonts) -> tuple[str, list[str]]:
    """`text` without the graphemes the font cannot draw, and the graphemes left out."""
    kept: list[str] = []
    dropped: list[str] = []
    for grapheme in _GRAPHEME.findall(unicodedata.normalize("NFC", text)):
        visible = [c for c in grapheme if ord(c) not in _INVISIBLE]
        if all(fonts.drawable(c) for c in visible):
            kept.append(grapheme)
        else:
            dropped.append(grapheme)
    return " ".join("".join(kept).split()), dropped


def text_color(brand: Brand) -> tuple[RGB, list[Note]]:
    """The title colour, or a brand colour that reads better on the card's background."""
    background, chosen = brand.title_background, brand.title_color
    ratio = contrast_ratio(chosen, background)
    if ratio >= WCAG_AA:
        return chosen, []
    candidates = [(name, rgb) for name, rgb in brand.colors if rgb != background]
    name, better = best_contrast(background, candidates or [("black", BLACK)])
    if contrast_ratio(better, background) < WCAG_AA:
        name, better = best_contrast(background, [("black", BLACK), ("white", WHITE)])
    message = (
        f"title card text {to_hex(chosen)} on {to_hex(background)} has a contrast of"
        f" {ratio:.2f}:1, under the 4.5:1 WCAG minimum: using {name} ({to_hex(better)},"
        f" {contrast_ratio(better, background):.2f}:1) instead"
    )
    hint = "set images.title_color and images.title_background to colours that contrast more"
    return better, [Note("images.contrast", message, hint)]


def title_card(
    size: tuple[int, int], title: str, brand: Brand, fonts: TitleFonts, reserve_bottom: int
) -> tuple[Image.Image, list[Note]]:
    """A `size` card showing `title`; `reserve_bottom` pixels are kept free for the logo."""
    width, height = size
    notes: list[Note] = []
    if fonts.data is None:
        notes.append(
            Note(
                "images.font",
                "the charter names no title font: the title card uses Pillow's default font",
                "set [fonts] title = the brand font file in the charter",
            )
        )
    color, contrast_notes = text_color(brand)
    notes.extend(contrast_notes)
    text, dropped = drawable_text(title, fonts)
    if dropped:
        notes.append(
            Note(
                "images.glyphs",
                f"title card: left out {len(dropped)} character(s) the brand font cannot draw"
                f" ({' '.join(dict.fromkeys(dropped))})",
                "emoji and scripts missing from the font are left out of title cards",
            )
        )
    card = Image.new("RGB", size, brand.title_background)
    draw = ImageDraw.Draw(card)
    margin = round(min(width, height) * 0.08)
    accent = dict(brand.colors).get("primary", color)
    rule = max(4, round(height * 0.012))
    draw.rectangle((margin, margin, margin + round(width * 0.15) - 1, margin + rule - 1), accent)
    top = margin + rule * 3
    box = (width - 2 * margin, height - top - max(margin, reserve_bottom))
    font, lines = _layout(text, box, fonts, min(width, height))
    line_height = _line_height(font)
    y = top + max(0, (box[1] - line_height * len(lines)) // 2)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=color)
        y += line_height
    return card, notes


def _layout(
    text: str, box: tuple[int, int], fonts: TitleFonts, short_side: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font size at which `text` fits `box`, and its lines."""
    size = max(8, round(short_side * 0.09))
    smallest = max(8, round(short_side * 0.035))
    while True:
        font = fonts.font(size)
        lines = wrap(text, font, box[0])
        fits = len(lines) <= MAX_LINES and len(lines) * _line_height(font) <= box[1]
        if fits or size <= smallest:
            break
        size = max(smallest, int(size * 0.9))
    most = max(1, min(MAX_LINES, box[1] // _line_height(font)))
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = _with_ellipsis(lines[-1], font, box[0])
    return font, lines


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """`text` in lines no wider than `width`, broken at spaces (inside a word only if it must)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for piece in _split_long(word, font, width):
            if current:
                lines.append(current)
            current = piece
    if current:
        lines.append(current)
    return lines


def _split_long(word: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for grapheme in _GRAPHEME.findall(word):
        if current and font.getlength(current + grapheme) > width:
            pieces.append(current)
            current = ""
        current += grapheme
    return [*pieces, current] if current else pieces


def _with_ellipsis(line: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    while line and font.getlength(line + "…") > width:
        line = line[:-1]
    return line.rstrip() + "…"


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    ascent, descent = font.getmetrics()
    return round((ascent + descent) * 1.15)
