"""Reading brand/charter.toml: one schema for the whole file, wording rules and images alike.

The pydantic models below describe every table of the charter; an unknown key is an error naming
the file, line and key, with the nearest known key as a hint (a `[colours]` table, a `qualty`
key). The rest of the pipeline receives the frozen `cmbuild.model.Charter`, whose `images` are the
graphic identity the image stage turns into a `Brand`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model

from cmbuild import platforms
from cmbuild.errors import ErrorCollector, InputError, did_you_mean
from cmbuild.layout import CHARTER_FILE
from cmbuild.load.tomlfile import nearest_line, read_toml
from cmbuild.load.validation import errors_from_validation
from cmbuild.model import (
    BannedExpression,
    Charter,
    Handle,
    ImageSettings,
    LogoSettings,
    RequiredText,
)

SeverityName = Literal["error", "warning", "info"]
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def _hex(value: str) -> str:
    if not _HEX.match(value):
        raise ValueError(f"expected a colour like #1F4E79, got {value!r}")
    return value


HexColor = Annotated[str, AfterValidator(_hex)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BannedModel(_Strict):
    expression: str = Field(min_length=1)
    suggest: str | None = None
    reason: str | None = None
    severity: SeverityName | None = None


class RequiredModel(_Strict):
    text: str = Field(min_length=1)
    platforms: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    campaigns: list[str] = Field(default_factory=list)


class BrandModel(_Strict):
    name: str = ""
    lang: str | None = None
    domains: list[str] = Field(default_factory=list)


class WordingModel(_Strict):
    banned: list[BannedModel] = Field(default_factory=list)


class CapModel(_Strict):
    max: int | None = Field(default=None, ge=0)


class SponsoredModel(_Strict):
    disclosure: list[str] = Field(default_factory=list)


class ImagesModel(_Strict):
    alt_required: bool = True  # a charter rule (charter.alt-text); the rest shapes images
    quality: int = Field(default=85, ge=30, le=95)
    min_quality: int = Field(default=50, ge=10, le=95)
    max_source_pixels: int = Field(default=100_000_000, ge=1_000_000, le=1_000_000_000)
    title_background: str = "background"
    title_color: str = "text"


class LinksModel(_Strict):
    utm_required: bool = True


class ComplementarityModel(_Strict):
    window_hours: float = Field(default=24.0, ge=0)
    similarity: float = Field(default=0.8, ge=0, le=1)
    exempt: list[list[str]] = Field(default_factory=list)


class LogoModel(_Strict):
    path: str = Field(min_length=1)
    position: Literal["bottom-right", "bottom-left", "top-right", "top-left"] = "bottom-right"
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


class CharterFile(_Strict):
    """Every table of brand/charter.toml."""

    brand: BrandModel = BrandModel()
    wording: WordingModel = WordingModel()
    required: list[RequiredModel] = Field(default_factory=list)
    hashtags: CapModel = CapModel()
    emoji: CapModel = CapModel()
    sponsored: SponsoredModel = SponsoredModel()
    images: ImagesModel = ImagesModel()
    links: LinksModel = LinksModel()
    complementarity: ComplementarityModel = ComplementarityModel()
    # Each [handles.KEY] table: `name`, and the handle on each platform (checked by _handle_model).
    handles: dict[str, dict[str, str]] = Field(default_factory=dict)
    severity: dict[str, SeverityName] = Field(default_factory=dict)
    strings: dict[str, dict[str, str]] = Field(default_factory=dict)  # lang -> phrase -> words
    colors: dict[str, HexColor] = Field(default_factory=dict)
    logo: LogoModel | None = None
    overlay: OverlayModel = OverlayModel()
    fonts: FontsModel = FontsModel()


@cache
def _handle_model() -> type[BaseModel]:
    """A [handles.KEY] table: its `name`, and one optional key per platform known now."""
    fields: dict[str, Any] = {"name": (str, ...)}
    fields.update({name: (str | None, None) for name in platforms.names() if name != "name"})
    return create_model("HandleModel", __base__=_Strict, **fields)


def load_charter(root: Path, channel_names: set[str] | None) -> Charter:
    """Read brand/charter.toml (optional: an absent charter means no brand rules).

    InputErrors name the file, line and key of every problem, the whole file being checked.
    `channel_names` are the channels the charter may name (None: not checked, for the tools that
    read the charter without channels.toml).
    """
    if not (root / CHARTER_FILE).exists():
        return Charter()
    data, lines = read_toml(root / CHARTER_FILE, CHARTER_FILE)
    return parse_charter(data, lines, channel_names)


def parse_charter(
    data: dict[str, Any], lines: dict[str, int], channel_names: set[str] | None
) -> Charter:
    """The Charter described by `data` (the parsed file; `lines`: each dotted key's line)."""
    errors = ErrorCollector()
    try:
        parsed = CharterFile.model_validate(data)
    except ValidationError as exc:
        errors.extend(_located(exc, lines, CharterFile))
        errors.raise_if_any()
        raise AssertionError("unreachable") from exc
    handles = _handles(parsed.handles, lines, errors)
    if channel_names is not None:
        _check_names(parsed, lines, channel_names, errors)
    errors.raise_if_any()
    return Charter(
        source=CHARTER_FILE,
        brand_name=parsed.brand.name,
        lang=parsed.brand.lang,
        domains=tuple(_host(d) for d in parsed.brand.domains if _host(d)),
        strings=tuple(
            (lang, key, words)
            for lang, table in sorted(parsed.strings.items())
            for key, words in sorted(table.items())
        ),
        banned=tuple(
            BannedExpression(b.expression, b.suggest, b.reason, b.severity)
            for b in parsed.wording.banned
        ),
        required=tuple(
            RequiredText(r.text, tuple(r.platforms), tuple(r.channels), tuple(r.campaigns))
            for r in parsed.required
        ),
        hashtag_max=parsed.hashtags.max,
        emoji_max=parsed.emoji.max,
        disclosures=tuple(parsed.sponsored.disclosure),
        alt_required=parsed.images.alt_required,
        utm_required=parsed.links.utm_required,
        complementarity_window_hours=parsed.complementarity.window_hours,
        complementarity_similarity=parsed.complementarity.similarity,
        complementarity_exempt=tuple(tuple(g) for g in parsed.complementarity.exempt),
        handles=handles,
        severities=tuple(sorted(parsed.severity.items())),
        images=_image_settings(parsed),
        key_lines=tuple(sorted(lines.items())),
    )


def _located(
    exc: ValidationError, lines: dict[str, int], model: type[BaseModel], prefix: str = ""
) -> list[InputError]:
    return errors_from_validation(
        exc,
        CHARTER_FILE,
        lambda key: nearest_line(lines, key),
        prefix=prefix,
        model=model,
    )


def _check_names(
    parsed: CharterFile, lines: dict[str, int], channel_names: set[str], errors: ErrorCollector
) -> None:
    """Channels and platforms the charter names must exist."""
    for index, group in enumerate(parsed.complementarity.exempt):
        for name in group:
            if name not in channel_names:
                key = f"complementarity.exempt.{index}"
                errors.add(
                    InputError(
                        CHARTER_FILE,
                        f"unknown channel {name!r}{did_you_mean(name, channel_names)}",
                        line=nearest_line(lines, key),
                        key=key,
                        hint=f"channels in channels.toml: {', '.join(sorted(channel_names))}",
                    )
                )
    for index, required in enumerate(parsed.required):
        unknown = [("channel", "channels", n) for n in required.channels if n not in channel_names]
        unknown += [
            ("platform", "platforms", n) for n in required.platforms if n not in platforms.names()
        ]
        for kind, field, name in unknown:
            key = f"required.{index}.{field}"
            known = channel_names if kind == "channel" else set(platforms.names())
            errors.add(
                InputError(
                    CHARTER_FILE,
                    f"unknown {kind} {name!r}{did_you_mean(name, known)}",
                    line=nearest_line(lines, key),
                    key=key,
                    hint=f"{field} are: {', '.join(sorted(known))}",
                )
            )


def _handles(
    tables: dict[str, dict[str, str]], lines: dict[str, int], errors: ErrorCollector
) -> tuple[Handle, ...]:
    model = _handle_model()
    handles: list[Handle] = []
    for key, table in sorted(tables.items()):
        where = f"handles.{key}"
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", key):
            errors.add(
                InputError(
                    CHARTER_FILE,
                    f"invalid handle key {key!r}",
                    line=nearest_line(lines, where),
                    key=where,
                    hint="use lowercase letters, digits, '-' and '_'; posts write it as @[key]",
                )
            )
            continue
        try:
            model.model_validate(table)
        except ValidationError as exc:
            errors.extend(_located(exc, lines, model, prefix=where))
            continue
        by_platform = tuple(sorted((k, v) for k, v in table.items() if k != "name"))
        handles.append(Handle(key=key, name=table["name"], by_platform=by_platform))
    return tuple(handles)


def _image_settings(parsed: CharterFile) -> ImageSettings:
    overlay, images = parsed.overlay, parsed.images
    chosen = [f"overlay.{name}" for name in overlay.model_fields_set]
    chosen += [f"images.{name}" for name in images.model_fields_set]
    logo = parsed.logo
    return ImageSettings(
        colors=tuple(parsed.colors.items()),
        logo=None if logo is None else LogoSettings(**logo.model_dump()),
        band=overlay.band,
        band_color=overlay.band_color,
        band_height=overlay.band_height,
        band_opacity=overlay.band_opacity,
        frame=overlay.frame,
        frame_color=overlay.frame_color,
        title_font=parsed.fonts.title,
        quality=images.quality,
        min_quality=images.min_quality,
        max_source_pixels=images.max_source_pixels,
        title_background=images.title_background,
        title_color=images.title_color,
        chosen=tuple(sorted(chosen)),
    )


def _host(domain: str) -> str:
    """A charter domain as a bare lower-case host, however it was written (URL, *.x, .x)."""
    host = domain.strip().lower().split("://")[-1].split("/")[0].strip(".")
    return host.removeprefix("*.")
