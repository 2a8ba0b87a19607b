"""Small builders of domain objects for the check tests: a test gives only what it is about."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cmbuild.model import (
    BannedExpression,
    Channel,
    ChannelOverride,
    Charter,
    ImageRef,
    Media,
    Post,
    RequiredText,
    Severity,
    Utm,
    Variant,
)

PARIS = ZoneInfo("Europe/Paris")
NOON = datetime(2026, 12, 1, 12, 0, tzinfo=PARIS)
SOURCE = "posts/2026-12-01-janvier.md"


def platform_of(channel_name: str) -> str:
    """`x-cmb` is on `x`, `facebook-cmb` on `facebook`; `blog` on `blog`."""
    return channel_name.split("-")[0]


def channel(name: str = "facebook-cmb", lang: str | None = "fr") -> Channel:
    platform = platform_of(name)
    return Channel(
        name=name,
        platform=platform,
        template=f"{platform}.j2",
        timezone="Europe/Paris",
        lang=lang,
        handle=None,
        utm=Utm(source=platform),
    )


def post(
    body: str = "La session de janvier commence le 12 janvier.\n",
    *,
    source: str = SOURCE,
    channels: tuple[str, ...] = ("facebook-cmb",),
    overrides: dict[str, ChannelOverride] | None = None,
    lines: dict[str, int] | None = None,
    body_line: int = 10,
    title: str = "Session de janvier",
    link: str | None = None,
    images: tuple[ImageRef, ...] = (),
    sponsored: bool = False,
) -> Post:
    """A post whose front matter keys sit on the lines given in `lines` (title 2, publish 3...)."""
    key_lines = {"title": 2, "publish": 3, "channels": 5} | (lines or {})
    return Post(
        source=source,
        slug=source.rsplit("/", 1)[-1].removesuffix(".md"),
        title=title,
        body=body,
        body_line=body_line,
        publish="2026-12-01 12:00",
        publish_line=key_lines["publish"],
        timezone=None,
        channels=channels,
        channel_lines=tuple((name, key_lines.get(f"channels.{name}", 0)) for name in channels),
        overrides=tuple((overrides or {}).items()),
        campaign="session-janvier",
        tags=(),
        link=link,
        images=images,
        status="approved",
        sponsored=sponsored,
        lang=None,
        key_lines=tuple(sorted(key_lines.items())),
    )


def variant(
    text: str,
    *,
    on: str = "facebook-cmb",
    source: str = SOURCE,
    scheduled: datetime = NOON,
    html: bool = False,
    link: str | None = None,
    media: tuple[Media, ...] = (),
    campaign: str | None = "session-janvier",
    sponsored: bool = False,
    lang: str | None = "fr",
    fields: tuple[tuple[str, str], ...] = (),
) -> Variant:
    slug = source.rsplit("/", 1)[-1].removesuffix(".md")
    return Variant(
        id=f"{source}#{on}",
        key=f"{source}#{on}",
        source=source,
        slug=slug,
        channel=on,
        platform=platform_of(on),
        title="Session de janvier",
        text=text,
        text_format="html" if html else "plain",
        output=f"{on}/{slug}.txt",
        scheduled=scheduled,
        timezone="Europe/Paris",
        link=link,
        media=media,
        campaign=campaign,
        tags=(),
        status="approved",
        sponsored=sponsored,
        lang=lang,
        fields=fields,
    )


def charter(
    *banned: BannedExpression,
    required: tuple[RequiredText, ...] = (),
    hashtag_max: int | None = None,
    emoji_max: int | None = None,
    disclosures: tuple[str, ...] = (),
    alt_required: bool = True,
    domains: tuple[str, ...] = ("cm-bordeaux.fr",),
    window_hours: float = 24.0,
    similarity: float = 0.8,
    exempt: tuple[tuple[str, ...], ...] = (),
    severities: tuple[tuple[str, Severity], ...] = (),
) -> Charter:
    return Charter(
        brand_name="CM Bordeaux",
        lang="fr",
        domains=domains,
        banned=banned,
        required=required,
        hashtag_max=hashtag_max,
        emoji_max=emoji_max,
        disclosures=disclosures,
        alt_required=alt_required,
        complementarity_window_hours=window_hours,
        complementarity_similarity=similarity,
        complementarity_exempt=exempt,
        severities=severities,
    )


def media(path: str = "media/salle.jpg", alt: str | None = None) -> Media:
    return Media(path=path, sha256="0" * 64, bytes=1000, alt=alt)


def image(path: str = "media/salle.jpg", alt: str | None = None, line: int | None = 7) -> ImageRef:
    return ImageRef(path=path, alt=alt, line=line)


def hours(count: float) -> timedelta:
    return timedelta(hours=count)
