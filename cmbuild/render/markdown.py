"""A post's Markdown body: parsed once, rendered as plain text (social platforms) or HTML (blog).

`parse` runs markdown-it once; `to_plain` and `to_html` walk the same tokens as often as there are
channels. Mentions (`@[name]`) are left in both renderings as written; the caller resolves them per
platform with `resolve_mentions`, after rendering.

Raw HTML is parsed as HTML (markdown-it's ``html`` option stays on) so that the plain renderer can
drop it; the HTML renderer then escapes it, which is as safe as ``html=False`` and needs no second
parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

RewriteLink = Callable[[str], str]

# ASCII: with IGNORECASE alone, [a-z] would also match the Kelvin sign and the long s.
_MENTION = re.compile(r"@\[([a-z0-9][a-z0-9_-]*)\]", re.IGNORECASE | re.ASCII)

_SPACES = " \t"  # what "trailing whitespace" means here: NBSP and its kin are typography


@dataclass(frozen=True, eq=False)
class Document:
    """A Markdown body parsed once; render it with `to_plain` and `to_html` as often as needed.

    The tokens are markdown-it's; nothing in this module changes them after `parse`.
    """

    tokens: tuple[Token, ...] = field(repr=False)


def parse(markdown: str) -> Document:
    """Parse a Markdown body (CommonMark, plus tables and ~~strikethrough~~)."""
    return Document(tuple(_parser().parse(markdown)))


def to_html(doc: Document, *, rewrite_link: RewriteLink) -> str:
    """Render HTML for the blog and the newsletter.

    Every link target goes through `rewrite_link` (image sources do not). Raw HTML written in the
    Markdown is shown escaped, never passed through; HTML comments are dropped.
    """
    md = _parser()
    html: str = md.renderer.render(doc.tokens, md.options, {"rewrite_link": rewrite_link})
    return html


def to_plain(doc: Document, *, links_clickable: bool, rewrite_link: RewriteLink) -> str:
    """Render plain text for social platforms.

    Paragraphs and headings become paragraphs separated by one blank line; a line wrapped in the
    source (a soft break) becomes a space and a hard break (two spaces or `\\` at the end of a
    line) a new line, as CommonMark says;
    emphasis markers are dropped; lists become ``•`` or ``1.`` lines, nested ones indented two
    spaces per level. A link is ``label (url)`` where the platform makes links clickable and its
    label alone where it does not; a link written as its own URL appears once. Every URL written
    out goes through `rewrite_link`. Images and raw HTML in the body are dropped.
    """
    writer = _PlainWriter()
    for token in doc.tokens:
        kind = token.type
        if kind == "paragraph_open" or kind == "paragraph_close":
            continue
        if kind == "inline":
            text = _inline_plain(token.children or (), links_clickable, rewrite_link)
            writer.text(text)
        elif kind == "fence" or kind == "code_block":
            writer.place(_code_plain(token.content))
        elif kind == "list_item_open":
            writer.open_item(token)
        elif kind == "list_item_close":
            writer.close_item()
        elif kind == "bullet_list_open" or kind == "ordered_list_open":
            writer.open_list(token)
        elif kind == "bullet_list_close" or kind == "ordered_list_close":
            writer.close_list()
        elif kind == "tr_open":
            writer.cells = []
        elif kind == "tr_close":
            writer.close_row()
        elif kind == "table_close":
            writer.close_table()
        # Everything else (headings' and blockquotes' open/close, hr, html_block) adds nothing.
    return writer.result()


def resolve_mentions(text: str, resolve: Callable[[str], str]) -> str:
    """Replace every ``@[name]`` with ``resolve(name)``, the name lowercased.

    Works on `to_plain` and `to_html` output alike (the HTML renderer leaves ``@[name]`` as is);
    for HTML, `resolve` must return HTML. Mentions inside code are replaced too.
    """
    if "@[" not in text:
        return text
    return _MENTION.sub(lambda match: resolve(match.group(1).lower()), text)


def mention_names(text: str) -> list[str]:
    """The names mentioned as ``@[name]``, lowercased, each once, in order of first appearance."""
    if "@[" not in text:
        return []
    return list(dict.fromkeys(name.lower() for name in _MENTION.findall(text)))


# --- HTML -------------------------------------------------------------------------------------


class _HtmlRenderer(RendererHTML):
    """markdown-it's HTML renderer, with link targets rewritten and raw HTML shown as text."""

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        rewrite: RewriteLink = env["rewrite_link"]
        attrs = "".join(
            f' {name}="{escapeHtml(rewrite(str(value)) if name == "href" else str(value))}"'
            for name, value in tokens[idx].attrs.items()
        )
        return f"<a{attrs}>"

    def html_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        content = tokens[idx].content.strip("\n")
        if _is_comment(content):
            return ""
        return f"<p>{escapeHtml(content)}</p>\n"

    def html_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        content = tokens[idx].content
        return "" if _is_comment(content) else escapeHtml(content)


def _is_comment(html: str) -> bool:
    # A writer's note (<!-- à relire -->) is dropped everywhere rather than shown on the blog.
    html = html.strip()
    return html.startswith("<!--") and html.endswith("-->")


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", renderer_cls=_HtmlRenderer).enable(["table", "strikethrough"])


# --- Plain text -------------------------------------------------------------------------------


def _inline_plain(children: Sequence[Token], clickable: bool, rewrite: RewriteLink) -> str:
    """One paragraph's (or heading's, or cell's) text: a single pass over its inline tokens."""
    parts: list[str] = []
    link: Token | None = None
    link_start = 0
    dropped = after_drop = False
    for child in children:
        kind = child.type
        if kind == "text":
            content = child.content
            # "voir ![photo](p.jpg) ici" must not leave two spaces behind.
            if after_drop and content[:1] == " " and (not parts or parts[-1][-1:] in " \n"):
                content = content[1:]
            parts.append(content)
        elif kind == "softbreak":
            # CommonMark: a line wrapped in the source is one line of text; only a hard break
            # (two spaces or a backslash at the end of the line) is a new line.
            if not (after_drop and parts and parts[-1][-1:] in " \n"):
                parts.append(" ")
            continue  # a dropped image before a soft break still takes the next text's space
        elif kind == "hardbreak":
            parts.append("\n")
        elif kind == "code_inline":
            parts.append(child.content)
        elif kind == "link_open":
            link, link_start = child, len(parts)
        elif kind == "link_close" and link is not None:
            label = "".join(parts[link_start:])
            del parts[link_start:]
            parts.append(_link_plain(label, link, clickable, rewrite))
            link = None
        elif kind == "image" or kind == "html_inline":
            dropped = after_drop = True
            continue
        after_drop = False
    text = "".join(parts)
    return _tidy(text) if dropped else text


def _link_plain(label: str, link: Token, clickable: bool, rewrite: RewriteLink) -> str:
    if not clickable:
        return label
    href = str(link.attrs.get("href", ""))
    url = _display_url(rewrite(href))
    if link.markup == "autolink" or not label or label == href or _same_url(label, href):
        return url
    return f"{label} ({url})"


def _same_url(label: str, href: str) -> bool:
    # [https://café.fr](https://café.fr): the href is punycoded and percent-encoded, the label not.
    return ":" in label and label == _parser().normalizeLinkText(href)


def _display_url(url: str) -> str:
    """The URL as the writer typed it: "https://café.fr/été", not its punycoded, %-encoded form."""
    if url.startswith("mailto:"):
        url = url[len("mailto:") :]
    if "%" not in url and "xn--" not in url:
        return url
    decoded = _parser().normalizeLinkText(url)
    # A decoded space or line break would cut the link in two where the platform finds URLs.
    return url if any(char.isspace() for char in decoded) else decoded


def _tidy(text: str) -> str:
    """Remove the blank lines and edge spaces a dropped image or HTML tag left in a paragraph."""
    lines = (line.strip(_SPACES) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _code_plain(content: str) -> str:
    return "\n".join(line.rstrip(_SPACES) for line in content.split("\n")).strip("\n")


@dataclass(slots=True)
class _List:
    ordered: bool
    number: int


@dataclass(slots=True)
class _Item:
    prefix: str  # "  • " or "  3. ": indentation and marker of the item's first line
    indent: str  # indentation of the item's other lines
    fresh: bool = True  # nothing written yet


class _PlainWriter:
    """Collects paragraphs (blocks) and list lines while `to_plain` walks the block tokens."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.lines: list[str] = []  # lines of the outermost open list
        self.lists: list[_List] = []
        self.items: list[_Item] = []
        self.rows: list[str] = []
        self.cells: list[str] | None = None

    def text(self, text: str) -> None:
        if self.cells is None:
            self.place(text)
        else:
            self.cells.append(text)

    def place(self, text: str) -> None:
        if not text.strip():
            return
        if not self.items:
            self.blocks.append(text)
            return
        item = self.items[-1]
        if "\n" in text:
            text = text.replace("\n", "\n" + item.indent)
        self.lines.append(item.prefix + text if item.fresh else item.indent + text)
        item.fresh = False

    def open_list(self, token: Token) -> None:
        start = token.attrs.get("start", 1)
        self.lists.append(_List(token.type == "ordered_list_open", int(start)))

    def close_list(self) -> None:
        self.lists.pop()
        if not self.lists and self.lines:
            self.blocks.append("\n".join(self.lines))
            self.lines = []

    def open_item(self, token: Token) -> None:
        if self.items and self.items[-1].fresh:  # "- - nested": the outer bullet comes first
            self.close_item_marker(self.items[-1])
        current = self.lists[-1]
        indent = "  " * (len(self.lists) - 1)
        if current.ordered:
            marker = f"{current.number}{token.markup} "
            current.number += 1
        else:
            marker = "• "
        self.items.append(_Item(indent + marker, indent + "  "))

    def close_item(self) -> None:
        item = self.items.pop()
        if item.fresh:
            self.close_item_marker(item)

    def close_item_marker(self, item: _Item) -> None:
        self.lines.append(item.prefix.rstrip(_SPACES))
        item.fresh = False

    def close_row(self) -> None:
        self.rows.append(" | ".join(self.cells or ()))
        self.cells = None

    def close_table(self) -> None:
        self.place("\n".join(self.rows))
        self.rows = []

    def result(self) -> str:
        text = "\n\n".join(self.blocks)
        return "\n".join(line.rstrip(_SPACES) for line in text.split("\n")).strip("\n")
