"""Calendar entries are written without Jinja: their escaping must be Jinja's, exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape as jinja_escape

from cmbuild.preview.entries import escape


@given(st.text())
def test_escape_is_what_jinja_autoescape_gives(text: str) -> None:
    assert escape(text) == str(jinja_escape(text))
