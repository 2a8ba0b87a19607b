"""What a reader sees of an HTML variant (blog, newsletter): its text, its links, a plain layout.

Charter rules count hashtags and emoji and look for wording in what is read, not in markup: a
`#F7F3EE` colour in a style attribute is no hashtag, and `&amp;` in an href is a plain `&`. The
calendar shows the same variant as plain text laid out for reading, and so does the plain-text
part of a newsletter e-mail. Both come from one pass of the parser, kept for the few variants a
worker has just checked (the calendar event follows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

_HTML_SPACE = re.compile("[ \t\n\r\f]+")
_AROUND_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_BLANK_RUNS = re.compile(r"\n{3,}")
# An e-mail's preheader: shown by the inbox beside the subject, never in the message itself.
_NOT_DISPLAYED = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"})


@dataclass(frozen=True)
class HtmlText:
    visible: str  # the text nodes as they are (entities decoded, no style or script)
    links: tuple[str, ...]  # every http(s) href, in order
    readable: str  # paragraphs and list items on their own lines, links followed by their address,
    # elements styled `display: none` left out


@lru_cache(maxsize=32)
def read_html(html: str) -> HtmlText:
    """What a reader sees of `html`: see `HtmlText`."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    text = _AROUND_BREAK.sub("\n", "".join(reader.chunks))
    return HtmlText(
        visible="".join(reader.parts),
        links=tuple(reader.links),
        readable=_BLANK_RUNS.sub("\n\n", text).strip(),
    )


class _Reader(HTMLParser):
    """Two readings at once: `parts` (the visible text) and `chunks` (the readable layout)."""

    # The visible text: a line break before these, nothing of these.
    _BREAKS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "td"})
    _HIDDEN = frozenset({"style", "script", "head", "title"})
    # The readable layout.
    _BLOCKS = frozenset(
        {"address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption"}
        | {"figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav"}
        | {"ol", "p", "pre", "section", "table", "tr", "ul"}
    )
    _SKIPPED = frozenset({"head", "script", "style", "template", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self.chunks: list[str] = []
        self._skipping = 0
        self._pre = 0
        self._anchors: list[tuple[str, int]] = []  # (href, chunk index where the link text starts)
        self._undisplayed: list[str] = []  # open elements inside one styled `display: none`

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")
        style = ""
        for name, value in attrs:
            if name == "href" and value and value.startswith(("http://", "https://")):
                self.links.append(value)
            elif name == "style" and value:
                style = value

        if self._undisplayed or (style and _NOT_DISPLAYED.search(style)):
            if tag not in _VOID:
                self._undisplayed.append(tag)
        elif tag in self._SKIPPED:
            self._skipping += 1
        elif tag == "br":
            self.chunks.append("\n")
        elif tag == "li":
            self.chunks.append("\n• ")
        elif tag in ("td", "th"):
            self.chunks.append(" ")
        elif tag == "a":
            self._anchors.append((dict(attrs).get("href") or "", len(self.chunks)))
        elif tag in self._BLOCKS:
            self.chunks.append("\n\n")
        if tag == "pre":
            self._pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden:
            self._hidden -= 1

        if self._undisplayed:
            if tag == self._undisplayed[-1]:
                self._undisplayed.pop()
        elif tag in self._SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "a" and self._anchors:
            href, first = self._anchors.pop()
            label = "".join(self.chunks[first:]).strip()
            address = href.removeprefix("mailto:")
            if href.startswith(("http://", "https://", "mailto:")) and address != label:
                self.chunks.append(f" ({address})" if label else address)
        elif tag in self._BLOCKS:
            self.chunks.append("\n\n")
        if tag == "pre":
            self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)
        if not (self._skipping or self._undisplayed):
            # HTML's white space only: a no-break space (French typography) stays.
            self.chunks.append(data if self._pre else _HTML_SPACE.sub(" ", data))
