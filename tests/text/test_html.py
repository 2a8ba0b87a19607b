"""One pass over an HTML variant gives what the charter reads and what the calendar shows."""

from __future__ import annotations

from cmbuild.text.html import read_html

PAGE = (
    "<!doctype html><html><head><title>Atelier</title>"
    "<style>p { color: #F7F3EE }</style></head><body><article>"
    "<h1>Atelier&nbsp;CM</h1>"
    '<p>Voir <a href="https://cm-bordeaux.fr/a?x=1&amp;y=2">le programme</a> #CM</p>'
    "<ul><li>un</li><li>deux</li></ul>"
    '<p><a href="mailto:contact@cm-bordeaux.fr">contact@cm-bordeaux.fr</a></p>'
    "<pre>  garde\n  les espaces</pre>"
    "<script>var tag = '#pas-un-hashtag';</script>"
    "</article></body></html>"
)


def test_visible_text_and_links() -> None:
    read = read_html(PAGE)
    assert "#F7F3EE" not in read.visible and "pas-un-hashtag" not in read.visible
    assert "Atelier\u00a0CM" in read.visible and "#CM" in read.visible
    assert read.links == ("https://cm-bordeaux.fr/a?x=1&y=2",)


def test_readable_layout() -> None:
    assert read_html(PAGE).readable == (
        "Atelier\u00a0CM\n\n"
        "Voir le programme (https://cm-bordeaux.fr/a?x=1&y=2) #CM\n\n"
        "• un\n• deux\n\n"
        "contact@cm-bordeaux.fr\n\n"
        "garde\nles espaces"
    )


def test_an_element_not_displayed_is_left_out_of_the_readable_layout() -> None:
    page = (
        '<div style="display: none;">Preheader <div>nested</div><br>still hidden</div>'
        "<p>Shown</p><div STYLE='DISPLAY:NONE'/><p>after</p>"
    )
    read = read_html(page)
    assert read.readable == "Shown\n\nafter"
    assert "Preheader" in read.visible  # the inbox shows it: the charter reads it
