"""The brand charter's rules (docs/charter.md), checked on each variant.

`check_variant` runs every `charter.*` rule that looks at one variant alone. Complementarity needs
all variants at once (`cmbuild.check.complementarity`); unknown handles are caught when mentions are
rendered. Wording is matched on folded text (`cmbuild.check.locate.fold`), so "Gratuit", "GRATUIT"
and "gratüit" are the same word, and "n’hésitez pas" matches across a non-breaking space.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cached_property, lru_cache

from cmbuild import platforms
from cmbuild.check.locate import (
    fold,
    key_line,
    line_of_text,
    original_offset,
    phrase_pattern,
    search_folded,
    text_line,
)
from cmbuild.model import (
    BannedExpression,
    Channel,
    Charter,
    Finding,
    ImageRef,
    Media,
    Post,
    Severity,
    Variant,
)
from cmbuild.render.links import is_brand_link, missing_utm
from cmbuild.text.entities import emoji_count, hashtags, urls
from cmbuild.text.html import read_html

DEFAULT_SEVERITY: dict[str, Severity] = {
    "charter.banned-wording": "error",
    "charter.required-text": "warning",
    "charter.hashtag-cap": "error",
    "charter.emoji-cap": "warning",
    "charter.disclosure": "error",
    "charter.alt-text": "error",
    "charter.utm": "error",
    "charter.language": "warning",
    "charter.complementarity": "warning",
    "charter.unknown-handle": "error",
}


_TAG = re.compile(r"<[^>]*>")


def check_variant(
    variant: Variant, post: Post, channel: Channel, charter: Charter
) -> list[Finding]:
    """Every finding of the charter's per-variant rules on `variant`, rule by rule."""
    context = _Context(variant, post, channel, charter)
    return [finding for rule in _RULES for finding in rule(context)]


class _Context:
    """One variant being checked, with what several rules need computed once."""

    def __init__(self, variant: Variant, post: Post, channel: Channel, charter: Charter) -> None:
        self.variant = variant
        self.post = post
        self.channel = channel
        self.charter = charter

    @cached_property
    def folded(self) -> str:
        return fold(self.variant.text)

    @cached_property
    def _read(self) -> tuple[str, tuple[str, ...]]:
        if self.variant.text_format == "html":
            read = read_html(self.variant.text)
            return read.visible, read.links
        return self.variant.text, ()

    @property
    def visible(self) -> str:
        """What a reader sees: the text, or an HTML variant's text without its markup."""
        return self._read[0]

    @cached_property
    def links(self) -> list[str]:
        """Every http(s) link: in the text, and in an HTML variant's hrefs."""
        return list(dict.fromkeys([*self._read[1], *urls(self.visible)]))

    @cached_property
    def hashtags(self) -> list[str]:
        return ["#" + tag.lstrip("#＃") for tag in hashtags(self.visible)]

    def finding(
        self, rule: str, message: str, hint: str, line: int | None, severity: Severity | None = None
    ) -> Finding:
        return Finding(
            rule=rule,
            severity=severity or self.charter.severity(rule, DEFAULT_SEVERITY[rule]),
            message=message,
            file=self.post.source,
            line=line,
            channel=self.channel.name,
            hint=hint,
        )

    def line_of(self, needle: str) -> int | None:
        """The line of `needle` in the post, else where the channel's text starts."""
        found = line_of_text(self.post, self.channel.name, needle)
        return found if found is not None else text_line(self.post, self.channel.name)

    def contains(self, wanted: str) -> bool:
        """Whether the text has `wanted`: a hashtag in any case, else words ignoring accents."""
        if wanted.startswith(("#", "＃")):
            tag = wanted.lstrip("#＃").casefold()
            return any(found[1:].casefold() == tag for found in self.hashtags)
        folded = self.folded if self.variant.text_format != "html" else fold(self.visible)
        return search_folded(folded, wanted) is not None


def _banned_wording(ctx: _Context) -> Iterator[Finding]:
    banned = ctx.charter.banned
    if not banned:
        return
    pattern = _banned_pattern(tuple(expression.expression for expression in banned))
    # expression index -> (first occurrence as written, where, occurrences there); a field that
    # repeats the text (a Pinterest description, say) does not count twice.
    found: dict[int, tuple[str, str, int]] = {}
    places = [("text", ctx.variant.text, ctx.folded)]
    places += [(name, value, fold(value)) for name, value in ctx.variant.fields]
    for place, text, folded in places:
        html = place == "text" and ctx.variant.text_format == "html"
        seen_here: set[int] = set()
        for index, written in _occurrences(pattern, text, folded, html):
            if index in found and index not in seen_here:
                continue
            seen_here.add(index)
            first, where, count = found.get(index, (written, place, 0))
            found[index] = (first, where, count + 1)
    for index, (written, place, count) in sorted(found.items()):
        expression = banned[index]
        notes = [
            note for note in (expression.reason, f"{count} times" if count > 1 else "") if note
        ]
        message = f'banned wording "{written}"' + (f" ({'; '.join(notes)})" if notes else "")
        if place != "text":
            message += f" in the {place}"
        hint = (
            f'write "{expression.suggest}" instead of "{written}"'
            if expression.suggest
            else f'rephrase without "{written}"'
        )
        line = (
            ctx.line_of(written) if place == "text" else key_line(ctx.post, ctx.channel.name, place)
        )
        yield ctx.finding("charter.banned-wording", message, hint, line, expression.severity)


@lru_cache(maxsize=16)
def _banned_pattern(expressions: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all banned expressions; group `b<i>` is expression i.

    Keyed by the expressions rather than the charter, whose hash would be recomputed on every call.
    Longer expressions come first, so "100 % gratuit" is reported rather than "gratuit" inside it.
    """
    order = sorted(
        (i for i, expression in enumerate(expressions) if expression.strip()),
        key=lambda i: -len(expressions[i]),
    )
    return re.compile(
        "|".join(f"(?P<b{i}>{phrase_pattern(expressions[i]).pattern})" for i in order)
    )


def _occurrences(
    pattern: re.Pattern[str], text: str, folded: str, html: bool
) -> list[tuple[int, str]]:
    """(expression index, text as written) for each banned expression in `text` (`folded`)."""
    # Masking links and tags only removes matches: text without any match needs no masking.
    if not pattern.pattern or pattern.search(folded) is None:
        return []
    found = []
    for match in pattern.finditer(_masked(folded, text, html)):
        start = original_offset(text, folded, match.start())
        end = original_offset(text, folded, match.end() - 1) + 1
        found.append((int((match.lastgroup or "b0")[1:]), text[start:end]))
    return found


def _masked(folded: str, text: str, html: bool) -> str:
    """`folded` with its links (and HTML tags) blanked out: words there are not the writer's."""
    if html:
        folded = _TAG.sub(lambda match: " " * len(match.group()), folded)
    for link in urls(text):
        target = fold(link)
        start = folded.find(target)
        while start >= 0:
            folded = folded[:start] + " " * len(target) + folded[start + len(target) :]
            start = folded.find(target, start + len(target))
    return folded


def _required_text(ctx: _Context) -> Iterator[Finding]:
    for required in ctx.charter.required:
        if not _applies(required.platforms, ctx.channel.platform):
            continue
        if not _applies(required.channels, ctx.channel.name):
            continue
        if not _applies(required.campaigns, ctx.variant.campaign):
            continue
        if ctx.contains(required.text):
            continue
        yield ctx.finding(
            "charter.required-text",
            f'missing "{required.text}", which the charter requires on {ctx.channel.name}',
            f'add "{required.text}" to the text (or to the channel\'s template)',
            text_line(ctx.post, ctx.channel.name),
        )


def _applies(names: tuple[str, ...], value: str | None) -> bool:
    return not names or value in names


def _hashtag_cap(ctx: _Context) -> Iterator[Finding]:
    cap = ctx.charter.hashtag_max
    tags = ctx.hashtags
    if cap is None or len(tags) <= cap:
        return
    yield ctx.finding(
        "charter.hashtag-cap",
        f"{len(tags)} hashtags ({' '.join(tags)}); the charter allows {cap}",
        f"keep the {cap} that matter most (remove {len(tags) - cap})",
        ctx.line_of(tags[cap]),
    )


def _emoji_cap(ctx: _Context) -> Iterator[Finding]:
    cap = ctx.charter.emoji_max
    if cap is None:
        return
    count = emoji_count(ctx.visible)
    if count <= cap:
        return
    yield ctx.finding(
        "charter.emoji-cap",
        f"{count} emoji; the charter allows {cap}",
        f"remove {count - cap} emoji",
        text_line(ctx.post, ctx.channel.name),
    )


def _disclosure(ctx: _Context) -> Iterator[Finding]:
    disclosures = ctx.charter.disclosures
    if not ctx.variant.sponsored or not disclosures:
        return
    if any(ctx.contains(text) for text in disclosures):
        return
    quoted = " or ".join(f'"{text}"' for text in disclosures)
    yield ctx.finding(
        "charter.disclosure",
        f"sponsored post without a disclosure: no {quoted} in the text",
        f'add "{disclosures[0]}" to the text for {ctx.channel.name}',
        ctx.post.line_of("sponsored") or text_line(ctx.post, ctx.channel.name),
    )


def _alt_text(ctx: _Context) -> Iterator[Finding]:
    if not ctx.charter.alt_required:
        return
    for index, media in enumerate(ctx.variant.media):
        if media.alt and media.alt.strip():
            continue
        ref = _image_ref(ctx, index, media)
        path = ref.path if ref is not None else media.path
        line = ref.line if ref is not None and ref.line else None
        yield ctx.finding(
            "charter.alt-text",
            f'image "{path}" has no alt text',
            'add alt: "..." under the image: what it shows, for people who cannot see it',
            line or key_line(ctx.post, ctx.channel.name, "images") or ctx.post.line_of("image"),
        )


def _image_ref(ctx: _Context, index: int, media: Media) -> ImageRef | None:
    """The front matter image a variant's media comes from: same path, else same position."""
    override = ctx.post.override(ctx.channel.name).images
    images = override if override is not None else ctx.post.images
    for image in images:
        if image.path == media.path:
            return image
    return images[index] if index < len(images) else None


def _utm(ctx: _Context) -> Iterator[Finding]:
    domains = ctx.charter.domains
    if (
        not ctx.charter.utm_required
        or not domains
        or not platforms.get(ctx.variant.platform).tags_links
    ):
        return
    main_link = (ctx.variant.link,) if ctx.variant.link else ()
    # Links in a text that does not make them clickable (Instagram) lead nowhere to track.
    in_text = ctx.links if platforms.get(ctx.variant.platform).links_clickable else []
    for link in dict.fromkeys([*in_text, *main_link]):
        if not is_brand_link(link, domains):
            continue
        missing = missing_utm(link)
        if not missing:
            continue
        yield ctx.finding(
            "charter.utm",
            f'link "{link}" to the brand\'s site lacks {" and ".join(missing)}',
            _utm_hint(ctx, missing),
            _link_line(ctx, link),
        )


def _utm_hint(ctx: _Context, missing: list[str]) -> str:
    values = {
        "utm_source": ctx.channel.utm.source,
        "utm_medium": ctx.channel.utm.medium,
        "utm_campaign": ctx.variant.campaign,
    }
    if "utm_campaign" in missing and not ctx.variant.campaign:
        return "set campaign: in the front matter (cmbuild adds utm_campaign from it)"
    return "add " + "&".join(f"{key}={values[key]}" for key in missing) + " to the link"


def _link_line(ctx: _Context, link: str) -> int | None:
    if link == ctx.variant.link:
        line = key_line(ctx.post, ctx.channel.name, "link")
        if line is not None:
            return line
    return ctx.line_of(link.split("?")[0].split("#")[0])


def _language(ctx: _Context) -> Iterator[Finding]:
    written, expected = ctx.variant.lang, ctx.channel.lang
    if not written or not expected or _same_language(written, expected):
        return
    yield ctx.finding(
        "charter.language",
        f'text in "{written}" on {ctx.channel.name}, which publishes in "{expected}"',
        f'write a "{expected}" version in a text: override (with lang: {expected}), '
        f'or publish it on a channel whose lang is "{written}"',
        key_line(ctx.post, ctx.channel.name, "lang") or text_line(ctx.post, ctx.channel.name),
    )


def _same_language(first: str, second: str) -> bool:
    """ "fr" and "fr-FR" are the same language; "fr-FR" and "fr-CA" are not."""
    a, b = (code.strip().lower().replace("_", "-") for code in (first, second))
    if a == b:
        return True
    return a.split("-")[0] == b.split("-")[0] and ("-" not in a or "-" not in b)


_RULES: tuple[Callable[[_Context], Iterator[Finding]], ...] = (
    _banned_wording,
    _required_text,
    _hashtag_cap,
    _emoji_cap,
    _disclosure,
    _alt_text,
    _utm,
    _language,
)


def banned_in(charter: Charter, text: str) -> list[tuple[BannedExpression, str]]:
    """Each banned expression found in a plain `text`, with its first occurrence as written.

    For texts that are not variants (the approved replies of brand/replies.toml, an answer).
    """
    if not charter.banned:
        return []
    pattern = _banned_pattern(tuple(expression.expression for expression in charter.banned))
    first: dict[int, str] = {}
    for index, written in _occurrences(pattern, text, fold(text), html=False):
        first.setdefault(index, written)
    return [(charter.banned[index], written) for index, written in sorted(first.items())]
