"""brand/charter.toml: one schema sees the whole file, wording rules and graphic identity alike."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cmbuild.errors import InputErrors
from cmbuild.load.charter import load_charter
from cmbuild.load.site import load_config
from cmbuild.scaffold import scaffold

REPO = Path(__file__).resolve().parents[2]
BASIC = REPO / "tests" / "sites" / "basic"


def _errors(root: Path, text: str) -> list[str]:
    (root / "brand").mkdir(parents=True, exist_ok=True)
    (root / "brand" / "charter.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputErrors) as caught:
        load_charter(root, {"x-test"})
    return [str(error) for error in caught.value]


@pytest.mark.parametrize("root", [REPO, BASIC], ids=["sample", "basic"])
def test_the_sample_charters_load(root: Path) -> None:
    channels, charter = load_config(root)
    assert channels and charter.brand_name


def test_the_starter_charter_loads(tmp_path: Path) -> None:
    scaffold(tmp_path / "brand-new")
    _, charter = load_config(tmp_path / "brand-new")
    assert charter.brand_name


def test_the_charter_carries_its_graphic_identity() -> None:
    _, charter = load_config(REPO)
    images = charter.images
    assert dict(images.colors)["background"] == "#F7F3EE"
    assert images.logo is not None and images.logo.path == "brand/assets/logo.png"
    assert images.logo.width == 0.18 and images.logo.opacity == 0.9
    assert images.title_font == "brand/assets/fonts/DejaVuSans-Bold.ttf"


def test_an_unknown_table_is_an_error_with_the_nearest_name(tmp_path: Path) -> None:
    assert _errors(tmp_path, '[brand]\nname = "B"\n\n[colours]\nprimary = "#000000"\n') == [
        "brand/charter.toml:4: colours: unknown key (did you mean `colors`?)"
    ]


def test_an_unknown_image_key_is_an_error_with_the_nearest_name(tmp_path: Path) -> None:
    assert _errors(tmp_path, "[images]\nalt_required = true\nqualty = 80\n") == [
        "brand/charter.toml:3: images.qualty: unknown key (did you mean `quality`?)"
    ]


def test_a_handle_on_an_unknown_platform_is_an_error(tmp_path: Path) -> None:
    text = '[handles.ville]\nname = "Ville"\nmastodn = "@ville@mastodon.social"\n'
    assert _errors(tmp_path, text) == [
        "brand/charter.toml:3: handles.ville.mastodn: unknown key (did you mean `mastodon`?)"
    ]


def test_wording_and_graphic_errors_are_reported_together(tmp_path: Path) -> None:
    text = '[hashtags]\nmax = -1\n\n[logo]\npath = "brand/assets/logo.png"\nwidth = 2\n'
    assert _errors(tmp_path, text) == [
        "brand/charter.toml:2: hashtags.max: Input should be greater than or equal to 0",
        "brand/charter.toml:6: logo.width: Input should be less than or equal to 0.5",
    ]


def test_a_charter_of_the_sample_with_a_typo_fails_the_build(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(BASIC, root)
    charter = root / "brand" / "charter.toml"
    charter.write_text(charter.read_text(encoding="utf-8") + '\n[fonts]\ntitel = "x.ttf"\n')
    with pytest.raises(InputErrors) as caught:
        load_config(root)
    assert [e.key for e in caught.value] == ["fonts.titel"]
