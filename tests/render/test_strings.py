"""The words templates add themselves, in the post's language (`phrase`)."""

from __future__ import annotations

import pytest

from cmbuild.render.strings import phrase


def test_built_in_words_in_french_and_english() -> None:
    assert phrase("link_in_bio", "fr") == "Lien en bio."
    assert phrase("link_in_bio", "en") == "Link in bio."
    assert phrase("link_in_bio", "fr-CA") == "Lien en bio."  # the base language
    assert phrase("link_in_bio", None) == "Link in bio."


def test_the_charters_words_win() -> None:
    assert phrase("link_in_bio", "fr", [("fr", "link_in_bio", "Lien dans la bio !")]) == (
        "Lien dans la bio !"
    )
    assert phrase("link_in_bio", "de", [("de", "link_in_bio", "Link in der Bio.")]) == (
        "Link in der Bio."
    )


def test_a_language_without_the_words_is_an_error_saying_where_to_add_them() -> None:
    with pytest.raises(ValueError, match=r"\[strings\.de\] in brand/charter\.toml"):
        phrase("link_in_bio", "de")
    with pytest.raises(ValueError, match="unknown phrase 'lnk_in_bio'"):
        phrase("lnk_in_bio", "fr")
