"""Loading channels.toml and brand/charter.toml into `Channel` and `Charter` objects.

pydantic models describe the files (unknown keys are errors, with the file, line and key); the
domain objects handed to the rest of the pipeline are the frozen dataclasses of `cmbuild.model`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cmbuild import platforms
from cmbuild.errors import ErrorCollector, InputError
from cmbuild.layout import CHANNELS_FILE, CHARTER_FILE, TEMPLATES_DIR
from cmbuild.load.tomlfile import nearest_line, read_toml
from cmbuild.load.validation import errors_from_validation
from cmbuild.model import (
    BannedExpression,
    Channel,
    Charter,
    Handle,
    RequiredText,
    Utm,
)

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SLOT = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

SeverityName = Literal["error", "warning", "info"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UtmModel(_Strict):
    source: str | None = None
    medium: str | None = None


def _check_zone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}: use an IANA name such as 'Europe/Paris'"
        ) from None
    return value


def _check_slots(value: list[str] | None) -> list[str] | None:
    for slot in value or []:
        if not _SLOT.match(slot):
            raise ValueError(f"slot {slot!r} is not a 24-hour HH:MM time, e.g. '09:30'")
    return value


class DefaultsModel(_Strict):
    timezone: str | None = None
    lang: str | None = None
    slots: list[str] = Field(default_factory=list)
    stale_after_hours: float | None = None

    _zone = field_validator("timezone")(_check_zone)
    _slots = field_validator("slots")(_check_slots)


class ChannelModel(_Strict):
    platform: str
    template: str | None = None
    timezone: str | None = None
    lang: str | None = None
    handle: str | None = None
    slots: list[str] | None = None
    utm: UtmModel = UtmModel()
    stale_after_hours: float | None = None
    credentials: dict[str, str] = Field(default_factory=dict)
    options: dict[str, str | int | float | bool] = Field(default_factory=dict)

    _zone = field_validator("timezone")(_check_zone)
    _slots = field_validator("slots")(_check_slots)

    @field_validator("platform")
    @classmethod
    def _known_platform(cls, value: str) -> str:
        if value not in platforms.names():
            raise ValueError(
                f"unknown platform {value!r}; known platforms: {', '.join(platforms.names())}"
            )
        return value

    @field_validator("credentials")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        for purpose, name in value.items():
            if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
                raise ValueError(
                    f"credentials.{purpose} must name an environment variable "
                    f"(like CMB_X_TOKEN), never hold the secret itself"
                )
        return value


class ChannelsFile(_Strict):
    defaults: DefaultsModel = DefaultsModel()
    channels: dict[str, ChannelModel]


def load_channels(root: Path) -> tuple[Channel, ...]:
    """Read channels.toml; raise InputErrors naming file, line and key for every problem."""
    data, lines = read_toml(root / CHANNELS_FILE, CHANNELS_FILE)
    errors = ErrorCollector()
    try:
        parsed = ChannelsFile.model_validate(data)
    except ValidationError as exc:
        errors.extend(
            errors_from_validation(exc, CHANNELS_FILE, lambda key: nearest_line(lines, key))
        )
        errors.raise_if_any()
        raise AssertionError("unreachable") from exc
    if not parsed.channels:
        errors.add(
            InputError(
                CHANNELS_FILE, "no channels", key="channels", hint="add a [channels.NAME] table"
            )
        )
    defaults = parsed.defaults
    channels: list[Channel] = []
    for name, model in sorted(parsed.channels.items()):
        key = f"channels.{name}"
        if not _NAME.match(name):
            errors.add(
                InputError(
                    CHANNELS_FILE,
                    f"invalid channel name {name!r}",
                    line=nearest_line(lines, key),
                    key=key,
                    hint="use lowercase letters, digits and '-'",
                )
            )
            continue
        zone = model.timezone or defaults.timezone
        platform = platforms.get(model.platform)
        default_template = (
            f"{model.platform}.html.j2"
            if platform.text_format == "html"
            else f"{model.platform}.j2"
        )
        template = model.template or default_template
        if not (root / TEMPLATES_DIR / template).is_file():
            errors.add(
                InputError(
                    CHANNELS_FILE,
                    f"template {TEMPLATES_DIR}/{template} not found",
                    line=nearest_line(lines, f"{key}.template"),
                    key=f"{key}.template",
                    hint=f"create {TEMPLATES_DIR}/{template} or set `template` to an existing file",
                )
            )
        medium = "email" if model.platform == "newsletter" else "social"
        channels.append(
            Channel(
                name=name,
                platform=model.platform,
                template=template,
                timezone=zone,
                lang=model.lang or defaults.lang,
                handle=model.handle,
                utm=Utm(
                    source=model.utm.source or model.platform,
                    medium=model.utm.medium or medium,
                ),
                slots=tuple(model.slots if model.slots is not None else defaults.slots),
                stale_after_hours=(
                    model.stale_after_hours
                    if model.stale_after_hours is not None
                    else defaults.stale_after_hours
                ),
                credentials=tuple(sorted(model.credentials.items())),
                options=tuple(sorted((k, str(v)) for k, v in model.options.items())),
            )
        )
    errors.raise_if_any()
    return tuple(channels)


def default_timezone(root: Path) -> str | None:
    """The brand's own time zone: channels.toml's `[defaults] timezone` (None when not set).

    Read after `load_channels` succeeded, so the file is known to be valid.
    """
    data, _ = read_toml(root / CHANNELS_FILE, CHANNELS_FILE)
    return ChannelsFile.model_validate(data).defaults.timezone


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


class ImagesModel(BaseModel):
    # The image stage owns the other keys of [images]; only alt_required is read here.
    model_config = ConfigDict(extra="allow", frozen=True)
    alt_required: bool = True


class LinksModel(_Strict):
    utm_required: bool = True


class ComplementarityModel(_Strict):
    window_hours: float = Field(default=24.0, ge=0)
    similarity: float = Field(default=0.8, ge=0, le=1)
    exempt: list[list[str]] = Field(default_factory=list)


class HandleModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    name: str


class CharterFile(BaseModel):
    # Graphic identity tables ([colors], [logo], [fonts], [overlay]...) belong to the image stage.
    model_config = ConfigDict(extra="allow", frozen=True)
    brand: BrandModel = BrandModel()
    wording: WordingModel = WordingModel()
    required: list[RequiredModel] = Field(default_factory=list)
    hashtags: CapModel = CapModel()
    emoji: CapModel = CapModel()
    sponsored: SponsoredModel = SponsoredModel()
    images: ImagesModel = ImagesModel()
    links: LinksModel = LinksModel()
    complementarity: ComplementarityModel = ComplementarityModel()
    handles: dict[str, HandleModel] = Field(default_factory=dict)
    severity: dict[str, SeverityName] = Field(default_factory=dict)
    strings: dict[str, dict[str, str]] = Field(default_factory=dict)  # lang -> phrase -> words


def _host(domain: str) -> str:
    """A charter domain as a bare lower-case host, however it was written (URL, *.x, .x)."""
    host = domain.strip().lower().split("://")[-1].split("/")[0].strip(".")
    return host.removeprefix("*.")


def load_charter(root: Path, channel_names: set[str]) -> Charter:
    """Read brand/charter.toml (optional: an absent charter means no brand rules)."""
    if not (root / CHARTER_FILE).exists():
        return Charter()
    data, lines = read_toml(root / CHARTER_FILE, CHARTER_FILE)
    try:
        parsed = CharterFile.model_validate(data)
    except ValidationError as exc:
        errors = ErrorCollector()
        errors.extend(
            errors_from_validation(exc, CHARTER_FILE, lambda key: nearest_line(lines, key))
        )
        errors.raise_if_any()
        raise AssertionError("unreachable") from exc
    errors = ErrorCollector()
    for index, group in enumerate(parsed.complementarity.exempt):
        for name in group:
            if name not in channel_names:
                key = f"complementarity.exempt.{index}"
                errors.add(
                    InputError(
                        CHARTER_FILE,
                        f"unknown channel {name!r}",
                        line=nearest_line(lines, key),
                        key=key,
                        hint=f"channels are: {', '.join(sorted(channel_names))}",
                    )
                )
    for index, required in enumerate(parsed.required):
        unknown = [("channel", "channels", n) for n in required.channels if n not in channel_names]
        unknown += [
            ("platform", "platforms", n) for n in required.platforms if n not in platforms.names()
        ]
        for kind, field, name in unknown:
            key = f"required.{index}.{field}"
            errors.add(
                InputError(
                    CHARTER_FILE, f"unknown {kind} {name!r}", line=nearest_line(lines, key), key=key
                )
            )
    for key in parsed.handles:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", key):
            errors.add(
                InputError(
                    CHARTER_FILE,
                    f"invalid handle key {key!r}",
                    line=nearest_line(lines, f"handles.{key}"),
                    key=f"handles.{key}",
                    hint="use lowercase letters, digits, '-' and '_'; posts write it as @[key]",
                )
            )
    errors.raise_if_any()
    handles = []
    for key, handle in sorted(parsed.handles.items()):
        extra = handle.model_extra or {}
        by_platform = tuple(sorted((str(k), str(v)) for k, v in extra.items()))
        handles.append(Handle(key=key, name=handle.name, by_platform=by_platform))
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
        handles=tuple(handles),
        severities=tuple(sorted(parsed.severity.items())),
        key_lines=tuple(sorted(lines.items())),
    )
