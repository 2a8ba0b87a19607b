"""The domain: channels, posts, variants, findings.

Everything here is a frozen dataclass built once by the load stage and passed explicitly through
the pipeline. Nothing here imports a heavy library, so the no-op build path stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

Severity = Literal["error", "warning", "info"]
Status = Literal["draft", "review", "approved"]
TextFormat = Literal["plain", "html"]

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Finding:
    """One problem found by a check, attached to a file (and a line and channel where known)."""

    rule: str
    severity: Severity
    message: str
    file: str
    line: int | None = None
    channel: str | None = None
    hint: str | None = None

    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.file, self.line or 0, self.channel or "", self.rule, self.message)

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "channel": self.channel,
            "hint": self.hint,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Finding:
        line = data.get("line")
        channel = data.get("channel")
        hint = data.get("hint")
        return cls(
            rule=str(data["rule"]),
            severity=data["severity"],  # type: ignore[arg-type]
            message=str(data["message"]),
            file=str(data["file"]),
            line=int(line) if isinstance(line, int) else None,
            channel=str(channel) if channel is not None else None,
            hint=str(hint) if hint is not None else None,
        )


@dataclass(frozen=True)
class Utm:
    """UTM parameters a channel adds to the brand's own links."""

    source: str
    medium: str = "social"


@dataclass(frozen=True)
class QueueRules:
    """How the queue places background posts on one channel (channels.toml `[queue]`)."""

    max_per_day: int | None = None  # None: as many as the channel has slots that day
    min_gap_hours: float = 2.0
    blackout_hours: float = 24.0  # no background post this close to an event post
    country: str | None = None  # public holidays of this country take no background post
    horizon_weeks: int = 12  # how far past its first day a post may be moved
    start: str | None = None  # ISO date: first day for queued posts that give no date


@dataclass(frozen=True)
class Channel:
    """One account on one platform, from channels.toml."""

    name: str
    platform: str
    template: str  # path relative to brand/templates/
    timezone: str | None  # IANA zone; None means the defaults' zone
    lang: str | None
    handle: str | None
    utm: Utm
    slots: tuple[str, ...] = ()  # "HH:MM" local times for posts that give only a date
    stale_after_hours: float | None = None
    credentials: tuple[tuple[str, str], ...] = ()  # (purpose, ENV_VAR_NAME)
    options: tuple[tuple[str, str], ...] = ()  # platform-specific settings (instance URL...)
    slot_scores: tuple[float | None, ...] = ()  # per slot, the score `cmbuild slots` gave it
    queue: QueueRules = QueueRules()


@dataclass(frozen=True)
class ImageRef:
    """An image a post uses, as written in the front matter (path relative to the repository)."""

    path: str
    alt: str | None
    focus: tuple[float, float] = (0.5, 0.5)
    line: int | None = None


@dataclass(frozen=True)
class ChannelOverride:
    """What a post changes for one channel: any field left None keeps the post's value."""

    text: str | None = None
    title: str | None = None
    publish: str | None = None  # raw value, resolved by the schedule stage
    link: str | None = None
    images: tuple[ImageRef, ...] | None = None
    lang: str | None = None
    fields: tuple[tuple[str, str], ...] = ()  # platform extra fields (pinterest description...)


PostKind = Literal["news", "event", "evergreen"]


@dataclass(frozen=True)
class Repeat:
    """A background post that recurs: every `weeks` weeks, until `until` (included)."""

    weeks: int
    until: str  # ISO date, included


@dataclass(frozen=True)
class Post:
    """One Markdown file in posts/: the idea, written once."""

    source: str  # repository-relative POSIX path, e.g. posts/2026-12-01-launch.md
    slug: str
    title: str
    body: str  # Markdown
    body_line: int  # line of the body's first line in the file
    publish: str | None  # raw value, resolved per channel by the schedule stage
    publish_line: int | None
    timezone: str | None
    channels: tuple[str, ...]
    channel_lines: tuple[tuple[str, int], ...]
    overrides: tuple[tuple[str, ChannelOverride], ...]
    campaign: str | None
    tags: tuple[str, ...]
    link: str | None
    images: tuple[ImageRef, ...]
    status: Status
    sponsored: bool
    lang: str | None
    key_lines: tuple[tuple[str, int], ...] = ()  # front matter key -> line, for findings
    sensitive: tuple[str, ...] = ()  # veille topics whose crisis holds this post (brand/watch.toml)
    kind: PostKind = "news"
    series: str | None = None
    repeat: Repeat | None = None

    @property
    def queued(self) -> bool:
        """Whether the queue places this post (background content: evergreen or a series)."""
        return self.kind == "evergreen" or self.series is not None

    def override(self, channel: str) -> ChannelOverride:
        for name, override in self.overrides:
            if name == channel:
                return override
        return ChannelOverride()

    def line_of(self, key: str) -> int | None:
        for name, line in self.key_lines:
            if name == key:
                return line
        return None


@dataclass(frozen=True)
class Media:
    """An image attached to a variant, as listed in the manifest."""

    path: str  # repository-relative (source) or output-relative (processed) path
    sha256: str
    bytes: int
    alt: str | None
    width: int | None = None
    height: int | None = None
    # Where the image came from in the post (not published, not in the manifest): the focal
    # point the crops keep, and the line of the image in the front matter.
    focus: tuple[float, float] = (0.5, 0.5)
    line: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "width": self.width,
            "height": self.height,
            "alt": self.alt,
        }


@dataclass(frozen=True)
class Variant:
    """A post rendered for one channel: what will be published, where and when."""

    id: str
    key: str  # "<source>#<channel>", human-readable form of the id
    source: str
    slug: str
    channel: str
    platform: str
    title: str
    text: str
    text_format: TextFormat
    output: str  # output-relative path of the text file
    scheduled: datetime  # timezone-aware, in the channel's zone
    timezone: str
    link: str | None
    media: tuple[Media, ...]
    campaign: str | None
    tags: tuple[str, ...]
    status: Status
    sponsored: bool
    lang: str | None
    fields: tuple[tuple[str, str], ...] = ()  # platform extra fields (title, description...)
    length: int = 0
    limit: int | None = None
    unit: str = "characters"
    findings: tuple[Finding, ...] = field(default=())
    content_hash: str = ""  # digest of what would be published (see write.manifest.content_hash)
    kind: str = "news"  # the post's kind: news, event or evergreen (background, with a series)
    plan: str | None = None  # why the queue placed it there (background posts only)

    @property
    def timestamp(self) -> float:
        """When it is scheduled, in seconds since the epoch."""
        return self.scheduled.timestamp()


class Placed(Protocol):
    """What build-wide stages read of a variant: a `Variant`, or its light row
    (`cmbuild.incremental.rows`)."""

    @property
    def id(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def timestamp(self) -> float: ...
    @property
    def status(self) -> str: ...
    @property
    def findings(self) -> tuple[Finding, ...]: ...


@dataclass(frozen=True)
class BannedExpression:
    expression: str
    suggest: str | None = None
    reason: str | None = None
    severity: Severity | None = None


@dataclass(frozen=True)
class RequiredText:
    """A text (hashtag, mention, wording) that variants must contain; empty filters match all."""

    text: str
    platforms: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    campaigns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Handle:
    """Someone the brand mentions: `@[key]` in a post becomes their handle on each platform."""

    key: str
    name: str
    by_platform: tuple[tuple[str, str], ...] = ()

    def on(self, platform: str) -> str | None:
        for name, handle in self.by_platform:
            if name == platform:
                return handle
        return None


LogoPosition = Literal["bottom-right", "bottom-left", "top-right", "top-left"]
Band = Literal["none", "top", "bottom"]


@dataclass(frozen=True)
class LogoSettings:
    """The charter's [logo] table, as written."""

    path: str  # repository-relative
    position: LogoPosition = "bottom-right"
    width: float = 0.15  # share of the image width
    margin: float = 0.03  # share of the image width
    opacity: float = 1.0


@dataclass(frozen=True)
class ImageSettings:
    """The charter's graphic identity ([colors], [logo], [overlay], [fonts], [images]) as written.

    Colours are "#RRGGBB" or a name from [colors]: the image stage resolves them (and checks that
    the logo and font files exist) when it makes the brand's images.
    """

    colors: tuple[tuple[str, str], ...] = ()  # name -> "#RRGGBB"
    logo: LogoSettings | None = None
    band: Band = "none"
    band_color: str = "primary"
    band_height: float = 0.06  # share of the image height
    band_opacity: float = 1.0
    frame: float = 0.0  # share of the image width; 0 for none
    frame_color: str = "primary"
    title_font: str | None = None  # repository-relative
    quality: int = 85
    min_quality: int = 50
    max_source_pixels: int = 100_000_000
    title_background: str = "background"
    title_color: str = "text"
    # The colour keys the charter sets ("overlay.band_color"): an unknown colour name there is an
    # error; an unset one falls back to its default.
    chosen: tuple[str, ...] = ()


@dataclass(frozen=True)
class Charter:
    """The brand charter, from brand/charter.toml."""

    source: str = "brand/charter.toml"
    brand_name: str = ""
    lang: str | None = None
    timezone: str | None = None  # the brand's zone: channels.toml's [defaults] timezone
    domains: tuple[str, ...] = ()
    banned: tuple[BannedExpression, ...] = ()
    required: tuple[RequiredText, ...] = ()
    hashtag_max: int | None = None
    emoji_max: int | None = None
    disclosures: tuple[str, ...] = ()
    alt_required: bool = True
    utm_required: bool = True
    complementarity_window_hours: float = 24.0
    complementarity_similarity: float = 0.8
    complementarity_exempt: tuple[tuple[str, ...], ...] = ()
    handles: tuple[Handle, ...] = ()
    severities: tuple[tuple[str, Severity], ...] = ()
    images: ImageSettings = ImageSettings()  # the graphic identity, for the image stage
    strings: tuple[tuple[str, str, str], ...] = ()  # (lang, phrase key, words) from [strings.*]
    key_lines: tuple[tuple[str, int], ...] = ()  # dotted key path -> line in the charter file

    def severity(self, rule: str, default: Severity) -> Severity:
        for name, severity in self.severities:
            if name == rule:
                return severity
        return default

    def handle(self, key: str) -> Handle | None:
        for handle in self.handles:
            if handle.key == key:
                return handle
        return None

    def line_of(self, key: str) -> int | None:
        for name, line in self.key_lines:
            if name == key:
                return line
        return None
