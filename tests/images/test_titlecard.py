"""Title cards: wrapping, accents, emoji left out cleanly, and the WCAG contrast check."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from cmbuild.images.brand import Brand
from cmbuild.images.colors import parse_hex
from cmbuild.images.titlecard import TitleFonts, drawable_text, text_color, wrap
from tests.images.conftest import CHARTER, REPO, Run, job

FONT = (REPO / "brand/assets/fonts/DejaVuSans-Bold.ttf").read_bytes()


def test_emoji_and_missing_scripts_are_left_out_whole() -> None:
    fonts = TitleFonts(FONT)
    kept, dropped = drawable_text("Rentrée 🎉 à Bordeaux 👩‍💻 1️⃣ ❤️ 中文", fonts)
    assert kept == "Rentrée à Bordeaux ❤️"  # DejaVu draws ❤ (in black): kept
    assert dropped == ["🎉", "👩\u200d💻", "1️⃣", "中", "文"]


def test_accents_decomposed_or_not_are_drawn() -> None:
    kept, dropped = drawable_text("Ame\u0301lie et Élodie", TitleFonts(FONT))
    assert (kept, dropped) == ("Amélie et Élodie", [])


def test_wrap_breaks_at_spaces_and_inside_words_only_when_needed() -> None:
    font = TitleFonts(FONT).font(40)
    lines = wrap("Une formation pour les anticonstitutionnellement pressés", font, 400)
    assert all(font.getlength(line) <= 400 for line in lines)
    assert "".join(lines).replace(" ", "") == "Uneformationpourlesanticonstitutionnellementpressés"
    assert lines[0] == "Une formation"


def test_low_contrast_picks_the_better_brand_colour() -> None:
    brand = Brand(
        colors=(("accent", parse_hex("#1F4E79")), ("pale", parse_hex("#E0E0E0"))),
        title_background=parse_hex("#FFFFFF"),
        title_color=parse_hex("#E0E0E0"),
    )
    color, [note] = text_color(brand)
    assert color == parse_hex("#1F4E79")
    assert note.rule == "images.contrast"
    assert note.message == (
        "title card text #E0E0E0 on #FFFFFF has a contrast of 1.32:1, under the 4.5:1 WCAG"
        " minimum: using accent (#1F4E79, 8.66:1) instead"
    )


def test_title_card_for_a_platform_that_requires_an_image(run: Run, repo: Path) -> None:
    title = "Les inscriptions sont ouvertes 🎉 : la session de janvier commence le 12 !"
    result = run(
        [job(None, "instagram", title=title, alt=None), job(None, "pinterest", title=title)]
    )
    assert result.errors == []
    [card] = result.media["posts/2027-01-04-test.md#instagram-test"]
    assert (card.width, card.height) == (1080, 1350)
    assert card.alt == title  # the card shows the title: it is its alt text
    [pin] = result.media["posts/2027-01-04-test.md#pinterest-test"]
    assert (pin.width, pin.height) == (1000, 1500)
    rules = sorted({f.rule for f in result.findings})
    assert rules == ["images.glyphs", "images.title-card"]
    with Image.open(io.BytesIO((repo / "output" / card.path).read_bytes())) as image:
        darkest = min(image.convert("L").tobytes())
    assert darkest < 60  # dark text was drawn


def test_title_card_contrast_finding(run: Run, repo: Path) -> None:
    charter = {
        **CHARTER,
        "colors": {"primary": "#1F4E79", "text": "#D8D4CF", "background": "#F7F3EE"},
    }
    result = run([job(None, "instagram", title="Un titre")], charter)
    [finding] = [f for f in result.findings if f.rule == "images.contrast"]
    assert finding.severity == "warning"
    assert "under the 4.5:1 WCAG minimum: using primary (#1F4E79" in finding.message
