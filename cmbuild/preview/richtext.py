"""Variant text as a platform shows it: links, hashtags and mentions marked, a fold where it folds.

Plain text becomes a list of `Segment`; the templates escape every piece. An HTML variant (blog,
newsletter) keeps only a small set of harmless tags, so that nothing in it can load a resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from typing import Literal

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import Fold
from cmbuild.text.entities import hashtags, mention_spans, url_spans

Kind = Literal["text", "link", "hashtag", "mention"]


@dataclass(frozen=True)
class Segment:
    kind: Kind
    text: str
    href: str | None = None


def segments(text: str, platform: Platform | None) -> list[Segment]:
    """`text` cut into plain runs, links, hashtags and mentions, in order, as `platform` shows them.

    `platform` None (a platform no longer installed) shows links with a protocol and ``@handle``
    mentions only.
    """
    spans: list[tuple[int, int, Segment]] = []
    bare = platform is not None and platform.links_without_protocol
    for start, end in url_spans(text, without_protocol=bare):
        url = text[start:end]
        href = url if "://" in url else "https://" + url
        spans.append((start, end, Segment("link", url, href)))
    for start, end, name in platform.shown_mentions(text) if platform is not None else []:
        spans.append((start, end, Segment("mention", name)))
    for start, end, _ in mention_spans(text):
        spans.append((start, end, Segment("mention", text[start:end])))
    cursor = 0
    for tag in hashtags(text):
        start = text.find(tag, cursor)
        cursor = start + len(tag)
        spans.append((start, cursor, Segment("hashtag", tag)))
    return _merge(text, spans)


def _merge(text: str, spans: list[tuple[int, int, Segment]]) -> list[Segment]:
    # Links first, then longer spans: a hashtag inside a link (`page#part`) stays in the link.
    spans.sort(key=lambda s: (s[0], s[2].kind != "link", -(s[1] - s[0])))
    result: list[Segment] = []
    cursor = 0
    for start, end, segment in spans:
        if start < cursor:
            continue  # overlaps an entity already taken
        if start > cursor:
            result.append(Segment("text", text[cursor:start]))
        result.append(segment)
        cursor = end
    if cursor < len(text):
        result.append(Segment("text", text[cursor:]))
    return result


def fold(parts: list[Segment], rule: Fold | None) -> tuple[list[Segment], list[Segment]]:
    """The segments shown before "see more", and those behind it (none if the text fits)."""
    if rule is None:
        return parts, []
    text = "".join(p.text for p in parts)
    cut = _fold_point(text, rule)
    if cut is None:
        return parts, []
    head: list[Segment] = []
    tail: list[Segment] = []
    offset = 0
    for part in parts:
        end = offset + len(part.text)
        if end <= cut:
            head.append(part)
        elif offset >= cut:
            tail.append(part)
        elif part.kind == "text":
            head.append(Segment("text", part.text[: cut - offset]))
            tail.append(Segment("text", part.text[cut - offset :]))
        else:
            tail.append(part)  # an entity is never cut in two: it goes behind the fold whole
        offset = end
    return head, tail


def _fold_point(text: str, rule: Fold) -> int | None:
    cut = len(text) if len(text) > rule.chars else None
    if cut is not None:
        space = text.rfind(" ", 0, rule.chars + 1)
        cut = space if space > rule.chars // 2 else rule.chars
    if rule.lines is not None:
        newline = -1
        for _ in range(rule.lines):
            newline = text.find("\n", newline + 1)
            if newline < 0:
                break
        if newline >= 0 and text[newline:].strip() and (cut is None or newline < cut):
            cut = newline
    return cut


# --- HTML variants ---------------------------------------------------------------------------

_KEPT = {"p", "ul", "ol", "li", "blockquote", "strong", "em", "code", "pre", "br", "hr"}
_RENAMED = {"b": "strong", "i": "em"}
# Headings inside a card would break the page's outline: they become styled paragraphs.
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {
    "div", "section", "article", "header", "footer", "main", "nav", "aside", "figure",
    "figcaption", "table", "tbody", "thead", "tr", "td", "th",
}  # fmt: skip
_DROPPED = {
    "head", "title", "style", "script", "noscript", "template", "svg", "math", "iframe",
    "object", "embed", "video", "audio", "picture", "img", "source", "form", "button",
}  # fmt: skip
_VOID = {"br", "hr", "img", "source", "meta", "link", "input", "embed", "wbr", "area", "col"}


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._stack: list[str] = []  # closing tag emitted for each open element ("" for none)
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if not self._dropping and tag in ("br", "hr"):
                self.out.append(f"<{tag}>")
            return
        hidden = "display:none" in (dict(attrs).get("style") or "").replace(" ", "").lower()
        if self._dropping or tag in _DROPPED or hidden:
            self._dropping += 1
            self._stack.append("")
            return
        closing = ""
        if tag in _KEPT or tag in _RENAMED:
            name = _RENAMED.get(tag, tag)
            self.out.append(f"<{name}>")
            closing = f"</{name}>"
        elif tag in _HEADINGS:
            self.out.append(f'<p class="rt-heading rt-{tag}">')
            closing = "</p>"
        elif tag in _BLOCKS:
            self.out.append("<div>")
            closing = "</div>"
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("https://", "http://", "mailto:")):
                self.out.append(f'<a href="{escape(href)}" rel="noopener noreferrer">')
                closing = "</a>"
        self._stack.append(closing)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self._stack:
            return
        closing = self._stack.pop()
        if self._dropping:
            self._dropping -= 1
        else:
            self.out.append(closing)

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        while self._stack:
            closing = self._stack.pop()
            if self._dropping:
                self._dropping -= 1
            else:
                self.out.append(closing)
        return "".join(self.out).strip()


def clean_html(html: str) -> str:
    """The readable part of an HTML variant, as safe markup: `<main>` or `<body>`, no resource.

    Only text-level tags and plain http(s) or mailto links are kept; images, styles and scripts go
    (the card shows the variant's images itself).
    """
    lowered = html.lower()
    for tag in ("main", "body"):
        start = lowered.find(f"<{tag}")
        end = lowered.rfind(f"</{tag}>")
        if start >= 0 and end > start:
            html = html[start:end] + f"</{tag}>"
            break
    cleaner = _Cleaner()
    cleaner.feed(html)
    return cleaner.result()
