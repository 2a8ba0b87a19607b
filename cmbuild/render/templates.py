"""The Jinja environment the brand's templates run in, with the filters writers need.

Templates use StrictUndefined: a misspelt variable is an error naming the template file and line.
Filters that depend on the channel (caps, UTM, mentions, fitting the platform's limit) read the
current `Scope` from the template context, so one environment serves every channel.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import jinja2
from jinja2 import pass_context
from jinja2.runtime import Context

from cmbuild.errors import InputError
from cmbuild.layout import TEMPLATES_DIR
from cmbuild.model import Channel, Charter
from cmbuild.platforms.base import Platform
from cmbuild.render.links import add_utm
from cmbuild.render.strings import phrase
from cmbuild.text.entities import hashtags as find_hashtags

SCOPE = "_cmbuild_scope"


@dataclass(frozen=True)
class Omission:
    """Something a filter left out of the text: the render stage reports each one as a finding.

    kind "cut": `fit` shortened the text and `lost` holds the words cut; "no-room": the room given
    to `fit` left not one word of the text (the hashtags, link or disclosure took it all), which
    was kept whole; "hashtags": `hashtags` reached its cap and `lost` holds the hashtags left out.
    """

    kind: Literal["cut", "no-room", "hashtags"]
    limit: int
    lost: str


@dataclass(frozen=True)
class Scope:
    """What channel-aware filters need to know about the variant being rendered.

    `writer_text`: the body is the writer's own `text:` for this channel, which `fit` never cuts
    (the platform's length check reports it whole instead). Filters append to `omissions`.
    """

    channel: Channel
    platform: Platform
    charter: Charter
    campaign: str | None
    writer_text: bool = False
    omissions: list[Omission] = field(default_factory=list, compare=False)
    content: str | None = None  # the variant's utm_content


class TemplateFailure(Exception):
    """A template failed while rendering; carries the template file and line."""

    def __init__(self, template: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.template = template
        self.line = line
        self.message = message


def make_environment(root: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root / TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "html"), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    env.filters.update(
        hashtags=_hashtags,
        utm=_utm,
        fit=_fit,
        excerpt=_excerpt,
        mention=_mention,
        date=_date,
        phrase=_phrase,
    )
    return env


def compile_templates(env: jinja2.Environment, names: Iterable[str]) -> list[InputError]:
    """Load every template once so syntax errors surface before any post is rendered."""
    errors = []
    for name in sorted(set(names)):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            errors.append(
                InputError(
                    f"{TEMPLATES_DIR}/{error.name or name}",
                    f"template syntax error: {error.message}",
                    line=error.lineno,
                    hint="check the {{ }} and {% %} tags on this line",
                )
            )
        except jinja2.TemplateNotFound as error:
            errors.append(InputError(f"{TEMPLATES_DIR}/{error.name}", "template not found"))
    return errors


def render(env: jinja2.Environment, name: str, variables: Mapping[str, Any], scope: Scope) -> str:
    """Render template `name`; failures become TemplateFailure with the template's line."""
    try:
        template = env.get_template(name)
        return template.render({**variables, SCOPE: scope})
    except jinja2.TemplateSyntaxError as error:
        raise TemplateFailure(
            f"{TEMPLATES_DIR}/{error.name or name}", error.lineno, error.message or "syntax error"
        ) from None
    except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as error:
        raise TemplateFailure(
            f"{TEMPLATES_DIR}/{name}", _template_line(error, name), _describe(error)
        ) from None


def _describe(error: Exception) -> str:
    if isinstance(error, jinja2.UndefinedError):
        return (
            f"{error.message} (a variable or attribute that does not exist; see docs/templates.md)"
        )
    return f"{type(error).__name__}: {error}"


def _template_line(error: BaseException, name: str) -> int | None:
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.replace("\\", "/").endswith(f"{TEMPLATES_DIR}/{name}"):
            line = frame.lineno
    return line


def _scope(ctx: Context) -> Scope:
    scope = ctx.get(SCOPE)
    assert isinstance(scope, Scope), (
        "templates are rendered through cmbuild.render.templates.render"
    )
    return scope


@pass_context
def _hashtags(ctx: Context, tags: Iterable[str], max: int | None = None) -> str:
    """Tags as hashtags, capped by platform, charter and `max`, skipping those in the body."""
    scope = _scope(ctx)
    caps = [
        c for c in (scope.platform.hashtag_limit, scope.charter.hashtag_max, max) if c is not None
    ]
    body = ctx.get("body")
    present = {h.casefold() for h in find_hashtags(str(body))} if body else set()
    budget = min(caps) if caps else None
    if budget is not None:
        budget -= len(present)
    out: list[str] = []
    dropped: list[str] = []
    for tag in tags:
        tag_text = scope.platform.hashtag(str(tag))
        if tag_text.casefold() in present or tag_text == "#":
            continue
        present.add(tag_text.casefold())
        if budget is not None and len(out) >= budget:
            dropped.append(tag_text)
        else:
            out.append(tag_text)
    if dropped and budget is not None:
        scope.omissions.append(Omission("hashtags", budget if budget > 0 else 0, " ".join(dropped)))
    return " ".join(out)


@pass_context
def _utm(ctx: Context, url: str) -> str:
    scope = _scope(ctx)
    if not scope.platform.tags_links:
        return str(url)
    return add_utm(
        str(url), scope.channel.utm, scope.campaign, scope.charter.domains, scope.content
    )


@pass_context
def _fit(ctx: Context, text: str, limit: int | None = None, ellipsis: str = "…") -> str:
    """`text` shortened to fit `limit`; every cut is reported with the words it lost.

    The writer's own `text:` override is never cut: it is kept whole, and the platform's length
    check reports it as an error if the whole post does not fit.
    """
    scope, text = _scope(ctx), str(text)
    budget = limit if limit is not None else scope.platform.text_limit
    if budget is None or scope.platform.length(text) <= budget:
        return text
    if scope.platform.length("") > budget:
        scope.omissions.append(Omission("no-room", budget, text))
        return text
    if scope.writer_text and text == str(ctx.get("body")):
        return text
    kept = scope.platform.truncate(text, budget, ellipsis)
    prefix = kept if text.startswith(kept) else kept.removesuffix(ellipsis)
    if _keeps_nothing(prefix, text):  # as good as no room at all
        scope.omissions.append(Omission("no-room", budget, text))
        return text
    scope.omissions.append(Omission("cut", budget, text[len(prefix) :]))
    return kept


def _keeps_nothing(prefix: str, text: str) -> bool:
    """Whether `prefix`, a start of `text`, holds nothing but a piece of its first word.

    Only in a text that spaces its words: a text in a script without spaces (Chinese, Japanese)
    is cut between any two characters.
    """
    if not prefix.strip():
        return True
    in_first_word = not any(c.isspace() for c in prefix.strip())
    cut_in_a_word = not text[len(prefix) :][:1].isspace()
    return in_first_word and cut_in_a_word and any(c.isspace() for c in text.strip())


@pass_context
def _excerpt(ctx: Context, text: str, limit: int, ellipsis: str = "…") -> str:
    """The start of `text` that fits `limit`, for a summary meant to be short (a page's meta
    description, an email's preheader): the cut is not reported, since the whole text is
    published beside it."""
    platform, text = _scope(ctx).platform, str(text)
    if platform.length(text) <= limit:
        return text
    return platform.truncate(text, limit, ellipsis) if platform.length("") <= limit else ""


@pass_context
def _mention(ctx: Context, key: str) -> str:
    scope = _scope(ctx)
    handle = scope.charter.handle(str(key))
    if handle is None:
        known = ", ".join(h.key for h in scope.charter.handles) or "none"
        raise ValueError(f"unknown handle {key!r} (handles in brand/charter.toml: {known})")
    return scope.platform.mention(handle.name, handle.on(scope.platform.name))


@pass_context
def _phrase(ctx: Context, key: str) -> str:
    """`key`'s words in the post's language (cmbuild.render.strings)."""
    post, channel = ctx.get("post") or {}, ctx.get("channel") or {}
    lang = post.get("lang") or channel.get("lang")
    return phrase(str(key), lang, _scope(ctx).charter.strings)


def _date(value: datetime, format: str = "%Y-%m-%d") -> str:
    return value.strftime(format)
