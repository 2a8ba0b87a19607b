"""Loading channels.toml into `Channel` objects (brand/charter.toml: cmbuild/load/charter.py).

pydantic models describe the file (unknown keys are errors, with the file, line and key); the
domain objects handed to the rest of the pipeline are the frozen dataclasses of `cmbuild.model`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cmbuild import platforms
from cmbuild.errors import ErrorCollector, InputError, did_you_mean
from cmbuild.layout import CHANNELS_FILE, TEMPLATES_DIR
from cmbuild.load.analytics import AnalyticsModel
from cmbuild.load.options import secret_options
from cmbuild.load.queue import (
    QueueModel,
    SlotEntry,
    check_slots,
    queue_rules,
    slot_entries,
)
from cmbuild.load.tomlfile import nearest_line, read_toml
from cmbuild.load.validation import errors_from_validation
from cmbuild.model import (
    Channel,
    Utm,
)
from cmbuild.platforms.base import Platform
from cmbuild.platforms.options import DEFAULT_COLLECT_AGES, check_collect_ages, parse_collect_ages

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


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


class DefaultsModel(_Strict):
    timezone: str | None = None
    lang: str | None = None
    slots: list[SlotEntry] = Field(default_factory=list)
    stale_after_hours: float | None = None
    collect_ages: str | None = None  # "1h, 24h, 7d, 28d": when collect reads each post

    _zone = field_validator("timezone")(_check_zone)
    _slots = field_validator("slots")(check_slots)
    _ages = field_validator("collect_ages")(check_collect_ages)


class ChannelModel(_Strict):
    platform: str
    template: str | None = None
    timezone: str | None = None
    lang: str | None = None
    handle: str | None = None
    slots: list[SlotEntry] | None = None
    queue: QueueModel | None = None
    utm: UtmModel = UtmModel()
    stale_after_hours: float | None = None
    credentials: dict[str, str] = Field(default_factory=dict)
    options: dict[str, str | int | float | bool] = Field(default_factory=dict)

    _zone = field_validator("timezone")(_check_zone)
    _slots = field_validator("slots")(check_slots)

    @field_validator("platform")
    @classmethod
    def _known_platform(cls, value: str) -> str:
        if value not in platforms.names():
            raise ValueError(
                f"unknown platform {value!r}{did_you_mean(value, platforms.names())}; "
                f"known platforms: {', '.join(platforms.names())}"
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
    queue: QueueModel = QueueModel()  # the brand's queue rules (docs/planning.md)
    channels: dict[str, ChannelModel]
    analytics: AnalyticsModel | None = None  # the site's web analytics (cmbuild/load/analytics.py)


def load_channels(root: Path) -> tuple[Channel, ...]:
    """Read channels.toml; raise InputErrors naming file, line and key for every problem."""
    parsed, lines = _parse(root)
    errors = ErrorCollector()
    if not parsed.channels:
        errors.add(
            InputError(
                CHANNELS_FILE, "no channels", key="channels", hint="add a [channels.NAME] table"
            )
        )
    channels: list[Channel] = []
    for name, model in sorted(parsed.channels.items()):
        errors.extend(_channel_errors(root, name, model, lines))
        if _NAME.match(name):
            platform = platforms.get(model.platform)
            template = model.template or platform.template_name()
            channel = _channel(name, model, parsed, template, platform.utm_medium)
            channels.append(channel)
    errors.raise_if_any()
    return tuple(channels)


def _parse(root: Path) -> tuple[ChannelsFile, dict[str, int]]:
    """channels.toml read and checked against its schema, with the line of every key."""
    data, lines = read_toml(root / CHANNELS_FILE, CHANNELS_FILE)
    try:
        return ChannelsFile.model_validate(data), lines
    except ValidationError as exc:
        errors = ErrorCollector()
        errors.extend(
            errors_from_validation(exc, CHANNELS_FILE, lambda key: nearest_line(lines, key))
        )
        errors.raise_if_any()
        raise AssertionError("unreachable") from exc


def _channel_errors(
    root: Path, name: str, model: ChannelModel, lines: dict[str, int]
) -> list[InputError]:
    """The problems of one channel's table: its name, its options, its template."""
    key = f"channels.{name}"
    if not _NAME.match(name):
        return [
            InputError(
                CHANNELS_FILE,
                f"invalid channel name {name!r}",
                line=nearest_line(lines, key),
                key=key,
                hint="use lowercase letters, digits and '-'",
            )
        ]
    # A secret written under options would be committed and copied into output/.
    errors = secret_options(CHANNELS_FILE, name, model.options, lambda k: nearest_line(lines, k))
    platform = platforms.get(model.platform)
    template = model.template or platform.template_name()
    if not (root / TEMPLATES_DIR / template).is_file():
        errors.append(
            InputError(
                CHANNELS_FILE,
                f"template {TEMPLATES_DIR}/{template} not found",
                line=nearest_line(lines, f"{key}.template"),
                key=f"{key}.template",
                hint=f"create {TEMPLATES_DIR}/{template} or set `template` to an existing file",
            )
        )
    return [*errors, *_option_errors(platform, model.options, name, lines)]


def _channel(
    name: str, model: ChannelModel, parsed: ChannelsFile, template: str, medium: str
) -> Channel:
    """The channel `name` as the rest of the build sees it, defaults applied."""
    defaults = parsed.defaults
    slots, scores = slot_entries(model.slots if model.slots is not None else defaults.slots)
    return Channel(
        name=name,
        platform=model.platform,
        template=template,
        timezone=model.timezone or defaults.timezone,
        lang=model.lang or defaults.lang,
        handle=model.handle,
        utm=Utm(source=model.utm.source or model.platform, medium=model.utm.medium or medium),
        slots=slots,
        stale_after_hours=(
            model.stale_after_hours
            if model.stale_after_hours is not None
            else defaults.stale_after_hours
        ),
        credentials=tuple(sorted(model.credentials.items())),
        options=tuple(sorted((k, str(v)) for k, v in model.options.items())),
        slot_scores=scores if any(score is not None for score in scores) else (),
        queue=queue_rules(model.queue, parsed.queue),
    )


def _option_errors(
    platform: Platform,
    options: dict[str, str | int | float | bool],
    channel: str,
    lines: dict[str, int],
) -> list[InputError]:
    """The problems of a channel's `options`, checked against its publisher's options model."""
    key = f"channels.{channel}"
    chosen = options.get("publisher")
    try:
        model = platforms.options_model(platform, None if chosen is None else str(chosen), channel)
    except platforms.NoPublisher as error:
        where = f"{key}.options.publisher"
        message = str(error).removeprefix(f"{where}: ")
        return [InputError(CHANNELS_FILE, message, line=nearest_line(lines, where), key=where)]
    try:
        model.model_validate(options)
    except ValidationError as exc:
        known = sorted(field.alias or name for name, field in model.model_fields.items())
        hint = f"{platform.label} channels take these options: {', '.join(known)}"
        return errors_from_validation(
            exc,
            CHANNELS_FILE,
            lambda dotted: nearest_line(lines, dotted),
            prefix=f"{key}.options",
            hints={"extra_forbidden": hint},
        )
    return []


def default_timezone(root: Path) -> str | None:
    """The brand's own time zone: channels.toml's `[defaults] timezone` (None when not set).

    Read after `load_channels` succeeded, so the file is known to be valid.
    """
    data, _ = read_toml(root / CHANNELS_FILE, CHANNELS_FILE)
    return ChannelsFile.model_validate(data).defaults.timezone


def collect_ages(root: Path, channels: Iterable[Channel]) -> dict[str, tuple[float, ...]]:
    """Per channel, the ages (hours after publication) at which collect reads its posts: its
    `options.collect_ages`, else `[defaults] collect_ages`, else 1 h, 24 h, 7 d and 28 d.

    Read after `load_channels` succeeded, so both are known to be valid.
    """
    data, _ = read_toml(root / CHANNELS_FILE, CHANNELS_FILE)
    default = ChannelsFile.model_validate(data).defaults.collect_ages
    ages = parse_collect_ages(default) if default is not None else DEFAULT_COLLECT_AGES
    found = {}
    for channel in channels:
        own = dict(channel.options).get("collect_ages")
        found[channel.name] = parse_collect_ages(own) if own is not None else ages
    return found


def web_analytics(root: Path) -> AnalyticsModel | None:
    """channels.toml's `[analytics]` table (None when there is none); InputErrors naming the
    line and key of what is wrong in the file."""
    return _parse(root)[0].analytics
