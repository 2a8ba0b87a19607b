"""The Jinja environment the brand's templates run in, with the filters writers need.

Templates use StrictUndefined: a misspelt variable is an error naming the template file and line.
Filters that depend on the channel (caps, UTM, mentions, fitting the platform's limit) read the
current `Scope` from the template context, so one environment serves every channel.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

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
class Scope:
    """What channel-aware filters need to know about the variant being rendered."""

    channel: Channel
    platform: Platform
    charter: Charter
    campaign: str | None
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
    for tag in tags:
        tag_text = scope.platform.hashtag(str(tag))
        if tag_text.casefold() in present or tag_text == "#":
            continue
        if budget is not None and len(out) >= budget:
            break
        present.add(tag_text.casefold())
        out.append(tag_text)
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
    scope = _scope(ctx)
    budget = limit if limit is not None else scope.platform.text_limit
    if budget is None:
        return str(text)
    return scope.platform.truncate(str(text), budget, ellipsis)


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
