"""The plain-text part of an HTML e-mail: readable text, links written out, hidden parts skipped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote"}
_SKIP = {"head", "style", "script", "title"}
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []  # open tags whose content is not shown
        self._links: list[str | None] = []
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self._skipping or tag in _SKIP or _HIDDEN.search(values.get("style") or ""):
            if tag not in ("br", "img", "meta", "link", "hr"):
                self._skipping.append(tag)
            return
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag == "a":
            self._links.append(values.get("href"))
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.pop()
            return
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self._links:
            href = self._links.pop()
            shown = "".join(self._link_text).strip()
            if href and href.startswith(("http://", "https://")) and href != shown:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        text = re.sub(r"\s+", " ", data)
        self.parts.append(text)
        if self._links:
            self._link_text.append(text)


def html_to_text(html: str) -> str:
    """A plain-text rendering of `html` for the text/plain part of a message."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
