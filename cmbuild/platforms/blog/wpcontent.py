"""What a WordPress post's content is, made from a blog variant's HTML.

A blog variant is a whole page (the channel's template renders `<html>`, `<head>`, the title as
`<h1>`...), as the static blog publisher needs. WordPress stores only the article and prints the
title, the document and the theme around it, so the content sent is the inside of `<article>`
(else of `<body>`, else the text as it is), without a first `<h1>`: otherwise every theme would
show the title twice. Images the article shows are pointed at their copies in the media library,
and the idempotency key is kept in an HTML comment, which no theme shows and which WordPress keeps
as sent, so that `find` can recognise the post after a crash.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

_BODY = re.compile(r"<body\b[^>]*>(.*)</body\s*>", re.IGNORECASE | re.DOTALL)
_ARTICLE = re.compile(r"<article\b[^>]*>(.*)</article\s*>", re.IGNORECASE | re.DOTALL)
_FIRST_HEADING = re.compile(r"\A\s*<h1\b[^>]*>.*?</h1\s*>", re.IGNORECASE | re.DOTALL)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = r"""(\s{name}\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)"""
_REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
MARKER = "<!-- cmbuild-key: {key} -->"
_LAST_PARAGRAPH_END = re.compile(r"</p\s*>\s*\Z", re.IGNORECASE)


@dataclass(frozen=True)
class Uploaded:
    """An image as the media library has it."""

    media_id: int
    url: str
    path: str  # as the manifest names it
    alt: str | None


def marker(key: str) -> str:
    return MARKER.format(key=key)


def with_marker(content: str, key: str) -> str:
    """`content` carrying the key, where WordPress's automatic paragraphs leave no trace of it.

    WordPress wraps a comment standing on its own in an (empty) paragraph of its own; inside the
    last paragraph it stays as it is.
    """
    found = _LAST_PARAGRAPH_END.search(content)
    if found is None:
        return f"{content}\n{marker(key)}"
    return content[: found.start()] + marker(key) + content[found.start() :]


def article(text: str, text_format: str) -> str:
    """The post content for a variant's text: the article alone, as HTML."""
    if text_format != "html":
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        return "\n\n".join(
            f"<p>{html.escape(p).replace(chr(10), '<br>' + chr(10))}</p>" for p in paragraphs
        )
    inner = text
    for container in (_BODY, _ARTICLE):
        found = container.search(inner)
        if found:
            inner = found.group(1)
    return _FIRST_HEADING.sub("", inner, count=1).strip()


def with_media(content: str, uploaded: Sequence[Uploaded]) -> str:
    """`content` with each local `<img>` that shows one of `uploaded` pointed at its library copy.

    An image is recognised by its path (the manifest's, or its file name) or else by its alt text,
    which is how the channel's template writes it (`post.images` names the source file, not the
    encoded copy). The `wp-image-ID` class is WordPress's own: with it, WordPress adds the
    responsive sizes (`srcset`) when it shows the post.
    """

    def point(found: re.Match[str]) -> str:
        tag = found.group(0)
        src = _attribute(tag, "src")
        if src is None or _REMOTE.match(src):
            return tag
        item = _match(src, _attribute(tag, "alt"), uploaded)
        if item is None:
            return tag
        tag = _set_attribute(tag, "src", item.url)
        classes = (_attribute(tag, "class") or "").split()
        return _set_attribute(tag, "class", " ".join([*classes, f"wp-image-{item.media_id}"]))

    return _IMG.sub(point, content)


def _match(src: str, alt: str | None, uploaded: Sequence[Uploaded]) -> Uploaded | None:
    wanted = src.split("?", 1)[0].lstrip("./")
    for item in uploaded:
        if wanted == item.path or PurePosixPath(wanted).name == PurePosixPath(item.path).name:
            return item
    if alt:
        for item in uploaded:
            if item.alt and item.alt.strip() == alt.strip():
                return item
    return None


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(_ATTRIBUTE.format(name=name), tag, re.IGNORECASE)
    if found is None:
        return None
    return html.unescape(found.group(2).strip("\"'"))


def _set_attribute(tag: str, name: str, value: str) -> str:
    quoted = '"' + html.escape(value, quote=True) + '"'
    pattern = re.compile(_ATTRIBUTE.format(name=name), re.IGNORECASE)
    if pattern.search(tag):
        return pattern.sub(lambda m: m.group(1) + quoted, tag, count=1)
    end = -2 if tag.endswith("/>") else -1
    return f"{tag[:end].rstrip()} {name}={quoted}{tag[end:]}"
