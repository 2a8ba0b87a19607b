"""The charter's visual tables: validated with errors naming brand/charter.toml, key and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cmbuild.errors import InputErrors
from cmbuild.images import load_brand
from cmbuild.images.colors import contrast_ratio, parse_hex
from cmbuild.load.charter import load_charter
from tests.images.conftest import CHARTER, REPO, Run, charter_of, job
from tests.images.sources import huge_png_header, jpeg, picture, write


def _errors(repo: Path, data: dict[str, Any]) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        load_brand(repo, charter_of(data))
    return [str(e) for e in caught.value]


def test_sample_charter_loads(repo: Path) -> None:
    brand = load_brand(repo, load_charter(REPO, None))
    assert brand.logo is not None and brand.logo.position == "bottom-right"
    assert brand.background == (0xF7, 0xF3, 0xEE)
    assert brand.title_font == "brand/assets/fonts/DejaVuSans-Bold.ttf"


def test_errors_name_the_key_and_line(repo: Path) -> None:
    (repo / "brand/charter.toml").write_text(
        '[colors]\nprimary = "blue"\n\n[logo]\npath = "brand/assets/logo.png"\nwidth = 2\n'
        'position = "middle"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputErrors) as caught:
        load_charter(repo, None)
    assert sorted(str(e) for e in caught.value) == [
        "brand/charter.toml:2: colors.primary: expected a colour like #1F4E79, got 'blue'",
        "brand/charter.toml:6: logo.width: Input should be less than or equal to 0.5",
        "brand/charter.toml:7: logo.position: expected one of 'bottom-right', 'bottom-left',"
        " 'top-right' or 'top-left', got 'middle'",
    ]


def test_missing_asset_and_unknown_colour(repo: Path) -> None:
    data = {
        **CHARTER,
        "logo": {"path": "brand/assets/nope.png"},
        "overlay": {"band": "bottom", "band_color": "accent"},
    }
    assert _errors(repo, data) == [
        "brand/charter.toml: logo.path: file 'brand/assets/nope.png' not found (paths are"
        " relative to the repository)",
        "brand/charter.toml: overlay.band_color: unknown colour 'accent' ([colors] defines:"
        " background, primary, secondary, text)",
    ]


def test_unknown_key(repo: Path) -> None:
    assert _errors(repo, {"logo": {"path": "brand/assets/logo.png", "size": 3}}) == [
        "brand/charter.toml: logo.size: unknown key"
        " (known keys here: path, position, width, margin, opacity)"
    ]


def test_bad_charter_is_returned_as_errors_not_raised(run: Run, repo: Path) -> None:
    source = write(repo, "media/a.jpg", jpeg(picture((300, 200))))
    result = run([job(source, "x")], {"logo": {"path": "brand/assets/none.png"}})
    assert [e.key for e in result.errors] == ["logo.path"]
    assert result.outputs == frozenset()


def test_severity_can_be_changed_by_the_charter(run: Run, repo: Path) -> None:
    source = write(repo, "media/small.jpg", jpeg(picture((300, 200))))
    charter = {**CHARTER, "severity": {"images.small": "error"}}
    [finding] = [f for f in run([job(source, "x")], charter).findings if f.rule == "images.small"]
    assert finding.severity == "error"


def test_contrast_ratio_follows_wcag() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio(parse_hex("#777"), parse_hex("#FFF")) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(parse_hex("#1B1B1F"), parse_hex("#F7F3EE")) > 15


@pytest.mark.parametrize("side", [6_000, 40_000])
def test_a_logo_over_the_pixel_cap_is_an_error_not_a_crash(
    run: Run, repo: Path, side: int, recwarn: pytest.WarningsRecorder
) -> None:
    write(repo, "brand/assets/logo.png", huge_png_header((side, side)))
    source = write(repo, "media/a.jpg", jpeg(picture((300, 200))))
    result = run([job(source, "x")])
    assert [(e.key, e.message) for e in result.errors] == [
        ("logo.path", "the logo is larger than 25 megapixels")
    ]
    assert not [w for w in recwarn if "DecompressionBomb" in type(w.message).__name__]
