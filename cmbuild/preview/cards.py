"""One card per variant: what the platform would show, and what the checks found.

A card holds display-ready values only (segments, labels, relative paths); the templates escape
them. Nothing here reads a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from markupsafe import Markup

from cmbuild import platforms
from cmbuild.manifest.writer import is_publishable
from cmbuild.model import Channel, Charter, Finding, Variant
from cmbuild.platforms.base import Platform
from cmbuild.preview.calendar import long_date
from cmbuild.preview.halts import halts_for
from cmbuild.preview.media import media_name
from cmbuild.preview.richtext import Segment, clean_html, fold, segments
from cmbuild.preview.shown import Shown
from cmbuild.stores.halts import Halt

# Channel colours: each has a contrast ratio of at least 4.5:1 against white and against the
# page's light background, so that white text on it and it as text both pass WCAG AA. Colour is
# never the only cue: the channel's name is always written next to it.
PALETTE = (
    "#1d4ed8", "#b91c1c", "#047857", "#7e22ce", "#b45309", "#0e7490", "#be185d",
    "#374151", "#4d7c0f", "#4338ca", "#831843", "#0f766e", "#a21caf", "#854d0e",
)  # fmt: skip

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Picture:
    src: str | None  # relative to the page; None when the image could not be copied
    alt: str | None
    width: int | None
    height: int | None


@dataclass(frozen=True)
class Card:
    variant: Variant
    anchor: str
    colour: str
    platform_label: str
    links_clickable: bool
    display_name: str
    handle: str
    initials: str
    when: str  # date and time in the brand's zone
    own_time: str | None  # in the channel's zone, when it differs
    head: tuple[Segment, ...]
    tail: tuple[Segment, ...]
    html: Markup | None
    pictures: tuple[Picture, ...]
    findings: tuple[Finding, ...]
    halts: tuple[Halt, ...]
    publishable: bool

    @property
    def over(self) -> bool:
        return self.variant.limit is not None and self.variant.length > self.variant.limit

    @property
    def ratio(self) -> int:
        """How full the text is, in percent of the limit (capped at 100 for the bar)."""
        limit = self.variant.limit
        return min(100, round(100 * self.variant.length / limit)) if limit else 0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")


def channel_colours(channels: Sequence[Channel], variants: Sequence[Shown]) -> dict[str, str]:
    """A colour per channel, by name order (channels a variant names but the config lacks last)."""
    names = sorted({c.name for c in channels}) + sorted(
        {v.channel for v in variants} - {c.name for c in channels}
    )
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def make_card(
    variant: Variant,
    *,
    channel: Channel | None,
    charter: Charter,
    colour: str,
    zone: str,
    halts: tuple[Halt, ...],
    media_prefix: str,
    copied: frozenset[str],
) -> Card:
    """The card of `variant`; `media_prefix` leads from the page to the output root."""
    platform = _platform(variant.platform)
    display_name, handle = _names(variant, channel, charter)
    local = variant.scheduled.astimezone(ZoneInfo(zone))
    own = None
    if variant.scheduled.utcoffset() != local.utcoffset():
        own = f"{variant.scheduled.strftime('%H:%M')} {variant.timezone}"
    html = None
    head: list[Segment] = []
    tail: list[Segment] = []
    if variant.text_format == "html":
        html = Markup(clean_html(variant.text))  # safe: clean_html keeps whitelisted tags only
    else:
        head, tail = fold(
            segments(variant.text, platform), platform.fold if platform is not None else None
        )
    pictures = tuple(
        Picture(
            media_prefix + media_name(m) if media_name(m) in copied else None,
            m.alt,
            m.width,
            m.height,
        )
        for m in variant.media
    )
    return Card(
        variant=variant,
        anchor=f"v-{variant.id}",
        colour=colour,
        platform_label=platform.label if platform is not None else variant.platform,
        links_clickable=platform.links_clickable if platform is not None else True,
        display_name=display_name,
        handle=handle,
        initials=_initials(display_name),
        when=f"{long_date(local.date())}, {local.strftime('%H:%M')}",
        own_time=own,
        head=tuple(head),
        tail=tuple(tail),
        html=html,
        pictures=pictures,
        findings=tuple(sorted(variant.findings, key=_finding_order)),
        halts=halts_for(variant, halts),
        publishable=is_publishable(variant),
    )


def _finding_order(finding: Finding) -> tuple[int, int, str, str]:
    return (
        SEVERITY_ORDER.get(finding.severity, 3),
        finding.line or 0,
        finding.rule,
        finding.message,
    )


def _platform(name: str) -> Platform | None:
    """The platform a variant was built for; None if it is no longer installed (a plug-in)."""
    try:
        return platforms.get(name)
    except (KeyError, platforms.PlatformRegistryError):
        return None


def _names(variant: Variant, channel: Channel | None, charter: Charter) -> tuple[str, str]:
    """The name shown in bold and the handle line under it, as the platform's header shows."""
    brand = charter.brand_name or variant.channel
    handle = channel.handle if channel is not None else None
    if not handle:
        return brand, variant.channel
    if " " in handle.strip():  # LinkedIn pages and profiles are named, not @handled
        return handle, variant.channel
    return brand, handle


def _initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or name[:1].upper() or "?"
