"""What a reader sees of an HTML variant (blog, newsletter): its text and its links.

Charter rules count hashtags and emoji and look for wording in what is read, not in markup: a
`#F7F3EE` colour in a style attribute is no hashtag, and `&amp;` in an href is a plain `&`.
"""

from __future__ import annotations

from html.parser import HTMLParser

_SKIPPED = {"style", "script", "head", "title"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in ("p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "td"):
            self.parts.append("\n")
        for name, value in attrs:
            if name == "href" and value and value.startswith(("http://", "https://")):
                self.links.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def read_html(html: str) -> tuple[str, list[str]]:
    """The visible text of `html` (entities decoded, no style or script) and its http(s) links."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return "".join(reader.parts), reader.links
