"""Markdown bodies rendered as plain text (social platforms) and HTML (blog, newsletter)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmbuild.render.markdown import (
    Document,
    mention_names,
    parse,
    resolve_mentions,
    to_html,
    to_plain,
)

UTM = "?utm_source=x&utm_medium=social"


def tag(url: str) -> str:
    """Stands in for the UTM rewriter: tags the brand's links only."""
    return url + UTM if url.startswith("https://cm-bordeaux.fr/") else url


def plain(markdown: str, *, clickable: bool = True) -> str:
    return to_plain(parse(markdown), links_clickable=clickable, rewrite_link=tag)


def html(markdown: str) -> str:
    return to_html(parse(markdown), rewrite_link=tag)


# --- parse --------------------------------------------------------------------------------------


def test_parse_returns_a_document_rendered_many_times_alike() -> None:
    doc = parse("Texte **gras** et ![photo](p.jpg) avec [lien](https://cm-bordeaux.fr).")
    assert isinstance(doc, Document)
    first = (to_plain(doc, links_clickable=True, rewrite_link=tag), to_html(doc, rewrite_link=tag))
    for _ in range(3):
        assert to_plain(doc, links_clickable=True, rewrite_link=tag) == first[0]
        assert to_html(doc, rewrite_link=tag) == first[1]


def test_document_repr_does_not_dump_tokens() -> None:
    assert repr(parse("un\n\ndeux")) == "Document()"


# --- plain: blocks ------------------------------------------------------------------------------


def test_paragraphs_are_separated_by_one_blank_line() -> None:
    assert plain("Un.\n\n\n\nDeux.\n\nTrois.") == "Un.\n\nDeux.\n\nTrois."


def test_headings_become_their_own_paragraph() -> None:
    assert plain("# Titre **fort**\nTexte.\n\nSous-titre\n---\n\nFin.") == (
        "Titre fort\n\nTexte.\n\nSous-titre\n\nFin."
    )


def test_a_soft_break_is_a_space_and_a_hard_break_a_new_line() -> None:
    # CommonMark: a line wrapped in the source is not a new line in the post ("chocolat chaud,
    # café filtre" was posted on two lines); two spaces or a backslash at the end of a line are.
    assert plain("Ligne un\nligne deux  \nligne trois\\\nligne quatre") == (
        "Ligne un ligne deux\nligne trois\nligne quatre"
    )
    wrapped = "Au menu : chocolat chaud,\ncafé filtre."
    assert plain(wrapped) == "Au menu : chocolat chaud, café filtre."


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("**gras** et __gras__", "gras et gras"),
        ("*italique* et _italique_", "italique et italique"),
        ("***les deux***", "les deux"),
        ("~~barré~~", "barré"),
        ("un `code **brut**` ici", "un code **brut** ici"),
        (r"\*pas d'emphase\*", "*pas d'emphase*"),
        ("2 * 3 * 4", "2 * 3 * 4"),
    ],
)
def test_inline_markers(markdown: str, expected: str) -> None:
    assert plain(markdown) == expected


def test_fenced_code_is_kept_verbatim() -> None:
    markdown = "Avant.\n\n```python\ndef f():\n    return 1\n\n\nf()\n```\n\nAprès."
    assert plain(markdown) == "Avant.\n\ndef f():\n    return 1\n\n\nf()\n\nAprès."


def test_indented_code_is_kept() -> None:
    markdown = "Avant.\n\n    x = 1\n      y = 2\n\nAprès."
    assert plain(markdown) == "Avant.\n\nx = 1\n  y = 2\n\nAprès."


def test_blockquote_is_its_text() -> None:
    assert plain("> « Une citation »\n> sur deux lignes.\n\nSuite.") == (
        "« Une citation » sur deux lignes.\n\nSuite."
    )


def test_thematic_break_adds_nothing() -> None:
    assert plain("Un.\n\n---\n\nDeux.") == "Un.\n\nDeux."


def test_table_rows_become_lines() -> None:
    assert plain("| jour | heure |\n|---|---|\n| lundi | 9 h |") == "jour | heure\nlundi | 9 h"


# --- plain: lists -------------------------------------------------------------------------------


def test_bullet_lists_use_bullets_whatever_the_marker() -> None:
    assert plain("Au programme :\n\n- un\n* deux\n\nFin.") == (
        "Au programme :\n\n• un\n\n• deux\n\nFin."
    )
    assert plain("- un\n- deux\n- trois") == "• un\n• deux\n• trois"


def test_loose_lists_stay_compact() -> None:
    assert plain("- un\n\n- deux\n\n- trois") == "• un\n• deux\n• trois"


def test_nested_lists_indent_two_spaces_per_level() -> None:
    markdown = "- un\n  - un.un\n    1. a\n    2. b\n- deux"
    assert plain(markdown) == "• un\n  • un.un\n    1. a\n    2. b\n• deux"


def test_ordered_lists_number_from_their_start() -> None:
    assert plain("1. a\n1. b\n1. c") == "1. a\n2. b\n3. c"
    assert plain("3) a\n4) b") == "3) a\n4) b"


def test_list_item_continuation_lines_are_indented() -> None:
    markdown = "- un\n  suite\n\n  second paragraphe\n- deux"
    assert plain(markdown) == "• un suite\n  second paragraphe\n• deux"


def test_empty_and_nested_first_items() -> None:
    assert plain("- - imbriqué\n-\n- fin") == "•\n  • imbriqué\n•\n• fin"


# --- plain: links -------------------------------------------------------------------------------


def test_link_clickable_shows_label_and_url() -> None:
    assert plain("Voir [le programme](https://example.org/p).") == (
        "Voir le programme (https://example.org/p)."
    )


def test_link_not_clickable_keeps_the_label_only() -> None:
    assert plain("Voir [le programme](https://example.org/p).", clickable=False) == (
        "Voir le programme."
    )


@pytest.mark.parametrize(
    "markdown",
    ["<https://example.org/p>", "[https://example.org/p](https://example.org/p)"],
)
def test_link_written_as_its_url_appears_once(markdown: str) -> None:
    assert plain(markdown) == "https://example.org/p"
    assert plain(markdown, clickable=False) == "https://example.org/p"


def test_rewrite_link_applies_to_every_url_written_out() -> None:
    seen: list[str] = []

    def rewrite(url: str) -> str:
        seen.append(url)
        return url + "#r"

    doc = parse(
        "[a](https://cm-bordeaux.fr/a) <https://cm-bordeaux.fr/b>\n\n"
        "- [c](https://example.org/c)\n\n# [d](https://example.org/d)"
    )
    assert to_plain(doc, links_clickable=True, rewrite_link=rewrite) == (
        "a (https://cm-bordeaux.fr/a#r) https://cm-bordeaux.fr/b#r\n\n"
        "• c (https://example.org/c#r)\n\nd (https://example.org/d#r)"
    )
    assert seen == [
        "https://cm-bordeaux.fr/a",
        "https://cm-bordeaux.fr/b",
        "https://example.org/c",
        "https://example.org/d",
    ]


def test_utm_tagged_link() -> None:
    assert plain("[Inscription](https://cm-bordeaux.fr/inscription)") == (
        f"Inscription (https://cm-bordeaux.fr/inscription{UTM})"
    )


def test_link_label_formatting_is_dropped() -> None:
    assert (
        plain("[**le** *programme*](https://example.org)") == "le programme (https://example.org)"
    )


def test_link_around_an_image_is_its_url() -> None:
    assert plain("[![logo](logo.png)](https://example.org)") == "https://example.org"
    assert plain("[![logo](logo.png)](https://example.org)", clickable=False) == ""


def test_email_links_show_the_address() -> None:
    assert plain("<contact@cm-bordeaux.fr>") == "contact@cm-bordeaux.fr"
    assert plain("[écrivez-nous](mailto:contact@example.org)") == (
        "écrivez-nous (contact@example.org)"
    )


def test_urls_are_shown_as_written_not_encoded() -> None:
    assert plain("<https://café.fr/été>") == "https://café.fr/été"
    assert plain("[https://café.fr](https://café.fr)") == "https://café.fr"
    assert plain("[x](https://example.org/été)") == "x (https://example.org/été)"


def test_an_encoded_space_stays_encoded() -> None:
    assert plain("[x](https://example.org/a%20b)") == "x (https://example.org/a%20b)"


def test_unsafe_links_are_not_links() -> None:
    assert plain("[x](javascript:alert(1))") == "[x](javascript:alert(1))"


# --- plain: images, HTML, entities, typography --------------------------------------------------


def test_images_are_dropped_and_leave_nothing_behind() -> None:
    assert plain("Avant.\n\n![une photo](p.jpg)\n\nAprès.") == "Avant.\n\nAprès."
    assert plain("voir ![photo](p.jpg) ici") == "voir ici"
    assert plain("![photo](p.jpg) Bonjour") == "Bonjour"
    assert plain("un\n![photo](p.jpg)\ndeux") == "un deux"


def test_raw_html_is_dropped() -> None:
    assert plain("<div class='x'>\nbloc\n</div>\n\nTexte.") == "Texte."
    assert plain("un <b>gras</b> ici<br>") == "un gras ici"
    assert plain("<!-- à relire -->\nTexte <!-- note --> fini.") == "Texte fini."


def test_entities_are_decoded() -> None:
    assert plain("Tom &amp; Jerry &eacute;t&eacute; &#8217; &#x1F389; &lt;b&gt;") == (
        "Tom & Jerry été ’ 🎉 <b>"
    )


def test_french_typography_is_untouched() -> None:
    text = (
        "« Bienvenue » à l’atelier\u00a0: c’est parti\u202f! 🎉👩\u200d💻\n\n"
        "Rendez-vous à 9\u00a0h — café offert ☕️."
    )
    assert plain(text) == text
    assert plain(text, clickable=False) == text


def test_no_trailing_whitespace_nor_edge_blank_lines() -> None:
    markdown = "\n\n  Un   \ndeux ![x](y.png)\n\n```\ncode   \n\n```\n\n| a | |\n|---|---|\n\n\n"
    assert plain(markdown) == "Un\ndeux\n\ncode\n\na |"


def test_empty_body() -> None:
    assert plain("") == ""
    assert plain("\n\n   \n") == ""
    assert html("") == ""


# --- HTML ---------------------------------------------------------------------------------------


def test_html_renders_markdown() -> None:
    assert html("# Titre\n\nTexte **fort** et ~~barré~~.\n\n- un\n- deux") == (
        "<h1>Titre</h1>\n<p>Texte <strong>fort</strong> et <s>barré</s>.</p>\n"
        "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>\n"
    )


def test_html_rewrites_every_link_but_not_images() -> None:
    result = html(
        '[a](https://cm-bordeaux.fr/a "Titre") <https://cm-bordeaux.fr/b>\n\n'
        "![photo](https://cm-bordeaux.fr/p.jpg)"
    )
    assert result == (
        '<p><a href="https://cm-bordeaux.fr/a?utm_source=x&amp;utm_medium=social" '
        'title="Titre">a</a> '
        '<a href="https://cm-bordeaux.fr/b?utm_source=x&amp;utm_medium=social">'
        "https://cm-bordeaux.fr/b</a></p>\n"
        '<p><img src="https://cm-bordeaux.fr/p.jpg" alt="photo" /></p>\n'
    )


def test_html_escapes_what_rewrite_link_returns() -> None:
    doc = parse("[a](https://example.org)")
    assert to_html(doc, rewrite_link=lambda url: url + '?"><script>') == (
        '<p><a href="https://example.org?&quot;&gt;&lt;script&gt;">a</a></p>\n'
    )


def test_html_escapes_raw_html() -> None:
    assert html("<script>alert(1)</script>\n\nun <b onclick='x'>gras</b>") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        "<p>un &lt;b onclick='x'&gt;gras&lt;/b&gt;</p>\n"
    )


def test_html_drops_comments() -> None:
    assert html("<!-- à relire -->\n\nTexte <!-- note -->fini.") == "<p>Texte fini.</p>\n"


def test_html_keeps_typography() -> None:
    assert html("« Oui\u00a0» l’été 🎉 &amp;") == "<p>« Oui\u00a0» l’été 🎉 &amp;</p>\n"


# --- mentions -----------------------------------------------------------------------------------


def handle(name: str) -> str:
    return {"marie": "@marie_cm", "cm-bordeaux": "@cmbdx"}.get(name, name.title())


def test_mentions_are_resolved() -> None:
    text = plain("Avec @[marie], @[MARIE] et @[cm-bordeaux] ; @[paul_2] aussi.")
    assert resolve_mentions(text, handle) == "Avec @marie_cm, @marie_cm et @cmbdx ; Paul_2 aussi."


def test_mentions_survive_both_renderings() -> None:
    markdown = "Merci **@[marie]** et @[jean_dupont] et @[a_b] !"
    assert plain(markdown) == "Merci @[marie] et @[jean_dupont] et @[a_b] !"
    assert html(markdown) == (
        "<p>Merci <strong>@[marie]</strong> et @[jean_dupont] et @[a_b] !</p>\n"
    )
    assert resolve_mentions(html(markdown), handle) == (
        "<p>Merci <strong>@marie_cm</strong> et Jean_Dupont et A_B !</p>\n"
    )


@pytest.mark.parametrize(
    "text",
    ["@[]", "@[-x]", "@[_x]", "@[a b]", "@[été]", "@ [x]", "@[\u212a]"],  # U+212A: Kelvin
)
def test_non_mentions_are_left_alone(text: str) -> None:
    assert resolve_mentions(text, handle) == text
    assert mention_names(text) == []


def test_mention_names_in_order_each_once() -> None:
    assert mention_names("@[Paul] @[marie] @[paul] @[x-1]") == ["paul", "marie", "x-1"]
    assert mention_names("sans mention") == []


# --- properties ---------------------------------------------------------------------------------

MARKDOWNISH = st.text(alphabet="*_~`[]()<>!#-+=>|\\&;:/.\n \t\u00a0aé1@«»’🎉", max_size=200)
WORD_CHARS = "abcdeéèàçôïABC0123456789’«»!?;:,.🎉\u00a0"
# Markdown trims a paragraph's edges, NBSP included: words neither start nor end with a space.
WORD = st.text(alphabet=WORD_CHARS, min_size=1, max_size=12).filter(
    lambda word: word == word.strip() != ""
)
# Emphasis needs a word that does not start or end with a space (NBSP included).
EM_WORD = st.text(alphabet="abcdeéèàçôïABC0123456789’🎉", min_size=1, max_size=12)


def _no_trailing_spaces(text: str) -> bool:
    return all(line == line.rstrip(" \t") for line in text.split("\n"))


@given(st.one_of(st.text(max_size=300), MARKDOWNISH))
def test_plain_never_raises_and_is_tidy(markdown: str) -> None:
    for clickable in (True, False):
        text = plain(markdown, clickable=clickable)
        assert _no_trailing_spaces(text)
        assert not text.startswith("\n")
        assert not text.endswith("\n")


@given(st.one_of(st.text(max_size=300), MARKDOWNISH))
def test_html_never_raises_nor_lets_tags_through(markdown: str) -> None:
    result = html(markdown.replace("x", "<script>"))
    assert "<script" not in result


@given(
    st.lists(
        st.tuples(st.sampled_from(["", "**", "__", "*", "_", "~~"]), EM_WORD),
        min_size=1,
        max_size=20,
    )
)
def test_emphasis_markers_never_reach_plain_text(pieces: list[tuple[str, str]]) -> None:
    markdown = " ".join(f"{marker}{word}{marker}" for marker, word in pieces)
    text = plain(markdown)
    assert "**" not in text
    assert "__" not in text
    assert "~~" not in text
    assert text == " ".join(word for _, word in pieces)


# Text with no Markdown syntax: lines start with a letter (no list or heading marker).
LINE = st.builds(
    lambda first, words: first + " ".join(words),
    st.sampled_from("aLéÉ«"),
    st.lists(WORD, max_size=8),
)
PARAGRAPH = st.lists(LINE, min_size=1, max_size=4).map("\n".join)
PLAIN_TEXT = st.lists(PARAGRAPH, min_size=1, max_size=4).map("\n\n".join)


@given(PLAIN_TEXT)
def test_plain_text_without_markdown_syntax_is_unchanged_but_for_wrapped_lines(text: str) -> None:
    unwrapped = re.sub(r"(?<!\n)\n(?!\n)", " ", text)  # soft breaks are spaces
    assert plain(text) == unwrapped
    assert plain(text, clickable=False) == unwrapped


BLOCK = st.one_of(
    PARAGRAPH,
    st.lists(LINE, min_size=1, max_size=5).map(lambda lines: "\n".join(f"- {w}" for w in lines)),
    st.lists(LINE, min_size=1, max_size=5).map(
        lambda words: "\n".join(f"{n}. {w}" for n, w in enumerate(words, 1))
    ),
    st.tuples(EM_WORD, LINE).map(lambda pair: f"**{pair[0]}** [{pair[1]}](https://example.org/p)"),
    LINE.map(lambda line: f"> {line}"),
)


@given(st.lists(BLOCK, min_size=1, max_size=6).map("\n\n".join), st.booleans())
def test_plain_rendering_is_idempotent(markdown: str, clickable: bool) -> None:
    once = plain(markdown, clickable=clickable)
    # Line by line: read whole, list lines ("• un", "• deux") would be one wrapped paragraph.
    assert [plain(line, clickable=clickable) for line in once.split("\n")] == once.split("\n")
