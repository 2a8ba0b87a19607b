"""The brand's visual identity, from the [colors], [logo], [overlay], [fonts] and [images] tables of
brand/charter.toml.

The charter loader validates the wording rules; these tables belong to the image stage, which
validates them here with the same located errors (``brand/charter.toml:142: logo.width: ...``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from cmbuild.errors import InputError, InputErrors
from cmbuild.images.colors import BLACK, RGB, WHITE, is_hex, parse_hex
from cmbuild.layout import CHARTER_FILE
from cmbuild.model import Severity

Position = Literal["bottom-right", "bottom-left", "top-right", "top-left"]
_SEVERITIES = ("error", "warning", "info")


def _hex(value: str) -> str:
    if not is_hex(value):
        raise ValueError(f"expected a colour like #1F4E79, got {value!r}")
    return value


HexColor = Annotated[str, AfterValidator(_hex)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LogoModel(_Strict):
    path: str = Field(min_length=1)
    position: Position = "bottom-right"
    width: float = Field(default=0.15, gt=0, le=0.5)
    margin: float = Field(default=0.03, ge=0, le=0.25)
    opacity: float = Field(default=1.0, gt=0, le=1)


class OverlayModel(_Strict):
    band: Literal["none", "top", "bottom"] = "none"
    band_color: str = "primary"
    band_height: float = Field(default=0.06, gt=0, le=0.5)
    band_opacity: float = Field(default=1.0, gt=0, le=1)
    frame: float = Field(default=0.0, ge=0, le=0.1)
    frame_color: str = "primary"


class FontsModel(_Strict):
    title: str | None = Field(default=None, min_length=1)


class ImagesModel(_Strict):
    alt_required: bool = True  # a charter rule, read by the charter loader
    quality: int = Field(default=85, ge=30, le=95)
    min_quality: int = Field(default=50, ge=10, le=95)
    max_source_pixels: int = Field(default=100_000_000, ge=1_000_000, le=1_000_000_000)
    title_background: str = "background"
    title_color: str = "text"


class VisualModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # other tables are the charter's
    colors: dict[str, HexColor] = Field(default_factory=dict)
    logo: LogoModel | None = None
    overlay: OverlayModel = OverlayModel()
    fonts: FontsModel = FontsModel()
    images: ImagesModel = ImagesModel()


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


def load_brand(root: Path, data: Mapping[str, Any]) -> Brand:
    """The brand's visual identity from the parsed charter (`data`); InputErrors if it is wrong.

    Asset paths are repository-relative and must exist; whether they decode is checked when an
    image needs them.
    """
    try:
        model = VisualModel.model_validate(dict(data))
    except ValidationError as exc:
        from cmbuild.load.validation import errors_from_validation

        raise InputErrors(errors_from_validation(exc, CHARTER_FILE, _line_finder(root))) from None
    palette = _Palette(root, {name: parse_hex(v) for name, v in model.colors.items()})
    overlay = _overlay(model.overlay, palette)
    images = model.images
    chosen = images.model_fields_set
    title_background = palette.get(
        "images.title_background", images.title_background, WHITE, "title_background" in chosen
    )
    title_color = palette.get(
        "images.title_color", images.title_color, BLACK, "title_color" in chosen
    )
    problems = palette.problems
    if model.logo is not None:
        _check_asset(root, "logo.path", model.logo.path, problems)
    if model.fonts.title is not None:
        _check_asset(root, "fonts.title", model.fonts.title, problems)
    if images.min_quality > images.quality:
        problems.append(_error(root, "images.min_quality", "is higher than images.quality", None))
    if problems:
        raise InputErrors(problems)
    return Brand(
        colors=tuple(sorted(palette.colors.items())),
        logo=Logo(**model.logo.model_dump()) if model.logo is not None else None,
        overlay=overlay,
        title_font=model.fonts.title,
        title_background=title_background,
        title_color=title_color,
        background=palette.colors.get("background", WHITE),
        quality=images.quality,
        min_quality=images.min_quality,
        max_source_pixels=images.max_source_pixels,
        severities=_severities(data.get("severity")),
    )


class _Palette:
    """The [colors] table, and the colour references found wrong so far."""

    def __init__(self, root: Path, colors: dict[str, RGB]) -> None:
        self.root = root
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
                _error(self.root, key, f"unknown colour {value!r}", f"[colors] defines: {known}")
            )
        return default


def _overlay(model: OverlayModel, palette: _Palette) -> Overlay:
    chosen = model.model_fields_set
    band = model.band != "none" or "band_color" in chosen
    frame = model.frame > 0 or "frame_color" in chosen
    return Overlay(
        band=model.band,
        band_color=palette.get("overlay.band_color", model.band_color, BLACK, band),
        band_height=model.band_height,
        band_opacity=model.band_opacity,
        frame=model.frame,
        frame_color=palette.get("overlay.frame_color", model.frame_color, BLACK, frame),
    )


def _severities(table: object) -> tuple[tuple[str, Severity], ...]:
    if not isinstance(table, Mapping):
        return ()
    found = [
        (str(rule), cast(Severity, value))
        for rule, value in table.items()
        if str(rule).startswith("images.") and value in _SEVERITIES
    ]
    return tuple(sorted(found))


def _check_asset(root: Path, key: str, path: str, problems: list[InputError]) -> None:
    base = root.resolve()
    full = (root / path).resolve()
    if not full.is_relative_to(base):
        problems.append(_error(root, key, f"{path!r} points outside the repository", None))
    elif not full.is_file():
        problems.append(
            _error(root, key, f"file {path!r} not found", "paths are relative to the repository")
        )


def _error(root: Path, key: str, message: str, hint: str | None) -> InputError:
    return InputError(CHARTER_FILE, message, line=_line_finder(root)(key), key=key, hint=hint)


def _line_finder(root: Path) -> Callable[[str], int | None]:
    """Look up key lines in the charter only when an error needs one."""

    def line_of(key: str) -> int | None:
        from cmbuild.load.tomlfile import key_lines, nearest_line

        try:
            text = (root / CHARTER_FILE).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return nearest_line(key_lines(text), key)

    return line_of
