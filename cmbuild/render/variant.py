"""Post × channel → Variant: Markdown once, per-platform form, the channel's template, then checks.

`render_post` is the unit of work of a build (and of a worker process in a parallel build): it
renders every channel of one post and checks each variant against its platform and the charter.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

import jinja2

from cmbuild import platforms
from cmbuild.check.charter import check_variant
from cmbuild.check.complementarity import within_post
from cmbuild.errors import InputError
from cmbuild.layout import resolve_image
from cmbuild.model import Channel, Charter, Finding, Media, Post, Variant
from cmbuild.platforms.base import Platform
from cmbuild.render import markdown
from cmbuild.render.links import add_utm, rewrite_bare_links
from cmbuild.render.templates import Scope, TemplateFailure, render
from cmbuild.write.manifest import content_hash

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


def variant_id(source: str, channel: str) -> str:
    """The stable id of a variant: the same post file and channel always give the same id."""
    return hashlib.sha256(f"{source}#{channel}".encode()).hexdigest()[:20]


def render_post(
    post: Post,
    ctx: RenderContext,
    times: Mapping[str, datetime],
    media: Mapping[str, Media],
) -> RenderedPost:
    """Render `post` for each of its channels. `times` and `media` come from earlier stages."""
    variants: list[Variant] = []
    errors: list[InputError] = []
    documents: dict[str, markdown.Document] = {}
    for name in post.channels:
        channel = ctx.channels[name]
        platform = platforms.get(channel.platform)
        try:
            variants.append(
                _render_one(post, channel, platform, ctx, times[name], media, documents)
            )
        except TemplateFailure as failure:
            errors.append(
                InputError(
                    failure.template,
                    f"{failure.message} (while rendering {post.source} for {name})",
                    line=failure.line,
                )
            )
    return RenderedPost(_with_own_clashes(variants, post, ctx.charter), tuple(errors))


def _with_own_clashes(variants: list[Variant], post: Post, charter: Charter) -> tuple[Variant, ...]:
    """Add the complementarity findings between this post's own channels to its variants."""
    clashes: dict[str, list[Finding]] = {}
    for finding in within_post(variants, charter, post):
        clashes.setdefault(finding.channel or "", []).append(finding)
    return tuple(
        replace(v, findings=tuple(sorted({*v.findings, *clashes[v.channel]}, key=Finding.sort_key)))
        if v.channel in clashes
        else v
        for v in variants
    )


def _render_one(
    post: Post,
    channel: Channel,
    platform: Platform,
    ctx: RenderContext,
    when: datetime,
    media: Mapping[str, Media],
    documents: dict[str, markdown.Document],
) -> Variant:
    override = post.override(channel.name)
    fields_override = dict(override.fields)
    source_md = override.text or fields_override.get("description") or post.body
    document = documents.get(source_md)
    if document is None:
        document = documents[source_md] = markdown.parse(source_md)
    charter = ctx.charter

    def rewrite(url: str) -> str:
        if not platform.tags_links:
            return url
        return add_utm(url, channel.utm, post.campaign, charter.domains)

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

    body = markdown.resolve_mentions(body, resolve)
    title = override.title or post.title
    raw_link = override.link or post.link
    link = rewrite(raw_link) if raw_link else None
    # The writer already linked to it in the text: templates do not add it a second time.
    shown = html.unescape(body) if platform.text_format == "html" else body
    link_in_body = bool(link and (link in shown or (raw_link and raw_link in shown)))
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
    lang = override.lang or post.lang or charter.lang
    variables = {
        "body": body,
        "post": {
            "title": title,
            "slug": post.slug,
            "campaign": post.campaign,
            "lang": lang,
            "sponsored": post.sponsored,
            "status": post.status,
            "tags": list(post.tags),
            "link": link,
            "raw_link": raw_link,
            "link_in_body": link_in_body,
            "publish": when,
            "images": [{"path": m.path, "alt": m.alt} for m in variant_media],
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
    scope = Scope(channel, platform, charter, post.campaign)
    text = _tidy(render(ctx.env, channel.template, variables, scope))
    fields = tuple((spec.name, title) for spec in platform.fields if spec.name == "title")
    count = platform.count(text)
    variant = Variant(
        id=variant_id(post.source, channel.name),
        key=f"{post.source}#{channel.name}",
        source=post.source,
        slug=post.slug,
        channel=channel.name,
        platform=platform.name,
        title=title,
        text=text,
        text_format=platform.text_format,
        output=f"{channel.name}/{post.slug}{platform.extension}",
        scheduled=when,
        timezone=channel.timezone or str(getattr(when.tzinfo, "key", "UTC")),
        link=link,
        media=variant_media,
        campaign=post.campaign,
        tags=post.tags,
        status=post.status,
        sponsored=post.sponsored,
        lang=lang,
        fields=fields,
        length=count.length,
        limit=count.limit,
        unit=count.unit,
    )
    findings = _platform_findings(post, channel, platform, variant)
    findings += check_variant(variant, post, channel, charter)
    findings += [
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
    return replace(
        variant,
        findings=tuple(sorted(set(findings), key=Finding.sort_key)),
        content_hash=content_hash(variant),
    )


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
    return [
        Finding(
            rule=p.rule,
            severity=p.severity,
            message=p.message,
            file=post.source,
            line=line,
            channel=channel.name,
            hint=p.hint,
        )
        for p in problems
    ]
