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

    def fingerprint(self) -> dict[str, object]:
        """Every setting that changes pixels (asset bytes are digested separately)."""
        return {
            "colors": [[name, list(rgb)] for name, rgb in self.colors],
            "logo": None if self.logo is None else vars(self.logo),
            "overlay": vars(self.overlay),
            "title": [list(self.title_background), list(self.title_color)],
            "background": list(self.background),
            "quality": [self.quality, self.min_quality],
        }


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
    colors = {name: parse_hex(value) for name, value in model.colors.items()}
    problems: list[InputError] = []

    def color(key: str, value: str, default: RGB, *, required: bool) -> RGB:
        if is_hex(value):
            return parse_hex(value)
        if value in colors:
            return colors[value]
        if required:
            known = ", ".join(sorted(colors)) or "none"
            problems.append(
                _error(root, key, f"unknown colour {value!r}", f"[colors] defines: {known}")
            )
        return default

    fields = model.model_fields_set
    overlay_set = model.overlay.model_fields_set
    images_set = model.images.model_fields_set if "images" in fields else set()
    overlay = Overlay(
        band=model.overlay.band,
        band_color=color(
            "overlay.band_color",
            model.overlay.band_color,
            BLACK,
            required=model.overlay.band != "none" or "band_color" in overlay_set,
        ),
        band_height=model.overlay.band_height,
        band_opacity=model.overlay.band_opacity,
        frame=model.overlay.frame,
        frame_color=color(
            "overlay.frame_color",
            model.overlay.frame_color,
            BLACK,
            required=model.overlay.frame > 0 or "frame_color" in overlay_set,
        ),
    )
    logo = None
    if model.logo is not None:
        _check_asset(root, "logo.path", model.logo.path, problems)
        logo = Logo(**model.logo.model_dump())
    if model.fonts.title is not None:
        _check_asset(root, "fonts.title", model.fonts.title, problems)
    images = model.images
    title_background = color(
        "images.title_background",
        images.title_background,
        WHITE,
        required="title_background" in images_set,
    )
    title_color = color(
        "images.title_color", images.title_color, BLACK, required="title_color" in images_set
    )
    if images.min_quality > images.quality:
        problems.append(_error(root, "images.min_quality", "is higher than images.quality", None))
    if problems:
        raise InputErrors(problems)
    return Brand(
        colors=tuple(sorted(colors.items())),
        logo=logo,
        overlay=overlay,
        title_font=model.fonts.title,
        title_background=title_background,
        title_color=title_color,
        background=colors.get("background", WHITE),
        quality=images.quality,
        min_quality=images.min_quality,
        max_source_pixels=images.max_source_pixels,
        severities=_severities(data.get("severity")),
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
