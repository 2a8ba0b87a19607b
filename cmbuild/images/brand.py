"""The brand's visual identity: the charter's [colors], [logo], [overlay], [fonts] and [images].

The charter's one reader (cmbuild/load/charter.py) validates those tables with the rest of the
file; here colour names are resolved against [colors] and the logo and font files looked for, with
the same located errors (``brand/charter.toml:142: logo.path: ...``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cmbuild.errors import InputError, InputErrors
from cmbuild.images.colors import BLACK, RGB, WHITE, is_hex, parse_hex
from cmbuild.layout import CHARTER_FILE
from cmbuild.model import Charter, ImageSettings, LogoPosition, Severity

Position = LogoPosition


@dataclass(frozen=True)
class Logo:
    path: str  # repository-relative
    position: Position
    width: float  # share of the image width
    margin: float  # share of the image width
    opacity: float


@dataclass(frozen=True)
class Overlay:
    band: Literal["none", "top", "bottom"]
    band_color: RGB
    band_height: float  # share of the image height
    band_opacity: float
    frame: float  # share of the image width; 0 for none
    frame_color: RGB

    @property
    def visible(self) -> bool:
        return self.band != "none" or self.frame > 0


@dataclass(frozen=True)
class Brand:
    """Everything about the brand that shapes an image."""

    colors: tuple[tuple[str, RGB], ...] = ()
    logo: Logo | None = None
    overlay: Overlay = Overlay("none", BLACK, 0.06, 1.0, 0.0, BLACK)
    title_font: str | None = None  # repository-relative
    title_background: RGB = WHITE
    title_color: RGB = BLACK
    background: RGB = WHITE  # what transparent images are flattened on
    quality: int = 85
    min_quality: int = 50
    max_source_pixels: int = 100_000_000
    severities: tuple[tuple[str, Severity], ...] = ()

    def severity(self, rule: str, default: Severity) -> Severity:
        return dict(self.severities).get(rule, default)

    def fingerprint(self, *, overlay: bool, title_card: bool) -> dict[str, object]:
        """The settings that shape an image's pixels (asset bytes are digested separately).

        A photo without overlay depends only on the flattening colour and the qualities, so that
        a new logo re-renders exactly the images that show it.
        """
        found: dict[str, object] = {
            "background": list(self.background),
            "quality": [self.quality, self.min_quality],
        }
        if overlay:
            found["logo"] = None if self.logo is None else vars(self.logo)
            found["overlay"] = vars(self.overlay)
        if title_card:
            found["colors"] = [[name, list(rgb)] for name, rgb in self.colors]
            found["title"] = [list(self.title_background), list(self.title_color)]
        return found


def load_brand(root: Path, charter: Charter) -> Brand:
    """The brand's visual identity from `charter`; InputErrors if a colour or a file is wrong.

    Asset paths are repository-relative and must exist; whether they decode is checked when an
    image needs them.
    """
    settings = charter.images
    palette = _Palette(charter, {name: parse_hex(v) for name, v in settings.colors})
    overlay = _overlay(settings, palette)
    chosen = settings.chosen
    title_background = palette.get(
        "images.title_background",
        settings.title_background,
        WHITE,
        "images.title_background" in chosen,
    )
    title_color = palette.get(
        "images.title_color", settings.title_color, BLACK, "images.title_color" in chosen
    )
    problems = palette.problems
    if settings.logo is not None:
        _check_asset(root, charter, "logo.path", settings.logo.path, problems)
    if settings.title_font is not None:
        _check_asset(root, charter, "fonts.title", settings.title_font, problems)
    if settings.min_quality > settings.quality:
        problems.append(
            _error(charter, "images.min_quality", "is higher than images.quality", None)
        )
    if problems:
        raise InputErrors(problems)
    logo = settings.logo
    return Brand(
        colors=tuple(sorted(palette.colors.items())),
        logo=None if logo is None else Logo(**vars(logo)),
        overlay=overlay,
        title_font=settings.title_font,
        title_background=title_background,
        title_color=title_color,
        background=palette.colors.get("background", WHITE),
        quality=settings.quality,
        min_quality=settings.min_quality,
        max_source_pixels=settings.max_source_pixels,
        severities=tuple(
            (rule, severity) for rule, severity in charter.severities if rule.startswith("images.")
        ),
    )


class _Palette:
    """The [colors] table, and the colour references found wrong so far."""

    def __init__(self, charter: Charter, colors: dict[str, RGB]) -> None:
        self.charter = charter
        self.colors = colors
        self.problems: list[InputError] = []

    def get(self, key: str, value: str, default: RGB, required: bool) -> RGB:
        """`value` ("#RRGGBB" or a [colors] name) as a colour; `default` if unset and unknown."""
        if is_hex(value):
            return parse_hex(value)
        if value in self.colors:
            return self.colors[value]
        if required:
            known = ", ".join(sorted(self.colors)) or "none"
            self.problems.append(
                _error(self.charter, key, f"unknown colour {value!r}", f"[colors] defines: {known}")
            )
        return default


def _overlay(settings: ImageSettings, palette: _Palette) -> Overlay:
    chosen = settings.chosen
    band = settings.band != "none" or "overlay.band_color" in chosen
    frame = settings.frame > 0 or "overlay.frame_color" in chosen
    return Overlay(
        band=settings.band,
        band_color=palette.get("overlay.band_color", settings.band_color, BLACK, band),
        band_height=settings.band_height,
        band_opacity=settings.band_opacity,
        frame=settings.frame,
        frame_color=palette.get("overlay.frame_color", settings.frame_color, BLACK, frame),
    )


def _check_asset(
    root: Path, charter: Charter, key: str, path: str, problems: list[InputError]
) -> None:
    base = root.resolve()
    full = (root / path).resolve()
    if not full.is_relative_to(base):
        problems.append(_error(charter, key, f"{path!r} points outside the repository", None))
    elif not full.is_file():
        problems.append(
            _error(charter, key, f"file {path!r} not found", "paths are relative to the repository")
        )


def _error(charter: Charter, key: str, message: str, hint: str | None) -> InputError:
    from cmbuild.load.tomlfile import nearest_line

    line = nearest_line(dict(charter.key_lines), key)
    return InputError(CHARTER_FILE, message, line=line, key=key, hint=hint)
