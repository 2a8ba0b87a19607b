"""inbox.html per intent, with the approved replies and how to send each; byte for byte."""

from __future__ import annotations

from pathlib import Path

from tests.preview.inbox_fixture import GOLDEN, inbox_html


def test_the_inbox_page_matches_its_golden_file(tmp_path: Path) -> None:
    """Regenerate with `make golden` when the page legitimately changes."""
    page = inbox_html(tmp_path)
    assert page == inbox_html(tmp_path / "again")
    assert page == GOLDEN.read_bytes()
    text = page.decode()
    assert "<script>alert" not in text and "&lt;script&gt;" in text  # what people write is escaped
    assert text.index('id="intent-complaint"') < text.index('id="intent-none"')
    assert "cmbuild reply x-cmb:1869 --with plainte-dm --var order=..." in text
    assert "cmbuild reply bluesky-cmb:done" not in text  # answered: nothing to send
