"""Post × channel → Variant: Markdown once, per-platform form, the channel's template, counted.

`render_post` renders every channel of one post and checks each variant against its platform's
limits; the check stage (`cmbuild.check.post`) then checks it against the charter.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import jinja2

from cmbuild import platforms
from cmbuild.errors import InputError
from cmbuild.layout import resolve_image
from cmbuild.model import Channel, Charter, Finding, Media, Post, Variant
from cmbuild.platforms.base import Platform
from cmbuild.render import markdown
from cmbuild.render.links import add_utm, rewrite_bare_links, utm_content
from cmbuild.render.omissions import omission_findings
from cmbuild.render.templates import Scope, TemplateFailure, render

# The writer's own `text:` is published as written (templates never cut it), so only they can.
OWN_TEXT_HINT = (
    "shorten this `text:`: it is never cut, and the link and hashtags the template adds count too"
)
_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t]+\n")


@dataclass(frozen=True)
class RenderContext:
    """Everything shared by all posts of a build, built once per process."""

    channels: Mapping[str, Channel]
    charter: Charter
    env: jinja2.Environment


@dataclass(frozen=True)
class RenderedPost:
    variants: tuple[Variant, ...]
    errors: tuple[InputError, ...]


def variant_id(source: str, channel: str, occurrence: int = 0) -> str:
    """The stable id of a variant: the same post file and channel always give the same id.

    A later occurrence of a `repeat:` (1 is the second time out) is that id with `-r2`, `-r3`...:
    the first keeps the id it always had, so ledgers of what was published keep matching.
    """
    first = hashlib.sha256(f"{source}#{channel}".encode()).hexdigest()[:20]
    return f"{first}-r{occurrence + 1}" if occurrence else first


def _suffix(occurrence: int) -> str:
    return f"-r{occurrence + 1}" if occurrence else ""


def render_post(
    post: Post,
    ctx: RenderContext,
    times: Mapping[str, datetime],
    media: Mapping[str, Media],
    repeats: Mapping[str, Sequence[tuple[int, datetime]]] | None = None,
) -> RenderedPost:
    """Render `post` for each of its channels. `times` and `media` come from earlier stages.

    `repeats` gives, per channel, the later occurrences of a `repeat:` (number, time): each is a
    variant of its own. A channel with no time (the queue could not place the post there, and
    said so in a finding) has no variant.

    Each variant carries the findings of rendering (platform limits, unknown handles); the check
    stage adds the charter's, and the content hash is set after it.
    """
    variants: list[Variant] = []
    errors: list[InputError] = []
    documents: dict[str, markdown.Document] = {}
    for name in post.channels:
        channel = ctx.channels[name]
        platform = platforms.get(channel.platform)
        occurrences = [(0, times[name])] if name in times else []
        occurrences += (repeats or {}).get(name, ())
        try:
            variants.extend(
                _render_one(post, channel, platform, ctx, (n, when), media, documents)
                for n, when in occurrences
            )
        except TemplateFailure as failure:
            errors.append(
                InputError(
                    failure.template,
                    f"{failure.message} (while rendering {post.source} for {name})",
                    line=failure.line,
                )
            )
    return RenderedPost(tuple(variants), tuple(errors))


def _render_one(
    post: Post,
    channel: Channel,
    platform: Platform,
    ctx: RenderContext,
    occurrence: tuple[int, datetime],
    media: Mapping[str, Media],
    documents: dict[str, markdown.Document],
) -> Variant:
    number, when = occurrence
    override = post.override(channel.name)
    own_text = override.text or dict(override.fields).get("description")
    source_md = own_text or post.body
    document = documents.get(source_md)
    if document is None:
        document = documents[source_md] = markdown.parse(source_md)
    charter = ctx.charter
    content = utm_content(variant_id(post.source, channel.name, number))

    def rewrite(url: str) -> str:
        if not platform.tags_links:
            return url
        return add_utm(url, channel.utm, post.campaign, charter.domains, content)

    body, unknown = _body(document, platform, charter, rewrite)
    raw_link = override.link or post.link
    link = rewrite(raw_link) if raw_link else None
    images = override.images if override.images is not None else post.images
    variant_media = tuple(
        replace(
            media[resolve_image(post.source, image.path)],
            alt=image.alt,
            focus=image.focus,
            line=image.line,
        )
        for image in images
    )
    shown = _Shown(
        title=override.title or post.title,
        lang=override.lang or post.lang or charter.lang,
        link=link,
        raw_link=raw_link,
        media=variant_media,
    )
    variables = _variables(post, channel, platform, charter, body, when, shown)
    scope = Scope(
        channel, platform, charter, post.campaign, writer_text=bool(own_text), content=content
    )
    text = _tidy(render(ctx.env, channel.template, variables, scope))
    variant = _variant(post, channel, platform, occurrence, text, shown)
    findings = _platform_findings(post, channel, platform, variant)
    findings += omission_findings(post, channel, platform, charter, scope.omissions)
    findings += _unknown_handles(post, channel, charter, unknown)
    return replace(variant, findings=tuple(sorted(set(findings), key=Finding.sort_key)))


@dataclass(frozen=True)
class _Shown:
    """What a variant shows besides its text, after the channel's override."""

    title: str
    lang: str | None
    link: str | None  # with the channel's UTM tags
    raw_link: str | None  # as the post wrote it
    media: tuple[Media, ...]


def _body(
    document: markdown.Document,
    platform: Platform,
    charter: Charter,
    rewrite: Callable[[str], str],
) -> tuple[str, list[str]]:
    """The post's body in the platform's form, and the handles the charter does not know."""
    if platform.text_format == "html":
        body = markdown.to_html(document, rewrite_link=rewrite)
    else:
        body = markdown.to_plain(
            document, links_clickable=platform.links_clickable, rewrite_link=rewrite
        )
        if platform.links_clickable:
            body = rewrite_bare_links(body, rewrite)
    unknown: list[str] = []

    def resolve(key: str) -> str:
        handle = charter.handle(key.lower())
        if handle is None:
            unknown.append(key)
            return f"@{key}"
        shown = platform.mention(handle.name, handle.on(platform.name))
        return html.escape(shown) if platform.text_format == "html" else shown

    return markdown.resolve_mentions(body, resolve), unknown


def _link_in_body(body: str, platform: Platform, shown: _Shown) -> bool:
    """Whether the writer already linked to the post's link in the text: templates then do not
    add it a second time."""
    text = html.unescape(body) if platform.text_format == "html" else body
    link, raw = shown.link, shown.raw_link
    return bool(link and (link in text or (raw and raw in text)))


def _variables(
    post: Post,
    channel: Channel,
    platform: Platform,
    charter: Charter,
    body: str,
    when: datetime,
    shown: _Shown,
) -> dict[str, object]:
    """What the channel's template sees."""
    return {
        "body": body,
        "post": {
            "title": shown.title,
            "slug": post.slug,
            "campaign": post.campaign,
            "lang": shown.lang,
            "sponsored": post.sponsored,
            "status": post.status,
            "tags": list(post.tags),
            "link": shown.link,
            "raw_link": shown.raw_link,
            "link_in_body": _link_in_body(body, platform, shown),
            "publish": when,
            "images": [{"path": m.path, "alt": m.alt} for m in shown.media],
        },
        "channel": {"name": channel.name, "handle": channel.handle, "lang": channel.lang},
        "platform": {
            "name": platform.name,
            "label": platform.label,
            "text_limit": platform.text_limit,
            "unit": platform.unit,
            "hashtag_limit": platform.hashtag_limit,
            "links_clickable": platform.links_clickable,
        },
        "brand": {"name": charter.brand_name},
        "disclosure": charter.disclosures[0] if post.sponsored and charter.disclosures else "",
    }


def _variant(
    post: Post,
    channel: Channel,
    platform: Platform,
    occurrence: tuple[int, datetime],
    text: str,
    shown: _Shown,
) -> Variant:
    number, when = occurrence
    fields = tuple((spec.name, shown.title) for spec in platform.fields if spec.name == "title")
    count = platform.count(text)
    return Variant(
        id=variant_id(post.source, channel.name, number),
        key=f"{post.source}#{channel.name}{_suffix(number)}",
        source=post.source,
        slug=post.slug,
        channel=channel.name,
        platform=platform.name,
        title=shown.title,
        text=text,
        text_format=platform.text_format,
        output=f"{channel.name}/{post.slug}{_suffix(number)}{platform.extension}",
        scheduled=when,
        timezone=channel.timezone or str(getattr(when.tzinfo, "key", "UTC")),
        link=shown.link,
        media=shown.media,
        campaign=post.campaign,
        tags=post.tags,
        status=post.status,
        sponsored=post.sponsored,
        lang=shown.lang,
        fields=fields,
        length=count.length,
        limit=count.limit,
        unit=count.unit,
        kind="evergreen" if post.queued and post.kind != "event" else post.kind,
    )


def _unknown_handles(
    post: Post, channel: Channel, charter: Charter, unknown: list[str]
) -> list[Finding]:
    return [
        Finding(
            rule="charter.unknown-handle",
            severity=charter.severity("charter.unknown-handle", "error"),
            message=f"@[{key}] is not a known handle",
            file=post.source,
            line=_text_line(post, channel.name),
            channel=channel.name,
            hint="add it under [handles] in brand/charter.toml, or write the name as plain text",
        )
        for key in sorted(set(unknown))
    ]


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n")
    text = _TRAILING.sub("\n", text)
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


def _text_line(post: Post, channel: str) -> int | None:
    if post.override(channel).text is not None:
        return post.line_of(f"channels.{channel}.text")
    return post.body_line


def _platform_findings(
    post: Post, channel: Channel, platform: Platform, variant: Variant
) -> list[Finding]:
    fields = dict(variant.fields)
    problems = platform.check(variant.text, fields, [m.alt for m in variant.media])
    line = _text_line(post, channel.name)
    own_text = post.override(channel.name).text is not None
    return [
        Finding(
            rule=p.rule,
            severity=p.severity,
            message=p.message,
            file=post.source,
            line=line,
            channel=channel.name,
            hint=OWN_TEXT_HINT if own_text and p.rule == "platform.length" else p.hint,
        )
        for p in problems
    ]
